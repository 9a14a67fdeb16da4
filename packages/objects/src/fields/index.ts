import { ListType, SetType, DictType, NullableType, ObjectType, UntypedType } from './containers.js';
import { IPAddressType, IPNetworkType, MACAddressType, PCIAddressType } from './network.js';
import {
  BooleanType,
  DateTimeType,
  EnumType,
  FlexibleBooleanType,
  FloatType,
  IntegerType,
  SensitiveStringType,
  StateMachineType,
  StringType,
  UUIDType,
  type DateTimePrecision,
} from './scalars.js';
import type { FieldType } from './type.js';

/**
 * The field types, as factories: `@field(f.uuid())`, `@field(f.list(f.string()))`,
 * `@field(f.listOfObjects('Attachment'))`. Each names the oslo type it matches. Every factory returns a
 * {@link FieldType}: assignments are checked and coerced by it (a refused value is a VersionedError
 * `invalid_value` with the field's path), and it gives the value's wire form inside
 * `versioned_object.data`. A field type of your own is a class extending FieldType (see
 * docs/custom-field-types.md).
 *
 * @namespace
 */
export const f = {
  /** oslo's `String`. Accepts a string, or a finite number (kept as its text, as oslo does); refuses booleans. Wire: the string. */
  string: () => new StringType(),
  /** oslo's `SensitiveString`: a string masked (`***`) when the object is printed or logged. Wire: the string, in clear, as in oslo. */
  sensitiveString: () => new SensitiveStringType(),
  /**
   * oslo's `Integer`. Accepts a safe integer or a decimal string of one (`"42"`); refuses fractions
   * (oslo would truncate 1.9 to 1) and integers beyond 2^53 - 1. Wire: a JSON number.
   */
  integer: () => new IntegerType(),
  /** oslo's `NonNegativeInteger`: {@link f.integer}, and at least 0. Wire: a JSON number. */
  nonNegativeInteger: () => new IntegerType(0),
  /** oslo's `Float`. Accepts a finite number or a numeric string; refuses NaN and the infinities. Wire: a JSON number. */
  float: () => new FloatType(),
  /** oslo's `NonNegativeFloat`: {@link f.float}, and at least 0. Wire: a JSON number. */
  nonNegativeFloat: () => new FloatType(0),
  /** oslo's `Boolean`, strict: only `true` and `false` (oslo's bool() would take anything). Wire: a JSON boolean. */
  boolean: () => new BooleanType(),
  /**
   * oslo's `FlexibleBoolean`. Accepts a boolean, 0 or 1, or (any case, trimmed) `true/false`, `yes/no`,
   * `on/off`, `1/0`, `t/f`, `y/n`; an unrecognised string is an error, not false. Wire: a JSON boolean.
   */
  flexibleBoolean: () => new FlexibleBooleanType(),
  /** oslo's `UUID`, validated (oslo only warns) and normalised to lower case. Wire: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
  uuid: () => new UUIDType(),
  /**
   * oslo's `DateTime`, timezone-aware. Accepts a Date or an ISO 8601 string (no offset means UTC), years 1
   * to 9999; the value held is a Date, truncated to the precision when assigned. Wire: `second` (default)
   * is oslo's `YYYY-MM-DDTHH:MM:SSZ`; `millisecond` keeps sub-second precision, `YYYY-MM-DDTHH:MM:SS.sssZ`
   * (a whole second is still written without a fraction).
   */
  dateTime: (options: { precision?: DateTimePrecision } = {}) => new DateTimeType(options.precision),
  /** oslo's `Enum`: one of `values` (give them `as const` to type the field as their union). Wire: the string. */
  enum: <T extends string>(values: readonly T[]) => new EnumType<T>(values),
  /**
   * oslo's `StateMachine`: an enum whose value, once set, may only move along the allowed transitions.
   * States and where each may move to: `{ available: ['in-use', 'deleting'], deleting: [] }`; any first
   * value is accepted. Wire: the string.
   */
  stateMachine: <T extends string>(transitions: Readonly<Record<T, readonly NoInfer<T>[]>>) => new StateMachineType<T>(transitions),
  /** oslo's `IPAddress`: IPv4 or IPv6 (no zone index). Wire: dotted IPv4, or IPv6 in netaddr's canonical compressed lower case. */
  ipAddress: () => new IPAddressType('any'),
  /** oslo's `IPV4Address`. Wire: dotted decimal. */
  ipv4Address: () => new IPAddressType(4),
  /** oslo's `IPV6Address`. Wire: netaddr's canonical compressed lower-case form (`::ffff:1.2.3.4` for IPv4-mapped). */
  ipv6Address: () => new IPAddressType(6),
  /** oslo's `IPV4AndV6Address` (an IPv4 or IPv6 address, its own oslo name for the fingerprint). Wire: as {@link f.ipAddress}. */
  ipv4AndV6Address: () => new IPAddressType('any', 'IPV4AndV6Address'),
  /** oslo's `IPNetwork`: `address/prefix`, IPv4 or IPv6; a bare address gets the full prefix (/32, /128). Wire: `address/prefix`, normalised. */
  ipNetwork: () => new IPNetworkType('any'),
  /** oslo's `IPV4Network`. Wire: `a.b.c.d/prefix`. */
  ipv4Network: () => new IPNetworkType(4),
  /** oslo's `IPV6Network`. Wire: `canonical-ipv6/prefix`. */
  ipv6Network: () => new IPNetworkType(6),
  /** oslo's `MACAddress`: six hex pairs separated by `:` or `-`. Wire: lower case with colons, `aa:bb:cc:dd:ee:ff`. */
  macAddress: () => new MACAddressType(),
  /** oslo's `PCIAddress`: `dddd:bb:ss.f`. Wire: lower case. */
  pciAddress: () => new PCIAddressType(),
  /** oslo's `List(element)`: an array, each element checked by `element` (errors name the index). Wire: a JSON array of the elements' wire forms. */
  list: <E>(element: FieldType<E>) => new ListType<E>(element),
  /**
   * oslo's `Set(element)`: a Set (an array is accepted too and deduplicated). Wire: a JSON array of the
   * elements' wire forms (oslo sends a tuple), in insertion order.
   */
  set: <E>(element: FieldType<E>) => new SetType<E>(element),
  /** oslo's `Dict(element)`: string keys to `element` values (a plain object or a Map). Wire: a JSON object. */
  dict: <E>(element: FieldType<E>) => new DictType<E>(element),
  /**
   * An element that may be null: `f.dict(f.nullable(f.string()))` is oslo's DictOfNullableStringsField.
   * (A nullable field itself is `@field(type, { nullable: true })`.) Wire: null, or the element's wire form.
   */
  nullable: <E>(element: FieldType<E>) => new NullableType<E>(element),
  /** Any JSON value, deep-copied as it is (oslo's untyped FieldType): `f.dict(f.untyped())`. Refuses what JSON cannot hold (NaN, class instances). Wire: the value. */
  untyped: () => new UntypedType(),
  /**
   * oslo's `Object(target)`: a child versioned object of the class registered as `target` (with
   * `subclasses: true`, of any registered class extending it). Give its class as the type argument to
   * type the field: `f.object<Attachment>('Attachment')`. Wire: the child's own envelope, at the version
   * its parent's history or the manifest chooses.
   */
  object: <T = any>(target: string, options: { subclasses?: boolean } = {}) =>
    new ObjectType(target, options.subclasses) as unknown as FieldType<T>,
  /** oslo's `List(Object(target))`: {@link f.object} in a list. Wire: a JSON array of envelopes. */
  listOfObjects: <T = any>(target: string, options: { subclasses?: boolean } = {}) =>
    new ListType(new ObjectType(target, options.subclasses)) as unknown as FieldType<T[]>,
} as const;

