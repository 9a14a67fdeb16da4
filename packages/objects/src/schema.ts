// The schema entry, `@versioned/objects/schema`: JSON Schemas of the wire envelopes and a validator built on ajv,
// which only this entry loads (the default entry stays small and browser-safe).
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import { VersionedError, formatPath, isVersionedError, type PathSegment } from './errors.js';
import { DEFAULT_LIMITS, envelopeKeysOf, type DecodeLimits } from './from-primitive.js';
import { WIRE_FORMATS, WIRE_FORMAT_EXPECTED } from './fields/index.js';
import type { JsonSchema, SchemaContext } from './fields/type.js';
import { BASE_HOOKS, type EnvelopeKeys, type ObjectMeta } from './meta.js';
import type { VersionedObject } from './object.js';
import { ObjectRegistry, defaultRegistry } from './registry.js';
import { compareVersions, describeValue, isVersion } from './version.js';
import { effectiveVersion, wireFieldsAt } from './wire-fields.js';

const defKey = (name: string, version: string): string => `${name}-${version}`;

/** The class that describes `version`: the one that reads it, else one whose history declares it (an older major). */
function describingMeta(registry: ObjectRegistry, name: string, version: string): ObjectMeta {
  try {
    return registry.lookup(name, version);
  } catch (err) {
    for (const registered of registry.versions(name)) {
      const meta = registry.lookup(name, registered);
      if (meta.history.entries.some((e) => e.version === version)) return meta;
    }
    throw err;
  }
}

/** Every (name, version) the registry can describe: each declared history version of each name. */
export function schemaVersions(registry: ObjectRegistry = defaultRegistry): { name: string; version: string }[] {
  const out: { name: string; version: string }[] = [];
  for (const name of registry.names()) {
    const versions = new Set<string>();
    for (const registered of registry.versions(name)) {
      for (const entry of describingMeta(registry, name, registered).history.entries) versions.add(entry.version);
    }
    for (const version of [...versions].sort(compareVersions)) out.push({ name, version });
  }
  return out;
}

/**
 * The JSON Schema (draft 2020-12) of the envelope of `name` at `version`, its children's schemas at the versions the
 * relationships give, in `$defs`.
 */
export function jsonSchemaFor(name: string, version: string, registry: ObjectRegistry = defaultRegistry): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const build = (objName: string, objVersion: string): string => {
    const key = defKey(objName, objVersion);
    if (definitions[key]) return key;
    definitions[key] = {}; // placeholder: recursion stops here
    const meta = describingMeta(registry, objName, objVersion);
    const schema = envelopeSchema(meta, objVersion, {
      maxListLength: DEFAULT_LIMITS.maxListLength,
      objectRef: portableRef(registry, build),
    });
    (schema['properties'] as Record<string, JsonSchema>)[meta.keys.version] = { const: objVersion };
    definitions[key] = schema;
    return key;
  };
  const root = build(name, version);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:versioned:${describingMeta(registry, name, version).namespace}:${name}:${version}`,
    title: `${name} ${version}`,
    allOf: [{ $ref: `#/definitions/${root}` }],
    definitions,
  };
}

/**
 * Child objects as `$ref`s into `definitions`: any declared version of the target, as the receiver reads any
 * version its registry has (a manifest moves a child independently of the relationships, and past the last
 * relationship pair a child goes as it is, as in oslo).
 */
function portableRef(registry: ObjectRegistry, build: (name: string, version: string) => string): () => SchemaContext['objectRef'] {
  const anyVersionOf = (name: string): JsonSchema[] =>
    schemaVersions(registry)
      .filter((v) => v.name === name)
      .map((v) => ({ $ref: `#/definitions/${build(name, v.version)}` }));
  return () =>
    (target, options = {}) => {
      const own = registry.has(target) ? anyVersionOf(target) : [];
      // A subclass goes out under its own name and version (oslo's Object(subclasses=True)): any of them.
      const subclasses = options.subclasses ? subclassesOf(registry, target).flatMap(anyVersionOf) : [];
      const all = [...own, ...subclasses];
      if (all.length === 0) return { type: 'object' };
      return all.length === 1 ? (all[0] as JsonSchema) : { anyOf: all };
    };
}

interface EnvelopeSchemaContext {
  readonly maxListLength?: number;
  /** The schema of a child object held by `field`. */
  objectRef(field: string): SchemaContext['objectRef'];
}

