import { inspect } from 'node:util';
import { VersionedError, within } from './errors.js';
import { BASE_HOOKS, NO_CHANGES, OBJECT_BRAND, markChanged, metaOf, type FieldDef, type ObjectMeta, type VersionedObjectLike } from './meta.js';
import { changedInPlace, childHasChanges, forgetBaseline, isMutable, rebaseline, trackRead } from './changes.js';
import { encodeObject, type Primitive, type ToPrimitiveOptions } from './to-primitive.js';
import type { FromPrimitiveOptions } from './from-primitive.js';
import { defaultRegistry } from './registry.js';
import { defineOwn } from './records.js';
import type { FieldType } from './fields/type.js';

/** The field values of an object type, for typed construction: `Volume.create({ size: 1 })`. */
export type FieldsOf<T> = { [K in keyof T as K extends keyof VersionedObject ? never : T[K] extends (...args: never[]) => unknown ? never : K]?: T[K] };

/**
 * The base of every versioned object. Subclasses are decorated with `@versionedObject()` and declare
 * their fields with `@field(type) declare name: T`.
 */
export class VersionedObject implements VersionedObjectLike {
  declare readonly [OBJECT_BRAND]: true;
  /** @internal Field values; an unset field has no key. */
  declare $values: Record<string, unknown>;
  /** @internal Names of fields assigned since the last resetChanges(). */
  declare $changes: Set<string>;
  /** @internal The version this instance was decoded at (it is re-sent at that version). */
  declare $wireVersion: string | undefined;
  /** @internal Snapshots of container values, to see in-place changes (see changes.ts). */
  declare $baseline: Map<string, unknown> | undefined;
  /** @internal Fields the decoder filled in (upgradePrimitive, a history `fill`), not received and not assigned since. */
  declare $filled: Set<string> | undefined;

  constructor(init?: Record<string, unknown>) {
    this.$values = {};
    this.$changes = NO_CHANGES;
    this.$wireVersion = undefined;
    this.$baseline = undefined;
    this.$filled = undefined;
    if (init !== undefined) this.update(init);
  }

  /** Construct with typed initial values; each one counts as a change, as in oslo. */
  static create<T extends VersionedObject>(this: new (init?: Record<string, unknown>) => T, init: FieldsOf<T> = {}): T {
    return new this(init as Record<string, unknown>);
  }

  /** Decode an envelope (see ObjectRegistry.fromPrimitive) and check it is an object of this class's name. */
  static fromPrimitive<T extends VersionedObject>(this: abstract new (...args: never[]) => T, primitive: unknown, options: FromPrimitiveOptions = {}): T {
    const meta = metaOf(this);
    const registry = options.registry ?? defaultRegistry;
    const obj = registry.fromPrimitive(primitive, options);
    if (obj.objName !== meta.name) {
      throw new VersionedError('unsupported_object', `expected a ${meta.name} primitive, got a ${obj.objName}`, { path: [meta.name] });
    }
    return obj as T;
  }

  /**
   * The mirror of makeCompatible, for decoding: called with a copy of the data of a primitive older than
   * the class (`fromVersion`) before its fields are read, to bring a renamed or reshaped field forward.
   */
  static upgradePrimitive(_data: Record<string, unknown>, _fromVersion: string): void {}

  static get objName(): string {
    return metaOf(this).name;
  }

  static get objVersion(): string {
    return metaOf(this).version;
  }

  get objName(): string {
    return metaOf(this).name;
  }

  /** The version this object speaks: its class's, or the older one it was decoded at. */
  get objVersion(): string {
    return this.$wireVersion ?? metaOf(this).version;
  }

  /** Assign several fields at once: every value is checked before any field changes. */
  update(values: Record<string, unknown>): this {
    const meta = metaOf(this);
    const checked: [FieldDef, unknown][] = [];
    for (const key of Object.keys(values)) {
      const def = meta.fieldMap.get(key);
      if (!def) throw unknownField(meta, key);
      checked.push([def, coerceFor(this, meta, def, values[key])]);
    }
    for (const [def, value] of checked) store(this, def, value);
    return this;
  }

  isSet(name: string): boolean {
    fieldDef(this, name);
    return this.$values[name] !== undefined;
  }

  /** Forget a field's value (oslo's delattr). */
  unset(name: string): void {
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
  resetChanges(fields?: Iterable<string>, options: { recursive?: boolean } = {}): void {
    let names = fields === undefined ? undefined : [...fields];
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
  setDefaults(...names: string[]): void {
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
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    memo.set(this, copy);
    copy.$values = {};
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
    return encodeObject(this, options);
  }

  /** `JSON.stringify(obj)` gives the envelope. */
  toJSON(): Primitive {
    return this.toPrimitive();
  }

  /** Printed form, with SensitiveString fields masked. */
  toString(): string {
    return inspect(this, { depth: 4, breakLength: Infinity });
  }

  [inspect.custom](depth: number, options: { stylize: (s: string, style: string) => string }, insp: typeof inspect): string {
    const meta = metaOf(this);
    const shown: Record<string, unknown> = {};
    for (const def of meta.fields) {
      const value = this.$values[def.name];
      if (value === undefined) continue;
      shown[def.name] = value === null ? null : masked(def.type, value);
    }
    for (const name of meta.extraFields) shown[name] = (this as unknown as Record<string, unknown>)[name];
    const label = `${meta.name}@${this.objVersion}`;
    if (depth < 0) return options.stylize(`[${label}]`, 'special');
    // The fields print at the object's own depth, so a child's fields show as a nested plain object's would.
    return `${label} ${insp(shown, { ...options, depth } as Parameters<typeof inspect>[1])}`;
  }
}

Object.defineProperty(VersionedObject.prototype, OBJECT_BRAND, { value: true });
BASE_HOOKS.whatChanged = VersionedObject.prototype.whatChanged;
BASE_HOOKS.makeCompatible = VersionedObject.prototype.makeCompatible;
BASE_HOOKS.upgradePrimitive = VersionedObject.upgradePrimitive;

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
    else throw new VersionedError('invalid_value', `expected ${def.type.expected}, got null (the field is not nullable)`, { path: [meta.name, def.name] });
  } else if (value === undefined) {
    throw new VersionedError('invalid_value', `expected ${def.type.expected}, got undefined (use unset() to clear a field)`, { path: [meta.name, def.name] });
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
