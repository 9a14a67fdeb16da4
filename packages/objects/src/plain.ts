// The plain-object form of an object, for DTOs and frameworks (NestJS, class-transformer): its set fields as
// JSON values (each field's wire form: dates as ISO strings, sets as arrays), children as plain objects too;
// no envelope, no version, no change list. fromPlain() reads that form back, checking every value as the
// decoder does, with typed errors at their paths (`Volume.attachments[2].id: expected a UUID`).
import { VersionedError, atPath } from './errors.js';
import { nullFor } from './codegen.js';
import {
  DEFAULT_LIMITS,
  HOME_REGISTRY,
  isVersionedObject,
  metaOf,
  type FieldDef,
  type ObjectMeta,
  type VersionedObjectLike,
} from './meta.js';
import type { DecodeContext, DecodeLimits } from './from-primitive.js';
import type { EncodeContext, Primitive } from './to-primitive.js';
import type { ObjectRegistry } from './registry.js';
import { describeValue } from './version.js';

/** The options of `fromPlain`: whether fields may be left out, the registry of the children's classes, the decoder's limits. */
export interface FromPlainOptions {
  /** Leave out any field (as `partial()` does); by default a field that is neither nullable nor defaulted is required. */
  partial?: boolean;
  /** Where the classes of children are looked up by name; default: the registry the class was decorated into. */
  registry?: ObjectRegistry;
  /** The decoder's limits (nesting depth, list lengths). */
  limits?: DecodeLimits;
}

interface Stored {
  $values: Record<string, unknown>;
  setDefaults(...names: string[]): void;
  update(values: Record<string, unknown>): unknown;
}

/** The set fields of `obj` as plain JSON values, children included. */
export function toPlain(obj: VersionedObjectLike): Record<string, unknown> {
  return atPath(() => plainOf(obj, new Set()), metaOf(obj).name);
}

function plainOf(obj: VersionedObjectLike, path: Set<object>): Record<string, unknown> {
  const meta = metaOf(obj);
  if (path.has(obj)) throw new VersionedError('invalid_value', `a ${meta.name} holds itself: a cycle has no plain form`);
  path.add(obj);
  const out: Record<string, unknown> = {};
  for (const def of meta.fields) {
    const value = plainValue(obj, def, path);
    if (value !== undefined) out[def.name] = value;
  }
  path.delete(obj);
  return out;
}

/** One field's plain form (undefined when unset): children's through the field type, as a list or dict of objects is walked for the wire. */
function plainValue(obj: VersionedObjectLike, def: FieldDef, path: Set<object>): unknown {
  const value = (obj as unknown as Stored).$values[def.name];
  if (value === undefined || value === null) return value;
  const ctx: EncodeContext = { manifest: undefined, encodeChild: (child) => plainOf(child, path) as unknown as Primitive };
  return atPath(() => def.type.toPrimitive(value, ctx), def.name);
}

/** @internal One field's plain form, or undefined when it is unset (the class-transformer entry's getters). */
export function plainField(obj: VersionedObjectLike, def: FieldDef): unknown {
  return atPath(() => plainValue(obj, def, new Set()), metaOf(obj).name);
}

/** @internal Assign one field from its plain form, checked as fromPlain() checks it (the class-transformer entry's setters). */
export function assignPlainField(obj: VersionedObjectLike, def: FieldDef, plain: unknown): void {
  const meta = metaOf(obj);
  // As class-transformer assigns: what the plain object has, checked; nothing is required (children neither).
  const build = (child: ObjectMeta, p: unknown): unknown => fromPlain(child, p, { partial: true }, false);
  const value = atPath(() => decodeField(def, plain, decodeContext(meta, {}, build)), meta.name);
  (obj as unknown as Stored).update({ [def.name]: value });
}

/** A `meta` object from its plain form: every key a field, every value checked; children from theirs. */
export function fromPlain(meta: ObjectMeta, plain: unknown, options: FromPlainOptions = {}, root = true): VersionedObjectLike {
  let depth = 0;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const build = (meta: ObjectMeta, plain: unknown): VersionedObjectLike => {
    if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
      throw new VersionedError('invalid_value', `expected a plain object of ${meta.name}'s fields, got ${describeValue(plain)}`);
    }
    if (++depth > limits.maxDepth) throw new VersionedError('limit_exceeded', `objects nest deeper than ${limits.maxDepth} levels`);
    const ctx = decodeContext(meta, options, build);
    const values: Record<string, unknown> = {};
    for (const key of Object.keys(plain)) {
      const def = meta.fieldMap.get(key);
      if (!def) throw new VersionedError('unknown_field', `is not a field of ${meta.name} ${meta.version}`, { path: [key] });
      const value = (plain as Record<string, unknown>)[key];
      if (value !== undefined) values[key] = decodeField(def, value, ctx);
    }
    const obj = new (meta.cls as unknown as new () => Stored)();
    obj.update(values);
    if (!options.partial) {
      obj.setDefaults(...meta.fields.filter((d) => d.hasDefault && values[d.name] === undefined).map((d) => d.name));
      for (const def of meta.fields) {
        if (!def.nullable && obj.$values[def.name] === undefined) {
          throw new VersionedError('invalid_value', `is required (expected ${def.type.expected})`, { path: [def.name] });
        }
      }
    }
    depth--;
    return obj as unknown as VersionedObjectLike;
  };
  return root ? atPath(() => build(meta, plain), meta.name) : build(meta, plain);
}

/** What field types decode a plain value with: a child is built from its plain form, as a `target` of the registry. */
function decodeContext(meta: ObjectMeta, options: FromPlainOptions, build: (meta: ObjectMeta, plain: unknown) => unknown): DecodeContext {
  const registry = options.registry ?? HOME_REGISTRY.get(meta);
  return {
    registry: registry as ObjectRegistry,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    decodeChild: (value, target) => {
      if (isVersionedObject(value)) return value;
      if (!registry)
        throw new VersionedError(
          'registration',
          `${meta.name} is in no registry: pass fromPlain(..., { registry }) to find its ${target} children`,
        );
      return build(registry.newest(target), value) as VersionedObjectLike;
    },
  };
}

function decodeField(def: FieldDef, value: unknown, ctx: DecodeContext): unknown {
  return atPath(() => (value === null ? nullFor(def) : def.type.fromPrimitive(value, ctx)), def.name);
}
