// Per-class encoders and decoders compiled with `new Function` (as ajv compiles schemas): straight-line
// code with a property access per field is an order of magnitude faster than a loop over field names,
// and gives each field type its own monomorphic call site. Field names are validated identifiers, so
// they are safe to write into the generated source; every other value is passed in, never inlined.
import { VersionedError } from './errors.js';
import { DROP, fieldExistsAt } from './history.js';
import type { EnvelopeKeys, FieldDef, ObjectMeta, VersionedObjectLike } from './meta.js';
import type { DecodeContext } from './from-primitive.js';

/** A string literal for generated source. */
const q = (text: string): string => JSON.stringify(text);

/**
 * Source testing that `key`, read from `obj` as a value other than undefined, is `obj`'s own: `plain` (a
 * variable of the generated code) says `obj`'s prototype is this realm's Object.prototype, and when the key
 * is not in Object.prototype (field names never are, unless it was polluted), what was read must be own.
 * V8 folds the `in` to a constant guarded by the prototype's shape, so this costs a tenth of an
 * Object.hasOwn call; any other prototype, and a polluted key, go through Object.hasOwn.
 */
const isOwn = (obj: string, key: string): string => `(plain && !(${q(key)} in OBJECT_PROTOTYPE) || hasOwn(${obj}, ${q(key)}))`;
/** Source setting `plain` for `obj` (see isOwn). */
const plainFor = (obj: string): string => `const plain = getPrototypeOf(${obj}) === OBJECT_PROTOTYPE;`;

/** What compiled encoders call back into. */
export interface EncoderHost {
  /** Encode an object-holding field (null included), deciding its children's version; DROP if the relationships drop it. */
  objectField(value: unknown, def: FieldDef, meta: ObjectMeta, version: string, obj: VersionedObjectLike, exists: boolean): unknown;
  /** Report a set field that the backport drops; a refusal is thrown without a path (the caller adds the field). */
  lost(meta: ObjectMeta, field: string, version: string, reason: string, obj: VersionedObjectLike): void;
}

/** Builds the envelope without its `changes` (which depend on what the data kept). */
export type EncodeData = (
  values: Record<string, unknown>,
  host: EncoderHost,
  obj: { makeCompatible(data: Record<string, unknown>, v: string): void },
) => Record<string, unknown>;
export type DecodeData = (data: Record<string, unknown>, values: Record<string, unknown>, ctx: DecodeContext) => void;


/** Add the field's name to the path of an error thrown while it was encoded or decoded. */
function withField(err: unknown, defs: readonly FieldDef[], index: number): unknown {
  return err instanceof VersionedError && index >= 0 ? err.within((defs[index] as FieldDef).name) : err;
}

/**
 * The encoder of `meta`'s data at `version` (its own version when not backporting): fields absent at the
 * version are dropped (after the class's makeCompatible hook, when it has one) and reported as lost.
 */
export function encoderFor(meta: ObjectMeta, version: string, hooked: boolean): EncodeData {
  // The common case, without a map lookup: the class's own version (no backport, so no hook).
  if (version === meta.version) return (meta.compiled.encoder ??= compileEncoder(meta, version, false)) as EncodeData;
  const encoders = meta.compiled.encoders as Map<string, EncodeData>;
  const key = hooked ? `${version}+hook` : version;
  let fn = encoders.get(key);
  if (!fn) encoders.set(key, (fn = compileEncoder(meta, version, hooked)));
  return fn;
}

function compileEncoder(meta: ObjectMeta, version: string, hooked: boolean): EncodeData {
  const defs = meta.fields;
  const backporting = version !== meta.version;
  const lines: string[] = [];
  const absent: number[] = [];
  defs.forEach((def, i) => {
    const exists = !backporting || fieldExistsAt(meta.history, def.name, version);
    const name = def.name;
    if (!exists) {
      absent.push(i);
      if (!hooked) {
        lines.push(`if (values.${name} !== undefined) { cur = ${i}; host.lost(meta, ${JSON.stringify(name)}, version, reason, obj); }`);
        return;
      }
    }
    if (def.type.identity) {
      lines.push(`if ((x = values.${name}) !== undefined) data.${name} = x;`);
    } else if (def.objectTarget !== undefined) {
      // An absent field kept for the hook is encoded as it is, without the version rules for its children.
      lines.push(
        `if ((x = values.${name}) !== undefined) { cur = ${i}; y = host.objectField(x, defs[${i}], meta, version, obj, ${exists}); if (y !== DROP) data.${name} = y; }`,
      );
    } else {
      lines.push(`if ((x = values.${name}) !== undefined) { cur = ${i}; data.${name} = x === null ? null : defs[${i}].type.toPrimitive(x, host); }`);
    }
  });
  if (hooked) {
    lines.push('obj.makeCompatible(data, version);');
    // What the hook left of the absent fields is dropped, and lost.
    for (const i of absent) {
      const name = (defs[i] as FieldDef).name;
      lines.push(`if (Object.hasOwn(data, ${JSON.stringify(name)})) { cur = ${i}; delete data.${name}; host.lost(meta, ${JSON.stringify(name)}, version, reason, obj); }`);
    }
  }
  const body = `return function encodeData(values, host, obj) {
  const data = {};
  let x, y, cur = -1;
  try {
    ${lines.join('\n    ')}
  } catch (err) {
    throw withField(err, defs, cur);
  }
  return { ${q(meta.keys.name)}: NAME, ${q(meta.keys.namespace)}: NAMESPACE, ${q(meta.keys.version)}: version, ${q(meta.keys.data)}: data };
};`;
  const reason = `${meta.name} ${version} has no such field`;
  return new Function('meta', 'defs', 'version', 'reason', 'DROP', 'withField', 'NAME', 'NAMESPACE', body)(
    meta,
    defs,
    version,
    reason,
    DROP,
    withField,
    meta.name,
    meta.namespace,
  ) as EncodeData;
}

