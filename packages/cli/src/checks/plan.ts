import { childVersionAt, compareVersions, parseVersion, type HistoryEntry, type ObjectMeta, type ObjectRegistry } from '@versioned/objects';
import { nextVersion } from '../bump.js';
import type { Bump, ChangeKind, SchemaChange } from '../diff.js';
import type { HistoryRecord } from '../lock-file.js';
import type { ManifestHistoryLike } from '../load-modules.js';

/** Changes to the wire form of a field: the history must list the field under `changed`. */
export const WIRE_CHANGES: ReadonlySet<ChangeKind> = new Set([
  'field_retyped',
  'enum_values_added',
  'enum_values_removed',
  'made_nullable',
  'made_non_nullable',
  'subclasses_allowed',
  'subclasses_refused',
]);

/** One class's input to the plan. */
export interface PlanInput {
  readonly meta: ObjectMeta;
  /** The released version (the lock file's); undefined for a class not in the lock file yet. */
  readonly locked: string | undefined;
  /** Its schema changes since the lock file, child moves included. */
  readonly changes: readonly SchemaChange[];
  /** The history the lock file records (format 2). */
  readonly lockedHistory?: readonly HistoryRecord[] | undefined;
  /** The child version per object field the lock file's description records. */
  readonly lockedChildren?: ReadonlyMap<string, string> | undefined;
}

/** A history entry to paste, note included. */
export interface EntryAdvice extends HistoryRecord {
  readonly note: string;
}

/** What one class must do, all of it, so that one round of edits makes the check pass. */
export interface ClassAdvice {
  readonly name: string;
  /** The code's version now, and the one to set. */
  readonly from: string;
  readonly version: string;
  readonly bump: Bump | undefined;
  /** The entry to add, or (`extend`) the newest unreleased entry as it must become (it takes the planned version). */
  readonly entry: EntryAdvice;
  readonly extend: boolean;
  /** With `extend`: the version of the unreleased entry that becomes `entry`. */
  readonly extends: string | undefined;
  /** What the history lacks: the fields and child versions no entry records yet. */
  readonly missing: HistoryRecord;
  /** The whole `history` option to declare afterwards: what to paste, mechanically. */
  readonly history: readonly EntryAdvice[];
  /** False when the class declares no `history` option yet: it must declare `history`. */
  readonly declaresHistory: boolean;
  /** True when the released entry must also declare a child version it had (a field's first relationship). */
  readonly completesReleased: boolean;
  /** Why, in words: `field \`bootable\` added`, `Attachment moves to 1.3`. */
  readonly reasons: readonly string[];
}

/** The manifest entry a manifest-driven project needs: one, for every child that moved. */
export interface ManifestAdvice {
  /** The key of the new manifest, or of the unreleased newest one to complete (`extend`). */
  readonly key: string;
  readonly extend: boolean;
  readonly updates: Readonly<Record<string, string>>;
}

/** Everything to do in one round for the check to pass: per class the version and history entry, and the manifest entry. */
export interface Plan {
  /** Per class name, what to do (classes with nothing to do are left out). */
  readonly classes: ReadonlyMap<string, ClassAdvice>;
  readonly manifest: ManifestAdvice | undefined;
  /** The version every class ends up at. */
  readonly planned: ReadonlyMap<string, string>;
  /** Whether a field's child versions move through the manifest history rather than the parent's own history. */
  readonly viaManifest: (meta: ObjectMeta, field: string) => boolean;
}

/**
 * The whole cascade in one pass. Each class gets a planned version: its own, or the next one its own changes
 * call for; then, until nothing moves, a parent whose history must declare a child version it does not yet
 * declare bumps (once: a class bumps at most once per release, so a cycle such as Volume <-> VolumeAttachment
 * settles, each new entry declaring the other's new version). Fields without relationships in a project with a
 * manifest history move through the manifest instead: one new manifest entry, no parent bumps.
 */
