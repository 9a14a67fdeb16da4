import { VersionedError, within } from './errors.js';
import {
  BASE_HOOKS,
  NO_CHANGES,
  OBJECT_BRAND,
  checkShadowing,
  markChanged,
  metaOf,
  type FieldDef,
  type ObjectMeta,
  type VersionedObjectLike,
} from './meta.js';
import { changedInPlace, childHasChanges, forgetBaseline, isMutable, rebaseline, trackRead } from './changes.js';
import { encodeObject, type Primitive, type ToPrimitiveOptions } from './to-primitive.js';
import type { FromPrimitiveOptions } from './from-primitive.js';
import { defaultRegistry } from './registry.js';
import { fromPlain, toPlain, type FromPlainOptions } from './plain.js';
import { defineOwn } from './records.js';
import type { FieldType } from './fields/type.js';

/**
 * Declares which fields of a class may be left out of `create()` although their type has no `null`: the ones
 * with a `default` (set by setDefaults()), or any a caller may leave unset.
 * `declare [OptionalFields]?: 'status' | 'metadata'`.
 */
export const OptionalFields: unique symbol = Symbol('@versioned/objects.OptionalFields');

/** The names of an object type's fields: its properties that are neither methods nor VersionedObject's own members. */
export type FieldName<T> = {
  [K in keyof T]-?: K extends keyof VersionedObject
    ? never
    : K extends string
      ? T[K] extends (...args: never[]) => unknown
        ? never
        : K
      : never;
}[keyof T];

/**
 * The names `isSet()`, `unset()`, `resetChanges()` and `setDefaults()` take: the fields, or any string for an
 * object whose type has none known (a `VersionedObject`). Inside a class's own methods, where `this` is
 * generic, its members' names are accepted (`this.isSet('host')`).
 */
export type FieldKey<T> = ([FieldName<T>] extends [never] ? string : FieldName<T>) | (keyof T & string);

/** Every field of an object type, each optional: what `update()` takes. */
export type FieldsOf<T> = [FieldName<T>] extends [never] ? Record<string, unknown> : { [K in FieldName<T>]?: T[K] };

type IsReadonly<T, K extends keyof T> =
  (<V>() => V extends { [Q in K]: T[K] } ? 1 : 2) extends <V>() => V extends { -readonly [Q in K]: T[K] } ? 1 : 2 ? false : true;

/**
 * The fields `create()` may leave out: nullable ones (`T | null`), optional ones (`name?: T`), those named in
 * `[OptionalFields]`, and read-only properties (getters such as extra fields).
 */
export type OptionalFieldName<T> = {
  [K in FieldName<T>]: null extends T[K]
    ? K
    : undefined extends T[K]
      ? K
      : K extends OptionalNames<T>
        ? K
        : IsReadonly<T, K> extends true
          ? K
          : never;
}[FieldName<T>];
type OptionalNames<T> = T extends { readonly [OptionalFields]?: infer N } ? N : never;

/** What `create()` takes: every required field, the others optional. */
export type CreateFields<T> = { [K in Exclude<FieldName<T>, OptionalFieldName<T>>]: T[K] } & { [K in OptionalFieldName<T>]?: T[K] };

/**
 * The store of an object's field values: a fast-mode object with no Object.prototype behind it, so a polluted
 * `Object.prototype.size` is not a value of `size` (Object.create(null) would give a slower dictionary-mode object).
 */
const FieldValues = function FieldValues(this: Record<string, unknown>) {} as unknown as new () => Record<string, unknown>;
FieldValues.prototype = Object.create(null);

/** Node's util.inspect.custom, without importing node:util (the default entry runs in a browser too). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The base of every versioned object. Subclasses are decorated with `@versionedObject()` and declare
 * their fields with `@field(type) declare name: T`.
 */
export class VersionedObject implements VersionedObjectLike {
  declare readonly [OBJECT_BRAND]: true;
  // The internal state lives in private fields, read through the non-enumerable accessors below: nothing of it
  // is an own property, so Object.keys(), a spread, JSON and class-transformer see none of it.
  #values: Record<string, unknown>;
  #changes: Set<string>;
  #wireVersion: string | undefined;
  #baseline: Map<string, unknown> | undefined;
  #filled: Set<string> | undefined;

