import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkMigrations,
  DIALECTS,
  isMigrationCheckError,
  readAllowList,
  type Dialect,
  type MigrationReport,
  type MigrationSource,
} from '@versioned/migrations';
import type { CliIO } from './cli.js';
import { EXIT } from './errors.js';

export const MIGRATIONS_HELP = `Usage: versioned migrations check --dialect <sqlite|postgres> --before <source> --after <source> [options]

Migrates a scratch database to release N's schema (--before), reads it back, migrates on to N+1 (--after),
reads it again, and reports every change that breaks code written for N (dropped, renamed or retyped
tables, columns and views; new NOT NULL columns; lost defaults; new unique, check and foreign key
constraints; dropped unique keys), each with what to do instead.

Sources:
  <folder>                  the .sql files of a folder, applied in file-name order (N+1 applies only the
                            files N does not have)
  <git-revision>:<folder>   the folder as it is at a git revision of the project (origin/main:db/migrations)
  --before-command <cmd>, --after-command <cmd>
                            instead of a folder: a shell command that migrates the database named by
                            $DATABASE_URL (any migration tool); on SQLite $DATABASE_PATH is the file's path

Options:
  --dialect <name>          sqlite (a temporary file) or postgres (a temporary database, dropped after)
  --database <url>          PostgreSQL: the server to create the scratch database on
                            (default: the PG* environment variables, else the local server)
  --allow-list <file>       a JSON file of deliberate contractions: {"allow": [{"change", "reason", "from"}]}
  --release <version>       the release N+1 is, compared with each entry's "from"
                            (default: the version in ./package.json)
  --missing-before-is-empty a <git-revision>:<folder> that does not exist at that revision is an empty schema
  --json                    print a machine-readable report on stdout
  -h, --help                show this help

Exit codes: 0 no breaking change, 1 breaking changes, 2 usage, a failing migration or an unreachable database.
`;

