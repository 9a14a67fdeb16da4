import { formatPath, isVersionedError, jsonSchemaFor, type JsonSchema, type ObjectMeta, type ObjectRegistry, type PathSegment } from '@versioned/objects';
import { sampleObject } from '../sample.js';
import { validateAgainst, type SchemaIssue } from './json-schema.js';

/** Per registry, the schemas already generated. */
const caches = new WeakMap<ObjectRegistry, Map<string, JsonSchema>>();

/**
 * oslo's test_compatibility_routines, done properly: a sample object with every field set, backported to
 * every older version the class declares, must VALIDATE against that version's JSON Schema (not merely
 * encode without throwing).
 */
export function compatProblems(meta: ObjectMeta, registry: ObjectRegistry): string[] {
  const older = meta.history.entries.slice(0, -1).map((e) => e.version);
  if (older.length === 0) return [];
  const problems: string[] = [];
  const hasNullable = meta.fields.some((d) => d.nullable);
  for (const variant of hasNullable ? (['full', 'nulls'] as const) : (['full'] as const)) {
    const label = variant === 'full' ? `a sample ${meta.name} ${meta.version}` : `a sample ${meta.name} ${meta.version} with its nullable fields null`;
    let sample;
    try {
      sample = sampleObject(meta, registry, 0, { nulls: variant === 'nulls' });
    } catch (err) {
      problems.push(`cannot build ${label} to backport: ${messageOf(err)}`);
      continue;
    }
    for (const version of older) {
      let primitive;
      try {
        primitive = sample.toPrimitive({ targetVersion: version });
      } catch (err) {
        problems.push(`backporting ${label} to ${version} fails: ${messageOf(err)}`);
        continue;
      }
      let issues: string[];
      try {
        issues = validate(registry, meta.name, version, primitive);
      } catch (err) {
        problems.push(`no JSON Schema for ${meta.name} ${version}: ${messageOf(err)}`);
        continue;
      }
      if (issues.length) problems.push(`${label} backported to ${version} does not validate against the ${version} schema: ${issues.join('; ')}`);
    }
  }
  return problems;
}

/** The issues of `primitive` against the schema of (name, version), as `Volume.attachments[0].id: message`. */
export function validate(registry: ObjectRegistry, name: string, version: string, primitive: unknown): string[] {
  let cache = caches.get(registry);
  if (!cache) caches.set(registry, (cache = new Map()));
  const key = `${name}\u0000${version}`;
  let schema = cache.get(key);
  if (!schema) cache.set(key, (schema = jsonSchemaFor(name, version, registry)));
  return validateAgainst(schema, primitive).map((issue) => `${formatPath(objectPath(name, issue, primitive, registry))}: ${issue.message}`);
}

/** A JSON path into an envelope as an object path: `Volume.attachments[0].id` (the `<ns>.data` keys left out). */
function objectPath(root: string, issue: SchemaIssue, primitive: unknown, registry: ObjectRegistry): PathSegment[] {
  const out: PathSegment[] = [root];
  const dataKeys = new Set([...registry.serialNamespaces].map((ns) => `${ns}.data`));
  let node: unknown = primitive;
  for (const seg of issue.path) {
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined;
    if (typeof seg === 'string' && dataKeys.has(seg)) continue;
    out.push(seg);
  }
  return out;
}

function messageOf(err: unknown): string {
  if (isVersionedError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}