  constructor(init?: Record<string, unknown>) {
    this.#values = new FieldValues();
    this.#changes = NO_CHANGES;
    this.#wireVersion = undefined;
    this.#baseline = undefined;
    this.#filled = undefined;
    if (init !== undefined) this.update(init as FieldsOf<this>);
  }

  /** @internal Field values (null-prototype: a polluted Object.prototype is never read as a value); an unset field has no key. */
  get $values(): Record<string, unknown> {
    return this.#values;
  }
  /** @internal */
  set $values(values: Record<string, unknown>) {
    this.#values = values;
  }
  /** @internal Names of fields assigned since the last resetChanges(). */
  get $changes(): Set<string> {
    return this.#changes;
  }
  /** @internal */
  set $changes(changes: Set<string>) {
    this.#changes = changes;
  }
  /** @internal The version this instance was decoded at (it is re-sent at that version). */
  get $wireVersion(): string | undefined {
    return this.#wireVersion;
  }
  /** @internal */
  set $wireVersion(version: string | undefined) {
    this.#wireVersion = version;
  }
  /** @internal Snapshots of container values, to see in-place changes (see changes.ts). */
  get $baseline(): Map<string, unknown> | undefined {
    return this.#baseline;
  }
  /** @internal */
  set $baseline(baseline: Map<string, unknown> | undefined) {
    this.#baseline = baseline;
  }
  /** @internal Fields the decoder filled in (upgradePrimitive, a history `fill`), not received and not assigned since. */
  get $filled(): Set<string> | undefined {
    return this.#filled;
  }
  /** @internal */
  set $filled(filled: Set<string> | undefined) {
    this.#filled = filled;
  }

  /**
   * Construct with typed initial values; each one counts as a change, as in oslo. Every field whose type has
   * no `null` is required, unless it is optional (`name?: T`) or named in `[OptionalFields]` (a field with a
   * default, say); `partial()` leaves any field unset.
   */
  static create<T extends VersionedObject>(
    this: new (
      init?: Record<string, unknown>,
    ) => T,
    ...[init]: {} extends CreateFields<T> ? [init?: CreateFields<T>] : [init: CreateFields<T>]
  ): T {
    const obj = new this(init as Record<string, unknown>);
    checkShadowing(obj);
    return obj;
  }

  /**
   * Construct with some fields set and the others unset, as oslo allows (an unset field is lazy-loaded or left
   * out of the envelope). Each value counts as a change. `create()` is the checked form: it requires the
   * required fields.
   */
  static partial<T extends VersionedObject>(this: new (init?: Record<string, unknown>) => T, init: FieldsOf<T> = {}): T {
    const obj = new this(init as Record<string, unknown>);
    checkShadowing(obj);
    return obj;
  }

  /** Decode an envelope (see ObjectRegistry.fromPrimitive) and check it is an object of this class's name. */
  static fromPrimitive<T extends VersionedObject>(
    this: abstract new (
      ...args: never[]
    ) => T,
    primitive: unknown,
    options: FromPrimitiveOptions = {},
  ): T {
    const meta = metaOf(this);
    const registry = options.registry ?? defaultRegistry;
    const obj = registry.fromPrimitive(primitive, options);
    if (obj.objName !== meta.name) {
      throw new VersionedError('unsupported_object', `expected a ${meta.name} primitive, got a ${obj.objName}`, { path: [meta.name] });
    }
    return obj as T;
  }

  /**
   * An object from its plain form (what `toPlain()` gives, a DTO, a JSON request body): every key must be a
   * field, every value is checked as the decoder checks it (dates as ISO strings, sets as arrays, children as
   * plain objects), fields with a default and left out get it, and the others are required unless nullable
   * (`{ partial: true }` lifts that). Errors are typed, with the path: `Volume.attachments[2].id: expected a UUID`.
   * Every value counts as a change, as with create().
   */
  static fromPlain<T extends VersionedObject>(this: abstract new (...args: never[]) => T, plain: unknown, options?: FromPlainOptions): T {
    return fromPlain(metaOf(this), plain, options) as T;
  }

  /**
   * The mirror of makeCompatible, for decoding: called with a copy of the data of a primitive older than
   * the class (`fromVersion`) before its fields are read, to bring a renamed or reshaped field forward.
   */
  static upgradePrimitive(_data: Record<string, unknown>, _fromVersion: string): void {}

  /** The class's wire name (`versioned_object.name`). */
  static get objName(): string {
    return metaOf(this).name;
  }

