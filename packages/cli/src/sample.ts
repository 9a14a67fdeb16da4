import {
  DateTimeType,
  DictType,
  EnumType,
  FloatType,
  IntegerType,
  IPAddressType,
  IPNetworkType,
  ListType,
  MACAddressType,
  ObjectType,
  PCIAddressType,
  SetType,
  UUIDType,
  BooleanType,
  FlexibleBooleanType,
  StringType,
  type FieldType,
  type ObjectMeta,
  type ObjectRegistry,
  type VersionedObject,
} from '@versioned/objects';

const MAX_DEPTH = 4;

/**
 * An instance of `meta` with every field set to a generated value of its type (children included,
 * down to a few levels), or with `nulls`, its nullable fields null: what the compatibility check
 * backports. Values are fixed, so runs repeat.
 */
export function sampleObject(meta: ObjectMeta, registry: ObjectRegistry, depth = 0, options: { nulls?: boolean } = {}): VersionedObject {
  const obj = Reflect.construct(meta.cls, []) as VersionedObject;
  for (const def of meta.fields) {
    // With `nulls`, every nullable field of the top object is null: the other edge a hook must survive.
    const value = options.nulls && def.nullable ? undefined : sampleValue(def.type, registry, depth);
    if (value === undefined) {
      if (def.nullable) (obj as unknown as Record<string, unknown>)[def.name] = null;
      continue;
    }
    (obj as unknown as Record<string, unknown>)[def.name] = value;
  }
  return obj;
}

/** A valid value of `type`; `undefined` when none can be made (a child class that is not registered, too deep). */
export function sampleValue(type: FieldType<unknown>, registry: ObjectRegistry, depth = 0): unknown {
  if (type instanceof ObjectType) {
    if (depth >= MAX_DEPTH || !registry.has(type.target)) return undefined;
    return sampleObject(registry.newest(type.target), registry, depth + 1);
  }
  if (type instanceof ListType || type instanceof SetType || type instanceof DictType) {
    const element = sampleValue(type.element as FieldType<unknown>, registry, depth);
    if (element === undefined) return type instanceof DictType ? {} : [];
    if (type instanceof DictType) return { key: element };
    return type instanceof SetType ? new Set([element]) : [element];
  }
  if (type instanceof EnumType) return [...type.values].sort()[0];
  if (type instanceof UUIDType) return '6f1c4bd1-0f3e-4b8e-9d3a-0c1b2a3d4e5f';
  if (type instanceof DateTimeType) return new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  if (type instanceof IntegerType) return 1;
  if (type instanceof FloatType) return 1.5;
  if (type instanceof BooleanType || type instanceof FlexibleBooleanType) return true;
  if (type instanceof IPAddressType) return type.family === 6 ? '2001:db8::1' : '192.0.2.1';
  if (type instanceof IPNetworkType) return type.family === 6 ? '2001:db8::/32' : '192.0.2.0/24';
  if (type instanceof MACAddressType) return '00:00:5e:00:53:01';
  if (type instanceof PCIAddressType) return '0000:00:1f.7';
  if (type instanceof StringType) return 'sample';
  return undefined;
}
