import { VersionedError, atPath, isVersionedError } from './errors.js';
import { defineOwn, isRecord } from './records.js';
import { compareVersions, describeValue } from './version.js';
import { wireFieldsAt } from './wire-fields.js';
import { decoderFor, envelopeReaderFor, nullFor, type Envelope } from './codegen.js';
export type { Envelope } from './codegen.js';
import {
  BASE_HOOKS,
  checkShadowing,
  markChanged,
  type EnvelopeKeys,
  type FieldDef,
  type ObjectMeta,
  type VersionedObjectLike,
} from './meta.js';
import type { ObjectRegistry } from './registry.js';
import type { VersionedObject } from './object.js';

/** Bounds on hostile input. */
export interface DecodeLimits {
  /** How deeply object envelopes may nest. Default 32. */
  maxDepth?: number;
  /** The longest list, set or dict accepted. Default 1,000,000. */
  maxListLength?: number;
}

/** The options of `fromPrimitive`: the registry to find classes in, the decoder's limits, strict mode. */
export interface FromPrimitiveOptions {
  /** Where `VersionedObject.fromPrimitive` looks the envelope's classes up (default: the default registry). */
  registry?: ObjectRegistry;
  /** The decoder's limits (depth, list lengths...): input beyond them is a VersionedError `limit_exceeded`. */
  limits?: DecodeLimits;
  /**
   * Read exactly what the SchemaValidator accepts: refuse data keys that are not fields at the envelope's
   * version, keys the envelope format lacks, repeated `changes`, and a child at another version than the
   * relationships give (oslo ignores all of these; so does the default).
   */
  strict?: boolean;
}

/** What field types see while decoding. */
export interface DecodeContext {
  readonly registry: ObjectRegistry;
  readonly limits: Required<DecodeLimits>;
  /** Decode a nested envelope. */
  /** Decode a nested envelope (or, from a plain object, a `target` object: see plain.ts). */
  decodeChild(primitive: unknown, target: string): VersionedObjectLike;
}

export { DEFAULT_LIMITS } from './meta.js';
import { DEFAULT_LIMITS } from './meta.js';

function bad(detail: string): VersionedError {
  return new VersionedError('invalid_primitive', detail);
}

/** The envelope keys whose `<ns>.name` the value carries, if any. */
export function envelopeKeysOf(value: unknown, keyList: readonly EnvelopeKeys[]): EnvelopeKeys | undefined {
  if (!isRecord(value)) return undefined;
  for (const keys of keyList) if (Object.hasOwn(value, keys.name)) return keys;
  return undefined;
}

/** Check an envelope's shape, reading own keys only. */
export function readEnvelope(value: unknown, keyList: readonly EnvelopeKeys[]): Envelope {
  if (!isRecord(value)) throw bad(`expected an object envelope, got ${describeValue(value)}`);
  const keys = envelopeKeysOf(value, keyList);
  if (keys === undefined) {
    throw bad(`expected an object envelope with a "${keyList.map((k) => k.name).join('" or "') || 'versioned_object.name'}" key`);
  }
  return envelopeReaderFor(keys)(value, badPart);
}

const EXPECTED_PART: Record<string, string> = {
  name: 'a string',
  namespace: 'a string',
  version: 'a version "X.Y" or "X.Y.Z"',
  data: 'an object',
  changes: 'a list of field names',
};