  /** The class's version, the newest it speaks. */
  static get objVersion(): string {
    return metaOf(this).version;
  }

  /** The wire name of the object's class (`versioned_object.name`). */
  get objName(): string {
    return metaOf(this).name;
  }

  /** The version this object speaks: its class's, or the older one it was decoded at. */
  get objVersion(): string {
    return this.$wireVersion ?? metaOf(this).version;
  }

  /** Assign several fields at once: every value is checked before any field changes. */
  update(values: FieldsOf<this>): this {
    const meta = metaOf(this);
    const checked: [FieldDef, unknown][] = [];
    for (const key of Object.keys(values)) {
      const def = meta.fieldMap.get(key);
      if (!def) throw unknownField(meta, key);
      checked.push([def, coerceFor(this, meta, def, (values as Record<string, unknown>)[key])]);
    }
    for (const [def, value] of checked) store(this, def, value);
    return this;
  }

  /** Whether the field `name` holds a value (null counts as set); an unknown field name is an error. */
  isSet(name: FieldKey<this>): boolean {
    fieldDef(this, name);
    return this.$values[name] !== undefined;
  }

  /** Forget a field's value (oslo's delattr). */
  unset(name: FieldKey<this>): void {
    fieldDef(this, name);
    delete this.$values[name];
    this.$changes.delete(name);
    forgetBaseline(this, name);
    this.$filled?.delete(name);
  }

  /**
   * Fields assigned since the last reset, containers changed in place, and object fields whose children
   * have changes. The envelope's `changes` is this set (limited to the fields sent): an override counts.
   */
  whatChanged(): Set<string> {
    const changes = new Set(this.$changes);
    const inPlace = changedInPlace(this);
    if (inPlace) for (const name of inPlace) changes.add(name);
    for (const def of metaOf(this).objectFields) {
      if (!changes.has(def.name) && childHasChanges(this.$values[def.name])) changes.add(def.name);
    }
    return changes;
  }

  /**
   * Clear change tracking for `fields` (all when omitted or empty, as oslo's obj_reset_changes);
   * `recursive` clears the children's too.
   */
  resetChanges(fields?: Iterable<FieldKey<this>>, options: { recursive?: boolean } = {}): void {
    let names: string[] | undefined = fields === undefined ? undefined : [...fields];
    if (names) for (const name of names) fieldDef(this, name);
    if (names?.length === 0) names = undefined;
    if (options.recursive) {
      for (const def of metaOf(this).fields) {
        if (names && !names.includes(def.name)) continue;
        forEachChild(this.$values[def.name], (child) => child.resetChanges(undefined, { recursive: true }));
      }
    }
    if (names) for (const name of names) this.$changes.delete(name);
    else this.$changes = NO_CHANGES;
    rebaseline(this, names);
  }

