import { compareVersions, parseVersion } from '@versioned/objects';
import type { Bump, SchemaChange } from './diff.js';

/** Whether an object's version moved far enough for its schema changes, and what to do if not. */
export interface BumpVerdict {
  readonly ok: boolean;
  readonly message: string;
  /** The version to move to when `ok` is false. */
  readonly suggested?: string;
}

/** The history entry the changes call for, as code to paste: ` { version: '1.3', added: ['bootable'], note: '...' }`. */
export function historyEntryFor(version: string, changes: readonly SchemaChange[]): string {
  const pick = (kinds: readonly string[]): string[] => [
    ...new Set(changes.filter((c) => kinds.includes(c.kind) && c.field).map((c) => c.field as string)),
  ];
  const list = (names: string[]): string => `[${names.map((n) => `'${n}'`).join(', ')}]`;
  const parts = [`version: '${version}'`];
  const added = pick(['field_added']);
  const removed = pick(['field_removed']);
  const changed = pick([
    'field_retyped',
    'enum_values_added',
    'enum_values_removed',
    'made_nullable',
    'made_non_nullable',
    'subclasses_allowed',
    'subclasses_refused',
  ]);
  const children = changes.filter((c) => c.kind === 'child_version_moved' && typeof c.to === 'string');
  if (added.length) parts.push(`added: ${list(added)}`);
  if (removed.length) parts.push(`removed: ${list(removed)}`);
  if (changed.length) parts.push(`changed: ${list(changed)}`);
  if (children.length) parts.push(`children: { ${children.map((c) => `${c.field}: '${String(c.to)}'`).join(', ')} }`);
  parts.push(`note: '...'`);
  return `{ ${parts.join(', ')} }`;
}

/** The version after `version` for a bump: `1.3` minor is `1.4`, major is `2.0`. */
export function nextVersion(version: string, bump: Bump): string {
  const [major, minor] = parseVersion(version);
  return bump === 'major' ? `${major + 1}.0` : `${major}.${minor + 1}`;
}

/** Judge `current` (the code's version) against `locked` (the lock file's) for changes needing `required`. */
export function judgeBump(locked: string, current: string, required: Bump | undefined, changes: readonly SchemaChange[]): BumpVerdict {
  const order = compareVersions(current, locked);
  if (required === undefined) {
    if (order === 0) return { ok: true, message: `version ${current}, schema unchanged` };
    return order > 0
      ? { ok: true, message: `version moved from ${locked} to ${current} without a schema change` }
      : { ok: false, message: `version went backwards from ${locked} to ${current}`, suggested: locked };
  }
  const suggested = nextVersion(locked, required);
  if (order < 0)
    return { ok: false, message: `version went backwards from ${locked} to ${current}: bump to ${suggested} instead`, suggested };
  if (order === 0) {
    return { ok: false, message: `version is still ${locked}: bump to ${suggested} and add the history entry listed below`, suggested };
  }
  if (required === 'major' && parseVersion(current)[0] === parseVersion(locked)[0]) {
    const breaking = changes.filter((c) => c.bump === 'major').map((c) => c.message.replace(/ \(.*\)$/, ''));
    return {
      ok: false,
      message: `version ${current} only bumps the minor, but a major change (${breaking.join('; ')}) breaks old readers: bump to ${suggested}`,
      suggested,
    };
  }
  return { ok: true, message: `version bumped from ${locked} to ${current} (a ${required} change needs at least ${suggested})` };
}