/** The schema of one envelope of `meta` at `version` (its version key: any string; callers narrow it). */
function envelopeSchema(meta: ObjectMeta, version: string, ctx: EnvelopeSchemaContext): JsonSchema {
  const history = meta.history;
  const at = effectiveVersion(meta, version);
  const present = wireFieldsAt(meta, version);
  // A class that reshapes old data on the way in (upgradePrimitive) reads a changed field in a form only it knows.
  const reshapes = (meta.cls as unknown as typeof VersionedObject).upgradePrimitive !== BASE_HOOKS.upgradePrimitive;
  const properties: Record<string, JsonSchema> = {};
  for (const def of meta.fields) {
    if (!present.has(def.name)) continue;
    const changedLater = history.changedIn.get(def.name);
    if (reshapes && changedLater !== undefined && compareVersions(at, changedLater) < 0) {
      properties[def.name] = {};
      continue;
    }
    const schema = def.type.jsonSchema({
      ...(ctx.maxListLength === undefined ? {} : { maxListLength: ctx.maxListLength }),
      objectRef: ctx.objectRef(def.name),
    });
    // The decoder reads null as the default on a field that has one. A child says so itself: its keyword
    // reports its issues as it runs, so it must not sit in an anyOf branch.
    const nullable = def.nullable || def.hasDefault;
    const rule = schema['versionedChild'] as ChildRule | undefined;
    if (rule && nullable) properties[def.name] = { versionedChild: { ...rule, nullable: true } };
    else properties[def.name] = nullable ? { anyOf: [schema, { type: 'null' }] } : schema;
  }
  // A field removed later was still sent at this version; its type is not recorded, and the decoder ignores it.
  for (const name of present) if (!meta.fieldMap.has(name)) properties[name] = {};
  const k = meta.keys;
  return {
    type: 'object',
    required: [k.name, k.namespace, k.version, k.data],
    additionalProperties: false,
    properties: {
      [k.name]: { const: meta.name },
      [k.namespace]: { const: meta.namespace },
      [k.version]: { type: 'string' },
      [k.data]: { type: 'object', additionalProperties: false, properties },
      // Any names: oslo leaves dropped fields in a backported child's changes, and every decoder ignores unknown ones.
      [k.changes]: { type: 'array', uniqueItems: true, items: { type: 'string' } },
    },
  };
}

/** Names of registered classes that extend `target` (at any depth). */
function subclassesOf(registry: ObjectRegistry, target: string): string[] {
  return registry.names().filter((name) => {
    if (name === target) return false;
    for (let m = registry.newest(name).parent; m; m = m.parent) if (m.name === target) return true;
    return false;
  });
}

/** One problem SchemaValidator found: where (the path into the envelope), what, and the JSON Schema keyword that failed. */
export interface SchemaIssue {
  readonly path: PathSegment[];
  readonly message: string;
  readonly keyword: string;
}

/** What SchemaValidator.validate returns: valid, or the issues found. */
export type SchemaResult =
  | { readonly valid: true; readonly issues: readonly [] }
  /** `truncated`: more issues exist than were collected (past `maxIssues`, or an input too large to list them all). */
  | { readonly valid: false; readonly issues: readonly SchemaIssue[]; readonly truncated?: boolean };

/** The options of SchemaValidator: the decoder's limits, how many issues to collect, how many compiled schemas to cache. */
export interface SchemaValidatorOptions {
  /** The decoder's limits, which the validator applies the same way (default: the decoder's defaults). */
  limits?: DecodeLimits;
  /** The most issues one result lists. Default 100. */
  maxIssues?: number;
  /** Compiled schemas kept, least recently used evicted first. Default 256. */
  cacheSize?: number;
}

/** What a child object field accepts: its target class (or a subclass), at any version the registry reads. */
interface ChildRule {
  readonly target: string;
  readonly subclasses: boolean;
  readonly nullable?: boolean;
}

/** Inputs up to this many values get every issue collected; larger ones stop at the first. */
const LIST_ALL_BELOW = 10_000;

/** One validate() call. */
interface Run {
  readonly all: boolean;
  readonly issues: SchemaIssue[];
  truncated: boolean;
  depth: number;
}

