import { readFile, access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isRecord } from '@versioned/objects/internal';
import { UsageError } from './errors.js';

/** A configuration found on disk: the `versioned` settings and where they came from. */
export interface FoundConfig {
  readonly file: string;
  /** Paths in the settings are relative to this directory. */
  readonly dir: string;
  /** For messages: `package.json#versioned`, `versioned.config.json` (relative to the current directory). */
  readonly source: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

const CONFIG_FILES = ['versioned.config.json', 'versioned.config.mjs'] as const;

/**
 * Find the settings: `--config <file>`, else, in the current directory and then each parent up to the root,
 * the first of `versioned.config.json`, `versioned.config.mjs` or a `package.json` with a `"versioned"` key.
 * A key no command reads (`known`) is an error, not a silent no-op.
 */
export async function findConfig(
  cwd: string,
  explicit: string | undefined,
  known: ReadonlySet<string>,
  display: (p: string) => string,
): Promise<FoundConfig | undefined> {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!(await exists(file))) throw new UsageError('config', `the config file ${display(file)} does not exist`, { file });
    return loadConfigFile(file, display(file), file.endsWith('package.json'), known, display);
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const file = resolve(dir, name);
      if (await exists(file)) return loadConfigFile(file, display(file), false, known, display);
    }
    const pkg = resolve(dir, 'package.json');
    if (await exists(pkg)) {
      const found = await loadConfigFile(pkg, `${display(pkg)}#versioned`, true, known, display);
      if (found) return found;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

async function loadConfigFile(
  file: string,
  source: string,
  isPackageJson: boolean,
  known: ReadonlySet<string>,
  display: (p: string) => string,
): Promise<FoundConfig | undefined> {
  let raw: unknown;
  try {
    if (file.endsWith('.mjs') || file.endsWith('.js')) {
      const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      raw = mod.default;
    } else {
      raw = JSON.parse(await readFile(file, 'utf8'));
    }
  } catch (err) {
    throw new UsageError('config', `cannot read the config file ${display(file)}: ${firstLine(err)}`, { file, cause: err });
  }
  if (isPackageJson) {
    const section = isRecord(raw) ? raw.versioned : undefined;
    if (section === undefined) return undefined;
    raw = section;
  }
  if (!isRecord(raw)) throw new UsageError('config', `${source}: expected an object of settings (such as "modules")`, { file });
  const unknown = Object.keys(raw).filter((key) => !known.has(key));
  if (unknown.length) {
    throw new UsageError('config', `${source}: unknown setting "${unknown[0]}" (known: ${[...known].sort().join(', ')})`, { file });
  }
  return { file, dir: dirname(file), source, settings: raw };
}

/** A typed reading of one setting, with a message naming the file and the key. */
export function setting<T>(config: FoundConfig, key: string, check: (value: unknown) => value is T, expected: string): T | undefined {
  const value = config.settings[key];
  if (value === undefined) return undefined;
  if (!check(value)) throw new UsageError('config', `${config.source}: "${key}" must be ${expected}`, { file: config.file });
  return value;
}

export const isPathList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'string' && m.length > 0);
export const isPath = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').slice(0, 500);
}
