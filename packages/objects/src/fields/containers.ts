import { VersionedError, atPath, within } from '../errors.js';
import { defineOwn, isPlainObject } from '../records.js';
import { isVersionedObject, metaOf, type VersionedObjectLike } from '../meta.js';
import type { DecodeContext } from '../from-primitive.js';
import type { EncodeContext } from '../to-primitive.js';
import { FieldType, type JsonSchema, type SchemaContext, type TypeDescription } from './type.js';

/** The `maxItems`/`maxProperties` keyword of a container's schema, when the context gives the limit. */
function withLimit(schema: JsonSchema, keyword: 'maxItems' | 'maxProperties', ctx: SchemaContext): JsonSchema {
  if (ctx.maxListLength !== undefined) schema[keyword] = ctx.maxListLength;
  return schema;
}

/** A Set of items, members told apart by the element type's setKey (one Date per instant). */
function setOf<E>(element: FieldType<E>, items: Iterable<unknown>, read: (item: unknown) => E): Set<E> {
  const byIdentity = element.setKey === FieldType.prototype.setKey;
  const out = new Set<E>();
  const keys = byIdentity ? out : new Set<unknown>();
  let i = 0;
  for (const item of items) {
    let value: E;
    try {
      value = read(item);
    } catch (err) {
      throw within(err, i);
    }
    i++;
    if (byIdentity) out.add(value);
    else {
      const key = element.setKey(value);
      if (!keys.has(key)) keys.add(key), out.add(value);
    }
  }
  return out;
}

function checkLength(length: number, ctx: DecodeContext | undefined): void {
  const max = ctx?.limits.maxListLength;
  if (max !== undefined && length > max) {
    throw new VersionedError('limit_exceeded', `a list of ${length} items exceeds the limit of ${max}`);
  }
}

/** List, Set and Dict: a container of values of one element type, `expected` to be "a list of strings". */
export abstract class ContainerType<E, T> extends FieldType<T> {
  readonly expected: string;
  override readonly identity = false;
  constructor(
    readonly element: FieldType<E>,
    container: string,
  ) {
    super();
    this.expected = `${container} of ${element.expected.replace(/^an? /, '')}s`;
  }
  override describe(): TypeDescription {
    return { type: this.kind, element: this.element.describe() };
  }
  override objectTargets(): string[] {
    return this.element.objectTargets();
  }
}

/** oslo's List: an array whose elements the element type checks; on the wire, a JSON array of their wire forms. */
export class ListType<E> extends ContainerType<E, E[]> {
  readonly kind = 'List';
  constructor(element: FieldType<E>) {
    super(element, 'a list');
  }
  jsonSchema(ctx: SchemaContext): JsonSchema {
    return withLimit({ type: 'array', items: this.element.jsonSchema(ctx) }, 'maxItems', ctx);
  }
  coerce(value: unknown): E[] {
    if (!Array.isArray(value)) throw this.invalid(value);
    const out = new Array<E>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = atPath(() => this.element.coerce(value[i]), i);
    return out;
  }
  override toPrimitive(value: E[], ctx: EncodeContext): unknown[] {
    const el = this.element;
    if (el.identity) return value.slice();
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      try {
        out[i] = el.toPrimitive(value[i] as E, ctx);
      } catch (err) {
        throw within(err, i);
      }
    }
    return out;
  }
  override fromPrimitive(value: unknown, ctx: DecodeContext): E[] {
    if (!Array.isArray(value)) throw this.invalid(value);
    checkLength(value.length, ctx);
    const out = new Array<E>(value.length);
    const el = this.element;
    for (let i = 0; i < value.length; i++) {
      try {
        out[i] = el.fromPrimitive(value[i], ctx);
      } catch (err) {
        throw within(err, i);
      }
    }
    return out;
  }
  override clone(value: E[], memo: Map<object, unknown>): E[] {
    return value.map((v) => this.element.clone(v, memo));
  }
}

