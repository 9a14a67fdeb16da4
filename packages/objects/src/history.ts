import { VersionedError } from './errors.js';
import { compareVersions, parseVersion } from './version.js';
import type { FieldDef } from './meta.js';

/** One version of a class, as declared: what changed in it, and a line for the changelog. */
export interface HistoryEntry {
  readonly version: string;
  /** A human-readable line: the history doubles as the changelog. */
  readonly note: string;
  /** Fields that first exist in this version. */
  readonly added?: readonly string[];
  /** Fields whose type or constraints changed in this version (a custom makeCompatible usually goes with it). */
  readonly changed?: readonly string[];
  /** Fields that no longer exist from this version on. */
  readonly removed?: readonly string[];
  /** Child object versions from this version on, by field: `{ attachments: '1.1' }`. */
  readonly children?: Readonly<Record<string, string>>;
  /**
   * Values for fields an incoming primitive leaves out, at any version (Cinder fills `use_quota` this way):
   * `{ use_quota: true }`, or a function of the primitive's data giving the value. A filled field was not
   * received, so sending it back at an older version that lacks it loses nothing.
   */
  readonly fill?: Readonly<Record<string, FillValue>>;
}

/** A `fill` value: the value itself, or a function of the incoming primitive's data that gives it. */
export type FillValue =
  | string
  | number
  | boolean
  | null
  | readonly unknown[]
  | { readonly [key: string]: unknown }
  | ((data: Readonly<Record<string, unknown>>) => unknown);

/** oslo's obj_relationships: per object field, `[parentVersion, childVersion]` pairs, oldest first. */
export type Relationships = ReadonlyMap<string, readonly (readonly [parent: string, child: string])[]>;

/** What a validated history tells about the class at any version. */
export interface VersionHistory {
  readonly entries: readonly HistoryEntry[];
  /** The version each current field appeared in. */
  readonly fieldSince: ReadonlyMap<string, string>;
  /** Fields that once existed and were removed: name -> [added, removed]. */
  readonly removedFields: ReadonlyMap<string, readonly [since: string, removedIn: string]>;
  /** The version after which each field's type last changed. */
  readonly changedIn: ReadonlyMap<string, string>;
  readonly relationships: Relationships;
  /** The declared `fill` values, by field. */
  readonly fills: ReadonlyMap<string, unknown>;
}

/**
 * Check a declared history against the class's fields and derive presence and relationships.
 * Without a declared history, the class has one version: its own.
 */
export function buildHistory(
  className: string,
  version: string,
  fields: ReadonlyMap<string, FieldDef>,
  declared: readonly HistoryEntry[] | undefined,
  explicitRelationships: Readonly<Record<string, readonly (readonly [string, string])[]>> = {},
): VersionHistory {
  const fail = (detail: string): VersionedError => new VersionedError('registration', `${className} history: ${detail}`);
  const entries = declared?.length ? declared : [{ version, note: 'Initial version' }];
  const fieldSince = new Map<string, string>();
  const removedFields = new Map<string, readonly [string, string]>();
  const changedIn = new Map<string, string>();
  const relationships = new Map<string, [string, string][]>();
  const fills = new Map<string, unknown>();
  const live = new Set<string>(); // fields existing at the entry being read

  const isObjectField = (name: string): boolean => (fields.get(name)?.type.objectTargets().length ?? 0) > 0;
  const first = entries[0] as HistoryEntry;
  // A field exists from the first version on unless the history first mentions it as added.
  const firstMention = new Map<string, 'added' | 'removed'>();
  for (const entry of entries) {
    for (const name of entry.added ?? []) if (!firstMention.has(name)) firstMention.set(name, 'added');
    for (const name of entry.removed ?? []) if (!firstMention.has(name)) firstMention.set(name, 'removed');
  }
  for (const name of new Set([...fields.keys(), ...firstMention.keys()])) {
    if (firstMention.get(name) !== 'added') live.add(name), fieldSince.set(name, first.version);
  }

  let previous: string | undefined;
  for (const [index, entry] of entries.entries()) {
    try {
      parseVersion(entry.version);
    } catch {
      throw fail(`entry ${index}: version must be "X.Y" or "X.Y.Z", got ${JSON.stringify(entry.version)}`);
    }
    if (typeof entry.note !== 'string' || entry.note.trim() === '')
      throw fail(`${entry.version}: every entry needs a note (it is the changelog)`);
    if (previous !== undefined && compareVersions(entry.version, previous) <= 0) {
      throw fail(`${entry.version} comes after ${previous}: entries must be in ascending version order`);
    }
    for (const name of entry.added ?? []) {
      if (index === 0) throw fail(`${entry.version}: the first entry cannot add fields (every field not added later exists from it on)`);
      if (live.has(name)) throw fail(`${entry.version}: adds "${name}", which already exists`);
      live.add(name);
      if (fields.has(name)) fieldSince.set(name, entry.version);
    }
    for (const name of entry.removed ?? []) {
      if (!live.has(name)) throw fail(`${entry.version}: removes "${name}", which does not exist at that point`);
      live.delete(name);
      const since = fieldSince.get(name) ?? first.version;
      removedFields.set(name, [since, entry.version]);
      fieldSince.delete(name);
    }
    for (const name of entry.changed ?? []) {
      if (!live.has(name)) throw fail(`${entry.version}: changes "${name}", which does not exist at that version`);
      changedIn.set(name, entry.version);
    }
    for (const [name, child] of Object.entries(entry.children ?? {})) {
      if (!live.has(name) || !isObjectField(name))
        throw fail(`${entry.version}: children names "${name}", which is not an object field at that version`);
      try {
        parseVersion(child);
      } catch {
        throw fail(`${entry.version}: children.${name} must be a version, got ${JSON.stringify(child)}`);
      }
      const rel = relationships.get(name) ?? [];
      rel.push([entry.version, child]);
      relationships.set(name, rel);
    }
    for (const [name, value] of Object.entries(entry.fill ?? {})) {
      if (!live.has(name)) throw fail(`${entry.version}: fill names "${name}", which does not exist at that version`);
      if (value === undefined) throw fail(`${entry.version}: fill.${name} is undefined (give a value or a function)`);
      fills.set(name, value);
    }
    previous = entry.version;
  }
  if (previous !== version) throw fail(`the newest entry is ${previous}, but the class version is ${version}`);
  for (const name of fields.keys()) {
    if (!live.has(name)) throw fail(`field "${name}" is declared on the class but the history removes it`);
  }
  for (const name of fills.keys()) if (!live.has(name)) fills.delete(name);
  for (const name of live) {
    if (!fields.has(name))
      throw fail(`the history says "${name}" exists in ${version}, but the class has no such field (add it, or record its removal)`);
  }
  for (const [name, pairs] of Object.entries(explicitRelationships)) {
    if (!isObjectField(name)) throw fail(`relationships names "${name}", which is not an object field`);
    const sorted = [...pairs].sort((a, b) => compareVersions(a[0], b[0])).map(([p, c]) => [p, c] as [string, string]);
    relationships.set(name, sorted);
  }
  for (const [name, value] of fills) {
    const def = fields.get(name) as FieldDef;
    if (typeof value === 'function' || (value === null && def.nullable)) continue;
    try {
      def.type.coerce(value);
    } catch (err) {
      throw fail(`fill.${name}: ${err instanceof VersionedError ? err.detail : String(err)}`);
    }
  }
  return { entries, fieldSince, removedFields, changedIn, relationships, fills };
}

/** The versions a class declares, oldest first. */
export function declaredVersions(history: VersionHistory): string[] {
  return history.entries.map((e) => e.version);
}
