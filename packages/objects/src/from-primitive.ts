import { VersionedError } from './errors.js';
import { isVersion, describeValue } from './version.js';
import type { ObjectMeta, VersionedObjectLike } from './meta.js';
import type { ObjectRegistry } from './registry.js';
import { VersionedObject as VersionedObjectBase, type VersionedObject } from './object.js';

/** Bounds on hostile input. */
export interface DecodeLimits {
  /** How deeply object envelopes may nest. Default 32. */
  maxDepth?: number;
  /** The longest list, set or dict accepted. Default 1,000,000. */
  maxListLength?: number;
}

export interface FromPrimitiveOptions {
  registry?: ObjectRegistry;
  limits?: DecodeLimits;
  /** Refuse data keys that are not fields of the class (oslo drops them silently; so does the default). */
  strict?: boolean;
}

/** What field types see while decoding. */
export interface DecodeContext {
  readonly registry: ObjectRegistry;
  readonly limits: Required<DecodeLimits>;
  /** Decode a nested envelope. */
  decodeChild(primitive: unknown): VersionedObjectLike;
}

export const DEFAULT_LIMITS: Required<DecodeLimits> = { maxDepth: 32, maxListLength: 1_000_000 };

/** The parts of an envelope, checked. */
export interface Envelope {
  readonly serialNamespace: string;
  readonly name: string;
  readonly namespace: string;
  readonly version: string;
  readonly data: Record<string, unknown>;
  readonly changes: readonly string[] | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(detail: string): VersionedError {
  return new VersionedError('invalid_primitive', detail);
}

/** The serial namespace whose `<ns>.name` key the value carries, if any. */
export function envelopeNamespace(value: unknown, serialNamespaces: Iterable<string>): string | undefined {
  if (!isRecord(value)) return undefined;
  for (const ns of serialNamespaces) if (Object.hasOwn(value, `${ns}.name`)) return ns;
  return undefined;
}

/** Check an envelope's shape, reading own keys only. */
export function readEnvelope(value: unknown, serialNamespaces: Iterable<string>): Envelope {
  if (!isRecord(value)) throw bad(`expected an object envelope, got ${describeValue(value)}`);
  const ns = envelopeNamespace(value, serialNamespaces);
  if (ns === undefined) {
    throw bad(`expected an object envelope with a "${[...serialNamespaces].join('" or "') || 'versioned_object'}.name" key`);
  }
  const get = (key: string): unknown => (Object.hasOwn(value, `${ns}.${key}`) ? value[`${ns}.${key}`] : undefined);
  const name = get('name');
  const namespace = get('namespace');
  const version = get('version');
  const data = get('data');
  const changes = get('changes');
  if (typeof name !== 'string' || name === '') throw bad(`"${ns}.name" must be a non-empty string, got ${describeValue(name)}`);
  if (typeof namespace !== 'string') throw bad(`"${ns}.namespace" must be a string, got ${describeValue(namespace)}`);
  if (!isVersion(version)) throw bad(`"${ns}.version" must be a version "X.Y" or "X.Y.Z", got ${describeValue(version)}`);
  if (!isRecord(data)) throw bad(`"${ns}.data" must be an object, got ${describeValue(data)}`);
  if (changes !== undefined && (!Array.isArray(changes) || !changes.every((c) => typeof c === 'string'))) {
    throw bad(`"${ns}.changes" must be a list of field names, got ${describeValue(changes)}`);
  }
  return { serialNamespace: ns, name, namespace, version, data, changes };
}

class Decoder implements DecodeContext {
  private depth = 0;
  constructor(
    readonly registry: ObjectRegistry,
    readonly limits: Required<DecodeLimits>,
    private readonly strict: boolean,
  ) {}

  decodeChild(primitive: unknown): VersionedObjectLike {
    return this.decode(primitive);
  }

  decode(primitive: unknown): VersionedObject {
    if (this.depth >= this.limits.maxDepth) {
      throw new VersionedError('limit_exceeded', `objects nest deeper than the limit of ${this.limits.maxDepth}`);
    }
    const env = readEnvelope(primitive, this.registry.serialNamespaces);
    const meta = this.registry.lookup(env.name, env.version, env.namespace);
    this.depth++;
    const obj = this.build(meta, env);
    this.depth--;
    return obj;
  }

  private build(meta: ObjectMeta, env: Envelope): VersionedObject {
    const cls = meta.cls as unknown as typeof VersionedObject;
    const obj = new (cls as unknown as new () => VersionedObject)();
    const values = obj.$values;
    let data = env.data;
    if (env.version !== meta.version && cls.upgradePrimitive !== VersionedObjectBase.upgradePrimitive) {
      data = { ...data };
      cls.upgradePrimitive(data, env.version);
    }
    for (const def of meta.fields) {
      if (!Object.hasOwn(data, def.name)) continue;
      const raw = data[def.name];
      try {
        if (raw === null) {
          if (def.nullable) values[def.name] = null;
          else if (def.hasDefault) values[def.name] = def.makeDefault();
          else throw new VersionedError('invalid_value', `expected ${def.type.expected}, got null (the field is not nullable)`);
        } else {
          values[def.name] = def.type.fromPrimitive(raw, this);
        }
      } catch (err) {
        throw err instanceof VersionedError ? err.within(def.name) : err;
      }
    }
    if (this.strict) {
      for (const key of Object.keys(data)) {
        if (!meta.fieldMap.has(key)) throw new VersionedError('unknown_field', `is not a field of ${meta.name} ${meta.version}`, { path: [key] });
      }
    }
    if (env.changes) for (const name of env.changes) if (meta.fieldMap.has(name)) obj.$changes.add(name);
    if (env.version !== meta.version) obj.$wireVersion = env.version;
    return obj;
  }
}

export function decodePrimitive(primitive: unknown, registry: ObjectRegistry, options: FromPrimitiveOptions = {}): VersionedObject {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  try {
    return new Decoder(registry, limits, options.strict ?? false).decode(primitive);
  } catch (err) {
    if (err instanceof VersionedError && err.path.length > 0) {
      const name = isRecord(primitive) ? primitive[`${envelopeNamespace(primitive, registry.serialNamespaces)}.name`] : undefined;
      if (typeof name === 'string') err.within(name);
    }
    throw err;
  }
}
