import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { checkRegistry, rpcApiPasses, unbumpedObjects, type CheckReport, type ObjectReport } from './check.js';
import type { CommandContext, CommandSpec, OptionSpec } from './command.js';
import { isRecord } from '@versioned/objects/internal';
import { isPath, isPathList, setting } from './config.js';
import { EXIT, UsageError } from './errors.js';
import { loadObjectModules } from './load-modules.js';
import { formatLockFile, parseLockFile, readLockFile, writeLockFile, type LockFile } from './lock-file.js';
import { checkReportJson, formatCheckReport } from './report.js';

/** The fingerprint settings in force, every path absolute. */
export interface ResolvedConfig {
  readonly modules: readonly string[];
  readonly lockFile: string;
  /** Classes whose removal is acknowledged: name -> the release from which it is allowed. */
  readonly removedClasses: Readonly<Record<string, string>>;
  /** Where they came from, for messages: `package.json#versioned`, `versioned.config.json`, `--module`. */
  readonly source: string;
}

/** The lock file's name unless configured: `object-hashes.json`. */
export const DEFAULT_LOCK_FILE = 'object-hashes.json';
export const FINGERPRINT_SETTINGS = ['modules', 'lockFile', 'removedClasses'] as const;

const MODULE: OptionSpec = {
  type: 'string',
  multiple: true,
  value: '<file>',
  help: 'A compiled object module to load (replaces the configured modules)',
};
const LOCK: OptionSpec = {
  type: 'string',
  value: '<file>',
  help: 'The lock file (default: the configured lockFile, else object-hashes.json)',
};

/** Resolve the fingerprint settings: flags (relative to the current directory) over the configuration (relative to its file). */
export async function resolveFingerprintConfig(ctx: CommandContext): Promise<ResolvedConfig> {
  const cwd = ctx.io.cwd;
  const found = await ctx.config();
  const flagModules = ctx.values.module as readonly string[] | undefined;
  const configured = found ? setting(found, 'modules', isPathList, 'a non-empty array of module paths') : undefined;
  const modules = flagModules?.length
    ? flagModules.map((m) => resolve(cwd, m))
    : (configured ?? []).map((m) => resolve(found?.dir ?? cwd, m));
  if (modules.length === 0) {
    throw new UsageError(
      'config',
      found
        ? `${found.source} lists no "modules"`
        : 'no object modules: pass --module <file.js>, or add "versioned": { "modules": [...] } to package.json, or create versioned.config.json',
      found ? { file: found.file } : {},
    );
  }
  const lockFlag = ctx.values['lock-file'] as string | undefined;
  const lockSetting = found ? setting(found, 'lockFile', isPath, 'a path') : undefined;
  const lockFile = lockFlag ? resolve(cwd, lockFlag) : resolve(found?.dir ?? cwd, lockSetting ?? DEFAULT_LOCK_FILE);
  const isReleases = (v: unknown): v is Record<string, string> =>
    isRecord(v) && Object.values(v).every((r) => typeof r === 'string' && r.length > 0);
  const removedClasses =
    (found
      ? setting(found, 'removedClasses', isReleases, 'an object of class name -> the release from which its removal is allowed')
      : undefined) ?? {};
  return { modules, lockFile, removedClasses, source: flagModules?.length ? '--module' : (found?.source ?? '--module') };
}

/** Load the modules and the baseline (the lock file, or its version at a git revision), and compare them. */
export async function runCheck(
  config: ResolvedConfig,
  options: { against?: string; display?: (p: string) => string; withoutLock?: boolean } = {},
): Promise<CheckReport> {
  const display = options.display ?? ((p: string) => p);
  const loaded = await loadObjectModules(config.modules, display);
  if (loaded.registry.names().length === 0 && loaded.invalid.length === 0 && loaded.rpcApis.length === 0) {
    throw new UsageError(
      'config',
      `no versioned objects found in ${config.modules.map(display).join(', ')}: the modules registered no class in the default registry of @versioned/objects, export no registry and no RPC API. ` +
        'Export the registry the classes use (`export const registry = new ObjectRegistry()`), or register them in the default one',
      { file: config.modules[0] as string },
    );
  }
  const lock = options.withoutLock
    ? undefined
    : options.against === undefined
      ? await readLockFile(config.lockFile, display)
      : await lockAtRevision(config.lockFile, options.against, display);
  return checkRegistry(loaded.registry, lock, config.lockFile, {
    manifests: loaded.manifests,
    removedClasses: config.removedClasses,
    against: options.against,
    invalid: loaded.invalid.map((i) => ({ file: display(i.file), message: i.message })),
    rpcApis: loaded.rpcApis,
  });
}

