// Shared by both sides of the interop tests: object specs (built the same way in oracle.py), reports of
// what an object holds (the mirror of oracle.py's report()), and envelopes in a comparable canonical form.
import {
  DictType,
  ListType,
  ObjectType,
  SetType,
  type VersionedObject,
  isVersionedObject,
  metaOf,
  type FieldType,
  type ObjectRegistry,
} from '../../src/index.js';

/** A field value in oslo's wire form, or a nested ObjectSpec (also inside arrays). */
export type SpecValue = unknown;

/**
 * A logical object, built in steps on either side: assign `values`, `setDefaults` (all when empty),
 * `reset` changes (`recursive` into children), assign `after`, `unset` fields.
 */
export interface ObjectSpec {
  $object: string;
  /** A registered older class of that name, rather than the newest. */
  version?: string;
  values?: Record<string, SpecValue>;
  setDefaults?: string[];
  reset?: 'shallow' | 'recursive';
  after?: Record<string, SpecValue>;
  unset?: string[];
}

export function isSpec(value: unknown): value is ObjectSpec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$object' in value;
}

function convert(value: SpecValue, registry: ObjectRegistry): unknown {
  if (isSpec(value)) return buildObject(value, registry);
  if (Array.isArray(value)) return value.map((v: SpecValue) => convert(v, registry));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, registry)]));
  }
  return value;
}

function assign(obj: VersionedObject, values: Record<string, SpecValue> | undefined, registry: ObjectRegistry): void {
  for (const [name, value] of Object.entries(values ?? {})) (obj as unknown as Record<string, unknown>)[name] = convert(value, registry);
}

/** The TypeScript build of a spec, step for step as oracle.py's build(). */
export function buildObject<T extends VersionedObject = VersionedObject>(spec: ObjectSpec, registry: ObjectRegistry): T {
  const meta = spec.version === undefined ? registry.newest(spec.$object) : registry.lookup(spec.$object, spec.version);
  const obj = new (meta.cls as unknown as new () => VersionedObject)();
  assign(obj, spec.values, registry);
  if (spec.setDefaults) obj.setDefaults(...spec.setDefaults);
  if (spec.reset) obj.resetChanges(undefined, { recursive: spec.reset === 'recursive' });
  assign(obj, spec.after, registry);
  for (const name of spec.unset ?? []) obj.unset(name);
  return obj as T;
}

/** What oracle.py's report() says about an object, without the Python types. */
export interface Report {
  $object: string;
  version: string;
  fields: Record<string, unknown>;
  changed: string[];
}

/** Python's datetime.isoformat() of a UTC instant: `2024-01-02T03:04:05+00:00`, `...05.123000+00:00`. */
export function pythonIsoformat(date: Date): string {
  const whole = date.toISOString().slice(0, 19);
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? `${whole}+00:00` : `${whole}.${String(ms).padStart(3, '0')}000+00:00`;
}

/** Python's sorted() order for the scalars that sets hold: numbers by value, strings by code point (not UTF-16 unit). */
export function pythonOrder(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = [...String(a)];
  const y = [...String(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function jsonable(value: unknown): unknown {
  if (isVersionedObject(value)) return reportOf(value as VersionedObject);
  if (value instanceof Date) return pythonIsoformat(value);
  if (value instanceof Set) return [...value].map(jsonable).sort(pythonOrder);
  if (Array.isArray(value)) return value.map(jsonable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonable(v)]));
  return value;
}

/** The TypeScript mirror of oracle.py's report(): each set field's value as JSON, and what changed. */
export function reportOf(obj: VersionedObject): Report {
  const fields: Record<string, unknown> = {};
  for (const def of metaOf(obj).fields)
    if (obj.isSet(def.name)) fields[def.name] = jsonable((obj as unknown as Record<string, unknown>)[def.name]);
  return { $object: obj.objName, version: obj.objVersion, fields, changed: [...obj.whatChanged()].sort() };
}

/** A Python report without its `types`, at every level, to compare with reportOf(). */
export function withoutTypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTypes);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!(k === 'types' && '$object' in value)) put(out, k, withoutTypes(v));
  return out;
}

