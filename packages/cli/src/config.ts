import { readFile, access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './errors.js';

/** The `versioned` settings: where the object modules are and where the lock file lives. */
export interface VersionedConfig {
  /** Compiled JS modules that register object classes when imported (or export a registry). */
  readonly modules: readonly string[];
  /** Default `object-hashes.json`. */
  readonly lockFile?: string;
}

/** The settings in force, every path absolute. */
export interface ResolvedConfig {
  readonly modules: readonly string[];
  readonly lockFile: string;
  /** Where they came from, for messages: `package.json#versioned`, `versioned.config.json`, `--module`. */
  readonly source: string;
}

export const DEFAULT_LOCK_FILE = 'object-hashes.json';
const CONFIG_FILES = ['versioned.config.json', 'versioned.config.mjs'] as const;

export interface ConfigOverrides {
  /** An explicit config file (`--config`). */
  config?: string;
  /** `--module`, repeated: replaces the configured modules. */
  modules?: readonly string[];
  /** `--lock-file`. */
  lockFile?: string;
}

/**
 * Find the settings: `--config <file>`, else `versioned.config.json`, else `versioned.config.mjs`, else the
 * `"versioned"` key of `package.json`, all in `cwd`. Paths in a config file are relative to its directory;
 * paths given as flags are relative to `cwd`.
 */
export async function resolveConfig(cwd: string, overrides: ConfigOverrides = {}): Promise<ResolvedConfig> {
  const found = await findConfig(cwd, overrides.config);
  const base = found ? dirname(found.file) : cwd;
  const modules = overrides.modules?.length
    ? overrides.modules.map((m) => resolve(cwd, m))
    : (found?.config.modules ?? []).map((m) => resolve(base, m));
  if (modules.length === 0) {
    throw new UsageError(
      'config',
      found
        ? `${found.source} lists no "modules"`
        : `no object modules: pass --module <file.js>, or add "versioned": { "modules": [...] } to package.json, or create versioned.config.json`,
      found ? { file: found.file } : {},
    );
  }
  const lockFile = overrides.lockFile ? resolve(cwd, overrides.lockFile) : resolve(base, found?.config.lockFile ?? DEFAULT_LOCK_FILE);
  const source = overrides.modules?.length ? '--module' : (found?.source ?? '--module');
  return { modules, lockFile, source };
}

interface FoundConfig {
  file: string;
  source: string;
  config: VersionedConfig;
}

async function findConfig(cwd: string, explicit: string | undefined): Promise<FoundConfig | undefined> {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!(await exists(file))) throw new UsageError('config', `the config file ${file} does not exist`, { file });
    return loadConfigFile(file, explicit, file.endsWith('package.json'));
  }
  for (const name of CONFIG_FILES) {
    const file = resolve(cwd, name);
    if (await exists(file)) return loadConfigFile(file, name, false);
  }
  const pkg = resolve(cwd, 'package.json');
  if (await exists(pkg)) {
    const found = await loadConfigFile(pkg, 'package.json#versioned', true);
    if (found) return found;
  }
  return undefined;
}

async function loadConfigFile(file: string, source: string, isPackageJson: true): Promise<FoundConfig | undefined>;
async function loadConfigFile(file: string, source: string, isPackageJson: boolean): Promise<FoundConfig>;
async function loadConfigFile(file: string, source: string, isPackageJson: boolean): Promise<FoundConfig | undefined> {
  let raw: unknown;
  try {
    if (file.endsWith('.mjs') || file.endsWith('.js')) {
      const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      raw = mod.default;
    } else {
      raw = JSON.parse(await readFile(file, 'utf8'));
    }
  } catch (err) {
    throw new UsageError('config', `cannot read the config file ${file}: ${(err as Error).message}`, { file, cause: err });
  }
  if (isPackageJson) {
    const section = isRecord(raw) ? raw.versioned : undefined;
    if (section === undefined) return undefined;
    raw = section;
  }
  return { file, source, config: checkConfig(raw, source, file) };
}

function checkConfig(raw: unknown, source: string, file: string): VersionedConfig {
  const bad = (why: string): UsageError => new UsageError('config', `${source} (${file}): ${why}`, { file });
  if (!isRecord(raw)) throw bad('expected an object with "modules" (and optionally "lockFile")');
  const known = new Set(['modules', 'lockFile']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw bad(`unknown setting "${key}" (known: modules, lockFile)`);
  if (!Array.isArray(raw.modules) || !raw.modules.every((m) => typeof m === 'string' && m.length > 0)) {
    throw bad('"modules" must be an array of module paths');
  }
  if (raw.lockFile !== undefined && (typeof raw.lockFile !== 'string' || raw.lockFile.length === 0)) throw bad('"lockFile" must be a path');
  return raw.lockFile === undefined ? { modules: raw.modules } : { modules: raw.modules, lockFile: raw.lockFile };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
