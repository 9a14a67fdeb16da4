import { VersionedError } from './errors.js';
import type { FieldType } from './fields/type.js';
import type { VersionHistory } from './history.js';
import type { DecodeLimits } from './from-primitive.js';
import type { ObjectRegistry } from './registry.js';
import { describeValue, isVersion } from './version.js';

/** Marks every VersionedObject, so instances from two copies of the package are recognised. */
export const OBJECT_BRAND = Symbol.for('@versioned/objects.VersionedObject');
/** Marks ObjectList classes (a static), whose `objects` items follow oslo's ObjectListBase rules. */
export const LIST_BRAND = Symbol.for('@versioned/objects.ObjectList');
/** The static key under which a decorated class keeps its ObjectMeta. */
export const META = Symbol.for('@versioned/objects.meta');

/** The options of `@field`: nullable, a default, read-only. */
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
  /** A fresh default value (a factory's result, or a clone of the declared value), so no two objects share one. */
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

/** The decoder's default limits (from-primitive.ts), here so that modules below it can use them. */
export const DEFAULT_LIMITS: Required<DecodeLimits> = { maxDepth: 32, maxListLength: 1_000_000 };

/** The registry each class was registered in by its decorator: where its children's classes are looked up by name. */
export const HOME_REGISTRY = new WeakMap<ObjectMeta, ObjectRegistry>();

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
  /** Methods marked `@remotable` (oslo's remotable / remotable_classmethod), for the fingerprint. */
  readonly remotables: readonly RemotableMethod[];
  /** The nearest decorated ancestor class. */
  readonly parent: ObjectMeta | undefined;
  /** The envelope keys, precomputed. */
  readonly keys: EnvelopeKeys;
  /** @internal Compiled encoders (at the class's version; by older target version) and decoder, filled on first use. */
  readonly compiled: { decoder: unknown; encoder?: unknown; readonly encoders: Map<string, unknown>; shadowingChecked?: boolean };
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

/** The envelope's keys for a serial namespace: `envelopeKeys('nova_object').name` is `nova_object.name`. */
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

/** A method marked `@remotable`, as the fingerprint records it. */
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

/**
 * The base class's own hooks. The codec compares an object's hooks with them (to skip a call that does
 * nothing, or use a faster equivalent) without importing the class, which imports the codec: object.ts sets
 * them as it loads, before any object can exist.
 */
export const BASE_HOOKS: {
  whatChanged: unknown;
  makeCompatible: unknown;
  upgradePrimitive: unknown;
} = { whatChanged: undefined, makeCompatible: undefined, upgradePrimitive: undefined };

/** The structural face of a VersionedObject that lower layers need, without importing the class. */
export interface VersionedObjectLike {
  readonly [OBJECT_BRAND]: true;
  /** A deep copy of the object. */
  clone(memo?: Map<object, unknown>): VersionedObjectLike;
  /** The names of the fields changed since the last `resetChanges()` (or creation). */
  whatChanged(): Set<string>;
}

/** Whether `value` is a versioned object (an instance of a decorated class, from any copy of the package). */
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

/** What a field name must look like: an identifier, as oslo's are (they are Python attributes). */
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names of methods and accessors up the prototype chain that are not field accessors of a decorated class. */
/** `accessors`: the class's own `accessor` fields (standard decorators), which are not names taken by the class. */
export function reservedNames(cls: Function, accessors: ReadonlySet<string> = new Set()): Set<string> {
  const names = new Set<string>(['__proto__', 'constructor', 'prototype']);
  for (let proto = cls.prototype; proto; proto = Object.getPrototypeOf(proto)) {
    const ctor = proto.constructor;
    const fieldNames = hasMeta(ctor) ? new Set((ctor as { [META]: ObjectMeta })[META].fieldMap.keys()) : new Set<string>();
    const own = proto === cls.prototype ? accessors : fieldNames;
    for (const key of Object.getOwnPropertyNames(proto)) if (!fieldNames.has(key) && !own.has(key)) names.add(key);
  }
  return names;
}

/** Field names are identifiers, not `then`, and not taken by the class (the decorator's check, and register()'s). */
export function checkFieldNames(
  names: Iterable<string>,
  cls: Function,
  fail: (detail: string) => VersionedError,
  accessors?: ReadonlySet<string>,
): void {
  const reserved = reservedNames(cls, accessors);
  for (const name of names) {
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) throw fail(`field name ${JSON.stringify(name)} must match ${FIELD_NAME}`);
    if (name === 'then') throw fail('field name "then" is reserved: it would make every object a thenable, and `await obj` would call it');
    if (reserved.has(name)) throw fail(`field name ${JSON.stringify(name)} is taken by a method or property of the class`);
  }
}