/** The Python type oslo's field declares for values of a field type (oracle.py's type_tag()). */
export function pythonTypeOf(type: FieldType): string {
  switch (type.kind) {
    case 'Integer':
    case 'NonNegativeInteger':
      return 'int';
    case 'Float':
    case 'NonNegativeFloat':
      return 'float';
    case 'Boolean':
    case 'FlexibleBoolean':
      return 'bool';
    case 'DateTime':
      return 'datetime';
    case 'IPAddress':
    case 'IPV4Address':
    case 'IPV6Address':
    case 'IPV4AndV6Address':
      return 'IPAddress';
    case 'IPNetwork':
    case 'IPV4Network':
    case 'IPV6Network':
      return 'IPNetwork';
    case 'List':
      return 'list';
    case 'Set':
      return 'set';
    case 'Dict':
      return 'dict';
    case 'Object':
      return `object:${(type as ObjectType).target}`;
    default:
      return 'str';
  }
}

/** Set an own key, `__proto__` included (plain assignment would set the prototype and lose the key). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canonicalValue(type: FieldType, value: unknown, registry: ObjectRegistry): unknown {
  if (value === null) return null;
  if (type instanceof SetType && Array.isArray(value)) return value.map((v) => canonicalValue(type.element, v, registry)).sort(pythonOrder);
  if (type instanceof ListType && Array.isArray(value)) return value.map((v) => canonicalValue(type.element, v, registry));
  if (type instanceof DictType && isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonicalValue(type.element, v, registry)]));
  }
  if (type instanceof ObjectType) return canonicalEnvelope(value, registry);
  return value;
}

/**
 * An envelope with everything whose order is arbitrary put in order: `changes` sorted at every level and
 * Set fields sorted (oslo sends a set in hash order). Fields the registry does not know are kept as they are.
 */
export function canonicalEnvelope(primitive: unknown, registry: ObjectRegistry): unknown {
  if (!isRecord(primitive)) return primitive;
  const ns = [...registry.serialNamespaces].find((n) => Object.hasOwn(primitive, `${n}.name`));
  if (ns === undefined) return primitive;
  const out: Record<string, unknown> = { ...primitive };
  const name = primitive[`${ns}.name`] as string;
  const data = primitive[`${ns}.data`];
  const meta = registry.has(name) ? registry.newest(name) : undefined;
  if (isRecord(data)) {
    const canonicalData: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) {
      const def = meta?.fieldMap.get(key);
      put(canonicalData, key, def ? canonicalValue(def.type, value, registry) : value);
    }
    out[`${ns}.data`] = canonicalData;
  }
  const changes = primitive[`${ns}.changes`];
  if (Array.isArray(changes)) out[`${ns}.changes`] = [...changes].sort();
  return out;
}

/**
 * oslo's known wart, undone: a backported child keeps `changes` naming fields the backport dropped. Every
 * envelope's changes are cut down to the keys of its data (what TypeScript sends; see interop-differences).
 */
export function withoutDroppedChanges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDroppedChanges);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) put(out, k, withoutDroppedChanges(v));
  for (const key of Object.keys(out)) {
    if (!key.endsWith('.changes') || !Array.isArray(out[key])) continue;
    const data = out[`${key.slice(0, -'.changes'.length)}.data`];
    if (!isRecord(data)) continue;
    const kept = (out[key] as string[]).filter((name) => Object.hasOwn(data, name));
    if (kept.length) out[key] = kept;
    else delete out[key];
  }
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) put(out, key, sortKeys(value[key]));
  return out;
}

/** JSON with sorted keys, indented so that an assertion diff shows the line that differs. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

/** An envelope as canonical sorted JSON: what the envelope-equality tests compare. */
export function canonicalJson(primitive: unknown, registry: ObjectRegistry): string {
  return sortedJson(canonicalEnvelope(primitive, registry));
}
