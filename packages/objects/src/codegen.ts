// Per-class encoders and decoders. Each is a plan, one step a field, that is compiled with `new Function`
// (as ajv compiles schemas) into straight-line code with a constant-key property access per field and a
// call site of its own per field type, or, where code generation from strings is disallowed (`node
// --disallow-code-generation-from-strings`, a CSP), run as it is by a loop over the steps, with the same
// results. `node scripts/bench-codegen.mjs` measures the one against the other.
// Safe by construction: text reaches generated source only through lit() (a JSON string literal, never
// code), a name only through prop() (lit() of a name fieldKey() accepts); other values are passed in.
import { VersionedError, within } from './errors.js';
import { DROP, fieldExistsAt } from './backport.js';
import { isRecord } from './records.js';
import type { EnvelopeKeys, FieldDef, ObjectMeta, VersionedObjectLike } from './meta.js';
import type { DecodeContext } from './from-primitive.js';

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

/** A string literal for generated source: the only way text goes into it. */
const lit = (text: string): string => JSON.stringify(text);

/** A property access for generated source: `["name"]`, a constant-key load as fast as `.name`. */
const prop = (name: string): string => `[${lit(fieldKey(name))}]`;

/**
 * A field name as a data key: any string but `__proto__`, which as a key would set the data's prototype.
 * (A registered class has none such: ObjectRegistry.register checks names as the decorator does.)
 */
function fieldKey(name: string): string {
  if (typeof name !== 'string' || name === '__proto__') {
    throw new VersionedError('registration', `field name ${JSON.stringify(String(name))} cannot be a data key`);
  }
  return name;
}

/** How the codecs made from now on run: compiled, or interpreted (once code generation turned out to be disallowed). */
let mode: 'compile' | 'interpret' = 'compile';

/** @internal For the benchmark and tests: how the codecs made from now on run (those made already stay as they are). */
export function setCodegen(next: 'compile' | 'interpret'): void {
  mode = next;
}

/** The compiled function, or the interpreted one where code generation from strings is disallowed. */
function compileOr<T>(params: readonly string[], body: string, args: readonly unknown[], interpreted: () => T): T {
  if (mode === 'compile') {
    try {
      return new Function(...params, body)(...args) as T;
    } catch (err) {
      if (!(err instanceof EvalError)) throw err;
      mode = 'interpret';
    }
  }
  return interpreted();
}

/**
 * Source testing that `key`, read from `obj` as a value other than undefined, is `obj`'s own: `plain` (a
 * variable of the generated code) says `obj`'s prototype is this realm's Object.prototype, and when the key
 * is not in Object.prototype (field names never are, unless it was polluted), what was read must be own.
 * V8 folds the `in` to a constant guarded by the prototype's shape, so this costs a tenth of an
 * Object.hasOwn call; any other prototype, and a polluted key, go through Object.hasOwn.
 */
const isOwn = (obj: string, key: string): string => `(plain && !(${lit(key)} in OBJECT_PROTOTYPE) || hasOwn(${obj}, ${lit(key)}))`;

/** Add the field's name to the path of an error thrown while it was encoded or decoded. */
function withField(err: unknown, defs: readonly FieldDef[], index: number): unknown {
  return index >= 0 ? within(err, (defs[index] as FieldDef).name) : err;
}

/**
 * The encoder of `meta`'s data at `version` (its own version when not backporting): fields absent at the
 * version are dropped (after the class's makeCompatible hook, when it has one) and reported as lost.
 */
export function encoderFor(meta: ObjectMeta, version: string, hooked: boolean): EncodeData {
  // The common case, without a map lookup: the class's own version (no backport, so no hook).
  if (version === meta.version) return (meta.compiled.encoder ??= makeEncoder(meta, version, false)) as EncodeData;
  const encoders = meta.compiled.encoders as Map<string, EncodeData>;
  const key = hooked ? `${version}+hook` : version;
  let fn = encoders.get(key);
  if (!fn) encoders.set(key, (fn = makeEncoder(meta, version, hooked)));
  return fn;
}

/** What the encoder does with a set field: report it lost, copy it, encode it as a child, or through its type. */
// biome-ignore lint/suspicious/noConstEnum: module-local, so tsc inlines it and no .d.ts ever carries it
const enum Encode {
  Lost,
  Copy,
  Child,
  Value,
}

interface EncodeStep {
  readonly kind: Encode;
  /** The field's index in meta.fields. */
  readonly index: number;
  readonly name: string;
  /** Whether the field exists at the version (a Child kept only for the hook goes as it is). */
  readonly exists: boolean;
}

