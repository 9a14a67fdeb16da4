import { compareVersions, parseVersion } from '@versioned/objects';
import type { Bump, SchemaChange } from './diff.js';

/** Whether an object's version moved far enough for its schema changes, and what to do if not. */
export interface BumpVerdict {
  readonly ok: boolean;
  readonly message: string;
  /** The version to move to when `ok` is false. */
  readonly suggested?: string;
}

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
  if (order < 0) return { ok: false, message: `version went backwards from ${locked} to ${current}: bump to ${suggested} instead`, suggested };
  if (order === 0) {
    return { ok: false, message: `version is still ${locked}: bump to ${suggested} and add a history entry`, suggested };
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
