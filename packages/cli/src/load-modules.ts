import { createRequire } from 'node:module';
import { access } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ObjectRegistry, defaultRegistry, isVersionedError } from '@versioned/objects';
import { UsageError } from './errors.js';

/**
 * Import the user's object modules and return the registry holding their classes.
 *
 * A module either registers classes into the default registry when imported, or exports the registry it
 * used (`export const registry` or `export default registry`). "The default registry" is that of the copy of
 * @versioned/objects the module itself resolves, which need not be the CLI's own copy.
 */
export async function loadObjectModules(modules: readonly string[]): Promise<ObjectRegistry> {
  const registries: RegistryLike[] = [];
  const add = (r: RegistryLike): void => {
    if (!registries.includes(r)) registries.push(r);
  };
  for (const file of modules) {
    try {
      await access(file);
    } catch {
      throw new UsageError('module_load', `cannot load object module ${file}: the file does not exist`, { file });
    }
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError('module_load', `cannot load object module ${file}: ${errorText(err)}`, { file, cause: err });
    }
    const exported = [exports.registry, exports.default].filter(isRegistry);
    if (exported.length) exported.forEach(add);
    else add(await defaultRegistryFor(file));
  }
  return merge(registries);
}

/** The structural face of ObjectRegistry: a second copy of @versioned/objects has its own class. */
type RegistryLike = Pick<ObjectRegistry, 'names' | 'versions' | 'lookup' | 'newest' | 'has' | 'register' | 'newestClasses'>;

function isRegistry(value: unknown): value is RegistryLike {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return ['names', 'versions', 'lookup', 'newest', 'register', 'newestClasses'].every((m) => typeof r[m] === 'function');
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
            throw new UsageError('module_load', `${name} ${version} is registered in two different registries: ${err.message}`, { cause: err });
          }
          throw err;
        }
      }
    }
  }
  return merged;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