interface EncodePlan {
  readonly steps: readonly EncodeStep[];
  /** Whether the class's makeCompatible runs after the steps; then the `absent` fields it left in data are dropped, and lost. */
  readonly hooked: boolean;
  readonly absent: readonly EncodeStep[];
  readonly reason: string;
}

function planEncoder(meta: ObjectMeta, version: string, hooked: boolean): EncodePlan {
  const backporting = version !== meta.version;
  const steps: EncodeStep[] = [];
  meta.fields.forEach((def, index) => {
    const name = fieldKey(def.name);
    const exists = !backporting || fieldExistsAt(meta.history, name, version);
    const kind =
      !exists && !hooked ? Encode.Lost : def.type.identity ? Encode.Copy : def.objectTarget !== undefined ? Encode.Child : Encode.Value;
    steps.push({ kind, index, name, exists });
  });
  const absent = hooked ? steps.filter((step) => !step.exists) : [];
  return { steps, hooked, absent, reason: `${meta.name} ${version} has no such field` };
}

function makeEncoder(meta: ObjectMeta, version: string, hooked: boolean): EncodeData {
  const plan = planEncoder(meta, version, hooked);
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every kind (tsc checks it)
  const lines = plan.steps.map(({ kind, index: i, name, exists }) => {
    const value = `values${prop(name)}`;
    const into = `data${prop(name)}`;
    switch (kind) {
      case Encode.Lost:
        return `if (${value} !== undefined) { cur = ${i}; host.lost(meta, ${lit(name)}, version, reason, obj); }`;
      case Encode.Copy:
        return `if ((x = ${value}) !== undefined) ${into} = x;`;
      case Encode.Child:
        return `if ((x = ${value}) !== undefined) { cur = ${i}; y = host.objectField(x, defs[${i}], meta, version, obj, ${exists}); if (y !== DROP) ${into} = y; }`;
      case Encode.Value:
        return `if ((x = ${value}) !== undefined) { cur = ${i}; ${into} = x === null ? null : defs[${i}].type.toPrimitive(x, host); }`;
    }
  });
  if (plan.hooked) {
    // An error the hook throws carries its own path, not the last field's.
    lines.push('cur = -1;', 'obj.makeCompatible(data, version);');
    for (const { index: i, name } of plan.absent) {
      lines.push(
        `if (hasOwn(data, ${lit(name)})) { cur = ${i}; delete data${prop(name)}; host.lost(meta, ${lit(name)}, version, reason, obj); }`,
      );
    }
  }
  const k = meta.keys;
  const body = `return function encodeData(values, host, obj) {
  const data = {};
  let x, y, cur = -1;
  try {
    ${lines.join('\n    ')}
  } catch (err) {
    throw withField(err, defs, cur);
  }
  return { ${lit(k.name)}: NAME, ${lit(k.namespace)}: NAMESPACE, ${lit(k.version)}: version, ${lit(k.data)}: data };
};`;
  return compileOr(
    ['meta', 'defs', 'version', 'reason', 'DROP', 'withField', 'hasOwn', 'NAME', 'NAMESPACE'],
    body,
    [meta, meta.fields, version, plan.reason, DROP, withField, Object.hasOwn, meta.name, meta.namespace],
    () => interpretEncoder(meta, version, plan),
  );
}

/** The plan run as it is: what the compiled encoder does, step by step. */
function interpretEncoder(meta: ObjectMeta, version: string, plan: EncodePlan): EncodeData {
  const defs = meta.fields;
  const { steps, hooked, absent, reason } = plan;
  const k = meta.keys;
  return function encodeData(values, host, obj) {
    const self = obj as unknown as VersionedObjectLike;
    const data: Record<string, unknown> = {};
    let cur = -1;
    try {
      for (const { kind, index, name, exists } of steps) {
        const x = values[name];
        if (x === undefined) continue;
        if (kind === Encode.Copy) {
          data[name] = x;
          continue;
        }
        cur = index;
        const def = defs[index] as FieldDef;
        if (kind === Encode.Lost) host.lost(meta, name, version, reason, self);
        else if (kind === Encode.Child) {
          const y = host.objectField(x, def, meta, version, self, exists);
          if (y !== DROP) data[name] = y;
        } else data[name] = x === null ? null : def.type.toPrimitive(x, host as never);
      }
      if (hooked) {
        cur = -1;
        obj.makeCompatible(data, version);
        for (const { index, name } of absent) {
          if (!Object.hasOwn(data, name)) continue;
          cur = index;
          delete data[name];
          host.lost(meta, name, version, reason, self);
        }
      }
    } catch (err) {
      throw withField(err, defs, cur);
    }
    return { [k.name]: meta.name, [k.namespace]: meta.namespace, [k.version]: version, [k.data]: data };
  };
}

