import 'reflect-metadata';
import { VersionedError } from './errors.js';
import { parseVersion } from './version.js';
import {
  HOME_REGISTRY,
  META,
  checkFieldNames,
  envelopeKeys,
  hasMeta,
  makeFieldDef,
  type FieldDef,
  type FieldOptions,
  type ObjectMeta,
  type RemotableMethod,
} from './meta.js';
import { buildHistory, type HistoryEntry } from './history.js';
import type { FieldType } from './fields/type.js';
import { VersionedObject, fieldAccessor } from './object.js';
import { defaultRegistry, type ObjectRegistry } from './registry.js';

const FIELDS_KEY = Symbol.for('@versioned/objects.fields');
const EXTRA_KEY = Symbol.for('@versioned/objects.extraFields');
const REMOTABLE_KEY = Symbol.for('@versioned/objects.remotables');

/** oslo's `OBJ_PROJECT_NAMESPACE` default, the envelope's `versioned_object.namespace`: `versionedobjects`. */
export const DEFAULT_NAMESPACE = 'versionedobjects';
/** oslo's `OBJ_SERIAL_NAMESPACE` default, the prefix of the envelope's keys: `versioned_object` (`versioned_object.name`...). */
export const DEFAULT_SERIAL_NAMESPACE = 'versioned_object';

/** The options of {@link versionedObject}: the wire name and version, the registry, the version history. */
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

/**
 * What `@field()` returns: a legacy decorator (experimentalDecorators) on `declare name: T`, or a standard
 * (TC39) one on `accessor name: T`. The property's type is checked against the field's in both.
 */
export interface FieldDecorator<V> {
  <K extends string>(target: { [P in K]?: V }, key: K): void;
  (target: ClassAccessorDecoratorTarget<VersionedObject, V>, context: ClassAccessorDecoratorContext<VersionedObject, V>): void;
}

/** A member decorator in either mode: `(prototype, key[, descriptor])` (legacy) or `(value, context)` (standard). */
type AnyMemberDecorator = (target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor) => void;

/** What standard member decorators record for the class decorator that follows them (see takePending). */
interface Pending {
  fields: FieldDef[];
  extras: string[];
  remotables: RemotableMethod[];
}
let pending: Pending = { fields: [], extras: [], remotables: [] };

const LEGACY_HINT =
  'with experimentalDecorators: true, decorate `declare name: T`; with standard decorators (the default since TypeScript 5.0), `accessor name: T`';

/** The context of a standard decorator call, or undefined for a legacy one (whose second argument is the key). */
function standardContext(keyOrContext: unknown): DecoratorContext | undefined {
  return typeof keyOrContext === 'object' && keyOrContext !== null && 'kind' in keyOrContext
    ? (keyOrContext as DecoratorContext)
    : undefined;
}

function misused(decorator: string, detail: string): VersionedError {
  return new VersionedError('registration', `${decorator}: ${detail}`);
}

/** Declare a field: `@field(f.uuid()) declare id: string` (legacy decorators) or `@field(f.uuid()) accessor id: string` (standard). */
export function field<T>(type: FieldType<T>, options: FieldOptions<T> & { nullable: true }): FieldDecorator<T | null>;
export function field<T>(type: FieldType<T>, options?: FieldOptions<T>): FieldDecorator<T>;
export function field<T>(type: FieldType<T>, options: FieldOptions<T> = {}): FieldDecorator<T> {
  const decorator: AnyMemberDecorator = (target, keyOrContext) => {
    const context = standardContext(keyOrContext);
    if (context) {
      const name = String(context.name);
      const member = context as { static?: boolean; private?: boolean };
      if (context.kind !== 'accessor' || member.static || member.private) {
        const what =
          context.kind === 'field'
            ? `a plain field (\`${name}\`)`
            : `a ${member.static ? 'static ' : ''}${member.private ? 'private ' : ''}${context.kind}`;
        throw misused(`@field() on ${name}`, `standard decorators apply to \`accessor ${name}: T\`, not to ${what}; ${LEGACY_HINT}`);
      }
      pending.fields.push(makeFieldDef(name, type, options));
      return;
    }
    if (typeof keyOrContext !== 'string' || typeof target !== 'object' || target === null) {
      throw misused('@field()', `decorates a property of a class; ${LEGACY_HINT}`);
    }
    const ctor = target.constructor;
    const own: FieldDef[] = Reflect.getOwnMetadata(FIELDS_KEY, ctor) ?? [];
    Reflect.defineMetadata(FIELDS_KEY, [...own, makeFieldDef(keyOrContext, type, options)], ctor);
  };
  return decorator as FieldDecorator<T>;
}

/** Mark a computed getter as an extra field: shown when printed, never serialized (oslo's obj_extra_fields). */
export function extraField(): {
  (target: object, key: string): void;
  (target: unknown, context: ClassGetterDecoratorContext | ClassFieldDecoratorContext | ClassAccessorDecoratorContext): void;
} {
  const decorator: AnyMemberDecorator = (target, keyOrContext) => {
    const context = standardContext(keyOrContext);
    if (context) {
      pending.extras.push(String(context.name));
      return;
    }
    const ctor = (target as object).constructor;
    const own: string[] = Reflect.getOwnMetadata(EXTRA_KEY, ctor) ?? [];
    Reflect.defineMetadata(EXTRA_KEY, [...own, keyOrContext as string], ctor);
  };
  return decorator;
}

