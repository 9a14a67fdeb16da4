import { VersionedError } from '../errors.js';
import { describeValue } from '../version.js';
import type { DecodeContext } from '../from-primitive.js';
import type { EncodeContext } from '../to-primitive.js';

/** A JSON Schema document (draft 2020-12), as a plain object. */
export type JsonSchema = Record<string, unknown>;

/** What field types see while a JSON Schema is generated. */
export interface SchemaContext {
  /** A child object's schema; with `subclasses`, registered subclasses of the target are accepted too. */
  objectRef(targetName: string, options?: { subclasses?: boolean }): JsonSchema;
  /** The longest list, set or dict the decoder accepts (its `maxListLength`), when the schema says it. */
  readonly maxListLength?: number;
}

/** A canonical, JSON-able description of a type: what the fingerprint and the JSON Schema are made from. */
export type TypeDescription = { readonly type: string } & Readonly<Record<string, unknown>>;

/**
 * A field type: how a value is checked and coerced when assigned, and how it crosses the wire.
 * Errors are VersionedErrors with code `invalid_value`; containers prefix the path of their elements.
 */
export abstract class FieldType<T = unknown> {
  /** oslo's name for the type: `String`, `List`, `Object`... */
  abstract readonly kind: string;
  /** The phrase used in errors: `expected a UUID`. */
  abstract readonly expected: string;
  /** True when the value already is its own primitive: encoding skips the call. */
  readonly identity: boolean = true;

  /** Check and normalise an assigned value. `current` is the field's value before the assignment, if set. */
  abstract coerce(value: unknown, current?: T): T;

  /**
   * The wire form of a (coerced) value: what goes into `versioned_object.data`, JSON-able. The default is
   * the value itself; a type whose wire form differs (a Date as an ISO string, a Set as an array, a child
   * object as its envelope) overrides it.
   */
  toPrimitive(value: T, _ctx: EncodeContext): unknown {
    return value;
  }

  /**
   * Read a value from its wire form, refusing what the type does not accept (a VersionedError
   * `invalid_value`). The default is `coerce`; a type whose wire form differs from its value overrides it.
   */
  fromPrimitive(value: unknown, _ctx: DecodeContext): T {
    return this.coerce(value);
  }

  /**
   * What makes two values the same member of a Set: the value itself (identity for objects), unless a
   * type says otherwise (a DateTime's instant).
   */
  setKey(value: T): unknown {
    return value;
  }

  /** A copy that shares nothing mutable with `value`. Scalars are immutable. */
  clone(value: T, _memo: Map<object, unknown>): T {
    return value;
  }

  /**
   * The canonical description of the type, hashed by the fingerprint: `{ type: kind }`, plus whatever
   * changes what the type accepts (an enum's values, a container's element). Two types with the same
   * description must accept the same values.
   */
  describe(): TypeDescription {
    return { type: this.kind };
  }

  /**
   * The JSON Schema of the wire form. `ctx.objectRef(name)` gives a reference to a child object's schema at
   * the version its parent decided.
   */
  abstract jsonSchema(ctx: SchemaContext): JsonSchema;

  /** Names of the object classes this type refers to (for relationships and the tree check). */
  objectTargets(): string[] {
    return [];
  }

  /** The error for a refused value: `expected <this.expected>, got <value>` (and the hint), code `invalid_value`. */
  protected invalid(value: unknown, hint?: string): VersionedError {
    return new VersionedError('invalid_value', `expected ${this.expected}, got ${describeValue(value)}${hint ? ` (${hint})` : ''}`, {
      details: { expected: this.expected, type: this.kind },
    });
  }
}
