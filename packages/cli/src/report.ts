import { rpcApiPasses, type CheckReport, type ObjectReport } from './check.js';
import type { RpcApiReport } from './rpc-check.js';
import { entryText } from './checks/plan.js';
import { displayPath } from './command.js';

export { displayPath };

/** The human report of `versioned fingerprint check`. */
export function formatCheckReport(report: CheckReport, cwd: string): string {
  const lockName = displayPath(report.lockFile, cwd);
  const against = report.against === undefined ? lockName : `${lockName} at ${report.against}`;
  const lines: string[] = [`versioned fingerprint check: ${countOf(report.objects.length, 'object')} against ${against}`];
  if (!report.lockFileExists) lines.push(`no lock file at ${against} yet: every object is new`);
  lines.push('');
  for (const object of report.objects) lines.push(...formatObject(object, report.against !== undefined));
  for (const api of report.rpcApis) lines.push(...formatRpcApi(api, report.against));
  for (const p of report.problems) lines.push(`FAIL ${p.check} check: ${p.message}`);
  const todo = adviceLines(report);
  if (todo.length)
    lines.push('', 'To pass in one round, make all of these edits, rebuild, then run `versioned fingerprint update`:', ...todo);
  lines.push('');
  lines.push(summary(report, lockName));
  return `${lines.join('\n')}\n`;
}

function formatObject(o: ObjectReport, against: boolean): string[] {
  const out: string[] = [];
  const problems = o.problems.map((p) => `  ${p.check} check: ${p.message}`);
  const mark = (ok: boolean): string => (ok ? 'ok  ' : 'FAIL');
  switch (o.status) {
    case 'unchanged':
      out.push(`${mark(o.problems.length === 0)} ${o.name} ${o.version}`, ...problems);
      break;
    case 'added':
      out.push(`${against && o.problems.length === 0 ? 'new ' : 'NEW '} ${o.name} ${o.version}: not in the lock file`, ...problems);
      break;
    case 'removed':
      if (o.removalAcknowledged !== undefined)
        out.push(`GONE ${o.name} ${o.lockedVersion}: removal acknowledged from release ${o.removalAcknowledged}`);
      else out.push(`GONE ${o.name} ${o.lockedVersion}: in the lock file, but no loaded module registers it`, ...problems);
      break;
    case 'changed': {
      const versions = o.lockedVersion === o.version ? `${o.version}` : `${o.version} (locked ${o.lockedVersion})`;
      const head = o.requiredBump
        ? `schema changed, needs a ${o.requiredBump} bump`
        : o.lockedVersion === o.version
          ? 'schema changed (children moved through the manifest history)'
          : 'version changed';
      const fine = against && o.problems.length === 0 && o.advice === undefined && (o.verdict?.ok ?? true);
      out.push(`${mark(fine)} ${o.name} ${versions}: ${head}`);
      for (const c of o.changes) out.push(`  - ${c.message}${c.viaManifest ? '' : ` [${c.bump}]`}`);
      if (o.verdict) out.push(`  ${o.verdict.message}`);
      out.push(...problems);
      out.push(`  locked:   ${o.lockedFingerprint}`, `  computed: ${o.fingerprint}`);
      break;
    }
  }
  return out;
}

function formatRpcApi(api: RpcApiReport, against: string | undefined): string[] {
  const mark = rpcApiPasses(api, against) ? 'ok  ' : 'FAIL';
  const name = `RPC API ${api.name}`;
  switch (api.status) {
    case 'unchanged':
      return [`${mark} ${name} ${api.version}`];
    case 'added':
      return [`${against === undefined ? 'NEW ' : 'new '} ${name} ${api.version}: not in the lock file`];
    case 'removed':
      return [`GONE ${name} ${api.lockedVersion}`, ...api.changes.map((c) => `  - ${c.message}`)];
    case 'changed': {
      const versions = api.lockedVersion === api.version ? `${api.version}` : `${api.version} (locked ${api.lockedVersion})`;
      return [
        `${mark} ${name} ${versions}: the API changed`,
        ...api.changes.map((c) => `  - ${c.ok ? '' : 'FAIL '}${c.message}${c.ok ? ` [${c.bump}]` : ''}`),
      ];
    }
  }
}