const OPTIONS = {
  dialect: { type: 'string' },
  before: { type: 'string' },
  after: { type: 'string' },
  'before-command': { type: 'string' },
  'after-command': { type: 'string' },
  database: { type: 'string' },
  'allow-list': { type: 'string' },
  release: { type: 'string' },
  'missing-before-is-empty': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class MigrationsUsage extends Error {}

/** `versioned migrations ...` (argv without `migrations`); resolves to the exit code. */
export async function runMigrations(argv: readonly string[], io: CliIO): Promise<number> {
  let json = argv.includes('--json');
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new MigrationsUsage((err as Error).message.split('\n')[0] ?? 'bad arguments');
    }
    const { values, positionals } = parsed;
    json = values.json ?? false;
    if (values.help) {
      io.stdout.write(MIGRATIONS_HELP);
      return EXIT.ok;
    }
    const [command, ...extra] = positionals;
    if (command === undefined) throw new MigrationsUsage('missing subcommand: expected `versioned migrations check`');
    if (command !== 'check') throw new MigrationsUsage(`unknown subcommand "migrations ${command}": expected check`);
    if (extra.length) throw new MigrationsUsage(`unexpected argument "${extra[0]}"`);
    if (values.dialect === undefined) throw new MigrationsUsage(`--dialect is required: ${DIALECTS.join(' or ')}`);
    if (!(DIALECTS as readonly string[]).includes(values.dialect))
      throw new MigrationsUsage(`unknown dialect "${values.dialect}": expected ${DIALECTS.join(' or ')}`);
    const missingIsEmpty = values['missing-before-is-empty'] ?? false;
    const before = await source('before', values.before, values['before-command'], io.cwd, missingIsEmpty);
    const after = await source('after', values.after, values['after-command'], io.cwd, false);
    const allowList = values['allow-list'] === undefined ? [] : await readAllowList(resolve(io.cwd, values['allow-list']));
    const release = values.release ?? (allowList.length ? await packageVersion(io.cwd) : undefined);
    const report = await checkMigrations({
      dialect: values.dialect as Dialect,
      before,
      after,
      allowList,
      cwd: io.cwd,
      ...(release !== undefined ? { release } : {}),
      ...(values.database !== undefined ? { database: values.database } : {}),
    });
    io.stdout.write(json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : formatReport(report));
    return report.ok ? EXIT.ok : EXIT.checkFailed;
  } catch (err) {
    const known = err instanceof MigrationsUsage ? { code: 'usage', file: undefined } : isMigrationCheckError(err) ? err : null;
    const message = err instanceof Error ? err.message : String(err);
    const code = known?.code ?? 'unexpected';
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: { code, message, file: known?.file ?? null } }, null, 2)}\n`);
    io.stderr.write(
      `versioned migrations: ${known ? '' : 'unexpected error: '}${message}\n${code === 'usage' ? 'Run `versioned migrations --help` for usage.\n' : ''}`,
    );
    return EXIT.usage;
  }
}

/** A source option: a folder, `<git-revision>:<folder>`, or a command. */
async function source(
  which: 'before' | 'after',
  value: string | undefined,
  command: string | undefined,
  cwd: string,
  missingIsEmpty: boolean,
): Promise<MigrationSource> {
  if (value !== undefined && command !== undefined) throw new MigrationsUsage(`give --${which} or --${which}-command, not both`);
  if (command !== undefined) return { command };
  if (value === undefined) throw new MigrationsUsage(`--${which} is required (a folder, <git-revision>:<folder>, or --${which}-command)`);
  const colon = value.indexOf(':');
  const isFolder = (await stat(resolve(cwd, value)).catch(() => null))?.isDirectory() ?? false;
  if (isFolder || colon <= 0) return { folder: value };
  return { git: value.slice(0, colon), folder: value.slice(colon + 1) || '.', missingIsEmpty };
}

async function packageVersion(cwd: string): Promise<string | undefined> {
  try {
    const version = (JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** The stable JSON shape of a report (docs/migrations.md describes it). */
export function reportJson(report: MigrationReport) {
  return {
    ok: report.ok,
    dialect: report.dialect,
    before: report.before,
    after: report.after,
    release: report.release,
    findings: report.findings.map((f) => ({
      change: f.change,
      kind: f.kind,
      table: f.table,
      column: f.column,
      target: f.target,
      message: f.message,
      advice: f.advice,
    })),
    allowed: report.allowed.map(({ finding, entry }) => ({
      change: finding.change,
      kind: finding.kind,
      table: finding.table,
      column: finding.column,
      message: finding.message,
      reason: entry.reason,
      from: entry.from,
    })),
    unusedAllowEntries: report.unusedAllowEntries.map((e) => ({ change: e.change, reason: e.reason, from: e.from })),
    warnings: report.warnings,
  };
}

export function formatReport(report: MigrationReport): string {
  const lines = [`versioned migrations check (${report.dialect}): from ${report.before} to ${report.after}`, ''];
  if (report.findings.length) {
    const kindWidth = Math.max(4, ...report.findings.map((f) => f.kind.length));
    const targetWidth = Math.max(6, ...report.findings.map((f) => f.target.length));
    const pad = ' '.repeat(kindWidth + targetWidth + 4);
    lines.push(`${'KIND'.padEnd(kindWidth)}  ${'TARGET'.padEnd(targetWidth)}  WHAT CHANGED / WHAT TO DO INSTEAD`);
    for (const f of report.findings) {
      lines.push(`${f.kind.padEnd(kindWidth)}  ${f.target.padEnd(targetWidth)}  ${f.message}`, `${pad}instead: ${f.advice}`);
    }
    lines.push('');
  }
  if (report.allowed.length) {
    lines.push('Allowed by the allow-list:');
    for (const { finding, entry } of report.allowed) lines.push(`  ${finding.change} (from release ${entry.from}): ${entry.reason}`);
    lines.push('');
  }
  if (report.unusedAllowEntries.length) {
    lines.push('Allow-list entries that match no change (stale or misspelt: remove or fix them):');
    for (const e of report.unusedAllowEntries) lines.push(`  ${e.change} (from release ${e.from})`);
    lines.push('');
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  if (report.warnings.length) lines.push('');
  const n = report.findings.length;
  lines.push(
    n
      ? `FAIL: ${n} change${n === 1 ? '' : 's'} break${n === 1 ? 's' : ''} code written for release N. Expand now, contract in the release after (or allow-list a deliberate contraction).`
      : `ok: no change breaks code written for release N${report.allowed.length ? ` (${report.allowed.length} allowed by the allow-list)` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