/** A Set; it crosses the wire as an array (oslo sends a tuple). */
export class SetType<E> extends ContainerType<E, Set<E>> {
  readonly kind = 'Set';
  constructor(element: FieldType<E>) {
    super(element, 'a set (or list)');
  }
  jsonSchema(ctx: SchemaContext): JsonSchema {
    // No uniqueItems: a receiver (this one, and oslo's set()) collapses repeated members, so a wire list
    // with repeats is read, not refused; and two equal instants can be written differently.
    return withLimit({ type: 'array', items: this.element.jsonSchema(ctx) }, 'maxItems', ctx);
  }
  coerce(value: unknown): Set<E> {
    if (!(value instanceof Set) && !Array.isArray(value)) throw this.invalid(value);
    return setOf(this.element, value, (item) => this.element.coerce(item));
  }
  override toPrimitive(value: Set<E>, ctx: EncodeContext): unknown[] {
    if (this.element.identity) return Array.from(value);
    const out: unknown[] = [];
    for (const item of value) out.push(this.element.toPrimitive(item, ctx));
    return out;
  }
  override fromPrimitive(value: unknown, ctx: DecodeContext): Set<E> {
    if (!Array.isArray(value)) throw this.invalid(value);
    checkLength(value.length, ctx);
    const element = this.element;
    if (element.setKey !== FieldType.prototype.setKey) return setOf(element, value, (item) => element.fromPrimitive(item, ctx));
    // Members told apart by identity (setOf's common case), without its closure and iterator.
    const out = new Set<E>();
    for (let i = 0; i < value.length; i++) {
      try {
        out.add(element.fromPrimitive(value[i], ctx));
      } catch (err) {
        throw within(err, i);
      }
    }
    return out;
  }
  override clone(value: Set<E>, memo: Map<object, unknown>): Set<E> {
    const out = new Set<E>();
    for (const item of value) out.add(this.element.clone(item, memo));
    return out;
  }
}

/** A string-keyed dictionary (a plain object, or a Map with string keys when assigned). */
export class DictType<E> extends ContainerType<E, Record<string, E>> {
  readonly kind = 'Dict';
  constructor(element: FieldType<E>) {
    super(element, 'a dict');
  }
  jsonSchema(ctx: SchemaContext): JsonSchema {
    return withLimit({ type: 'object', additionalProperties: this.element.jsonSchema(ctx) }, 'maxProperties', ctx);
  }
  /** A plain object, or a Map with string keys, as assigned. */
  coerce(value: unknown): Record<string, E> {
    const entries: Iterable<[unknown, unknown]> =
      value instanceof Map
        ? value.entries()
        : isPlainObject(value)
          ? Object.entries(value)
          : (() => {
              throw this.invalid(value);
            })();
    const out: Record<string, E> = {};
    for (const [key, v] of entries) {
      if (typeof key !== 'string') throw this.invalid(value, 'keys must be strings');
      defineOwn(
        out,
        key,
        atPath(() => this.element.coerce(v), key),
      );
    }
    return out;
  }
  override toPrimitive(value: Record<string, E>, ctx: EncodeContext): Record<string, unknown> {
    // A spread defines own data properties (`__proto__` included, as an own key), as defineOwn does.
    if (this.element.identity) return { ...value };
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) defineOwn(out, key, this.element.toPrimitive(value[key] as E, ctx));
    return out;
  }
  override fromPrimitive(value: unknown, ctx: DecodeContext): Record<string, E> {
    // The wire only has plain objects: a keys loop, without the Map case of coerce().
    if (!isPlainObject(value)) throw this.invalid(value);
    const keys = Object.keys(value);
    checkLength(keys.length, ctx);
    const out: Record<string, E> = {};
    const element = this.element;
    for (const key of keys) {
      try {
        defineOwn(out, key, element.fromPrimitive(value[key], ctx));
      } catch (err) {
        throw within(err, key);
      }
    }
    return out;
  }
  override clone(value: Record<string, E>, memo: Map<object, unknown>): Record<string, E> {
    const out: Record<string, E> = {};
    for (const key of Object.keys(value)) defineOwn(out, key, this.element.clone(value[key] as E, memo));
    return out;
  }
}

