import { access } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LivenessRule, Releases, ServiceStore, Upgrade, UpgradeConfig } from '@versioned/upgrade';
import type { CommandContext, OptionSpec } from './command.js';
import { isRecord } from '@versioned/objects/internal';
import { firstLine, type FoundConfig } from './config.js';
import { UsageError } from './errors.js';

/**
 * @versioned/upgrade, loaded when an operator's command runs. It is an optional peer dependency (the package the
 * services use, with its database drivers): the fingerprint commands never need it.
 */
export async function upgradeLib(): Promise<UpgradeLib> {
  try {
    return await import('@versioned/upgrade');
  } catch (err) {
    const missing =
      (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('@versioned/upgrade');
    if (!missing) throw err;
    throw new UsageError(
      'module_load',
      'the services and upgrade commands need @versioned/upgrade, the package your services use: install it next to @versioned/cli (npm install @versioned/upgrade)',
    );
  }
}
type UpgradeLib = typeof import('@versioned/upgrade');

/** The liveness defaults of @versioned/upgrade (DEFAULT_DOWN_TIME_MS, DEFAULT_LATE_GRACE_MS; a test holds them equal). */
export const DEFAULT_RULE: LivenessRule = { downTimeMs: 60_000, lateGraceMs: 60_000 };

/** The configuration key of the operator's commands: `"upgrade": { "database", "releases", ... }`. */
export const UPGRADE_SETTING = 'upgrade';

export const UPGRADE_SETTINGS_TEXT = `Settings (the "upgrade" object of the configuration: "versioned" in package.json, or versioned.config.json / .mjs,
found upward from the current directory; the services can read the same object):
  database      sqlite:<path> (relative to the config file) or postgres://user@host:port/db
  releases      a compiled JS module (or a list of them) exporting the Releases of each binary
  upgradeLevels { "<binary>": "auto" | "<release>" | "<version>" }: configuration overrides of the pins
  liftPolicy    { "<binary>": "auto" | "finalize" }
  downTimeMs    a heartbeat older than this makes a row late (default ${DEFAULT_RULE.downTimeMs})
  lateGraceMs   how long a late row still holds the pins before it is dead (default ${DEFAULT_RULE.lateGraceMs})`;

export const DATABASE_OPTION: OptionSpec = {
  type: 'string',
  value: '<url>',
  help: 'The services database: sqlite:<path> or postgres://... (default: the "upgrade.database" setting)',
};
export const RELEASES_OPTION: OptionSpec = {
  type: 'string',
  multiple: true,
  value: '<file>',
  help: 'A compiled module exporting the Releases of the binaries (replaces the "upgrade.releases" setting)',
};

/** The operator's settings in force: the database URL (SQLite paths absolute), and where each came from. */
export interface UpgradeSettings {
  readonly url: string;
  /** `--database`, or `<config source>#upgrade.database`: where to fix a wrong URL. */
  readonly urlSource: string;
  readonly releaseModules: readonly string[];
  readonly config: UpgradeConfig;
  readonly rule: LivenessRule;
  readonly found: FoundConfig | undefined;
}

function bad(found: FoundConfig, key: string, expected: string): UsageError {
  return new UsageError('config', `${found.source}: "${UPGRADE_SETTING}.${key}" must be ${expected}`, { file: found.file });
}

/** A relative SQLite path made absolute against `base` (the config file's directory, or the current one for a flag). */
function absoluteUrl(url: string, base: string): string {
  if (!url.startsWith('sqlite:')) return url;
  const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  return path === '' || path === ':memory:' || isAbsolute(path) ? url : `sqlite:${resolve(base, path)}`;
}

const positiveMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Read `--database`, `--releases` and the "upgrade" settings; nothing is opened yet. */
export async function resolveUpgradeSettings(ctx: CommandContext): Promise<UpgradeSettings> {
  const cwd = ctx.io.cwd;
  const found = await ctx.config();
  const raw = found?.settings[UPGRADE_SETTING];
  if (found && raw !== undefined && !isRecord(raw))
    throw new UsageError('config', `${found.source}: "${UPGRADE_SETTING}" must be an object ({ "database": ..., "releases": ... })`, {
      file: found.file,
    });
  const section = (raw ?? {}) as Record<string, unknown>;
  const known = ['database', 'releases', 'upgradeLevels', 'liftPolicy', 'downTimeMs', 'lateGraceMs'];
  const unknown = Object.keys(section).find((k) => !known.includes(k));
  if (found && unknown !== undefined)
    throw new UsageError('config', `${found.source}: unknown setting "${UPGRADE_SETTING}.${unknown}" (known: ${known.join(', ')})`, {
      file: found.file,
    });
  const dir = found?.dir ?? cwd;
  const cfg = found as FoundConfig;

  const flag = ctx.values.database as string | undefined;
  if (section.database !== undefined && (typeof section.database !== 'string' || section.database === ''))
    throw bad(cfg, 'database', 'a URL (sqlite:<path> or postgres://...)');
  const configured = section.database as string | undefined;
  if (flag === undefined && configured === undefined) {
    throw new UsageError(
      'config',
      `no services database: pass --database sqlite:<path> or --database postgres://..., or set "${UPGRADE_SETTING}": { "database": ... } in ${found ? found.source : 'the configuration (package.json "versioned", or versioned.config.json)'}`,
      found ? { file: found.file } : {},
    );
  }
  const url = flag !== undefined ? absoluteUrl(flag, cwd) : absoluteUrl(configured as string, dir);
  const urlSource = flag !== undefined ? '--database' : `"${UPGRADE_SETTING}.database" in ${cfg.source}`;

  const flagModules = ctx.values.releases as readonly string[] | undefined;
  const isPaths = (v: unknown): v is string | string[] =>
    (typeof v === 'string' && v !== '') || (Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'string' && m !== ''));
  if (section.releases !== undefined && !isPaths(section.releases)) throw bad(cfg, 'releases', 'a module path or a non-empty list of them');
  const setting = section.releases === undefined ? [] : [section.releases as string | string[]].flat();
  const releaseModules = flagModules?.length ? flagModules.map((m) => resolve(cwd, m)) : setting.map((m) => resolve(dir, m));

  const isLevels = (v: unknown): v is Record<string, string> => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
  if (section.upgradeLevels !== undefined && !isLevels(section.upgradeLevels))
    throw bad(cfg, 'upgradeLevels', 'an object of binary -> "auto", a release name or a version');
  if (section.liftPolicy !== undefined && !isLevels(section.liftPolicy))
    throw bad(cfg, 'liftPolicy', 'an object of binary -> "auto" or "finalize"');
  for (const key of ['downTimeMs', 'lateGraceMs'] as const)
    if (section[key] !== undefined && !positiveMs(section[key])) throw bad(cfg, key, 'a positive number of milliseconds');
  const config: UpgradeConfig = {
    ...(section.upgradeLevels ? { upgradeLevels: section.upgradeLevels as Record<string, string> } : {}),
    ...(section.liftPolicy ? { liftPolicy: section.liftPolicy as Record<string, 'auto' | 'finalize'> } : {}),
  };
  const rule: LivenessRule = {
    downTimeMs: (section.downTimeMs as number | undefined) ?? DEFAULT_RULE.downTimeMs,
    lateGraceMs: (section.lateGraceMs as number | undefined) ?? DEFAULT_RULE.lateGraceMs,
  };
  return { url, urlSource, releaseModules, config, rule, found };
}