/** Every edit of the cascade, in one list: the version to set and the entry to paste, per class; the manifest entry. */
function adviceLines(report: CheckReport): string[] {
  const out: string[] = [];
  for (const o of report.objects) {
    const a = o.advice;
    if (!a) continue;
    const bump = a.version !== a.from ? `set the version to '${a.version}' and ` : '';
    const what = a.extend ? `make its ${a.extends} entry${a.extends !== a.version ? ` (now ${a.version})` : ''}` : 'add the history entry';
    out.push(`  ${a.name}: ${bump}${what} ${entryText(a.entry)}`);
    if (!a.declaresHistory || a.completesReleased)
      out.push(`    (the whole history afterwards: history: [${a.history.map(entryText).join(', ')}])`);
  }
  const m = report.manifestAdvice;
  if (m)
    out.push(
      `  the manifest history: ${m.extend ? `add to the unreleased manifest '${m.key}'` : `add .add('${m.key}', ...) with`} { ${Object.entries(
        m.updates,
      )
        .map(([n, v]) => `${n}: '${v}'`)
        .join(', ')} }`,
    );
  return out;
}

function summary(report: CheckReport, lockName: string): string {
  if (report.ok) {
    const n = report.objects.length;
    const apis = report.rpcApis.length ? ` and ${countOf(report.rpcApis.length, 'RPC API')}` : '';
    const many = n + report.rpcApis.length !== 1;
    return report.against === undefined
      ? `OK: ${countOf(n, 'object')}${apis} ${many ? 'match' : 'matches'} ${lockName}`
      : `OK: every change since ${report.against} is versioned (${countOf(n, 'object')}${apis})`;
  }
  const failingApis = report.rpcApis.filter((a) => !rpcApiPasses(a, report.against));
  const failing = [...report.objects.filter((o) => o.status !== 'unchanged' || o.problems.length > 0), ...failingApis];
  const advised = report.objects.filter((o) => o.advice);
  const steps: string[] = [];
  const bumps = advised.filter((o) => o.advice?.version !== o.advice?.from).map((o) => `${o.name} to ${o.advice?.version}`);
  if (advised.length)
    steps.push(bumps.length ? `bump ${bumps.join(', ')} and record the entries listed above` : 'record the entries listed above');
  if (report.manifestAdvice) steps.push('add the manifest entry listed above');
  if (failingApis.some((a) => a.changes.some((c) => !c.ok)))
    steps.push('declare each RPC API change as its line says (a new minor, a new major, or put the released history back)');
  if (failing.some((o) => 'problems' in o && o.problems.some((p) => p.check === 'removal')))
    steps.push('restore each removed class or acknowledge it in "removedClasses"');
  if (
    failing.some((o) => 'problems' in o && o.problems.some((p) => !['history', 'tree', 'removal'].includes(p.check))) ||
    report.problems.some((p) => p.check !== 'manifest' || !report.manifestAdvice)
  ) {
    steps.push('fix the other problems above');
  }
  if (report.against === undefined && failing.some((o) => o.status !== 'unchanged'))
    steps.push(`run \`versioned fingerprint update\` and commit ${lockName}`);
  return `FAILED: ${failing.length} of ${countOf(report.objects.length, 'object')}${report.rpcApis.length ? ` and ${countOf(report.rpcApis.length, 'RPC API')}` : ''}${report.problems.length ? ` and ${countOf(report.problems.length, 'project problem')}` : ''}. Next: ${steps.join(', then ') || 'see above'}.`;
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The machine-readable report: everything the text says, as data, plus the plan to apply in one round. */
export function checkReportJson(report: CheckReport, cwd: string): Record<string, unknown> {
  return {
    ok: report.ok,
    lockFile: displayPath(report.lockFile, cwd),
    lockFileExists: report.lockFileExists,
    against: report.against ?? null,
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
      removalAcknowledged: o.removalAcknowledged ?? null,
    })),
    rpcApis: report.rpcApis.map((a) => ({ ...a, ok: rpcApiPasses(a, report.against) })),
    problems: report.problems,
    plan: {
      classes: report.objects.flatMap((o) => (o.advice ? [o.advice] : [])),
      manifest: report.manifestAdvice ?? null,
      then: report.against === undefined ? 'versioned fingerprint update' : null,
    },
  };
}
