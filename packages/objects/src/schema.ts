import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { VersionedError, formatPath, type PathSegment } from './errors.js';
import { childVersionAt, fieldExistsAt } from './history.js';
import { envelopeKeysOf } from './from-primitive.js';
import type { JsonSchema } from './fields/type.js';
import type { EnvelopeKeys, ObjectMeta } from './meta.js';
import { defaultRegistry, type ObjectRegistry } from './registry.js';
import { compareVersions, isVersion } from './version.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

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
 * The JSON Schema (draft-07) of `name`'s envelope at `version`: its fields at that version, with child
 * objects at the versions the relationships give (any declared version where none is recorded).
 * Self-contained: children live in `definitions`.
 */
export function jsonSchemaFor(name: string, version: string, registry: ObjectRegistry = defaultRegistry): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const build = (objName: string, objVersion: string): string => {
    const key = defKey(objName, objVersion);
    if (definitions[key]) return key;
    definitions[key] = {}; // placeholder: recursion stops here
    definitions[key] = envelopeSchema(describingMeta(registry, objName, objVersion), objVersion, build, registry);
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

function envelopeSchema(meta: ObjectMeta, version: string, build: (name: string, version: string) => string, registry: ObjectRegistry): JsonSchema {
  const history = meta.history;
  const properties: Record<string, JsonSchema> = {};
  for (const def of meta.fields) {
    if (!fieldExistsAt(history, def.name, version)) continue;
    const changedLater = history.changedIn.get(def.name);
    // The type a field had before a recorded change is not known here: accept any value.
    if (changedLater !== undefined && compareVersions(version, changedLater) < 0) {
      properties[def.name] = {};
      continue;
    }
    const related = childVersionAt(history, def.name, version);
    const anyVersionOf = (name: string): JsonSchema[] =>
      schemaVersions(registry)
        .filter((v) => v.name === name)
        .map((v) => ({ $ref: `#/definitions/${build(name, v.version)}` }));
    const schema = def.type.jsonSchema({
      objectRef: (target, options = {}) => {
        const own = typeof related === 'string' ? [{ $ref: `#/definitions/${build(target, related)}` }] : registry.has(target) ? anyVersionOf(target) : [];
        // A subclass goes out under its own name and version (oslo's Object(subclasses=True)): any of them.
        const subclasses = options.subclasses ? subclassesOf(registry, target).flatMap(anyVersionOf) : [];
        const all = [...own, ...subclasses];
        if (all.length === 0) return { type: 'object' };
        return all.length === 1 ? (all[0] as JsonSchema) : { anyOf: all };
      },
    });
    properties[def.name] = def.nullable ? { anyOf: [schema, { type: 'null' }] } : schema;
  }
  for (const [removed, [since, removedIn]] of history.removedFields) {
    if (compareVersions(version, since) >= 0 && compareVersions(version, removedIn) < 0) properties[removed] = {};
  }
  const k = meta.keys;
  return {
    type: 'object',
    required: [k.name, k.namespace, k.version, k.data],
    additionalProperties: false,
    properties: {
      [k.name]: { const: meta.name },
      [k.namespace]: { const: meta.namespace },
      [k.version]: { const: version },
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

export interface SchemaIssue {
  readonly path: PathSegment[];
  readonly message: string;
  readonly keyword: string;
}

export type SchemaResult = { readonly valid: true; readonly issues: readonly [] } | { readonly valid: false; readonly issues: readonly SchemaIssue[] };

/** Validates primitives against the schema of the version they claim (or one you name), with ajv. */
export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly registry: ObjectRegistry = defaultRegistry) {
    this.ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(this.ajv);
  }

  validator(name: string, version: string): ValidateFunction {
    const key = defKey(name, version);
    let fn = this.compiled.get(key);
    if (!fn) {
      const { $id: _id, ...schema } = jsonSchemaFor(name, version, this.registry);
      fn = this.ajv.compile(schema);
      this.compiled.set(key, fn);
    }
    return fn;
  }

  /** Check `primitive` against the schema of `version` (default: the version it claims). */
  validate(primitive: unknown, options: { name?: string; version?: string } = {}): SchemaResult {
    const keys = envelopeKeysOf(primitive, this.registry.envelopeKeys);
    const env = primitive as Record<string, unknown>;
    const name = options.name ?? (keys ? env[keys.name] : undefined);
    const version = options.version ?? (keys ? env[keys.version] : undefined);
    if (typeof name !== 'string' || !isVersion(version)) {
      return { valid: false, issues: [{ path: [], message: 'is not an object envelope with a name and a version', keyword: 'envelope' }] };
    }
    const fn = this.validator(name, version);
    if (fn(primitive)) return { valid: true, issues: [] };
    return { valid: false, issues: (fn.errors ?? []).map((e) => toIssue(e, primitive, name, this.registry.envelopeKeys)) };
  }

  /** Throw an `invalid_primitive` error naming the first bad path. */
  assertValid(primitive: unknown, options: { name?: string; version?: string } = {}): void {
    const result = this.validate(primitive, options);
    if (!result.valid) {
      const first = result.issues[0] as SchemaIssue;
      throw new VersionedError('invalid_primitive', `${first.message}${result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : ''}`, {
        path: [...first.path],
        details: { issues: result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) },
      });
    }
  }
}

/** ajv's JSON pointer into an envelope, as our path: `Volume.attachments[2].id`. */
function toIssue(error: ErrorObject, primitive: unknown, rootName: string, keyList: readonly EnvelopeKeys[]): SchemaIssue {
  const path: PathSegment[] = [rootName];
  let node: unknown = primitive;
  const segments = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  for (const seg of segments) {
    const isArray = Array.isArray(node);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    if (isArray) path.push(Number(seg));
    else if (!keyList.some((keys) => seg === keys.data)) path.push(seg);
  }
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return { path: [...path, String(params['additionalProperty'])], message: 'is not part of this version', keyword: error.keyword };
  if (error.keyword === 'required') return { path: [...path, String(params['missingProperty'])], message: 'is required', keyword: error.keyword };
  return { path, message: error.message ?? error.keyword, keyword: error.keyword };
}

/** Write every schema as `<dir>/<Name>/<version>.schema.json`, for other languages. Returns the files written. */
export function exportSchemas(dir: string, registry: ObjectRegistry = defaultRegistry): string[] {
  const files: string[] = [];
  for (const { name, version } of schemaVersions(registry)) {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${version}.schema.json`);
    writeFileSync(file, `${JSON.stringify(jsonSchemaFor(name, version, registry), null, 2)}\n`);
    files.push(file);
  }
  return files;
}