function badPart(key: string, value: unknown): never {
  throw bad(`"${key}" must be ${EXPECTED_PART[key.slice(key.lastIndexOf('.') + 1)]}, got ${describeValue(value)}`);
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
    const env = readEnvelope(primitive, this.registry.envelopeKeys);
    let meta: ObjectMeta;
    try {
      meta = this.registry.lookup(env.name, env.version, env.namespace);
    } catch (err) {
      // The version's format is checked where the registry first meets it, not on every envelope.
      if (isVersionedError(err, 'invalid_version')) badPart(`${env.serialNamespace}.version`, env.version);
      throw err;
    }
    // oslo reads an envelope only under its class's key prefix: a Flavor is `nova_object.*`, never `versioned_object.*`.
    if (env.serialNamespace !== meta.serialNamespace) {
      throw new VersionedError(
        'foreign_namespace',
        `${meta.name} envelopes use "${meta.serialNamespace}." keys, not "${env.serialNamespace}."`,
        {
          details: { name: meta.name, serialNamespace: env.serialNamespace, expected: meta.serialNamespace },
        },
      );
    }
    if (this.strict) checkStrict(primitive as Record<string, unknown>, meta, env);
    this.depth++;
    const obj = this.build(meta, env);
    this.depth--;
    return obj;
  }

  private build(meta: ObjectMeta, env: Envelope): VersionedObject {
    const cls = meta.cls as unknown as typeof VersionedObject;
    const obj = new (cls as unknown as new () => VersionedObject)();
    checkShadowing(obj, meta);
    let data = env.data;
    const upgrading = cls.upgradePrimitive !== BASE_HOOKS.upgradePrimitive && compareVersions(env.version, meta.version) < 0;
    if (upgrading) {
      data = ownCopy(data);
      cls.upgradePrimitive(data, env.version);
    }
    decoderFor(meta)(data, obj.$values, this);
    const fills = meta.history.fills.size > 0;
    if (fills) fillMissing(meta, obj, data);
    // What the upgrade or a history fill gave, the sender did not send: re-sending it at an older version loses nothing.
    if (upgrading || fills) {
      for (const name of Object.keys(obj.$values)) if (!Object.hasOwn(env.data, name)) (obj.$filled ??= new Set()).add(name);
    }
    if (env.changes) for (const name of env.changes) if (meta.fieldMap.has(name)) markChanged(obj, name);
    obj.$wireVersion = env.version;
    return obj;
  }
}

/** The history's `fill` values, for fields the primitive left out (at any version). */
function fillMissing(meta: ObjectMeta, obj: VersionedObject, data: Record<string, unknown>): void {
  for (const [name, value] of meta.history.fills) {
    if (obj.$values[name] !== undefined) continue;
    const def = meta.fieldMap.get(name) as FieldDef;
    const filled = typeof value === 'function' ? (value as (data: Record<string, unknown>) => unknown)(data) : value;
    obj.$values[name] = filled === null ? nullFor(def) : atPath(() => def.type.clone(def.type.coerce(filled), new Map()), name);
  }
}

/** A plain copy of every own string key (a spread would drop the non-enumerable ones the decoder reads). */
function ownCopy(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(data)) defineOwn(out, key, data[key]);
  return out;
}

/** Strict decoding: the envelope holds its five keys at most, data the fields of its version, changes no repeats. */
function checkStrict(primitive: Record<string, unknown>, meta: ObjectMeta, env: Envelope): void {
  const k = meta.keys;
  for (const key of Object.keys(primitive)) {
    if (key !== k.name && key !== k.namespace && key !== k.version && key !== k.data && key !== k.changes) {
      throw new VersionedError('invalid_primitive', 'is not an envelope key', { path: [key] });
    }
  }
  const fields = wireFieldsAt(meta, env.version);
  for (const key of Object.keys(env.data)) {
    if (!fields.has(key)) throw new VersionedError('unknown_field', `is not a field of ${meta.name} ${env.version}`, { path: [key] });
  }
  if (env.changes && new Set(env.changes).size !== env.changes.length) {
    throw new VersionedError('invalid_primitive', 'names a field more than once', { path: [k.changes] });
  }
}

export function decodePrimitive(primitive: unknown, registry: ObjectRegistry, options: FromPrimitiveOptions = {}): VersionedObject {
  const limits = options.limits ? { ...DEFAULT_LIMITS, ...options.limits } : DEFAULT_LIMITS;
  try {
    return new Decoder(registry, limits, options.strict ?? false).decode(primitive);
  } catch (err) {
    // A maxDepth set beyond what the stack holds must still fail as a typed error.
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new VersionedError(
        'limit_exceeded',
        `objects nest too deeply for the call stack (limits.maxDepth is ${limits.maxDepth}; lower it)`,
        { cause: err },
      );
    }
    if (err instanceof VersionedError && err.path.length > 0) {
      const keys = envelopeKeysOf(primitive, registry.envelopeKeys);
      const name = keys ? (primitive as Record<string, unknown>)[keys.name] : undefined;
      if (typeof name === 'string') err.within(name);
    }
    throw err;
  }
}