/** An element type that also accepts `null` (oslo's `String(nullable=True)` inside a Dict or List). */
export class NullableType<E> extends FieldType<E | null> {
  readonly kind: string;
  readonly expected: string;
  override readonly identity: boolean;
  constructor(readonly element: FieldType<E>) {
    super();
    this.kind = element.kind;
    this.expected = `${element.expected} or null`;
    this.identity = element.identity;
  }
  jsonSchema(ctx: SchemaContext): JsonSchema {
    return { anyOf: [this.element.jsonSchema(ctx), { type: 'null' }] };
  }
  coerce(value: unknown): E | null {
    return value === null ? null : this.element.coerce(value);
  }
  override toPrimitive(value: E | null, ctx: EncodeContext): unknown {
    return value === null ? null : this.element.toPrimitive(value, ctx);
  }
  override fromPrimitive(value: unknown, ctx: DecodeContext): E | null {
    return value === null ? null : this.element.fromPrimitive(value, ctx);
  }
  override clone(value: E | null, memo: Map<object, unknown>): E | null {
    return value === null ? null : this.element.clone(value, memo);
  }
  override describe(): TypeDescription {
    return { ...this.element.describe(), nullable: true };
  }
  override objectTargets(): string[] {
    return this.element.objectTargets();
  }
}

/** A JSON value of any shape, kept as it is (oslo's untyped FieldType, Cinder's untyped dict values). */
export class UntypedType extends FieldType<unknown> {
  readonly kind = 'FieldType';
  readonly expected = 'a JSON value';
  override readonly identity = false;
  jsonSchema(): JsonSchema {
    return {};
  }
  coerce(value: unknown): unknown {
    return this.copy(value, 0);
  }
  override toPrimitive(value: unknown): unknown {
    return this.copy(value, 0);
  }
  override clone(value: unknown): unknown {
    return this.copy(value, 0);
  }
  /** A deep copy of JSON data: finite numbers, strings, booleans, null, arrays and plain objects only. */
  private copy(value: unknown, depth: number): unknown {
    if (depth > 64) throw new VersionedError('limit_exceeded', 'a JSON value nests deeper than 64 levels');
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw this.invalid(value, 'not a finite number');
      return value;
    }
    if (Array.isArray(value)) return value.map((v, i) => atPath(() => this.copy(v, depth + 1), i));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value))
        defineOwn(
          out,
          key,
          atPath(() => this.copy(value[key], depth + 1), key),
        );
      return out;
    }
    throw this.invalid(value);
  }
}

/** A child versioned object of a named class (or, with `subclasses`, any registered class that extends it). */
export class ObjectType<T extends VersionedObjectLike = VersionedObjectLike> extends FieldType<T> {
  readonly kind = 'Object';
  readonly expected: string;
  override readonly identity = false;
  constructor(
    readonly target: string,
    readonly subclasses = false,
  ) {
    super();
    this.expected = `a ${target} object`;
  }
  private accepts(value: VersionedObjectLike): boolean {
    const meta = metaOf(value);
    if (meta.name === this.target) return true;
    if (!this.subclasses) return false;
    for (let m = meta.parent; m; m = m.parent) if (m.name === this.target) return true;
    return false;
  }
  jsonSchema(ctx: SchemaContext): JsonSchema {
    return this.subclasses ? ctx.objectRef(this.target, { subclasses: true }) : ctx.objectRef(this.target);
  }
  coerce(value: unknown): T {
    if (!isVersionedObject(value) || !this.accepts(value)) throw this.invalid(value);
    return value as T;
  }
  override toPrimitive(value: T, ctx: EncodeContext): unknown {
    return ctx.encodeChild(value);
  }
  override fromPrimitive(value: unknown, ctx: DecodeContext): T {
    const obj = ctx.decodeChild(value, this.target);
    if (!this.accepts(obj)) throw this.invalid(obj);
    return obj as T;
  }
  override clone(value: T, memo: Map<object, unknown>): T {
    return value.clone(memo) as T;
  }
  override describe(): TypeDescription {
    return { type: this.kind, target: this.target, subclasses: this.subclasses };
  }
  override objectTargets(): string[] {
    return [this.target];
  }
}
