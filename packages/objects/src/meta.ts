import { VersionedError } from './errors.js';
import type { FieldType } from './fields/type.js';
import type { VersionHistory } from './history.js';

/** Marks every VersionedObject, so instances from two copies of the package are recognised. */
export const OBJECT_BRAND = Symbol.for('@versioned/objects.VersionedObject');
/** Marks ObjectList classes (a static), whose `objects` items follow oslo's ObjectListBase rules. */
export const LIST_BRAND = Symbol.for('@versioned/objects.ObjectList');
/** The static key under which a decorated class keeps its ObjectMeta. */
export const META = Symbol.for('@versioned/objects.meta');

export interface FieldOptions<T> {
  /** `null` is a valid value. */
  nullable?: boolean;
  /** The value `setDefaults()` uses, and what `null` becomes on a non-nullable field. Copied per use; a function is called. */
  default?: T | (() => T);
  /** Once set, the field cannot be assigned again. */
  readOnly?: boolean;
}

/** One declared field of a class. */
export interface FieldDef<T = unknown> {
  readonly name: string;
  readonly type: FieldType<T>;
  readonly nullable: boolean;
  readonly readOnly: boolean;
  readonly hasDefault: boolean;
  /** The object class name this field holds (directly or in a container), if any. */
  readonly objectTarget: string | undefined;
  /** The declared default (a value or a factory); use makeDefault() for a fresh copy. */
  readonly default: T | (() => T) | undefined;
  makeDefault(): T;
}

export function makeFieldDef<T>(name: string, type: FieldType<T>, options: FieldOptions<T> = {}): FieldDef<T> {
  const hasDefault = Object.hasOwn(options, 'default');
  const dflt = options.default;
  return {
    name,
    type,
    objectTarget: type.objectTargets()[0],
    nullable: options.nullable ?? false,
    readOnly: options.readOnly ?? false,
    hasDefault,
    default: dflt,
    makeDefault(): T {
      if (!hasDefault) throw new VersionedError('invalid_value', 'the field has no default', { path: [name] });
      const value = typeof dflt === 'function' ? (dflt as () => T)() : (dflt as T);
      if (value === null) return value;
      // A fresh copy per use: a default list is never shared between instances.
      return type.clone(type.coerce(value), new Map());
    },
  };
}

/** Everything known about a decorated class. */
export interface ObjectMeta {
  readonly name: string;
  readonly version: string;
  /** oslo's OBJ_PROJECT_NAMESPACE. */
  readonly namespace: string;
  /** oslo's OBJ_SERIAL_NAMESPACE: the envelope's key prefix. */
  readonly serialNamespace: string;
  readonly cls: abstract new (...args: never[]) => VersionedObjectLike;
  /** Fields in declaration order, inherited ones first. */
  readonly fields: readonly FieldDef[];
  readonly fieldMap: ReadonlyMap<string, FieldDef>;
  /** The fields that hold objects: where children's changes and versions matter. */
  readonly objectFields: readonly FieldDef[];
  /** Computed properties listed for printing, never serialized (oslo's obj_extra_fields). */
  readonly extraFields: readonly string[];
  /** The declared version history, checked against the fields, with presence and relationships derived. */
  readonly history: VersionHistory;
  /** Methods marked @remotable (oslo's remotable / remotable_classmethod), for the fingerprint. */
  readonly remotables: readonly RemotableMethod[];
  /** The nearest decorated ancestor class. */
  readonly parent: ObjectMeta | undefined;
  /** The envelope keys, precomputed. */
  readonly keys: EnvelopeKeys;
  /** @internal Compiled encoders (at the class's version; by older target version) and decoder, filled on first use. */
  readonly compiled: { decoder: unknown; encoder: unknown; readonly encoders: Map<string, unknown> };
}

/** The five keys of an envelope under one serial namespace (`versioned_object.name`...). */
export interface EnvelopeKeys {
  readonly serialNamespace: string;
  readonly name: string;
  readonly namespace: string;
  readonly version: string;
  readonly data: string;
  readonly changes: string;
  /** @internal The compiled envelope reader for these keys, filled on first use. */
  reader: unknown;
}

const keysCache = new Map<string, EnvelopeKeys>();

export function envelopeKeys(serialNamespace: string): EnvelopeKeys {
  let keys = keysCache.get(serialNamespace);
  if (!keys) {
    keys = {
      serialNamespace,
      name: `${serialNamespace}.name`,
      namespace: `${serialNamespace}.namespace`,
      version: `${serialNamespace}.version`,
      data: `${serialNamespace}.data`,
      changes: `${serialNamespace}.changes`,
      reader: undefined,
    };
    keysCache.set(serialNamespace, keys);
  }
  return keys;
}

export interface RemotableMethod {
  readonly name: string;
  /** `static` for class methods (oslo's remotable_classmethod). */
  readonly kind: 'instance' | 'static';
  /** Declared parameter count. */
  readonly arity: number;
}

/** Shared by every object without changes, until its first change gives it a Set of its own. */
class NoChanges extends Set<string> {
  override add(): this {
    throw new Error('internal error: the shared empty change set was written to; use markChanged()');
  }
}
export const NO_CHANGES: Set<string> = new NoChanges();

/** Record a changed field. */
export function markChanged(obj: { $changes: Set<string> }, name: string): void {
  if (obj.$changes === NO_CHANGES) obj.$changes = new Set([name]);
  else obj.$changes.add(name);
}

/** The structural face of a VersionedObject that lower layers need, without importing the class. */
export interface VersionedObjectLike {
  readonly [OBJECT_BRAND]: true;
  clone(memo?: Map<object, unknown>): VersionedObjectLike;
  whatChanged(): Set<string>;
}

export function isVersionedObject(value: unknown): value is VersionedObjectLike {
  return typeof value === 'object' && value !== null && (value as { [OBJECT_BRAND]?: unknown })[OBJECT_BRAND] === true;
}

/** The metadata of a decorated class, or of an instance's class. */
export function metaOf(target: object): ObjectMeta {
  const cls = (typeof target === 'function' ? target : target.constructor) as { [META]?: ObjectMeta; name?: string };
  const meta = cls[META];
  // A subclass inherits the static: only the class's own metadata counts.
  if (meta === undefined || meta.cls !== (cls as unknown)) {
    throw new VersionedError('registration', `${cls.name || 'this class'} is not decorated with @versionedObject()`);
  }
  return meta;
}

export function hasMeta(cls: object): boolean {
  return Object.hasOwn(cls, META);
}