const FORMAT_TYPES: Readonly<Record<string, FieldType>> = {
  uuid: new UUIDType(),
  'date-time': new DateTimeType(),
  ipv4: new IPAddressType(4),
  ipv6: new IPAddressType(6),
  'ipv4-network': new IPNetworkType(4),
  'ipv6-network': new IPNetworkType(6),
  'ip-network': new IPNetworkType('any'),
  'integer-string': new IntegerType(),
  'non-negative-integer-string': new IntegerType(0),
  'float-string': new FloatType(),
  'non-negative-float-string': new FloatType(0),
  'flexible-boolean': new FlexibleBooleanType(),
};

/** Whether `type` decodes the string `text`: the check behind a wire format. */
function decodes(type: FieldType): (text: string) => boolean {
  return (text) => {
    try {
      type.fromPrimitive(text, undefined as never);
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * The string formats the field types' schemas name, each checked by the field type itself: a string is in
 * the format exactly when the type decodes it. SchemaValidator uses these (the standard names too: the
 * field type's `date-time` refuses leap seconds and year 0, which RFC 3339's accepts), and so can any
 * other JSON Schema validator that takes custom formats.
 */
export const WIRE_FORMATS: Readonly<Record<string, (text: string) => boolean>> = Object.freeze(
  Object.fromEntries(Object.entries(FORMAT_TYPES).map(([name, type]) => [name, decodes(type)])),
);

/** What each wire format expects, in the words of its field type's errors: `a UUID`. */
export const WIRE_FORMAT_EXPECTED: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(FORMAT_TYPES).map(([name, type]) => [name, type.expected])),
);
