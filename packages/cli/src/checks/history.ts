import { childVersionAt, compareVersions, type HistoryEntry, type ObjectMeta } from '@versioned/objects';
import type { ChangeKind, SchemaChange } from '../diff.js';

/** Changes to the wire form of a field: the history must list the field under `changed`. */
const WIRE_CHANGES: ReadonlySet<ChangeKind> = new Set([
  'field_retyped',
  'enum_values_added',
  'enum_values_removed',
  'made_nullable',
  'made_non_nullable',
  'subclasses_allowed',
  'subclasses_refused',
]);

/**
 * Whether the class's version history records the changes made since `lockedVersion`, in entries
 * newer than it: "version bumped to 1.3 but no history entry records field `bootable`".
 */
export function historyProblems(meta: ObjectMeta, lockedVersion: string, changes: readonly SchemaChange[]): string[] {
  const entries = meta.history.entries;
  const oldest = entries[0] as HistoryEntry;
  if (compareVersions(oldest.version, lockedVersion) > 0) {
    return [`the history starts at ${oldest.version}, but ${lockedVersion} was released (the lock file records it): declare every version from ${lockedVersion} on`];
  }
  const fresh = entries.filter((e) => compareVersions(e.version, lockedVersion) > 0);
  const where = `since ${lockedVersion}`;
  const problems: string[] = [];
  const recorded = (list: 'added' | 'removed' | 'changed', name: string): boolean => fresh.some((e) => e[list]?.includes(name));
  const reported = new Set<string>();
  for (const change of changes) {
    const name = change.field;
    if (name === undefined) continue;
    const key = `${change.kind}:${name}`;
    if (reported.has(key)) continue;
    reported.add(key);
    if (change.kind === 'field_added' && !recorded('added', name)) {
      problems.push(`version bumped to ${meta.version} but no history entry ${where} records field \`${name}\` (add it to \`added\`)`);
    } else if (change.kind === 'field_removed' && !recorded('removed', name)) {
      problems.push(`version bumped to ${meta.version} but no history entry ${where} records the removal of field \`${name}\` (add it to \`removed\`)`);
    } else if (WIRE_CHANGES.has(change.kind) && !recorded('changed', name) && !reported.has(`changed:${name}`)) {
      reported.add(`changed:${name}`);
      problems.push(`version bumped to ${meta.version} but no history entry ${where} records the change to field \`${name}\` (add it to \`changed\`)`);
    } else if (change.kind === 'child_version_moved' && typeof change.to === 'string') {
      const declared = childVersionAt(meta.history, name, meta.version);
      if (declared !== change.to) {
        problems.push(
          `version bumped to ${meta.version} but no history entry ${where} records child version ${change.to} for field \`${name}\` (add children: { ${name}: '${change.to}' })`,
        );
      }
    }
  }
  return problems;
}
