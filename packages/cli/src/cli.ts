import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkRegistry, unbumpedObjects, type CheckReport } from './check.js';
import { resolveConfig, type ResolvedConfig } from './config.js';
import { EXIT, UsageError } from './errors.js';
import { loadObjectModules } from './load-modules.js';
import { runMigrations } from './migrations.js';
import { formatLockFile, readLockFile, writeLockFile } from './lock-file.js';
import { checkReportJson, displayPath, formatCheckReport } from './report.js';

export const HELP = `Usage: versioned fingerprint <check|update|show> [options]

Commands:
  fingerprint check    Compare every object's fingerprint with the lock file; explain each change,
                       the version bump it needs, and whether the version and history say so
  fingerprint update   Rewrite the lock file; refuses objects whose version does not account for
                       their changes, unless --force
  fingerprint show     Print the fingerprint of every object

Options:
  --module <file>      A compiled object module to load (repeatable; replaces the configured modules)
  --lock-file <file>   The lock file (default: the configured lockFile, else object-hashes.json)
  --config <file>      The config file (default: versioned.config.json, versioned.config.mjs,
                       else the "versioned" key of package.json)
  --json               Print a machine-readable report on stdout
  --force              update: lock changed objects even when their version was not bumped
  -h, --help           Show this help
  --version            Print the version of the CLI

Exit codes: 0 ok, 1 check failed (or update refused), 2 usage, config or module load error.
`;

/** Where the command writes; a test or an embedding tool can pass its own. */
export interface CliIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
}

const OPTIONS = {
  module: { type: 'string', multiple: true },
  'lock-file': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Run the command line `argv` (without `node versioned`); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv[0] === 'migrations') return runMigrations(argv.slice(1), io);
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseArguments(argv);
    json = values.json ?? false;
    if (values.version) {
      io.stdout.write(`${cliVersion()}\n`);
      return EXIT.ok;
    }
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    const [group, command, ...extra] = positionals;
    if (group === undefined) throw new UsageError('usage', 'missing command: expected `versioned fingerprint check`, `update` or `show`');
    if (group !== 'fingerprint') throw new UsageError('usage', `unknown command "${group}": expected "fingerprint"`);
    if (command === undefined) throw new UsageError('usage', 'missing subcommand: expected `check`, `update` or `show`');
    if (!['check', 'update', 'show'].includes(command)) throw new UsageError('usage', `unknown subcommand "fingerprint ${command}": expected check, update or show`);
    if (extra.length) throw new UsageError('usage', `unexpected argument "${extra[0]}"`);
    if (values.force && command !== 'update') throw new UsageError('usage', '--force only applies to `fingerprint update`');
    const config = await resolveConfig(io.cwd, {
      ...(values.config !== undefined ? { config: values.config } : {}),
      ...(values.module !== undefined ? { modules: values.module } : {}),
      ...(values['lock-file'] !== undefined ? { lockFile: values['lock-file'] } : {}),
    });
    const report = await runCheck(config);
    if (command === 'check') return printCheck(report, io, json);
    if (command === 'show') return printShow(report, io, json);
    return await update(report, io, json, values.force ?? false);
  } catch (err) {
    if (!(err instanceof UsageError)) {
      // Not a failed check: exit 2 so that CI does not read a crash as "the schema changed".
      io.stderr.write(`versioned: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return EXIT.usage;
    }
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: { code: err.code, message: err.message, file: err.file ?? null } }, null, 2)}\n`);
    io.stderr.write(`versioned: ${err.message}\n${err.code === 'usage' ? 'Run `versioned --help` for usage.\n' : ''}`);
    return EXIT.usage;
  }
}

function parseArguments(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError('usage', (err as Error).message.split('\n')[0] ?? 'bad arguments', { cause: err });
  }
}

/** Load the modules and the lock file, and compare them. */
export async function runCheck(config: ResolvedConfig): Promise<CheckReport> {
  const registry = await loadObjectModules(config.modules);
  const lock = await readLockFile(config.lockFile);
  return checkRegistry(registry, lock, config.lockFile);
}

function printCheck(report: CheckReport, io: CliIO, json: boolean): number {
  io.stdout.write(json ? `${JSON.stringify(checkReportJson(report), null, 2)}\n` : formatCheckReport(report, io.cwd));
  return report.ok ? EXIT.ok : EXIT.checkFailed;
}

function printShow(report: CheckReport, io: CliIO, json: boolean): number {
  const rows = [...report.computed.values()];
  if (json) {
    io.stdout.write(`${JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, r.fingerprint])), null, 2)}\n`);
  } else {
    const width = Math.max(0, ...rows.map((r) => r.name.length));
    for (const r of rows) io.stdout.write(`${r.name.padEnd(width)}  ${r.fingerprint}\n`);
  }
  return EXIT.ok;
}

async function update(report: CheckReport, io: CliIO, json: boolean, force: boolean): Promise<number> {
  const lockName = displayPath(report.lockFile, io.cwd);
  const refused = unbumpedObjects(report);
  const counts = {
    changed: report.objects.filter((o) => o.status === 'changed').length,
    added: report.objects.filter((o) => o.status === 'added').length,
    removed: report.objects.filter((o) => o.status === 'removed').length,
  };
  if (refused.length && !force) {
    if (json) {
      io.stdout.write(`${JSON.stringify({ ok: false, written: false, lockFile: report.lockFile, refused: refused.map((o) => ({ name: o.name, reason: refusal(o) })), ...counts }, null, 2)}\n`);
    } else {
      io.stdout.write(`refusing to update ${lockName}:\n`);
      for (const o of refused) io.stdout.write(`  ${o.name}: ${refusal(o)}\n`);
      io.stdout.write('Bump the versions (see `versioned fingerprint check`), or pass --force to lock the schemas as they are.\n');
    }
    return EXIT.checkFailed;
  }
  const text = formatLockFile(report.computed.values());
  const current = report.lockFileExists ? await readFile(report.lockFile, 'utf8') : undefined;
  const written = text !== current;
  if (written) await writeLockFile(report.lockFile, report.computed.values());
  if (json) {
    io.stdout.write(`${JSON.stringify({ ok: true, written, lockFile: report.lockFile, forced: refused.map((o) => o.name), ...counts }, null, 2)}\n`);
  } else if (!written) {
    io.stdout.write(`${lockName} is up to date (${report.computed.size} objects)\n`);
  } else {
    io.stdout.write(`updated ${lockName}: ${counts.changed} changed, ${counts.added} added, ${counts.removed} removed (${report.computed.size} objects)\n`);
    if (refused.length) io.stdout.write(`forced, although their version does not account for the change: ${refused.map((o) => o.name).join(', ')}\n`);
  }
  return EXIT.ok;
}

function refusal(o: CheckReport['objects'][number]): string {
  if (o.verdict && !o.verdict.ok) return o.verdict.message;
  return o.problems.filter((p) => p.check === 'history').map((p) => p.message).join('; ');
}

function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
