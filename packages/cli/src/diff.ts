import stableStringify from 'fast-json-stable-stringify';
import type { TypeDescription } from '@versioned/objects';
import type { RemotableMethod } from '@versioned/objects';
import type { ChildDescription, FieldDescription, ObjectDescription, RelationshipDescription } from './describe.js';

/** How much of a version a change needs: `minor` for what old readers can live with, `major` for a break. */
export type Bump = 'minor' | 'major';

/** The kinds of schema change between the lock file and the code, each with the bump it needs (see {@link requiredBump}). */
export type ChangeKind =
  | 'identity_changed'
  | 'description_changed'
  | 'field_added'
  | 'field_removed'
  | 'field_retyped'
  | 'enum_values_added'
  | 'enum_values_removed'
  | 'transitions_changed'
  | 'subclasses_allowed'
  | 'subclasses_refused'
  | 'made_nullable'
  | 'made_non_nullable'
  | 'default_added'
  | 'default_removed'
  | 'default_changed'
  | 'made_read_only'
  | 'made_writable'
  | 'child_version_moved'
  | 'relationships_changed'
  | 'remotable_added'
  | 'remotable_removed'
  | 'remotable_changed';

/** One difference between the locked schema of an object and its schema in the code. */
export interface SchemaChange {
  readonly kind: ChangeKind;
  readonly bump: Bump;
  /** The field (or remotable method) concerned. */
  readonly field?: string;
  /** A sentence for people: `field \`bootable\` added (Boolean)`. */
  readonly message: string;
  readonly from?: unknown;
  readonly to?: unknown;
  /** A child move in a manifest-driven project: recorded by a manifest entry, not a bump of this class. */
  readonly viaManifest?: boolean;
}

/** Every schema difference from `before` (the lock file) to `after` (the code), fields in name order. */
export function diffDescriptions(before: ObjectDescription, after: ObjectDescription): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const key of ['namespace', 'serialNamespace'] as const) {
    if (before[key] !== after[key]) {
      changes.push({
        kind: 'identity_changed',
        bump: 'major',
        message: `${key} changed from "${before[key]}" to "${after[key]}"`,
        from: before[key],
        to: after[key],
      });
    }
  }
  const oldFields = byName(before.fields);
  const newFields = byName(after.fields);
  for (const name of unionSorted(oldFields.keys(), newFields.keys())) {
    const was = oldFields.get(name);
    const now = newFields.get(name);
    if (!was && now) {
      changes.push({ kind: 'field_added', bump: 'minor', field: name, message: `field \`${name}\` added (${fieldText(now)})`, to: now });
    } else if (was && !now) {
      changes.push({
        kind: 'field_removed',
        bump: 'major',
        field: name,
        message: `field \`${name}\` removed (was ${fieldText(was)})`,
        from: was,
      });
    } else if (was && now) {
      changes.push(...diffField(was, now));
    }
  }
  changes.push(...diffChildren(before.children, after.children, oldFields, newFields));
  changes.push(...diffRemotables(before.remotable, after.remotable));
  changes.push(...diffRelationships(before.relationships ?? [], after.relationships ?? [], oldFields, newFields));
  return changes;
}

/** The larger of the bumps the changes need; `undefined` when there is no change. */
export function requiredBump(changes: readonly SchemaChange[]): Bump | undefined {
  const counted = changes.filter((c) => !c.viaManifest);
  if (counted.length === 0) return undefined;
  return counted.some((c) => c.bump === 'major') ? 'major' : 'minor';
}

function diffField(was: FieldDescription, now: FieldDescription): SchemaChange[] {
  const name = was.name;
  const out: SchemaChange[] = [...diffType(name, was.type, now.type, '')];
  if (was.nullable !== now.nullable) {
    out.push(
      now.nullable
        ? { kind: 'made_nullable', bump: 'minor', field: name, message: `field \`${name}\` made nullable`, from: false, to: true }
        : { kind: 'made_non_nullable', bump: 'major', field: name, message: `field \`${name}\` made non-nullable`, from: true, to: false },
    );
  }
  const oldDefault = was.default === undefined ? undefined : stableStringify(was.default);
  const newDefault = now.default === undefined ? undefined : stableStringify(now.default);
  if (oldDefault !== newDefault) {
    if (oldDefault === undefined) {
      out.push({
        kind: 'default_added',
        bump: 'minor',
        field: name,
        message: `field \`${name}\` gained a default (${defaultText(now.default)})`,
        to: now.default,
      });
    } else if (newDefault === undefined) {
      out.push({
        kind: 'default_removed',
        bump: 'major',
        field: name,
        message: `field \`${name}\` lost its default (was ${defaultText(was.default)})`,
        from: was.default,
      });
    } else {
      out.push({
        kind: 'default_changed',
        bump: 'minor',
        field: name,
        message: `field \`${name}\` default changed from ${defaultText(was.default)} to ${defaultText(now.default)}`,
        from: was.default,
        to: now.default,
      });
    }
  }
  if (was.readOnly !== now.readOnly) {
    out.push(
      now.readOnly
        ? { kind: 'made_read_only', bump: 'major', field: name, message: `field \`${name}\` made read-only`, from: false, to: true }
        : { kind: 'made_writable', bump: 'minor', field: name, message: `field \`${name}\` is no longer read-only`, from: true, to: false },
    );
  }
  return out;
}

