import { VersionedError } from './errors.js';
import { compareVersions, describeValue, isCompatible } from './version.js';
import { checkMeta, envelopeKeys, type EnvelopeKeys, type ObjectMeta } from './meta.js';
import { decodePrimitive, type FromPrimitiveOptions } from './from-primitive.js';
import { backportVersions, treeVersions } from './backport.js';
import type { VersionedObject } from './object.js';
import type { Manifest, Primitive, ToPrimitiveOptions } from './to-primitive.js';

/**
 * Classes by name, several versions each. Decoding picks the exact version, else the newest class
 * with the same major and a higher-or-equal minor (oslo's rule).
 */
export class ObjectRegistry {
  /** Versions of each name, newest first. */
  private readonly byName = new Map<string, ObjectMeta[]>();
  /** name -> incoming version -> the class that reads it, with the version last looked up (most envelopes of a name share one). */
  private readonly resolved = new Map<string, Resolved>();
  private readonly namespaces = new Set<string>();
  private keyList: EnvelopeKeys[] = [];

  /** The envelope key prefixes of the registered classes (`versioned_object`, `nova_object`...). */
  get serialNamespaces(): ReadonlySet<string> {
    return this.namespaces;
  }

  /** The envelope keys of each serial namespace in use. */
  get envelopeKeys(): readonly EnvelopeKeys[] {
    return this.keyList;
  }

  /** Add a class (`@versionedObject()` does it); its metadata is checked as the decorator checks it. */
  register(meta: ObjectMeta, options: { replace?: boolean } = {}): void {
    checkMeta(meta);
    const versions = this.byName.get(meta.name) ?? [];
    const first = versions[0];
    if (first && (first.namespace !== meta.namespace || first.serialNamespace !== meta.serialNamespace)) {
      throw new VersionedError(
        'registration',
        `${meta.name} ${meta.version} is in namespace ${meta.namespace}/${meta.serialNamespace}, but ${meta.name} ${first.version} is in ${first.namespace}/${first.serialNamespace}`,
      );
    }
    const same = versions.findIndex((m) => compareVersions(m.version, meta.version) === 0);
    if (same >= 0) {
      if (!options.replace) {
        throw new VersionedError('registration', `${meta.name} ${meta.version} is already registered (pass replace: true to override it)`);
      }
      versions.splice(same, 1);
    }
    versions.push(meta);
    versions.sort((a, b) => compareVersions(b.version, a.version));
    this.byName.set(meta.name, versions);
    if (!this.namespaces.has(meta.serialNamespace)) {
      this.namespaces.add(meta.serialNamespace);
      this.keyList = [...this.keyList, envelopeKeys(meta.serialNamespace)];
    }
    this.resolved.clear();
  }

  /** The class that reads `name` at `version`; typed errors for unknown names, foreign namespaces and versions. */
  lookup(name: string, version: string, namespace?: string): ObjectMeta {
    let entry = this.resolved.get(name);
    let meta: ObjectMeta | undefined;
    if (entry !== undefined && entry.lastVersion === version) meta = entry.last;
    else {
      meta = entry?.byVersion.get(version);
      if (meta === undefined) {
        meta = this.resolve(name, version, namespace);
        if (!entry) this.resolved.set(name, (entry = { lastVersion: version, last: meta, byVersion: new Map() }));
        if (entry.byVersion.size < 1_000) entry.byVersion.set(version, meta);
      }
      (entry as Resolved).lastVersion = version;
      (entry as Resolved).last = meta;
    }
    if (namespace !== undefined && namespace !== meta.namespace) throw foreignNamespace(name, namespace, meta.namespace);
    return meta;
  }

  private resolve(name: string, version: string, namespace: string | undefined): ObjectMeta {
    const versions = this.byName.get(name);
    if (!versions) {
      throw new VersionedError('unsupported_object', `no object named ${describeValue(name)} is registered`, { details: { name } });
    }
    // oslo checks the project namespace before the version.
    const expected = (versions[0] as ObjectMeta).namespace;
    if (namespace !== undefined && namespace !== expected) throw foreignNamespace(name, namespace, expected);
    const meta = versions.find((m) => compareVersions(m.version, version) === 0) ?? versions.find((m) => isCompatible(m.version, version));
    if (meta) this.checkTargets(meta);
    if (!meta) {
      const supported = versions.map((m) => m.version);
      throw new VersionedError(
        'incompatible_version',
        `${name} ${version} cannot be read here: registered versions are ${supported.join(', ')}`,
        {
          details: { name, version, supported, newest: (versions[0] as ObjectMeta).version },
        },
      );
    }
    return meta;
  }

  /** @internal Every class a field names must be here: `f.object('Nope')` is a registration error, found at first use. */
  checkTargets(meta: ObjectMeta): void {
    for (const def of meta.fields) {
      for (const target of def.type.objectTargets()) {
        if (!this.byName.has(target)) {
          throw new VersionedError(
            'registration',
            `${meta.name}.${def.name} holds ${target} objects, but no class named ${JSON.stringify(target)} is registered`,
            {
              details: { name: meta.name, field: def.name, target },
            },
          );
        }
      }
    }
  }

  /** Whether any version of the class `name` is registered. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The newest registered class of a name. */
  newest(name: string): ObjectMeta {
    const meta = this.byName.get(name)?.[0];
    if (!meta)
      throw new VersionedError('unsupported_object', `no object named ${describeValue(name)} is registered`, { details: { name } });
    return meta;
  }

  /** Registered versions of a name, newest first. */
  versions(name: string): string[] {
    return (this.byName.get(name) ?? []).map((m) => m.version);
  }

  /** The names of the registered classes, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** The newest class of every name, by name. */
  newestClasses(): ObjectMeta[] {
    return this.names().map((n) => this.newest(n));
  }

  /** oslo's obj_tree_get_versions: the versions a receiver asks a backport for (see backport.ts). */
  treeVersions(name: string, tree: Record<string, string> = {}): Manifest {
    return treeVersions(this, name, tree);
  }

  /** The indirection side of a backport, oslo's object_backport_versions (see backport.ts). */
  backportVersions(
    primitive: unknown,
    versions: Manifest,
    options: Omit<ToPrimitiveOptions, 'manifest' | 'targetVersion'> = {},
  ): Primitive {
    return backportVersions(this, primitive, versions, options);
  }

  /** Decode an envelope into an instance of the class that reads its version. */
  fromPrimitive(primitive: unknown, options: Omit<FromPrimitiveOptions, 'registry'> = {}): VersionedObject {
    return decodePrimitive(primitive, this, options);
  }
}

interface Resolved {
  lastVersion: string;
  last: ObjectMeta;
  readonly byVersion: Map<string, ObjectMeta>;
}

function foreignNamespace(name: string, namespace: string, expected: string): VersionedError {
  return new VersionedError(
    'foreign_namespace',
    `${name} belongs to namespace ${JSON.stringify(expected)}, not ${describeValue(namespace)}`,
    {
      details: { name, namespace, expected },
    },
  );
}

/** Where `@versionedObject()` registers classes unless told otherwise. */
export const defaultRegistry = new ObjectRegistry();