/**
 * Validates primitives against the schema of the version they claim (or one you name), with ajv. An input
 * is valid exactly when strict decoding (`fromPrimitive(p, { strict: true })`) reads it: the formats are
 * the field types' own, and the decoder's depth and size limits apply. Each envelope is checked by the
 * compiled schema of its class at its version; child envelopes are checked one by one as they are met.
 * Never throws but a VersionedError (from assertValid).
 */
export class SchemaValidator {
  private readonly ajv: { first: Ajv; all: Ajv };
  private readonly compiled: Lru<ValidateFunction>;
  private readonly limits: Required<DecodeLimits>;
  private readonly maxIssues: number;
  private run: Run | undefined;

  constructor(
    readonly registry: ObjectRegistry = defaultRegistry,
    options: SchemaValidatorOptions = {},
  ) {
    if (!(registry instanceof ObjectRegistry)) {
      throw new VersionedError(
        'invalid_value',
        `SchemaValidator: the first argument must be an ObjectRegistry, got ${describeValue(registry)} (the options come second)`,
      );
    }
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.maxIssues = Math.max(1, options.maxIssues ?? 100);
    this.compiled = new Lru(Math.max(1, options.cacheSize ?? 256));
    this.ajv = { first: this.makeAjv(false), all: this.makeAjv(true) };
  }