/** The URL as messages show it: a password hidden, a SQLite path relative to the current directory. */
export function shownUrl(settings: UpgradeSettings, display: (path: string) => string): string {
  const url = settings.url;
  if (url.startsWith('sqlite:') && isAbsolute(url.slice('sqlite:'.length))) return `sqlite:${display(url.slice('sqlite:'.length))}`;
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/**
 * Open the services table without creating anything: an unreachable database, a missing SQLite file or a
 * database without the table is a UsageError `database` (exit 2) that names the URL and what to do.
 */
export async function openStore(settings: UpgradeSettings, display: (path: string) => string): Promise<ServiceStore> {
  const lib = await upgradeLib();
  try {
    return await lib.openServiceStore(settings.url, { create: false, connectTimeoutMs: 5000 });
  } catch (err) {
    throw databaseError(lib, err, settings, shownUrl(settings, display));
  }
}

/** An UpgradeError from the database as the CLI reports it: which URL, what went wrong, what to do. */
function databaseError(lib: UpgradeLib, err: unknown, settings: UpgradeSettings, shown: string): unknown {
  if (!lib.isUpgradeError(err)) return err;
  const fix = `check ${settings.urlSource}`;
  if (err.code === 'invalid_config')
    return new UsageError('config', `${err.message.replace(/^database: /, '')} (${settings.urlSource})`, settingsFile(settings));
  if (err.code !== 'database') return err;
  const missing = err.details.missing;
  if (missing === 'file') {
    return new UsageError(
      'database',
      `cannot open the services database ${shown}: the file does not exist. Point ${settings.urlSource} at the file your services use (they create it when they first start)`,
      settingsFile(settings),
    );
  }
  if (missing === 'table') {
    return new UsageError(
      'database',
      `${shown} has no services table (versioned_services): is this the database your services use? They create the table when they first start; ${fix}`,
      settingsFile(settings),
    );
  }
  const why = err.message.replace(/^cannot (connect to|open) \S+: /, '').replace(/^\S+: /, '');
  return new UsageError(
    'database',
    `cannot reach the services database ${shown}: ${firstLine(why)}. Check that the database runs and accepts connections, and ${fix}`,
    settingsFile(settings),
  );
}

function settingsFile(settings: UpgradeSettings): { file?: string } {
  return settings.urlSource === '--database' || !settings.found ? {} : { file: settings.found.file };
}

/** Whether `value` is a Releases (of this or another loaded copy of @versioned/upgrade). */
function isReleases(value: unknown): value is Releases {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.binary === 'string' && Array.isArray(r.list) && typeof r.rankOf === 'function' && typeof r.find === 'function';
}

/** Import the release modules; every exported Releases (or array of them) is a binary. */
export async function loadReleases(settings: UpgradeSettings, display: (path: string) => string): Promise<Releases[]> {
  if (settings.releaseModules.length === 0) {
    const where = settings.found
      ? `set "${UPGRADE_SETTING}": { "releases": "<module.js>" } in ${settings.found.source}`
      : 'set "upgrade": { "releases": "<module.js>" } in the configuration';
    throw new UsageError(
      'config',
      `no release table: pass --releases <module.js> (a compiled module exporting the Releases of each binary), or ${where}`,
      settings.found ? { file: settings.found.file } : {},
    );
  }
  const out = new Map<string, Releases>();
  for (const file of settings.releaseModules) {
    const shown = display(file);
    try {
      await access(file);
    } catch {
      throw new UsageError('module_load', `cannot load the releases module ${shown}: the file does not exist`, { file });
    }
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError('module_load', `cannot load the releases module ${shown}: ${firstLine(err)}`, { file, cause: err });
    }
    const found = Object.values(exports)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter(isReleases);
    if (found.length === 0)
      throw new UsageError(
        'module_load',
        `the releases module ${shown} exports no Releases (export const volume = new Releases('volume', [...], { objects }))`,
        { file },
      );
    for (const releases of found) {
      const other = out.get(releases.binary);
      if (other && other !== releases)
        throw new UsageError('module_load', `the releases of binary "${releases.binary}" are exported twice (in ${shown})`, { file });
      out.set(releases.binary, releases);
    }
  }
  return [...out.values()];
}