const FIELD_TYPE_METHODS = ['coerce', 'toPrimitive', 'fromPrimitive', 'clone', 'objectTargets'] as const;
const HISTORY_MAPS = ['fieldSince', 'removedFields', 'changedIn', 'relationships', 'fills'] as const;

/**
 * Check metadata handed to ObjectRegistry.register as `@versionedObject()` checks what it builds: a hand-built
 * meta gets a `registration` error saying what is wrong, never a TypeError (or worse) at first use.
 */
export function checkMeta(meta: unknown): asserts meta is ObjectMeta {
  if (typeof meta !== 'object' || meta === null) {
    throw new VersionedError('registration', `expected the metadata of a class (ObjectMeta), got ${describeValue(meta)}`);
  }
  const m = meta as { readonly [K in keyof ObjectMeta]?: unknown };
  const label = typeof m.name === 'string' && m.name !== '' ? m.name : 'class';
  const fail = (detail: string): VersionedError => new VersionedError('registration', `${label}: ${detail}`);
  if (label === 'class') throw fail('a versioned object needs a name');
  if (!isVersion(m.version)) throw fail(`version must be "X.Y" or "X.Y.Z", got ${JSON.stringify(m.version)}`);
  for (const key of ['namespace', 'serialNamespace'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') throw fail(`${key} must be a non-empty string, got ${describeValue(m[key])}`);
  }
  if (typeof m.cls !== 'function') throw fail(`cls must be the class, got ${describeValue(m.cls)}`);
  if (!Array.isArray(m.fields) || !(m.fieldMap instanceof Map) || !Array.isArray(m.objectFields)) {
    throw fail('fields, fieldMap and objectFields must be an array, a Map and an array');
  }
  const fields = m.fields as unknown[];
  for (const [i, def] of fields.entries()) {
    const name = (def as { name?: unknown } | null)?.name;
    if (typeof def !== 'object' || def === null || typeof name !== 'string') throw fail(`fields[${i}] must be a field with a name`);
    const type = (def as { type?: unknown }).type as Record<string, unknown> | undefined;
    if (typeof type !== 'object' || type === null || FIELD_TYPE_METHODS.some((method) => typeof type[method] !== 'function')) {
      throw fail(`field ${JSON.stringify(name)}: type must be a field type (f.integer(), f.object('Name')...)`);
    }
    if (m.fieldMap.get(name) !== def) throw fail(`fieldMap does not hold field ${JSON.stringify(name)} as fields does`);
  }
  if (m.fieldMap.size !== fields.length) throw fail('fieldMap and fields do not hold the same fields');
  checkFieldNames(m.fieldMap.keys() as Iterable<string>, m.cls, fail);
  const history = m.history as Record<string, unknown> | undefined;
  if (
    typeof history !== 'object' ||
    history === null ||
    !Array.isArray(history.entries) ||
    history.entries.length === 0 ||
    HISTORY_MAPS.some((key) => !(history[key] instanceof Map))
  ) {
    throw fail('history must be a version history (as buildHistory makes it)');
  }
  const keys = envelopeKeys(m.serialNamespace as string);
  const given = m.keys as Partial<EnvelopeKeys> | undefined;
  if (
    given !== keys &&
    (['name', 'namespace', 'version', 'data', 'changes', 'serialNamespace'] as const).some((key) => given?.[key] !== keys[key])
  ) {
    throw fail(`keys must be the envelope keys of "${m.serialNamespace as string}" (envelopeKeys())`);
  }
  const compiled = m.compiled as { encoders?: unknown } | undefined;
  if (typeof compiled !== 'object' || compiled === null || !(compiled.encoders instanceof Map))
    throw fail('compiled must be { decoder: undefined, encoders: new Map() }');
  if (!Array.isArray(m.extraFields) || !Array.isArray(m.remotables)) throw fail('extraFields and remotables must be arrays');
}

/**
 * @internal With `useDefineForClassFields`, `size!: number` defines an own property on every instance that hides
 * the field's accessor. The class decorator constructs nothing, so this is checked on a class's first instance
 * that is created, decoded or encoded.
 */
export function checkShadowing(obj: object, meta: ObjectMeta = metaOf(obj)): void {
  if (meta.compiled.shadowingChecked) return;
  for (const key of Object.getOwnPropertyNames(obj)) {
    if (meta.fieldMap.has(key)) {
      throw new VersionedError(
        'registration',
        `${meta.name}.${key}: an instance property hides the field; declare it as \`declare ${key}: T\` (or compile with useDefineForClassFields: false), or with standard decorators as \`accessor ${key}: T\``,
      );
    }
  }
  meta.compiled.shadowingChecked = true;
}
