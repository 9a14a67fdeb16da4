import { relative } from 'node:path';
import type { CheckReport, ObjectReport } from './check.js';

/** The human report of `versioned fingerprint check`. */
export function formatCheckReport(report: CheckReport, cwd: string): string {
  const lockName = displayPath(report.lockFile, cwd);
  const lines: string[] = [`versioned fingerprint check: ${countOf(report.objects.length, 'object')} against ${lockName}`];
  if (!report.lockFileExists) lines.push(`no lock file at ${lockName} yet: every object is new`);
  lines.push('');
  for (const object of report.objects) lines.push(...formatObject(object));
  lines.push('');
  lines.push(summary(report, lockName));
  return `${lines.join('\n')}\n`;
}

function formatObject(o: ObjectReport): string[] {
  const out: string[] = [];
  const problems = o.problems.map((p) => `  ${p.check} check: ${p.message}`);
  switch (o.status) {
    case 'unchanged':
      out.push(`${o.problems.length ? 'FAIL' : 'ok  '} ${o.name} ${o.version}`, ...problems);
      break;
    case 'added':
      out.push(`NEW  ${o.name} ${o.version}: not in the lock file`, ...problems);
      break;
    case 'removed':
      out.push(`GONE ${o.name} ${o.lockedVersion}: in the lock file, but no loaded module registers it`);
      break;
    case 'changed': {
      const versions = o.lockedVersion === o.version ? `${o.version}` : `${o.version} (locked ${o.lockedVersion})`;
      const head = o.requiredBump ? `schema changed, needs a ${o.requiredBump} bump` : 'version changed';
      out.push(`FAIL ${o.name} ${versions}: ${head}`);
      for (const c of o.changes) out.push(`  - ${c.message} [${c.bump}]`);
      if (o.verdict) out.push(`  ${o.verdict.ok ? o.verdict.message : `${o.verdict.message}`}`);
      out.push(...problems);
      out.push(`  locked:   ${o.lockedFingerprint}`, `  computed: ${o.fingerprint}`);
      break;
    }
  }
  return out;
}

function summary(report: CheckReport, lockName: string): string {
  if (report.ok) return `OK: ${countOf(report.objects.length, 'object')} ${report.objects.length === 1 ? 'matches' : 'match'} ${lockName}`;
  const failing = report.objects.filter((o) => o.status !== 'unchanged' || o.problems.length > 0);
  const unbumped = failing.filter((o) => o.status === 'changed' && !o.verdict?.ok);
  const steps: string[] = [];
  if (unbumped.length) steps.push(`bump ${unbumped.map((o) => `${o.name} to ${o.verdict?.suggested}`).join(', ')} with a history entry`);
  if (failing.some((o) => o.problems.some((p) => p.check === 'history'))) steps.push('record the changes in the history as shown');
  if (failing.some((o) => o.problems.some((p) => p.check !== 'history'))) steps.push('fix the tree, compat and children problems above');
  if (failing.some((o) => o.status !== 'unchanged')) steps.push(`run \`versioned fingerprint update\` and commit ${lockName}`);
  return `FAILED: ${failing.length} of ${countOf(report.objects.length, 'object')}. Next: ${steps.join(', then ')}.`;
}

/** A path relative to the working directory when it is inside it. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The machine-readable report: everything the text says, as data. */
export function checkReportJson(report: CheckReport): Record<string, unknown> {
  return {
    ok: report.ok,
    lockFile: report.lockFile,
    lockFileExists: report.lockFileExists,
    objects: report.objects.map((o) => ({
      name: o.name,
      status: o.status,
      version: o.version ?? null,
      lockedVersion: o.lockedVersion ?? null,
      fingerprint: o.fingerprint ?? null,
      lockedFingerprint: o.lockedFingerprint ?? null,
      requiredBump: o.requiredBump ?? null,
      changes: o.changes,
      verdict: o.verdict ?? null,
      problems: o.problems,
    })),
  };
}
