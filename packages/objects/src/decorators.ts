import 'reflect-metadata';
import { VersionedError } from './errors.js';
import { parseVersion } from './version.js';
import { META, checkFieldNames, envelopeKeys, hasMeta, makeFieldDef, type FieldDef, type FieldOptions, type ObjectMeta, type RemotableMethod } from './meta.js';
import { buildHistory, type HistoryEntry } from './history.js';
import type { FieldType } from './fields/type.js';
import { VersionedObject, fieldAccessor } from './object.js';
import { defaultRegistry, type ObjectRegistry } from './registry.js';

const FIELDS_KEY = Symbol.for('@versioned/objects.fields');
const EXTRA_KEY = Symbol.for('@versioned/objects.extraFields');
const REMOTABLE_KEY = Symbol.for('@versioned/objects.remotables');

export const DEFAULT_NAMESPACE = 'versionedobjects';
export const DEFAULT_SERIAL_NAMESPACE = 'versioned_object';

export interface VersionedObjectOptions {
  /** The wire name; defaults to the class name. */
  name?: string;
  /** `X.Y` or `X.Y.Z`. */
  version: string;
  /** oslo's OBJ_PROJECT_NAMESPACE; default `versionedobjects`. */
  namespace?: string;
  /** oslo's OBJ_SERIAL_NAMESPACE, the envelope key prefix; default `versioned_object` (Nova: `nova_object`). */
  serialNamespace?: string;
  /** Where to register; `false` registers nowhere. Default: the default registry. */
  registry?: ObjectRegistry | false;
  /** Replace a class already registered under the same name and version. */
  replace?: boolean;
  /**
   * Every version of the class, oldest first; the newest must be `version`. Fields not named in any
   * `added` exist from the first version on. Backports follow from it.
   */
  history?: readonly HistoryEntry[];
  /** oslo-style relationships, for fields whose child versions are not in the history: `{ field: [['1.0', '1.0'], ['1.3', '1.1']] }`. */
  relationships?: Readonly<Record<string, readonly (readonly [string, string])[]>>;
}

type FieldDecorator<V> = <K extends string>(target: { [P in K]: V }, key: K) => void;

/** Declare a field: `@field(f.uuid()) declare id: string`. The property's type is checked against the field's. */
export function field<T>(type: FieldType<T>, options: FieldOptions<T> & { nullable: true }): FieldDecorator<T | null>;
export function field<T>(type: FieldType<T>, options?: FieldOptions<T>): FieldDecorator<T>;
export function field<T>(type: FieldType<T>, options: FieldOptions<T> = {}): FieldDecorator<T> {
  return (target, key) => {
    const ctor = (target as object).constructor;
    const own: FieldDef[] = Reflect.getOwnMetadata(FIELDS_KEY, ctor) ?? [];
    Reflect.defineMetadata(FIELDS_KEY, [...own, makeFieldDef(key, type, options)], ctor);
  };
}

/** Mark a computed getter as an extra field: shown when printed, never serialized (oslo's obj_extra_fields). */
export function extraField(): (target: object, key: string) => void {
  return (target, key) => {
    const ctor = target.constructor;
    const own: string[] = Reflect.getOwnMetadata(EXTRA_KEY, ctor) ?? [];
    Reflect.defineMetadata(EXTRA_KEY, [...own, key], ctor);
  };
}

/** Mark a method as remotable (oslo's @remotable): it is part of the class's fingerprint. */
export function remotable(): (target: object, key: string, descriptor: PropertyDescriptor) => void {
  return (target, key, descriptor) => {
    const isStatic = typeof target === 'function';
    const ctor = isStatic ? target : target.constructor;
    const own: RemotableMethod[] = Reflect.getOwnMetadata(REMOTABLE_KEY, ctor) ?? [];
    const arity = typeof descriptor.value === 'function' ? (descriptor.value as Function).length : 0;
    Reflect.defineMetadata(REMOTABLE_KEY, [...own, { name: key, kind: isStatic ? 'static' : 'instance', arity }], ctor);
  };
}

/** Make a class a versioned object: validate it, install its field accessors and register it. */
export function versionedObject(options: VersionedObjectOptions) {
  return <C extends abstract new (...args: any[]) => VersionedObject>(cls: C): void => {
    const meta = buildMeta(cls, options);
    Object.defineProperty(cls, META, { value: meta });
    for (const def of meta.fields) Object.defineProperty(cls.prototype, def.name, fieldAccessor(() => meta, def));
    checkNoShadowing(meta);
    if (options.registry !== false) (options.registry ?? defaultRegistry).register(meta, { replace: options.replace ?? false });
  };
}

function buildMeta(cls: abstract new (...args: any[]) => VersionedObject, options: VersionedObjectOptions): ObjectMeta {
  const name = options.name ?? cls.name;
  const fail = (detail: string): VersionedError => new VersionedError('registration', `${name || 'class'}: ${detail}`);
  if (!name) throw fail('a versioned object needs a name');
  try {
    parseVersion(options.version);
  } catch {
    throw fail(`version must be "X.Y" or "X.Y.Z", got ${JSON.stringify(options.version)}`);
  }
  const chain: Function[] = [];
  for (let c: Function | null = cls; c && c !== VersionedObject && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  const fieldMap = new Map<string, FieldDef>();
  const extraFields: string[] = [];
  const remotables = new Map<string, RemotableMethod>();
  for (const ctor of chain) {
    for (const r of (Reflect.getOwnMetadata(REMOTABLE_KEY, ctor) ?? []) as RemotableMethod[]) remotables.set(`${r.kind}:${r.name}`, r);
    for (const def of (Reflect.getOwnMetadata(FIELDS_KEY, ctor) ?? []) as FieldDef[]) fieldMap.set(def.name, def);
    for (const extra of (Reflect.getOwnMetadata(EXTRA_KEY, ctor) ?? []) as string[]) if (!extraFields.includes(extra)) extraFields.push(extra);
  }
  checkFieldNames(fieldMap.keys(), cls, fail);
  let parent: ObjectMeta | undefined;
  for (let c = Object.getPrototypeOf(cls); c && c !== VersionedObject; c = Object.getPrototypeOf(c)) {
    if (hasMeta(c)) {
      parent = (c as { [META]: ObjectMeta })[META];
      break;
    }
  }
  const serialNamespace = options.serialNamespace ?? DEFAULT_SERIAL_NAMESPACE;
  const history = buildHistory(name, options.version, fieldMap, options.history, options.relationships);
  return {
    name,
    version: options.version,
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    serialNamespace,
    cls,
    fields: [...fieldMap.values()],
    fieldMap,
    objectFields: [...fieldMap.values()].filter((d) => d.objectTarget !== undefined),
    extraFields,
    history,
    remotables: [...remotables.values()],
    parent,
    keys: envelopeKeys(serialNamespace),
    compiled: { decoder: undefined, encoders: new Map() },
  };
}

/** With `useDefineForClassFields`, `size!: number` defines an own property that hides the accessor: refuse it. */
function checkNoShadowing(meta: ObjectMeta): void {
  let probe: object;
  try {
    probe = Reflect.construct(meta.cls, []);
  } catch {
    return; // a constructor that needs arguments; nothing can be learned here
  }
  for (const key of Object.getOwnPropertyNames(probe)) {
    if (meta.fieldMap.has(key)) {
      throw new VersionedError(
        'registration',
        `${meta.name}.${key}: an instance property hides the field; declare it as \`declare ${key}: T\` (or compile with useDefineForClassFields: false)`,
      );
    }
  }
}
