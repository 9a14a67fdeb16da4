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

export * from './type.js';
export * from './scalars.js';
export * from './network.js';
export * from './containers.js';

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