  private makeAjv(allErrors: boolean): Ajv {
    const ajv = new Ajv({ allErrors, strict: true, allowUnionTypes: true, strictTypes: false });
    for (const [name, validate] of Object.entries(WIRE_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
    ajv.addKeyword({
      keyword: 'versionedChild',
      schemaType: 'object',
      errors: 'full',
      validate: (rule: ChildRule, data: unknown, _parent: unknown, cxt?: { instancePath: string; rootData: unknown }) =>
        this.child(rule, data, cxt),
    });
    return ajv;
  }

  /** The compiled check of one envelope of `meta` at `version` (keyed by what differs between versions). */
  private compile(meta: ObjectMeta, version: string, all: boolean): ValidateFunction {
    const key = `${all ? 'all' : 'first'}\0${meta.name}\0${meta.version}\0${effectiveVersion(meta, version)}`;
    let fn = this.compiled.get(key);
    if (!fn) {
      const ref =
        (): SchemaContext['objectRef'] =>
        (target, options = {}) => {
          // Any version the registry reads: a manifest moves a child independently of the relationships (oslo's
          // obj_make_compatible_from_manifest), and the receiver reads what its registry reads, as the decoder does.
          const rule: ChildRule = { target, subclasses: options.subclasses ?? false };
          return { versionedChild: rule };
        };
      const schema = envelopeSchema(meta, version, { maxListLength: this.limits.maxListLength, objectRef: ref });
      try {
        fn = this.ajv[all ? 'all' : 'first'].compile(schema);
      } catch (err) {
        // A custom field type's schema that ajv refuses (an unknown format or keyword).
        throw new VersionedError('registration', `${meta.name} ${version}: its JSON Schema does not compile: ${(err as Error).message}`, {
          cause: err,
        });
      }
      this.compiled.set(key, fn);
    }
    return fn;
  }

  /** Check `primitive` against the schema of `version` (default: the version it claims). */
  validate(primitive: unknown, options: { name?: string; version?: string } = {}): SchemaResult {
    let run = this.check(primitive, options, false);
    // Stopping at the first issue is cheap on any input; listing them all is done where that stays cheap.
    if (run.issues.length > 0 && countValues(primitive, LIST_ALL_BELOW) < LIST_ALL_BELOW) run = this.check(primitive, options, true);
    else if (run.issues.length > 0) run.truncated = true;
    if (run.issues.length === 0) return { valid: true, issues: [] };
    return run.truncated ? { valid: false, issues: run.issues, truncated: true } : { valid: false, issues: run.issues };
  }

  private check(primitive: unknown, options: { name?: string; version?: string }, all: boolean): Run {
    const run: Run = { all, issues: [], truncated: false, depth: 0 };
    const outer = this.run;
    this.run = run;
    try {
      this.envelope(primitive, () => [], options);
    } catch (err) {
      // A getter or proxy in a JavaScript input can throw; a maxDepth beyond the call stack overflows it.
      const overflow = err instanceof RangeError && /call stack/i.test(err.message);
      this.issue({
        path: [],
        keyword: overflow ? 'limit_exceeded' : 'unreadable',
        message: overflow
          ? `objects nest too deeply for the call stack (limits.maxDepth is ${this.limits.maxDepth}; lower it)`
          : `reading the input failed: ${String((err as Error)?.message ?? err).slice(0, 200)}`,
      });
    } finally {
      this.run = outer;
    }
    return run;
  }

  private issue(issue: SchemaIssue): void {
    const run = this.run as Run;
    if (run.issues.length < this.maxIssues) run.issues.push(issue);
    else run.truncated = true;
  }

  /**
   * Check one envelope at `path`; true when valid. `expect` narrows the name and version (a root the caller
   * named, or a child the parent's field and relationships decide).
   */
  private envelope(value: unknown, path: () => PathSegment[], expect: { name?: string; version?: string; rule?: ChildRule }): boolean {
    const run = this.run as Run;
    if (run.depth >= this.limits.maxDepth) {
      this.issue({ path: path(), keyword: 'limit_exceeded', message: `objects nest deeper than the limit of ${this.limits.maxDepth}` });
      return false;
    }
    const keys = envelopeKeysOf(value, this.registry.envelopeKeys);
    const env = value as Record<string, unknown>;
    const name = keys ? env[keys.name] : undefined;
    const version = keys && Object.hasOwn(env, keys.version) ? env[keys.version] : undefined;
    if (!keys || typeof name !== 'string' || name === '' || typeof version !== 'string') {
      this.issue({ path: path(), keyword: 'envelope', message: 'is not an object envelope with a name and a version' });
      return false;
    }
    // Paths are built only when an issue needs one: a valid input never pays for them.
    const at = once(() => {
      const p = path();
      return p.length === 0 ? [name] : p;
    });
    const fail = (keyword: string, message: string, where: PathSegment[] = at()): false => (
      this.issue({ path: where, keyword, message }), false
    );
    if (!isVersion(version))
      return fail('invalid_version', `has version ${describeValue(version)}, not "X.Y" or "X.Y.Z"`, [...at(), keys.version]);
    if (expect.name !== undefined && name !== expect.name) return fail('const', `is a ${describeValue(name)}, not a ${expect.name}`);
    // The data is still checked against the version named, so its issues are listed too.
    if (expect.version !== undefined && version !== expect.version) fail('const', 'must be equal to constant', [...at(), keys.version]);
    let meta: ObjectMeta;
    try {
      // A version named by the caller may be one only a history describes (an older major); otherwise the class that reads it.
      meta = expect.version !== undefined ? describingMeta(this.registry, name, expect.version) : this.registry.lookup(name, version);
    } catch (err) {
      if (!isVersionedError(err)) throw err;
      return fail(err.code, err.detail);
    }
    if (keys.serialNamespace !== meta.serialNamespace)
      return fail('foreign_namespace', `${meta.name} envelopes use "${meta.serialNamespace}." keys, not "${keys.serialNamespace}."`);
    const rule = expect.rule;
    if (rule) {
      if (!isSameOrSubclass(meta, rule)) return fail('object', `expected a ${rule.target} object, got a ${meta.name}`);
    }
    const fn = this.compile(meta, expect.version ?? version, run.all);
    const frame = { root: value, path: at };
    this.frames.push(frame);
    run.depth++;
    try {
      if (fn(value)) return expect.version === undefined || version === expect.version;
    } finally {
      run.depth--;
      this.frames.pop();
    }
    for (const error of meaningful(fn.errors ?? [])) this.issue(toIssue(error, value, at(), this.registry.envelopeKeys));
    return false;
  }

  /** The envelopes being checked, innermost last: where a child's path starts. */
  private readonly frames: { root: unknown; path: () => PathSegment[] }[] = [];

  /** The `versionedChild` keyword: a child envelope, checked by the schema of the version it claims. */
  private child(rule: ChildRule, data: unknown, cxt: { instancePath: string; rootData: unknown } | undefined): boolean {
    if (data === null && rule.nullable) return true;
    const { root, path: parent } = this.frames[this.frames.length - 1] as { root: unknown; path: () => PathSegment[] };
    const instancePath = cxt?.instancePath ?? '';
    return this.envelope(
      data,
      once(() => [...parent(), ...segmentsOf(instancePath, root, this.registry.envelopeKeys)]),
      { rule },
    );
  }

  /** Throw the first issue as a VersionedError: `limit_exceeded` for a limit, else `invalid_primitive`. */
  assertValid(primitive: unknown, options: { name?: string; version?: string } = {}): void {
    const result = this.validate(primitive, options);
    if (!result.valid) {
      const first = result.issues[0] as SchemaIssue;
      const more = result.issues.length - 1;
      const code = LIMIT_KEYWORDS.has(first.keyword) ? 'limit_exceeded' : 'invalid_primitive';
      throw new VersionedError(code, `${first.message}${more > 0 ? ` (and ${more}${result.truncated ? '+' : ''} more)` : ''}`, {
        path: [...first.path],
        details: {
          issues: result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
          ...(result.truncated ? { truncated: true } : {}),
        },
      });
    }
  }
}

const LIMIT_KEYWORDS = new Set(['limit_exceeded', 'maxItems', 'maxProperties']);

function isSameOrSubclass(meta: ObjectMeta, rule: ChildRule): boolean {
  if (meta.name === rule.target) return true;
  if (!rule.subclasses) return false;
  for (let m = meta.parent; m; m = m.parent) if (m.name === rule.target) return true;
  return false;
}

/** How many values `value` holds, counting no further than `cap` (cycles included); `cap` if reading it throws. */
function countValues(value: unknown, cap: number): number {
  try {
    return countUpTo(value, cap);
  } catch {
    return cap;
  }
}

function countUpTo(value: unknown, cap: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count < cap) {
    const v = stack.pop();
    count++;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && stack.length < cap; i++) stack.push(v[i]);
    } else {
      for (const key in v) {
        if (stack.length >= cap) break;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return count + stack.length;
}

/** ajv's JSON pointer into an envelope, as path segments: array indexes as numbers, data keys left out. */
function segmentsOf(instancePath: string, root: unknown, keyList: readonly EnvelopeKeys[]): PathSegment[] {
  const path: PathSegment[] = [];
  if (instancePath === '') return path;
  let node: unknown = root;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const isArray = Array.isArray(node);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    if (isArray) path.push(Number(seg));
    else if (!keyList.some((keys) => seg === keys.data)) path.push(seg);
  }
  return path;
}

/**
 * The errors worth reporting: not the marker of a child (whose own issues are reported), not the `null`
 * branch of a nullable field, nor an `anyOf` whose failing branches are reported.
 */
function meaningful(errors: readonly ErrorObject[]): ErrorObject[] {
  const branch = (e: ErrorObject): boolean => e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null';
  return errors.filter((e) => {
    if (e.keyword === 'versionedChild' || branch(e)) return false;
    if (e.keyword !== 'anyOf') return true;
    return !errors.some((o) => o !== e && !branch(o) && o.schemaPath.startsWith(`${e.schemaPath}/`));
  });
}

/** An ajv error as an issue at our path: `Volume.attachments[2].id`. */
function toIssue(error: ErrorObject, root: unknown, base: PathSegment[], keyList: readonly EnvelopeKeys[]): SchemaIssue {
  const path = [...base, ...segmentsOf(error.instancePath, root, keyList)];
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties')
    return { path: [...path, String(params['additionalProperty'])], message: 'is not part of this version', keyword: error.keyword };
  if (error.keyword === 'required')
    return { path: [...path, String(params['missingProperty'])], message: 'is required', keyword: error.keyword };
  const expected = error.keyword === 'format' ? WIRE_FORMAT_EXPECTED[String(params['format'])] : undefined;
  if (expected !== undefined)
    return { path, message: `expected ${expected} (format "${String(params['format'])}")`, keyword: error.keyword };
  return { path, message: error.message ?? error.keyword, keyword: error.keyword };
}

/** `fn`'s result, computed on the first call. */
function once<T>(fn: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= fn());
}

/**
 * A map that keeps the `size` most recently used entries. A hit only stamps the entry; the least recently
 * used one is looked for when a new entry needs room (rare: each is a schema compilation).
 */
class Lru<V> {
  private readonly map = new Map<string, { value: V; used: number }>();
  private clock = 0;
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    entry.used = ++this.clock;
    return entry.value;
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.size && !this.map.has(key)) {
      let oldest: string | undefined;
      let least = Infinity;
      for (const [k, e] of this.map) if (e.used < least) (least = e.used), (oldest = k);
      this.map.delete(oldest as string);
    }
    this.map.set(key, { value, used: ++this.clock });
  }
}
