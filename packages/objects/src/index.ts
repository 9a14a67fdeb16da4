// The public API of @versioned/objects, name by name: what is not listed here is internal to the package (its
// own tests import it from its module; helpers the workspace's other packages share are in internal.ts, the
// /internal subpath). packages/objects/api/objects.api.md is the report of it.
export { VersionedError, isVersionedError, formatPath, type ErrorCode, type PathSegment } from './errors.js';
export { parseVersion, compareVersions, isCompatible, isVersion, stripRevision, type VersionTuple } from './version.js';
export { f, WIRE_FORMATS, WIRE_FORMAT_EXPECTED } from './fields/index.js';
export { FieldType, type JsonSchema, type SchemaContext, type TypeDescription } from './fields/type.js';
export {
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
} from './fields/scalars.js';
export { IPAddressType, IPNetworkType, MACAddressType, PCIAddressType, type IPFamily } from './fields/network.js';
export { DictType, ListType, NullableType, ObjectType, SetType, UntypedType } from './fields/containers.js';
export {
  isVersionedObject,
  metaOf,
  type EnvelopeKeys,
  type FieldDef,
  type FieldOptions,
  type ObjectMeta,
  type RemotableMethod,
  type VersionedObjectLike,
} from './meta.js';
export {
  VersionedObject,
  OptionalFields,
  type FieldsOf,
  type FieldName,
  type FieldKey,
  type OptionalFieldName,
  type CreateFields,
} from './object.js';
export {
  field,
  extraField,
  remotable,
  versionedObject,
  DEFAULT_NAMESPACE,
  DEFAULT_SERIAL_NAMESPACE,
  type VersionedObjectOptions,
} from './decorators.js';
export { ObjectRegistry, defaultRegistry } from './registry.js';
export type { Primitive, ToPrimitiveOptions, EncodeContext } from './to-primitive.js';
export { fieldExistsAt, childVersionAt, type Manifest, type DataLoss, type DataLossPolicy } from './backport.js';
export { declaredVersions, type HistoryEntry, type FillValue, type VersionHistory, type Relationships } from './history.js';
export type { FromPrimitiveOptions, DecodeLimits, DecodeContext } from './from-primitive.js';
export { ObjectSerializer, type ObjectSerializerOptions, type IndirectionApi } from './serializer.js';
export { ObjectList } from './list.js';
export type { FromPlainOptions } from './plain.js';
export { Comparable, Timestamped } from './mixins.js';
export { ManifestHistory } from './manifests.js';