/** Open an Upgrade over the store for status, finish and finalize: quiet, no SIGHUP handler, the configured liveness. */
export async function openUpgrade(
  settings: UpgradeSettings,
  store: ServiceStore,
  binaries: readonly Releases[],
  display: (path: string) => string,
): Promise<Upgrade> {
  const lib = await upgradeLib();
  try {
    return await lib.Upgrade.open({
      database: store,
      binaries,
      config: settings.config,
      downTimeMs: settings.rule.downTimeMs,
      lateGraceMs: settings.rule.lateGraceMs,
      reloadOnSighup: false,
      logger: { info: () => {}, warn: () => {} },
    });
  } catch (err) {
    if (lib.isUpgradeError(err, 'invalid_config')) {
      const where = settings.found ? `${settings.found.source}: "${UPGRADE_SETTING}.` : '';
      throw new UsageError(
        'config',
        where ? `${where}${err.message.replace(/^([^:]+): /, '$1": ')}` : err.message,
        settings.found ? { file: settings.found.file } : {},
      );
    }
    if (lib.isUpgradeError(err, 'invalid_release')) throw new UsageError('module_load', `the releases module: ${err.message}`);
    throw databaseError(lib, err, settings, shownUrl(settings, display));
  }
}

/** Who runs the command, as finalize records it: the operating system user and host (`alice@ops-1`). */
export function operator(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}