export function planChanges(
  inputs: readonly PlanInput[],
  registry: ObjectRegistry,
  manifests: ManifestHistoryLike | undefined,
  lockedManifestKeys: ReadonlySet<string> | undefined,
): Plan {
  const viaManifest = (meta: ObjectMeta, field: string): boolean => manifests !== undefined && !meta.history.relationships.has(field);
  const byName = new Map(inputs.map((i) => [i.meta.name, i]));
  const planned = new Map<string, string>();
  const bumpOf = new Map<string, Bump | undefined>();
  const reasons = new Map<string, string[]>();
  const reason = (name: string, text: string): void => {
    const list = reasons.get(name) ?? [];
    if (!list.includes(text)) list.push(text);
    reasons.set(name, list);
  };

  for (const { meta, locked, changes } of inputs) {
    const own = changes.filter((c) => c.kind !== 'child_version_moved' && !(c.kind === 'relationships_changed' && c.bump === 'minor'));
    const bump = own.some((c) => c.bump === 'major') ? 'major' : own.length ? 'minor' : undefined;
    bumpOf.set(meta.name, bump);
    for (const c of own) reason(meta.name, c.message);
    planned.set(meta.name, locked === undefined ? meta.version : enough(locked, meta.version, bump));
  }

  // Child versions each class must declare at its planned version, by field.
  const declare = new Map<string, Map<string, string>>();
  for (let moved = true, rounds = 0; moved && rounds < 4 * inputs.length + 4; rounds++) {
    moved = false;
    for (const { meta, locked } of inputs) {
      for (const def of meta.fields) {
        if (viaManifest(meta, def.name)) continue;
        for (const target of def.type.objectTargets()) {
          const need = planned.get(target) ?? (registry.has(target) ? registry.newest(target).version : undefined);
          if (need === undefined) continue; // reported by the children check
          const declared = childVersionAt(meta.history, def.name, meta.version);
          if (declared === need) continue;
          // A single-version class without a declared child version needs none: there is nothing to backport to.
          if (declared === undefined && meta.history.entries.length === 1 && planned.get(meta.name) === meta.version) continue;
          const fields = declare.get(meta.name) ?? new Map<string, string>();
          if (fields.get(def.name) === need) continue;
          fields.set(def.name, need);
          declare.set(meta.name, fields);
          moved = true;
          reason(meta.name, `field \`${def.name}\` must declare ${target} ${need}`);
          if (locked === undefined) continue;
          const majorMove = typeof declared === 'string' && parseVersion(declared)[0] !== parseVersion(need)[0];
          const bump: Bump = majorMove || bumpOf.get(meta.name) === 'major' ? 'major' : 'minor';
          bumpOf.set(meta.name, bump);
          const next = enough(locked, planned.get(meta.name) as string, bump);
          if (next !== planned.get(meta.name)) planned.set(meta.name, next);
        }
      }
    }
  }

  const classes = new Map<string, ClassAdvice>();
  for (const input of inputs) {
    const advice = adviseClass(
      input,
      planned.get(input.meta.name) as string,
      bumpOf.get(input.meta.name),
      declare.get(input.meta.name),
      reasons.get(input.meta.name) ?? [],
    );
    if (advice) classes.set(input.meta.name, advice);
  }
  return {
    classes,
    manifest: manifests ? adviseManifest(manifests, planned, byName, lockedManifestKeys) : undefined,
    planned,
    viaManifest,
  };
}

/** `current` when it is far enough past `locked` for `bump`, else the next version `bump` calls for. */
function enough(locked: string, current: string, bump: Bump | undefined): string {
  const order = compareVersions(current, locked);
  if (bump === undefined) return order >= 0 ? current : locked;
  if (order <= 0) return nextVersion(locked, bump);
  if (bump === 'major' && parseVersion(current)[0] === parseVersion(locked)[0]) return nextVersion(locked, 'major');
  return current;
}

function adviseClass(
  input: PlanInput,
  version: string,
  bump: Bump | undefined,
  children: ReadonlyMap<string, string> | undefined,
  reasons: readonly string[],
): ClassAdvice | undefined {
  const { meta, locked, changes } = input;
  const declaredNone = isUndeclared(meta);
  // A class without a declared history starts from what was released: the lock file's records, else one entry.
  const entries: EntryAdvice[] =
    declaredNone && locked !== undefined
      ? (input.lockedHistory ?? [{ version: locked }]).map((r) => clean({ note: 'Initial version', ...r }))
      : meta.history.entries.map((e) => clean(e));
  const isUnreleased = (v: string): boolean => locked === undefined || compareVersions(v, locked) > 0;
  const unreleased = entries.filter((e) => isUnreleased(e.version));
  const recorded = (list: 'added' | 'removed' | 'changed', field: string): boolean => unreleased.some((e) => e[list]?.includes(field));
  const missing = (list: 'added' | 'removed' | 'changed', kinds: (k: ChangeKind) => boolean): string[] =>
    locked === undefined
      ? []
      : [
          ...new Set(
            changes.filter((c) => kinds(c.kind) && c.field !== undefined && !recorded(list, c.field)).map((c) => c.field as string),
          ),
        ];
  const added = missing('added', (k) => k === 'field_added');
  const removed = missing('removed', (k) => k === 'field_removed');
  const changed = missing('changed', (k) => WIRE_CHANGES.has(k));
  const childMap = Object.fromEntries(children ?? []);
  const nothing = added.length + removed.length + changed.length + Object.keys(childMap).length === 0;
  if (nothing && version === meta.version) return undefined;

  // The newest unreleased entry is completed (and moved to the planned version); else a new one is appended.
  const last = entries[entries.length - 1] as EntryAdvice;
  const base = isUnreleased(last.version) ? last : undefined;
  const entry = clean({
    version,
    ...listPart('added', added, base),
    ...listPart('removed', removed, base),
    ...listPart('changed', changed, base),
    ...(Object.keys(childMap).length || base?.children ? { children: { ...base?.children, ...childMap } } : {}),
    note: base?.note ?? noteFor(added, removed, changed, childMap, meta),
  });
  const history = [...entries.filter((e) => e !== base), entry];
  // A field that gains its first child version: the released entry declares the child version it was released with.
  const releasedEntry = locked === undefined ? undefined : history.find((e) => e.version === locked);
  let completesReleased = false;
  if (releasedEntry) {
    for (const field of Object.keys(childMap)) {
      const had = input.lockedChildren?.get(field);
      if (had && !meta.history.relationships.has(field) && releasedEntry !== entry) {
        const i = history.indexOf(releasedEntry);
        history[i] = clean({ ...(history[i] as EntryAdvice), children: { ...history[i]?.children, [field]: had } });
        completesReleased = true;
      }
    }
  }
  const missingPart = clean({ version, added, removed, changed, children: childMap, note: entry.note });
  return {
    name: meta.name,
    from: meta.version,
    version,
    bump,
    entry,
    extend: base !== undefined,
    extends: base?.version,
    missing: missingPart,
    history,
    declaresHistory: !declaredNone,
    completesReleased,
    reasons,
  };
}