  /** The changed fields and their values. */
  getChanges(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of this.whatChanged()) {
      const value = this.$values[name];
      if (isMutable(value)) trackRead(this, name, value); // handed out: it may be changed in place
      out[name] = value;
    }
    return out;
  }

  /** Set unset fields that have defaults to a fresh copy of the default: the named ones, or all. */
  setDefaults(...names: FieldKey<this>[]): void {
    const meta = metaOf(this);
    const defs = names.length ? names.map((n) => fieldDef(this, n)) : meta.fields.filter((d) => d.hasDefault);
    for (const def of defs) {
      if (!def.hasDefault) throw new VersionedError('invalid_value', 'has no default', { path: [meta.name, def.name] });
      if (this.$values[def.name] === undefined) {
        this.$values[def.name] = def.makeDefault();
        markChanged(this, def.name);
      }
    }
  }

  /**
   * The lazy-load hook: called when an unset field is read. Override it to set the field
   * (`this.size = fetchSize()`); the base class cannot load anything.
   */
  loadAttr(name: string): void {
    const meta = metaOf(this);
    throw new VersionedError('not_lazy_loadable', `is not set, and ${meta.name} cannot lazy-load it (override loadAttr)`, {
      path: [meta.name, name],
    });
  }

  /** A deep copy: children and containers are copied, change tracking included; cycles are kept. */
  clone(memo: Map<object, unknown> = new Map()): this {
    const seen = memo.get(this);
    if (seen) return seen as this;
    // The base constructor only (it makes the private state), on this object's prototype: no subclass constructor runs.
    const copy = Reflect.construct(VersionedObject, [], this.constructor) as this;
    memo.set(this, copy);
    const inPlace = changedInPlace(this);
    copy.$changes = this.$changes.size || inPlace ? new Set([...this.$changes, ...(inPlace ?? [])]) : NO_CHANGES;
    copy.$wireVersion = this.$wireVersion;
    copy.$baseline = undefined;
    copy.$filled = this.$filled && new Set(this.$filled);
    for (const def of metaOf(this).fields) {
      const value = this.$values[def.name];
      if (value !== undefined) copy.$values[def.name] = value === null ? null : def.type.clone(value, memo);
    }
    return copy;
  }

  /**
   * The custom backport hook (oslo's obj_make_compatible), for what the history cannot express: a renamed
   * or reshaped field, a value the old release requires. Called with the encoded data of every set field
   * (children already backported); afterwards, fields that do not exist at `targetVersion` and are still in
   * `data` are dropped (and count as data loss). Edit `data` in place.
   */
  makeCompatible(_data: Record<string, unknown>, _targetVersion: string): void {}

  /** The oslo.versionedobjects envelope; see ToPrimitiveOptions for backporting. */
  toPrimitive(options?: ToPrimitiveOptions): Primitive {
    checkShadowing(this);
    return encodeObject(this, options);
  }

  /**
   * The set fields as plain JSON values, children included (no envelope, version or changes): for DTOs and
   * framework responses. `fromPlain()` reads it back.
   */
  toPlain(): Record<string, unknown> {
    return toPlain(this);
  }

  /** `JSON.stringify(obj)` gives the envelope. */
  toJSON(): Primitive {
    return this.toPrimitive();
  }

  /** Printed form, with SensitiveString fields masked: `Volume@1.2 { size: 1, name: 'db' }`. */
  toString(): string {
    return printed(this, 4, new Set());
  }

  /** Node's util.inspect (and console.log) print the same fields, SensitiveString values masked. */
  [INSPECT](
    depth: number,
    options: { stylize: (s: string, style: string) => string },
    insp: (value: unknown, options: object) => string,
  ): string {
    const label = `${metaOf(this).name}@${this.objVersion}`;
    if (depth < 0) return options.stylize(`[${label}]`, 'special');
    // The fields print at the object's own depth, so a child's fields show as a nested plain object's would.
    return `${label} ${insp(shownFields(this), { ...options, depth })}`;
  }
}

Object.defineProperty(VersionedObject.prototype, OBJECT_BRAND, { value: true });
BASE_HOOKS.whatChanged = VersionedObject.prototype.whatChanged;
BASE_HOOKS.makeCompatible = VersionedObject.prototype.makeCompatible;
BASE_HOOKS.upgradePrimitive = VersionedObject.upgradePrimitive;

/** The fields shown when an object is printed: set ones (SensitiveString values masked), then the extra fields. */
function shownFields(obj: VersionedObject): Record<string, unknown> {
  const meta = metaOf(obj);
  const shown: Record<string, unknown> = {};
  for (const def of meta.fields) {
    const value = obj.$values[def.name];
    if (value === undefined) continue;
    shown[def.name] = value === null ? null : masked(def.type, value);
  }
  for (const name of meta.extraFields) shown[name] = (obj as unknown as Record<string, unknown>)[name];
  return shown;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A compact one-line rendering for toString(), close to util.inspect's. */
function printed(value: unknown, depth: number, seen: Set<object>): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (seen.has(value)) return '[Circular]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  const list = (items: string[], open: string, close: string): string =>
    items.length ? `${open} ${items.join(', ')} ${close}` : `${open}${close}`;
  if (depth < 0)
    return value instanceof VersionedObject ? `[${metaOf(value).name}@${value.objVersion}]` : Array.isArray(value) ? '[Array]' : '[Object]';
  seen.add(value);
  try {
    const inner = (v: unknown): string => printed(v, depth - 1, seen);
    if (value instanceof VersionedObject) return `${metaOf(value).name}@${value.objVersion} ${printed(shownFields(value), depth, seen)}`;
    if (Array.isArray(value)) return list(value.map(inner), '[', ']');
    if (value instanceof Set) return `Set(${value.size}) ${list([...value].map(inner), '{', '}')}`;
    if (value instanceof Map)
      return `Map(${value.size}) ${list(
        [...value].map(([k, v]) => `${inner(k)} => ${inner(v)}`),
        '{',
        '}',
      )}`;
    const entries = Object.keys(value).map(
      (k) => `${IDENTIFIER.test(k) ? k : printed(k, 0, seen)}: ${inner((value as Record<string, unknown>)[k])}`,
    );
    return list(entries, '{', '}');
  } finally {
    seen.delete(value);
  }
}

