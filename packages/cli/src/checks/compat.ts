import { formatPath, isVersionedError, type JsonSchema, type ObjectMeta, type ObjectRegistry, type PathSegment } from '@versioned/objects';
import { jsonSchemaFor } from '@versioned/objects/schema';
import { sampleObject } from '../sample.js';
import { validateAgainst, type SchemaIssue } from './json-schema.js';
import type { ManifestHistoryLike } from '../load-modules.js';

/** Per registry, the schemas already generated. */
const caches = new WeakMap<ObjectRegistry, Map<string, JsonSchema>>();

/**
 * oslo's test_compatibility_routines, done properly: a sample object with every field set, backported to
 * every older version the class declares, must VALIDATE against that version's JSON Schema (not merely
 * encode without throwing).
 */
export function compatProblems(
  meta: ObjectMeta,
  registry: ObjectRegistry,
  viaManifest: (field: string) => boolean = () => false,
): string[] {
  const older = meta.history.entries.slice(0, -1).map((e) => e.version);
  if (older.length === 0) return [];
  // Its children move through the manifest history: manifestCompatProblems backports it under each manifest.
  if (meta.fields.some((d) => d.type.objectTargets().length > 0 && viaManifest(d.name))) return [];
  const problems: string[] = [];
  const hasNullable = meta.fields.some((d) => d.nullable);
  for (const variant of hasNullable ? (['full', 'nulls'] as const) : (['full'] as const)) {
    const label =
      variant === 'full' ? `a sample ${meta.name} ${meta.version}` : `a sample ${meta.name} ${meta.version} with its nullable fields null`;
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
      if (issues.length)
        problems.push(`${label} backported to ${version} does not validate against the ${version} schema: ${issues.join('; ')}`);
    }
  }
  return problems;
}

/**
 * Cinder's way: under every manifest of the history, a sample of each class it names is sent with that
 * manifest, must come out at the manifest's version with every child at the manifest's version, and must
 * validate against the schema of that version. Identical cases (same class, version and child versions) run once.
 */
export function manifestCompatProblems(manifests: ManifestHistoryLike, registry: ObjectRegistry): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const envelopeKeys = [...registry.serialNamespaces].map((ns) => [`${ns}.name`, `${ns}.version`, `${ns}.data`] as const);
  for (const key of manifests.keys()) {
    const manifest = manifests.get(key);
    for (const [name, version] of Object.entries(manifest)) {
      if (!registry.has(name)) continue;
      const meta = registry.newest(name);
      if (!meta.history.entries.some((e) => e.version === version)) continue; // reported by the manifest check
      const reach = reachable(meta, registry);
      const id = `${name}@${version}|${reach.map((n) => `${n}=${manifest[n] ?? ''}`).join(',')}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const label = `a sample ${name} ${meta.version} sent under manifest ${key}`;
      let primitive: unknown;
      try {
        primitive = sampleObject(meta, registry).toPrimitive({ manifest });
      } catch (err) {
        problems.push(`${label} fails: ${messageOf(err)}`);
        continue;
      }
      const wrong: string[] = [];
      walkEnvelopes(primitive, envelopeKeys, [name], (objName, objVersion, path) => {
        const want = manifest[objName];
        if (want !== undefined && want !== objVersion) wrong.push(`${formatPath(path)} is ${objName} ${objVersion}, not ${want}`);
      });
      if (wrong.length) problems.push(`${label} does not follow it: ${wrong.join('; ')}`);
      try {
        const issues = validate(registry, name, version, primitive, manifest);
        if (issues.length) problems.push(`${label} does not validate against the ${name} ${version} schema: ${issues.join('; ')}`);
      } catch (err) {
        problems.push(`no JSON Schema for ${name} ${version}: ${messageOf(err)}`);
      }
    }
  }
  return problems;
}

/** Names of the classes reachable from `meta` through object fields, sorted. */
function reachable(meta: ObjectMeta, registry: ObjectRegistry): string[] {
  const out = new Set<string>();
  const todo = [meta];
  while (todo.length) {
    const m = todo.pop() as ObjectMeta;
    for (const def of m.fields) {
      for (const target of def.type.objectTargets()) {
        if (out.has(target) || !registry.has(target)) continue;
        out.add(target);
        todo.push(registry.newest(target));
      }
    }
  }
  return [...out].sort();
}

/** Call `visit` for every envelope in a primitive (the root included), with its object path. */
function walkEnvelopes(
  root: unknown,
  keys: readonly (readonly [string, string, string])[],
  start: PathSegment[],
  visit: (name: string, version: string, path: PathSegment[]) => void,
): void {
  const stack: [unknown, PathSegment[]][] = [[root, start]];
  while (stack.length) {
    const [node, path] = stack.pop() as [unknown, PathSegment[]];
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) stack.push([item, [...path, i]]);
      continue;
    }
    const record = node as Record<string, unknown>;
    const k = keys.find(([n]) => typeof record[n] === 'string');
    if (k) {
      visit(record[k[0]] as string, String(record[k[1]]), path);
      const data = record[k[2]];
      if (data && typeof data === 'object') for (const [field, value] of Object.entries(data)) stack.push([value, [...path, field]]);
      continue;
    }
    for (const [key, value] of Object.entries(record)) stack.push([value, [...path, key]]);
  }
}

/**
 * The issues of `primitive` against the schema of (name, version), as `Volume.attachments[0].id: message`.
 * With a manifest, every child is held to the manifest's version of its class (the schema alone accepts any
 * declared version of a child without relationships, and checking every alternative is exponential in depth).
 */
export function validate(
  registry: ObjectRegistry,
  name: string,
  version: string,
  primitive: unknown,
  manifest?: Readonly<Record<string, string>>,
): string[] {
  let cache = caches.get(registry);
  if (!cache) caches.set(registry, (cache = new Map()));
  const key = `${name}\u0000${version}`;
  let schema = cache.get(key);
  if (!schema) cache.set(key, (schema = jsonSchemaFor(name, version, registry)));
  if (manifest) {
    const pinnedKey = `${key}\u0000${JSON.stringify(manifest)}`;
    let pinned = cache.get(pinnedKey);
    if (!pinned) cache.set(pinnedKey, (pinned = pinSchema(schema, manifest)));
    schema = pinned;
  }
  return validateAgainst(schema, primitive).map((issue) => `${formatPath(objectPath(name, issue, primitive, registry))}: ${issue.message}`);
}

/** `schema` with each "any version of X" alternative narrowed to the manifest's version of X. */
function pinSchema(schema: JsonSchema, manifest: Readonly<Record<string, string>>): JsonSchema {
  const prefix = '#/definitions/';
  const refName = (node: unknown): string | undefined => {
    const ref = (node as { $ref?: unknown } | null)?.$ref;
    if (typeof ref !== 'string' || !ref.startsWith(prefix)) return undefined;
    const key = ref.slice(prefix.length);
    return key.slice(0, key.lastIndexOf('-'));
  };
  const definitions = (schema as { definitions?: Record<string, unknown> }).definitions ?? {};
  const pin = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(pin);
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    const alternatives = record.anyOf;
    if (Array.isArray(alternatives) && alternatives.length > 1) {
      const names = new Set(alternatives.map(refName));
      const only = names.size === 1 ? [...names][0] : undefined;
      const wanted = only !== undefined ? manifest[only] : undefined;
      if (wanted !== undefined && `${only}-${wanted}` in definitions) return { $ref: `${prefix}${only}-${wanted}` };
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, pin(v)]));
  };
  return pin(schema) as JsonSchema;
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