/** The decoder of `meta`'s data: reads own keys only, validates each field through its type. */
export function decoderFor(meta: ObjectMeta): DecodeData {
  return (meta.compiled.decoder ??= makeDecoder(meta)) as DecodeData;
}

function makeDecoder(meta: ObjectMeta): DecodeData {
  const defs = meta.fields;
  const names = defs.map((def) => fieldKey(def.name));
  const lines = names.map(
    (name, i) =>
      `if ((x = data${prop(name)}) !== undefined && ${isOwn('data', name)}) { cur = ${i}; values${prop(name)} = x === null ? nullFor(defs[${i}]) : defs[${i}].type.fromPrimitive(x, ctx); }`,
  );
  const body = `return function decodeData(data, values, ctx) {
  const plain = getPrototypeOf(data) === OBJECT_PROTOTYPE;
  let x, cur = -1;
  try {
    ${lines.join('\n    ')}
  } catch (err) {
    throw withField(err, defs, cur);
  }
};`;
  const interpreted = (): DecodeData =>
    function decodeData(data, values, ctx) {
      let cur = -1;
      try {
        for (let i = 0; i < names.length; i++) {
          const name = names[i] as string;
          const x = data[name];
          if (x === undefined || !Object.hasOwn(data, name)) continue;
          cur = i;
          const def = defs[i] as FieldDef;
          values[name] = x === null ? nullFor(def) : def.type.fromPrimitive(x, ctx);
        }
      } catch (err) {
        throw withField(err, defs, cur);
      }
    };
  return compileOr(
    ['defs', 'hasOwn', 'getPrototypeOf', 'OBJECT_PROTOTYPE', 'nullFor', 'withField'],
    body,
    [defs, Object.hasOwn, Object.getPrototypeOf, Object.prototype, nullFor, withField],
    interpreted,
  );
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

/** Reads and checks the envelope; calls `fail(key, value)` (which throws) on the first bad part. */
export type ReadEnvelope = (value: Record<string, unknown>, fail: (key: string, value: unknown) => never) => Envelope;

/** An envelope reader with the keys written in: constant-key loads of own properties. */
export function envelopeReaderFor(keys: EnvelopeKeys): ReadEnvelope {
  let fn = keys.reader as ReadEnvelope | undefined;
  if (!fn) {
    const read = (key: string): string => `((x = v[${lit(key)}]) !== undefined && ${isOwn('v', key)} ? x : undefined)`;
    const body = `return function readEnvelope(v, fail) {
  const plain = getPrototypeOf(v) === OBJECT_PROTOTYPE;
  let x;
  return check(keys, v[${lit(keys.name)}], ${read(keys.namespace)}, ${read(keys.version)}, ${read(keys.data)}, ${read(keys.changes)}, fail);
};`;
    const own = (v: Record<string, unknown>, key: string): unknown => (Object.hasOwn(v, key) ? v[key] : undefined);
    const interpreted = (): ReadEnvelope => (v, fail) =>
      checkEnvelope(keys, v[keys.name], own(v, keys.namespace), own(v, keys.version), own(v, keys.data), own(v, keys.changes), fail);
    fn = compileOr(
      ['hasOwn', 'getPrototypeOf', 'OBJECT_PROTOTYPE', 'check', 'keys'],
      body,
      [Object.hasOwn, Object.getPrototypeOf, Object.prototype, checkEnvelope, keys],
      interpreted,
    );
    keys.reader = fn;
  }
  return fn;
}

/** The envelope's parts, checked: `fail(key, value)` (which throws) on the first bad one. */
function checkEnvelope(
  keys: EnvelopeKeys,
  name: unknown,
  namespace: unknown,
  version: unknown,
  data: unknown,
  changes: unknown,
  fail: (key: string, value: unknown) => never,
): Envelope {
  if (typeof name !== 'string') fail(keys.name, name);
  if (typeof namespace !== 'string') fail(keys.namespace, namespace);
  if (typeof version !== 'string') fail(keys.version, version);
  if (!isRecord(data)) fail(keys.data, data);
  if (changes !== undefined) {
    if (!Array.isArray(changes)) fail(keys.changes, changes);
    for (let i = 0; i < changes.length; i++) if (typeof changes[i] !== 'string') fail(keys.changes, changes);
  }
  return {
    serialNamespace: keys.serialNamespace,
    name,
    namespace,
    version,
    data: data as Record<string, unknown>,
    changes: changes as string[] | undefined,
  };
}