/** A value for printing: SensitiveString values masked, inside lists, sets and dicts too (as oslo's stringify does). */
function masked(type: FieldType, value: unknown): unknown {
  if ((type as { sensitive?: boolean }).sensitive) return '***';
  const element = (type as { element?: FieldType }).element;
  if (!element || !hasSensitive(element)) return value;
  if (Array.isArray(value)) return value.map((v) => masked(element, v));
  if (value instanceof Set) return new Set([...value].map((v) => masked(element, v)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object)) defineOwn(out, key, masked(element, (value as Record<string, unknown>)[key]));
  return out;
}

function hasSensitive(type: FieldType): boolean {
  if ((type as { sensitive?: boolean }).sensitive) return true;
  const element = (type as { element?: FieldType }).element;
  return element !== undefined && hasSensitive(element);
}

/** @internal The accessor pair installed on a decorated class's prototype for each field. */
export function fieldAccessor(meta: () => ObjectMeta, def: FieldDef): PropertyDescriptor {
  const name = def.name;
  return {
    enumerable: true,
    configurable: true,
    get(this: VersionedObject): unknown {
      const value = this.$values[name];
      if (value === undefined) return readUnset(this, name);
      // The caller may change it in place from now on: keep what it was.
      if ((this.$baseline === undefined || !this.$baseline.has(name)) && isMutable(value)) trackRead(this, name, value);
      return value;
    },
    set(this: VersionedObject, value: unknown): void {
      assign(this, meta(), def, value);
    },
  };
}

function assign(obj: VersionedObject, meta: ObjectMeta, def: FieldDef, value: unknown): void {
  store(obj, def, coerceFor(obj, meta, def, value));
}

/** What assigning `value` to the field would store; throws, changing nothing, if it cannot be assigned. */
function coerceFor(obj: VersionedObject, meta: ObjectMeta, def: FieldDef, value: unknown): unknown {
  const current = obj.$values[def.name];
  if (def.readOnly && current !== undefined) {
    throw new VersionedError('read_only', 'is read-only and already set', { path: [meta.name, def.name] });
  }
  let coerced: unknown;
  if (value === null) {
    if (def.nullable) coerced = null;
    else if (def.hasDefault) coerced = def.makeDefault();
    else
      throw new VersionedError('invalid_value', `expected ${def.type.expected}, got null (the field is not nullable)`, {
        path: [meta.name, def.name],
      });
  } else if (value === undefined) {
    throw new VersionedError('invalid_value', `expected ${def.type.expected}, got undefined (use unset() to clear a field)`, {
      path: [meta.name, def.name],
    });
  } else {
    try {
      coerced = def.type.coerce(value, current === null ? undefined : current);
    } catch (err) {
      throw within(err, meta.name, def.name);
    }
  }
  return coerced;
}

/** Store a value `coerceFor` accepted: a change, no longer an in-place baseline or a decode-time fill. */
function store(obj: VersionedObject, def: FieldDef, value: unknown): void {
  obj.$values[def.name] = value;
  markChanged(obj, def.name);
  forgetBaseline(obj, def.name);
  obj.$filled?.delete(def.name);
}

function readUnset(obj: VersionedObject, name: string): unknown {
  obj.loadAttr(name);
  const value = obj.$values[name];
  if (value === undefined) {
    throw new VersionedError('not_lazy_loadable', 'is still not set after loadAttr()', { path: [metaOf(obj).name, name] });
  }
  return value;
}

function fieldDef(obj: VersionedObject, name: string): FieldDef {
  const meta = metaOf(obj);
  const def = meta.fieldMap.get(name);
  if (!def) throw unknownField(meta, name);
  return def;
}

function unknownField(meta: ObjectMeta, name: string): VersionedError {
  return new VersionedError('unknown_field', `is not a field of ${meta.name} ${meta.version}`, { path: [meta.name, name] });
}

function forEachChild(value: unknown, fn: (child: VersionedObject) => void): void {
  if (value instanceof VersionedObject) fn(value);
  else if (Array.isArray(value)) for (const v of value) if (v instanceof VersionedObject) fn(v);
}