/** Differences of two field types; `where` says which part of the type (`element of `) for nested containers. */
function diffType(name: string, was: TypeDescription, now: TypeDescription, where: string): SchemaChange[] {
  const subject = `field \`${name}\`${where ? ` (${where.trim()})` : ''}`;
  const retyped = (): SchemaChange[] => [
    {
      kind: 'field_retyped',
      bump: 'major',
      field: name,
      message: `${subject} retyped from ${typeText(was)} to ${typeText(now)}`,
      from: was,
      to: now,
    },
  ];
  if (was.type !== now.type) return retyped();
  const rest = (d: TypeDescription, ...known: string[]): string => {
    const copy: Record<string, unknown> = { ...d };
    for (const k of known) delete copy[k];
    return stableStringify(copy);
  };
  if (isContainer(was) && isContainer(now)) {
    if (rest(was, 'element') !== rest(now, 'element')) return retyped();
    return diffType(name, was.element as TypeDescription, now.element as TypeDescription, `${where}element of ${was.type} `);
  }
  if (Array.isArray(was.values) && Array.isArray(now.values)) {
    if (rest(was, 'values', 'transitions') !== rest(now, 'values', 'transitions')) return retyped();
    const out: SchemaChange[] = [];
    const oldValues = new Set(was.values as string[]);
    const newValues = new Set(now.values as string[]);
    const added = [...newValues].filter((v) => !oldValues.has(v));
    const removed = [...oldValues].filter((v) => !newValues.has(v));
    if (added.length)
      out.push({
        kind: 'enum_values_added',
        bump: 'minor',
        field: name,
        message: `${subject} gained ${was.type} values ${quoteList(added)}`,
        to: added,
      });
    if (removed.length)
      out.push({
        kind: 'enum_values_removed',
        bump: 'major',
        field: name,
        message: `${subject} lost ${was.type} values ${quoteList(removed)}`,
        from: removed,
      });
    if (stableStringify(was.transitions ?? null) !== stableStringify(now.transitions ?? null)) {
      // Transitions constrain assignments, not the wire: old readers are unaffected.
      out.push({
        kind: 'transitions_changed',
        bump: 'minor',
        field: name,
        message: `${subject} state transitions changed`,
        from: was.transitions,
        to: now.transitions,
      });
    }
    return out;
  }
  if (was.type === 'Object' && was.target === now.target && was.subclasses !== now.subclasses) {
    return now.subclasses
      ? [
          {
            kind: 'subclasses_allowed',
            bump: 'minor',
            field: name,
            message: `${subject} now also accepts subclasses of ${String(now.target)}`,
          },
        ]
      : [
          {
            kind: 'subclasses_refused',
            bump: 'major',
            field: name,
            message: `${subject} no longer accepts subclasses of ${String(now.target)}`,
          },
        ];
  }
  return stableStringify(was) === stableStringify(now) ? [] : retyped();
}

function diffChildren(
  before: readonly ChildDescription[],
  after: readonly ChildDescription[],
  oldFields: Map<string, FieldDescription>,
  newFields: Map<string, FieldDescription>,
): SchemaChange[] {
  const out: SchemaChange[] = [];
  const key = (c: ChildDescription): string => `${c.field}\u0000${c.target}`;
  const old = new Map(before.map((c) => [key(c), c]));
  for (const child of after) {
    const was = old.get(key(child));
    // A new or removed field, or a retyped one, is already reported as such.
    if (!was || !oldFields.has(child.field) || !newFields.has(child.field) || was.version === child.version) continue;
    const major = was.version === null || child.version === null || was.version.split('.')[0] !== child.version.split('.')[0];
    out.push({
      kind: 'child_version_moved',
      bump: major ? 'major' : 'minor',
      field: child.field,
      message: `child ${child.target} (field \`${child.field}\`) moved from ${was.version ?? 'unregistered'} to ${child.version ?? 'unregistered'}`,
      from: was.version,
      to: child.version,
    });
  }
  return out;
}