/** Mark a method as remotable (oslo's @remotable): it is part of the class's fingerprint. */
export function remotable(): {
  (target: object, key: string, descriptor: PropertyDescriptor): void;
  (method: Function, context: ClassMethodDecoratorContext): void;
} {
  const decorator: AnyMemberDecorator = (target, keyOrContext, descriptor) => {
    const context = standardContext(keyOrContext);
    if (context) {
      const method = target as Function;
      pending.remotables.push({
        name: String(context.name),
        kind: (context as ClassMethodDecoratorContext).static ? 'static' : 'instance',
        arity: method.length,
      });
      return;
    }
    const isStatic = typeof target === 'function';
    const ctor = isStatic ? target : (target as object).constructor;
    const own: RemotableMethod[] = Reflect.getOwnMetadata(REMOTABLE_KEY, ctor) ?? [];
    const arity = typeof descriptor?.value === 'function' ? (descriptor.value as Function).length : 0;
    Reflect.defineMetadata(REMOTABLE_KEY, [...own, { name: keyOrContext as string, kind: isStatic ? 'static' : 'instance', arity }], ctor);
  };
  return decorator;
}

/**
 * Standard member decorators run before their class's decorator, and cannot see the class (Node has no
 * Symbol.metadata yet): they leave what they declare here, and the class decorator takes it, checking each
 * name is one of its class's own members (a field on a class without @versionedObject() is refused).
 */
function takePending(cls: Function): Set<string> {
  const taken = pending;
  pending = { fields: [], extras: [], remotables: [] };
  for (const def of taken.fields) {
    if (!Object.hasOwn(cls.prototype, def.name)) {
      throw misused(
        `@field() on ${def.name}`,
        `the accessor is not a member of ${cls.name}: every class that declares fields needs @versionedObject()`,
      );
    }
  }
  Reflect.defineMetadata(FIELDS_KEY, taken.fields, cls);
  Reflect.defineMetadata(EXTRA_KEY, taken.extras, cls);
  Reflect.defineMetadata(REMOTABLE_KEY, taken.remotables, cls);
  return new Set(taken.fields.map((def) => def.name));
}

const decorated: ObjectMeta[] = [];
const decoratedListeners: ((meta: ObjectMeta) => void)[] = [];

/** @internal Call `listener` for every class decorated so far and every one decorated from now on (the class-transformer entry). */
export function onDecorated(listener: (meta: ObjectMeta) => void): void {
  for (const meta of decorated) listener(meta);
  decoratedListeners.push(listener);
}

/**
 * Make a class a versioned object: validate it, install its field accessors and register it. No instance is
 * constructed: a constructor runs only when the program makes an object.
 */
export function versionedObject(options: VersionedObjectOptions) {
  function decorate<C extends abstract new (...args: any[]) => VersionedObject>(cls: C): void;
  function decorate<C extends abstract new (...args: any[]) => VersionedObject>(cls: C, context: ClassDecoratorContext<C>): void;
  function decorate<C extends abstract new (...args: any[]) => VersionedObject>(cls: C, context?: ClassDecoratorContext<C>): void {
    if (typeof cls !== 'function') throw misused('@versionedObject()', `decorates a class; ${LEGACY_HINT}`);
    let accessors = new Set<string>();
    if (standardContext(context)) accessors = takePending(cls);
    else if (pending.fields.length)
      throw misused('@versionedObject()', 'the class mixes standard and legacy decorators; compile it in one mode');
    const meta = buildMeta(cls, options, accessors);
    Object.defineProperty(cls, META, { value: meta });
    for (const def of meta.fields)
      Object.defineProperty(
        cls.prototype,
        def.name,
        fieldAccessor(() => meta, def),
      );
    if (options.registry !== false) {
      const registry = options.registry ?? defaultRegistry;
      registry.register(meta, { replace: options.replace ?? false });
      HOME_REGISTRY.set(meta, registry);
    }
    for (const listener of decoratedListeners) listener(meta);
    decorated.push(meta);
  }
  return decorate;
}

/** `accessors`: the class's own `accessor` fields (standard decorators), which are not names taken by the class. */
function buildMeta(
  cls: abstract new (...args: any[]) => VersionedObject,
  options: VersionedObjectOptions,
  accessors: ReadonlySet<string>,
): ObjectMeta {
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
    for (const extra of (Reflect.getOwnMetadata(EXTRA_KEY, ctor) ?? []) as string[])
      if (!extraFields.includes(extra)) extraFields.push(extra);
  }
  checkFieldNames(fieldMap.keys(), cls, fail, accessors);
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
    compiled: { decoder: undefined, encoder: undefined, encoders: new Map() },
  };
}