/** A class that declares no `history` option gets a single synthesized entry at its version. */
function isUndeclared(meta: ObjectMeta): boolean {
  const entries = meta.history.entries;
  const only = entries[0] as HistoryEntry;
  return entries.length === 1 && only.note === 'Initial version' && !only.added && !only.removed && !only.changed && !only.children;
}

function listPart(
  key: 'added' | 'removed' | 'changed',
  extra: readonly string[],
  base: HistoryEntry | undefined,
): Record<string, string[]> {
  const all = [...new Set([...(base?.[key] ?? []), ...extra])];
  return all.length ? { [key]: all } : {};
}

function clean(entry: HistoryEntry | EntryAdvice | (HistoryRecord & { note: string })): EntryAdvice {
  const out: Record<string, unknown> = { version: entry.version };
  for (const key of ['added', 'removed', 'changed'] as const) if (entry[key]?.length) out[key] = [...(entry[key] as string[])];
  if (entry.children && Object.keys(entry.children).length) out.children = { ...entry.children };
  out.note = entry.note;
  return out as unknown as EntryAdvice;
}

function noteFor(
  added: readonly string[],
  removed: readonly string[],
  changed: readonly string[],
  children: Readonly<Record<string, string>>,
  meta: ObjectMeta,
): string {
  const parts: string[] = [];
  if (added.length) parts.push(`add ${added.join(', ')}`);
  if (removed.length) parts.push(`remove ${removed.join(', ')}`);
  if (changed.length) parts.push(`change ${changed.join(', ')}`);
  for (const [field, v] of Object.entries(children)) {
    const target = meta.fields.find((d) => d.name === field)?.type.objectTargets()[0] ?? field;
    parts.push(`${field}: ${target} ${v}`);
  }
  const text = parts.join('; ') || 'version bump';
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The newest manifest must list every class at its planned version: one entry (or the unreleased newest, completed). */
function adviseManifest(
  manifests: ManifestHistoryLike,
  planned: ReadonlyMap<string, string>,
  inputs: ReadonlyMap<string, PlanInput>,
  lockedKeys: ReadonlySet<string> | undefined,
): ManifestAdvice | undefined {
  const keys = manifests.keys();
  const latestKey = keys[keys.length - 1];
  const latest = latestKey === undefined ? {} : manifests.get(latestKey);
  const updates: Record<string, string> = {};
  for (const [name, version] of [...planned].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (inputs.has(name) && latest[name] !== version) updates[name] = version;
  }
  if (Object.keys(updates).length === 0) return undefined;
  // The newest manifest is released when the lock file records it (or records no manifests yet: assume it is).
  const extend = latestKey !== undefined && lockedKeys !== undefined && !lockedKeys.has(latestKey);
  return { key: extend ? (latestKey as string) : nextKey(keys), extend, updates };
}

/** After `1.38`, `1.39`; after anything else, `<key>+1`. */
function nextKey(keys: readonly string[]): string {
  const last = keys[keys.length - 1];
  if (last === undefined) return '1.0';
  const m = /^(\d+)\.(\d+)$/.exec(last);
  let key = m ? `${m[1]}.${Number(m[2]) + 1}` : `${last}+1`;
  while (keys.includes(key)) key = `${key}+1`;
  return key;
}

/** An entry as code to paste: `{ version: '1.3', added: ['bootable'], note: 'Add bootable' }`. */
export function entryText(entry: EntryAdvice): string {
  const list = (names: readonly string[]): string => `[${names.map((n) => `'${n}'`).join(', ')}]`;
  const parts = [`version: '${entry.version}'`];
  if (entry.added?.length) parts.push(`added: ${list(entry.added)}`);
  if (entry.removed?.length) parts.push(`removed: ${list(entry.removed)}`);
  if (entry.changed?.length) parts.push(`changed: ${list(entry.changed)}`);
  if (entry.children && Object.keys(entry.children).length)
    parts.push(
      `children: { ${Object.entries(entry.children)
        .map(([f, v]) => `${f}: '${v}'`)
        .join(', ')} }`,
    );
  parts.push(`note: ${JSON.stringify(entry.note).replace(/^"|"$/g, "'")}`);
  return `{ ${parts.join(', ')} }`;
}