function diffRemotables(before: readonly RemotableMethod[], after: readonly RemotableMethod[]): SchemaChange[] {
  const out: SchemaChange[] = [];
  const old = new Map(before.map((r) => [r.name, r]));
  const now = new Map(after.map((r) => [r.name, r]));
  for (const name of unionSorted(old.keys(), now.keys())) {
    const was = old.get(name);
    const is = now.get(name);
    if (!was && is)
      out.push({ kind: 'remotable_added', bump: 'minor', field: name, message: `remotable method \`${name}\` added`, to: is });
    else if (was && !is)
      out.push({ kind: 'remotable_removed', bump: 'major', field: name, message: `remotable method \`${name}\` removed`, from: was });
    else if (was && is && stableStringify(was) !== stableStringify(is)) {
      out.push({
        kind: 'remotable_changed',
        bump: 'major',
        field: name,
        message: `remotable method \`${name}\` signature changed`,
        from: was,
        to: is,
      });
    }
  }
  return out;
}

/**
 * Relationship pairs are history: appending a pair for a new version is how a child move is recorded (no
 * change of its own); rewriting or dropping a pair for a released version changes what old readers are sent.
 */
function diffRelationships(
  before: readonly RelationshipDescription[],
  after: readonly RelationshipDescription[],
  oldFields: ReadonlyMap<string, FieldDescription>,
  newFields: ReadonlyMap<string, FieldDescription>,
): SchemaChange[] {
  const out: SchemaChange[] = [];
  const now = new Map(after.map((r) => [r.field, r.pairs]));
  const had = new Set(before.map((r) => r.field));
  for (const { field, pairs } of after) {
    if (had.has(field) || !oldFields.has(field)) continue;
    out.push({
      kind: 'relationships_changed',
      bump: 'minor',
      field,
      message: `relationships of field \`${field}\` declared (${pairText(pairs)})`,
      to: pairs,
    });
  }
  for (const { field, pairs } of before) {
    const kept = now.get(field);
    if (!newFields.has(field)) continue; // reported as a removed field
    const prefix = (kept ?? []).slice(0, pairs.length);
    if (stableStringify(prefix) !== stableStringify(pairs)) {
      out.push({
        kind: 'relationships_changed',
        bump: 'major',
        field,
        message: `relationships of field \`${field}\` rewritten for released versions (${pairText(pairs)} became ${pairText(kept ?? [])})`,
        from: pairs,
        to: kept ?? [],
      });
    }
  }
  return out;
}

function pairText(pairs: readonly (readonly [string, string])[]): string {
  return pairs.length ? pairs.map(([p, c]) => `${p}->${c}`).join(', ') : 'none';
}

/** A type in a line: `List<Object<Attachment>>`, `Enum["a", "b"]`. */
export function typeText(d: TypeDescription): string {
  const known = new Set(['type', 'element', 'target', 'subclasses', 'values', 'transitions']);
  // Every other option a type describes (a DateTime's precision, a network's family, a custom type's own).
  const options = Object.keys(d)
    .filter((k) => !known.has(k))
    .sort()
    .map((k) => `${k}: ${JSON.stringify(d[k])}`);
  if (Array.isArray(d.values) && d.transitions !== undefined) options.unshift(`transitions: ${JSON.stringify(d.transitions)}`);
  const suffix = options.length ? `(${options.join(', ')})` : '';
  if (isContainer(d)) return `${d.type}<${typeText(d.element as TypeDescription)}>${suffix}`;
  if (d.type === 'Object') return `Object<${String(d.target)}${d.subclasses ? '+subclasses' : ''}>${suffix}`;
  if (Array.isArray(d.values)) return `${d.type}[${quoteList(d.values as string[])}]${suffix}`;
  return `${d.type}${suffix}`;
}

function fieldText(d: FieldDescription): string {
  const parts = [typeText(d.type)];
  if (d.nullable) parts.push('nullable');
  if (d.readOnly) parts.push('read-only');
  if (d.default) parts.push(`default ${defaultText(d.default)}`);
  return parts.join(', ');
}

function defaultText(d: FieldDescription['default']): string {
  if (d === undefined) return 'none';
  return 'factory' in d ? 'a factory' : JSON.stringify(d.value);
}

function isContainer(d: TypeDescription): boolean {
  return (d.type === 'List' || d.type === 'Set' || d.type === 'Dict') && typeof d.element === 'object' && d.element !== null;
}

function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function byName<T extends { name: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((i) => [i.name, i]));
}

function unionSorted(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort();
}
