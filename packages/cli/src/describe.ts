import { UsageError } from './errors.js';
import type { FieldDef, ObjectMeta, ObjectRegistry, RemotableMethod, TypeDescription, EncodeContext } from '@versioned/objects';

/**
 * The canonical description of a class's schema: what the fingerprint hashes and what the lock file keeps
 * so that a later check can say exactly what changed. Arrays are sorted by name, so declaration order
 * does not matter; everything is plain JSON, so the hash is the same on every machine and Node version.
 */
export interface ObjectDescription {
  readonly name: string;
  /** oslo's OBJ_PROJECT_NAMESPACE and OBJ_SERIAL_NAMESPACE: part of the wire identity. */
  readonly namespace: string;
  readonly serialNamespace: string;
  readonly fields: readonly FieldDescription[];
  /** Methods marked @remotable: name, instance or static, parameter count. */
  readonly remotable: readonly RemotableMethod[];
  /** The current version of every child class this class refers to, per field. */
  readonly children: readonly ChildDescription[];
  /** The declared child version per parent version of each object field (oslo's obj_relationships). */
  readonly relationships: readonly RelationshipDescription[];
}

/** An oslo-style relationship of a field: the child versions for each parent version. */
export interface RelationshipDescription {
  readonly field: string;
  /** `[parentVersion, childVersion]`, oldest first. */
  readonly pairs: readonly (readonly [string, string])[];
}

/** A field as the fingerprint sees it: name, type description, nullable, read-only, default. */
export interface FieldDescription {
  readonly name: string;
  readonly type: TypeDescription;
  readonly nullable: boolean;
  readonly readOnly: boolean;
  /**
   * Absent without a default. A value default is its wire form (`{ value: [] }`); a factory is
   * `{ factory: true }`: calling it may give a different value each time (a UUID, the time), so its body is not hashed.
   */
  readonly default?: { readonly value: unknown } | { readonly factory: true };
}

/** A field holding child objects: the target class and its newest registered version. */
export interface ChildDescription {
  readonly field: string;
  readonly target: string;
  /** The newest registered version of the target; null when no loaded module registers it. */
  readonly version: string | null;
}

/** The canonical description of a class (its fields, children, relationships, remotable methods): what the fingerprint hashes. */
export function describeObject(meta: ObjectMeta, registry: ObjectRegistry): ObjectDescription {
  const fields = [...meta.fields].sort((a, b) => compareNames(a.name, b.name));
  const children: ChildDescription[] = [];
  for (const def of fields) {
    for (const target of [...new Set(def.type.objectTargets())].sort(compareNames)) {
      children.push({ field: def.name, target, version: registry.has(target) ? registry.newest(target).version : null });
    }
  }
  return {
    name: meta.name,
    namespace: meta.namespace,
    serialNamespace: meta.serialNamespace,
    fields: fields.map((def) => {
      try {
        return describeField(def);
      } catch (err) {
        throw new UsageError(
          'invalid_class',
          `${meta.name}.${def.name}: the default does not fit the field: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
    }),
    remotable: [...meta.remotables]
      .map((r) => ({ name: r.name, kind: r.kind, arity: r.arity }))
      .sort((a, b) => compareNames(a.name, b.name) || compareNames(a.kind, b.kind)),
    children,
    relationships: [...meta.history.relationships.keys()].sort(compareNames).map((field) => ({
      field,
      pairs: (meta.history.relationships.get(field) ?? []).map(([parent, child]) => [parent, child] as const),
    })),
  };
}

/** The canonical description of one field. */
export function describeField(def: FieldDef): FieldDescription {
  const out: { -readonly [K in keyof FieldDescription]: FieldDescription[K] } = {
    name: def.name,
    type: def.type.describe(),
    nullable: def.nullable,
    readOnly: def.readOnly,
  };
  if (def.hasDefault) out.default = typeof def.default === 'function' ? { factory: true } : { value: defaultPrimitive(def) };
  return out;
}

/** The default as it would cross the wire: Dates as ISO strings, Sets as arrays, objects as envelopes. */
function defaultPrimitive(def: FieldDef): unknown {
  const value = def.makeDefault();
  if (value === null) return null;
  const ctx: EncodeContext = {
    manifest: undefined,
    encodeChild: (obj) => (obj as unknown as { toPrimitive(): Record<string, unknown> }).toPrimitive(),
  };
  return def.type.toPrimitive(value, ctx);
}

/** Code-point order: the same everywhere, unlike localeCompare. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
