import { createRequire } from 'node:module';
import { access } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ObjectRegistry, defaultRegistry, isVersionedError } from '@versioned/objects';
import { UsageError } from './errors.js';
import { firstLine } from './config.js';
import { rpcApiKey, type RpcApiRecord } from './rpc-check.js';

/** The structural face of ManifestHistory (Cinder's OBJ_VERSIONS): a second copy of @versioned/objects has its own class. */
export interface ManifestHistoryLike {
  /** Manifest keys, oldest first. */
  keys(): string[];
  /** The manifest under a key. */
  get(key: string): Readonly<Record<string, string>>;
  /** The newest key. */
  latestKey(): string;
}

/** What loading the configured modules gave: the registry of their classes, a manifest history, the declarations that failed. */
export interface LoadedObjects {
  readonly registry: ObjectRegistry;
  /** The manifest history a module exports, when one does. */
  readonly manifests: ManifestHistoryLike | undefined;
  /** Registered classes whose declaration is inconsistent (a version without its history entry): a failed check. */
  readonly invalid: readonly { readonly file: string; readonly message: string }[];
  /** The RPC APIs the modules export (declared with @versioned/rpc's defineRpcApi), as the lock file records them. */
  readonly rpcApis: readonly RpcApiRecord[];
}

/**
 * Import the user's object modules and return the registry holding their classes.
 *
 * A module either registers classes into the default registry when imported, or exports the registry it
 * used (under any name; `export const registry` or `export default registry` are usual). "The default registry"
 * is that of the copy of @versioned/objects the module itself resolves, which need not be the CLI's own copy.
 * A module that exports a ManifestHistory makes the project manifest-driven (its children move through it).
 */
export async function loadObjectModules(modules: readonly string[], display: (p: string) => string = (p) => p): Promise<LoadedObjects> {
  const registries: RegistryLike[] = [];
  const manifests: ManifestHistoryLike[] = [];
  const invalid: { file: string; message: string }[] = [];
  const apis = new Map<string, { api: RpcApiLike; file: string }>();
  const add = <T>(list: T[], item: T): void => {
    if (!list.includes(item)) list.push(item);
  };
  for (const file of modules) {
    const shown = display(file);
    try {
      await access(file);
    } catch {
      throw new UsageError('module_load', `cannot load object module ${shown}: the file does not exist`, { file });
    }
    let exports: Record<string, unknown>;
    try {
      exports = (await importSettling(file, shown)) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      // A class whose own declaration is inconsistent (its version has no history entry...) is a failed check, not a load error.
      if (isVersionedError(err, 'registration')) {
        invalid.push({ file, message: firstLine(err) });
        continue;
      }
      throw new UsageError('module_load', `cannot load object module ${shown}: ${firstLine(err)}`, { file, cause: err });
    }
    const values = Object.values(exports);
    const exported = values.filter(isRegistry);
    for (const m of values.filter(isManifestHistory)) add(manifests, m);
    const declared = values.filter(isRpcApi);
    for (const api of declared) {
      const key = rpcApiKey(api.describe());
      const other = apis.get(key);
      if (other && other.api !== api)
        throw new UsageError(
          'module_load',
          `two different declarations of the RPC API ${key}: in ${display(other.file)} and ${shown}; export one`,
          { file },
        );
      apis.set(key, { api, file });
    }
    if (exported.length) for (const r of exported) add(registries, r);
    else if (declared.length === 0) add(registries, await defaultRegistryFor(file));
  }
  if (manifests.length > 1)
    throw new UsageError('module_load', "the object modules export more than one ManifestHistory: export one (the project's OBJ_VERSIONS)");
  return {
    registry: registries.length ? merge(registries) : new ObjectRegistry(),
    manifests: manifests[0],
    invalid,
    rpcApis: [...apis.values()].map((a) => a.api.describe()),
  };
}

/**
 * import(), but a module whose top-level await never settles is an error, not Node's silent exit 13: when the
 * event loop runs dry while the import is pending, nothing can settle it any more.
 */
async function importSettling(file: string, shown: string): Promise<unknown> {
  let onIdle: (() => void) | undefined;
  const stuck = new Promise<never>((_, reject) => {
    onIdle = () =>
      reject(
        new UsageError(
          'module_load',
          `cannot load object module ${shown}: its top-level await never settles (nothing is left that could resolve it)`,
          { file },
        ),
      );
    process.once('beforeExit', onIdle);
  });
  try {
    return await Promise.race([import(pathToFileURL(file).href), stuck]);
  } finally {
    if (onIdle) process.removeListener('beforeExit', onIdle);
  }
}

/** The structural face of ObjectRegistry: a second copy of @versioned/objects has its own class. */
type RegistryLike = Pick<ObjectRegistry, 'names' | 'versions' | 'lookup' | 'newest' | 'has' | 'register' | 'newestClasses'>;

function isRegistry(value: unknown): value is RegistryLike {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return ['names', 'versions', 'lookup', 'newest', 'register', 'newestClasses'].every((m) => typeof r[m] === 'function');
}

/** The structural face of @versioned/rpc's RpcApi (branded, so that another copy of the package is recognised). */
interface RpcApiLike {
  describe(): RpcApiRecord;
}

function isRpcApi(value: unknown): value is RpcApiLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for('@versioned/rpc.RpcApi')] === true &&
    typeof (value as { describe?: unknown }).describe === 'function'
  );
}

function isManifestHistory(value: unknown): value is ManifestHistoryLike {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return ['keys', 'get', 'latestKey', 'mismatches', 'add'].every((m) => typeof r[m] === 'function');
}

/** The default registry of the @versioned/objects that `file` imports; the CLI's own when it resolves none. */
async function defaultRegistryFor(file: string): Promise<RegistryLike> {
  let resolved: string;
  try {
    resolved = createRequire(file).resolve('@versioned/objects');
  } catch {
    return defaultRegistry;
  }
  const lib = (await import(pathToFileURL(resolved).href)) as { defaultRegistry?: unknown };
  return isRegistry(lib.defaultRegistry) ? lib.defaultRegistry : defaultRegistry;
}

/** One registry for the whole check; a name registered in two different registries is an error. */
function merge(registries: RegistryLike[]): ObjectRegistry {
  if (registries.length === 1) return registries[0] as ObjectRegistry;
  const merged = new ObjectRegistry();
  for (const registry of registries) {
    for (const name of registry.names()) {
      for (const version of registry.versions(name)) {
        try {
          merged.register(registry.lookup(name, version));
        } catch (err) {
          if (isVersionedError(err, 'registration')) {
            throw new UsageError('module_load', `${name} ${version} is registered in two different registries: ${firstLine(err)}`, {
              cause: err,
            });
          }
          throw err;
        }
      }
    }
  }
  return merged;
}
