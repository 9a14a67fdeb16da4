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
 * `@field(f.listOfObjects('Attachment'))`. Each names the oslo type it matches.
 */
export const f = {
  string: () => new StringType(),
  sensitiveString: () => new SensitiveStringType(),
  integer: () => new IntegerType(),
  nonNegativeInteger: () => new IntegerType(0),
  float: () => new FloatType(),
  nonNegativeFloat: () => new FloatType(0),
  boolean: () => new BooleanType(),
  flexibleBoolean: () => new FlexibleBooleanType(),
  uuid: () => new UUIDType(),
  /** `second` (default) is oslo's wire form; `millisecond` keeps sub-second precision. */
  dateTime: (options: { precision?: DateTimePrecision } = {}) => new DateTimeType(options.precision),
  enum: <T extends string>(values: readonly T[]) => new EnumType<T>(values),
  /** States and where each may move to: `{ available: ['in-use', 'deleting'], deleting: [] }`. */
  stateMachine: <T extends string>(transitions: Readonly<Record<T, readonly NoInfer<T>[]>>) => new StateMachineType<T>(transitions),
  ipAddress: () => new IPAddressType('any'),
  ipv4Address: () => new IPAddressType(4),
  ipv6Address: () => new IPAddressType(6),
  ipv4AndV6Address: () => new IPAddressType('any', 'IPV4AndV6Address'),
  ipNetwork: () => new IPNetworkType('any'),
  ipv4Network: () => new IPNetworkType(4),
  ipv6Network: () => new IPNetworkType(6),
  macAddress: () => new MACAddressType(),
  pciAddress: () => new PCIAddressType(),
  list: <E>(element: FieldType<E>) => new ListType<E>(element),
  set: <E>(element: FieldType<E>) => new SetType<E>(element),
  dict: <E>(element: FieldType<E>) => new DictType<E>(element),
  /** An element that may be null: `f.dict(f.nullable(f.string()))` is oslo's DictOfNullableStringsField. */
  nullable: <E>(element: FieldType<E>) => new NullableType<E>(element),
  /** Any JSON value, copied as it is (oslo's untyped FieldType): `f.dict(f.untyped())`. */
  untyped: () => new UntypedType(),
  object: <T = any>(target: string, options: { subclasses?: boolean } = {}) => new ObjectType(target, options.subclasses) as unknown as FieldType<T>,
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