/** The decoder of `meta`'s data: reads own keys only, validates each field through its type. */
export function decoderFor(meta: ObjectMeta): DecodeData {
  return (meta.compiled.decoder ??= compileDecoder(meta)) as DecodeData;
}

function compileDecoder(meta: ObjectMeta): DecodeData {
  const defs = meta.fields;
  const lines = defs.map((def, i) => {
    const name = def.name;
    return `if ((x = data.${name}) !== undefined && ${isOwn('data', name)}) { cur = ${i}; values.${name} = x === null ? nullFor(defs[${i}]) : defs[${i}].type.fromPrimitive(x, ctx); }`;
  });
  const body = `return function decodeData(data, values, ctx) {
  ${plainFor('data')}
  let x, cur = -1;
  try {
    ${lines.join('\n    ')}
  } catch (err) {
    throw withField(err, defs, cur);
  }
};`;
  return new Function('defs', 'hasOwn', 'getPrototypeOf', 'OBJECT_PROTOTYPE', 'nullFor', 'withField', body)(
    defs,
    Object.hasOwn,
    Object.getPrototypeOf,
    Object.prototype,
    nullFor,
    withField,
  ) as DecodeData;
}

/** What a wire null becomes: null on a nullable field, the default on one that has it, else an error. */
export function nullFor(def: FieldDef): unknown {
  if (def.nullable) return null;
  if (def.hasDefault) return def.makeDefault();
  throw new VersionedError('invalid_value', `expected ${def.type.expected}, got null (the field is not nullable)`);
}

/** An envelope's parts, checked: what the decoder needs. */
export interface Envelope {
  readonly serialNamespace: string;
  readonly name: string;
  readonly namespace: string;
  readonly version: string;
  readonly data: Record<string, unknown>;
  readonly changes: readonly string[] | undefined;
}

/**
 * Reads and checks the envelope; calls `fail(key, value)` (which throws) on the first bad part. Undefined
 * when the value has no own name key of these keys (it is not an envelope under this serial namespace).
 */
export type ReadEnvelope = (value: Record<string, unknown>, fail: (key: string, value: unknown) => never) => Envelope | undefined;

/** An envelope reader with the keys written in: constant-key loads of own properties, one allocation. */
export function envelopeReaderFor(keys: EnvelopeKeys): ReadEnvelope {
  let fn = keys.reader as ReadEnvelope | undefined;
  if (!fn) {
    const read = (key: string): string => `((x = v[${q(key)}]) !== undefined && ${isOwn('v', key)} ? x : undefined)`;
    const body = `return function readEnvelope(v, fail) {
  ${plainFor('v')}
  let x;
  const name = v[${q(keys.name)}];
  if (name === undefined ? !hasOwn(v, ${q(keys.name)}) : !${isOwn('v', keys.name)}) return undefined;
  const namespace = ${read(keys.namespace)}, version = ${read(keys.version)}, data = ${read(keys.data)}, changes = ${read(keys.changes)};
  if (typeof name !== 'string') fail(${q(keys.name)}, name);
  if (typeof namespace !== 'string') fail(${q(keys.namespace)}, namespace);
  if (typeof version !== 'string') fail(${q(keys.version)}, version);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail(${q(keys.data)}, data);
  if (changes !== undefined) {
    if (!Array.isArray(changes)) fail(${q(keys.changes)}, changes);
    for (let i = 0; i < changes.length; i++) if (typeof changes[i] !== 'string') fail(${q(keys.changes)}, changes);
  }
  return { serialNamespace: ${q(keys.serialNamespace)}, name, namespace, version, data, changes };
};`;
    fn = new Function('hasOwn', 'getPrototypeOf', 'OBJECT_PROTOTYPE', body)(Object.hasOwn, Object.getPrototypeOf, Object.prototype) as ReadEnvelope;
    keys.reader = fn;
  }
  return fn;
}