/** The lock file as it was at a git revision (`git show <ref>:<path>`); undefined when it did not exist there. */
async function lockAtRevision(lockFile: string, ref: string, display: (p: string) => string): Promise<LockFile | undefined> {
  if (ref.startsWith('-') || ref.includes(':'))
    throw new UsageError('usage', `--against needs a git revision (a branch, tag or commit), got "${ref}"`, {
      command: 'fingerprint check',
    });
  const git = (args: string[]): Promise<string> =>
    new Promise((ok, fail) => {
      execFile('git', args, { cwd: dirname(lockFile), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? fail(Object.assign(err, { stderr })) : ok(stdout),
      );
    });
  try {
    await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch (err) {
    const why =
      (err as { code?: unknown }).code === 'ENOENT'
        ? 'git is not installed'
        : /not a git repository/i.test(String((err as { stderr?: string }).stderr))
          ? `${display(dirname(lockFile))} is not in a git repository`
          : `no revision "${ref}" in this repository`;
    throw new UsageError('git', `cannot compare against ${ref}: ${why}`);
  }
  let text: string;
  try {
    text = await git(['show', `${ref}:./${basename(lockFile)}`]);
  } catch {
    return undefined; // no lock file at that revision: every object is new there
  }
  return parseLockFile(text, lockFile, `${display(lockFile)} at ${ref}`);
}

async function check(ctx: CommandContext): Promise<number> {
  const config = await resolveFingerprintConfig(ctx);
  const against = ctx.values.against as string | undefined;
  const report = await runCheck(config, { ...(against !== undefined ? { against } : {}), display: ctx.display });
  if (ctx.json) ctx.printJson(checkReportJson(report, ctx.io.cwd));
  else ctx.io.stdout.write(formatCheckReport(report, ctx.io.cwd));
  return report.ok ? EXIT.ok : EXIT.checkFailed;
}

async function show(ctx: CommandContext): Promise<number> {
  const config = await resolveFingerprintConfig(ctx);
  const report = await runCheck(config, { display: ctx.display, withoutLock: true });
  const rows = [...report.computed.values()];
  if (ctx.json) {
    ctx.printJson(Object.fromEntries(rows.map((r) => [r.name, r.fingerprint])));
  } else {
    const width = Math.max(0, ...rows.map((r) => r.name.length));
    for (const r of rows) ctx.io.stdout.write(`${r.name.padEnd(width)}  ${r.fingerprint}\n`);
  }
  return EXIT.ok;
}

async function update(ctx: CommandContext): Promise<number> {
  const config = await resolveFingerprintConfig(ctx);
  const force = ctx.values.force === true;
  const report = await runCheck(config, { display: ctx.display });
  const lockName = ctx.display(report.lockFile);
  const counts = {
    changed: report.objects.filter((o) => o.status === 'changed').length,
    added: report.objects.filter((o) => o.status === 'added').length,
    removed: report.objects.filter((o) => o.status === 'removed').length,
  };
  const declarations = report.problems.filter((p) => p.check === 'declaration');
  const refused = unbumpedObjects(report);
  const refusedApis = report.rpcApis.filter((a) => !rpcApiPasses(a, 'update'));
  if (declarations.length || ((refused.length || refusedApis.length) && !force)) {
    const reasons = [
      ...declarations.map((p) => ({ name: '(declaration)', reason: p.message })),
      ...refused.map((o) => ({ name: o.name, reason: refusal(o) })),
      ...refusedApis.map((a) => ({
        name: `RPC API ${a.name}`,
        reason: a.changes
          .filter((c) => !c.ok)
          .map((c) => c.message)
          .join('; '),
      })),
    ];
    if (ctx.json) {
      ctx.printJson({ ok: false, written: false, lockFile: lockName, refused: reasons, ...counts });
    } else {
      ctx.io.stdout.write(`refusing to update ${lockName}:\n`);
      for (const r of reasons) ctx.io.stdout.write(`  ${r.name}: ${r.reason}\n`);
      ctx.io.stdout.write('Follow `versioned fingerprint check` (it lists every edit), or pass --force to lock the schemas as they are.\n');
    }
    return EXIT.checkFailed;
  }
  const contents = {
    fingerprints: [...report.computed.values()].map((fp) => ({ ...fp, history: report.histories.get(fp.name) ?? [] })),
    manifests: report.manifests,
    rpcApis: report.rpcRecords,
  };
  const text = formatLockFile(contents);
  const current = report.lockFileExists ? await readFile(report.lockFile, 'utf8').catch(() => undefined) : undefined;
  const written = text !== current;
  if (written) await writeLockFile(report.lockFile, contents, ctx.display);
  const forced = force ? [...refused.map((o) => o.name), ...refusedApis.map((a) => `RPC API ${a.name}`)] : [];
  if (ctx.json) {
    ctx.printJson({ ok: true, written, lockFile: lockName, forced, ...counts });
  } else if (!written) {
    ctx.io.stdout.write(`${lockName} is up to date (${report.computed.size} objects${apisText(report)})\n`);
  } else {
    ctx.io.stdout.write(
      `updated ${lockName}: ${counts.changed} changed, ${counts.added} added, ${counts.removed} removed (${report.computed.size} objects${apisText(report)})\n`,
    );
    if (forced.length)
      ctx.io.stdout.write(`forced, although their version or history does not account for the change: ${forced.join(', ')}\n`);
  }
  return EXIT.ok;
}

function apisText(report: CheckReport): string {
  const n = report.rpcRecords.length;
  return n ? `, ${n} RPC API${n === 1 ? '' : 's'}` : '';
}

function refusal(o: ObjectReport): string {
  const texts = [
    ...(o.verdict && !o.verdict.ok ? [o.verdict.message] : []),
    ...o.problems.filter((p) => ['history', 'tree', 'removal'].includes(p.check)).map((p) => p.message),
  ];
  return texts.join('; ') || 'its history does not record the change';
}

const SETTINGS_TEXT = `Settings ("versioned" in package.json, or versioned.config.json / .mjs, found upward from the current directory):
  modules         compiled JS modules that register the object classes (or export their registry)
  lockFile        the lock file, relative to the config file (default object-hashes.json)
  removedClasses  { "ClassName": "<release>" }: classes whose removal is acknowledged, from that release on`;

/** The `versioned fingerprint check` and `versioned fingerprint update` commands. */
export const FINGERPRINT_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'fingerprint check',
    summary: 'Compare every object with the lock file; explain each change and list every bump and history entry it needs',
    description: `With --against <git ref>, compare with the lock file (and the histories it records) at that revision instead:
a change passes when its version and history account for it, so a rewritten released history entry or a lowered
version fails, and the lock file need not be current.

${SETTINGS_TEXT}`,
    options: {
      module: MODULE,
      'lock-file': LOCK,
      against: { type: 'string', value: '<git ref>', help: 'Compare with the lock file at this git revision (a branch, tag or commit)' },
    },
    settings: FINGERPRINT_SETTINGS,
    run: check,
  },
  {
    name: 'fingerprint update',
    summary: 'Rewrite the lock file; refuses objects whose version or history does not account for their changes, unless --force',
    description: SETTINGS_TEXT,
    options: {
      module: MODULE,
      'lock-file': LOCK,
      force: { type: 'boolean', help: 'Lock changed objects even when their version or history does not account for the change' },
    },
    settings: FINGERPRINT_SETTINGS,
    run: update,
  },
  {
    name: 'fingerprint show',
    summary: 'Print the fingerprint of every object',
    description: SETTINGS_TEXT,
    options: { module: MODULE },
    settings: FINGERPRINT_SETTINGS,
    run: show,
  },
];
