import type { ObjectMeta, ObjectRegistry } from '@versioned/objects';
import { judgeBump, type BumpVerdict } from './bump.js';
import { diffDescriptions, requiredBump, type Bump, type SchemaChange } from './diff.js';
import { fingerprintRegistry, type ObjectFingerprint } from './fingerprint.js';
import type { LockFile } from './lock-file.js';
import { historyProblems } from './checks/history.js';
import { treeProblems } from './checks/tree.js';
import { compatProblems } from './checks/compat.js';

/** Which check found a problem. */
export type ProblemSource = 'children' | 'history' | 'tree' | 'compat';

export interface Problem {
  readonly check: ProblemSource;
  readonly message: string;
}

export type ObjectStatus = 'unchanged' | 'changed' | 'added' | 'removed';

/** What the check found for one object name. */
export interface ObjectReport {
  readonly name: string;
  readonly status: ObjectStatus;
  readonly lockedVersion?: string;
  readonly version?: string;
  readonly lockedFingerprint?: string;
  readonly fingerprint?: string;
  readonly changes: readonly SchemaChange[];
  readonly requiredBump?: Bump;
  /** For a changed object: whether its version says so. */
  readonly verdict?: BumpVerdict;
  readonly problems: readonly Problem[];
}

export interface CheckReport {
  /** True when the lock file matches the code and no check found a problem. */
  readonly ok: boolean;
  readonly lockFile: string;
  readonly lockFileExists: boolean;
  readonly objects: readonly ObjectReport[];
  /** The fingerprints computed from the code, for `update`. */
  readonly computed: ReadonlyMap<string, ObjectFingerprint>;
}

/** Compare the registry with the lock file and run the tree and compatibility checks. */
export function checkRegistry(registry: ObjectRegistry, lock: LockFile | undefined, lockFile: string): CheckReport {
  const computed = fingerprintRegistry(registry);
  const locked = lock?.objects ?? new Map();
  const names = [...new Set([...computed.keys(), ...locked.keys()])].sort();
  const objects: ObjectReport[] = [];
  for (const name of names) {
    const now = computed.get(name);
    const was = locked.get(name);
    if (!now && was) {
      objects.push({ name, status: 'removed', lockedVersion: was.version, lockedFingerprint: was.fingerprint, changes: [], problems: [] });
      continue;
    }
    if (!now) continue;
    const meta = registry.newest(name);
    const problems: Problem[] = [];
    for (const child of now.description.children) {
      if (child.version === null) {
        problems.push({ check: 'children', message: `field \`${child.field}\` refers to ${child.target}, which no loaded module registers` });
      }
    }
    problems.push(...treeProblems(meta, registry).map((message) => ({ check: 'tree' as const, message })));
    problems.push(...compatProblems(meta, registry).map((message) => ({ check: 'compat' as const, message })));
    const base = { name, version: now.version, fingerprint: now.fingerprint };
    if (!was) {
      objects.push({ ...base, status: 'added', changes: [], problems });
      continue;
    }
    const lockedPart = { lockedVersion: was.version, lockedFingerprint: was.fingerprint };
    if (was.fingerprint === now.fingerprint) {
      objects.push({ ...base, ...lockedPart, status: 'unchanged', changes: [], problems });
      continue;
    }
    const changes = softenRenames(diffDescriptions(was.description, now.description), meta);
    if (changes.length === 0 && was.version === now.version) {
      // The hashes differ, yet no difference the diff knows: a description from another CLI version.
      changes.push({ kind: 'description_changed', bump: 'major', message: 'the schema description changed in a way this version of the CLI cannot name (compare the lock file entry)' });
    }
    const bump = requiredBump(changes);
    const verdict = judgeBump(was.version, now.version, bump, changes);
    if (verdict.ok && bump) problems.push(...historyProblems(meta, was.version, changes).map((message) => ({ check: 'history' as const, message })));
    objects.push({ ...base, ...lockedPart, status: 'changed', changes, ...(bump ? { requiredBump: bump } : {}), verdict, problems });
  }
  const ok = objects.every((o) => o.status === 'unchanged' && o.problems.length === 0);
  return { ok, lockFile, lockFileExists: lock !== undefined, objects, computed };
}

/**
 * A removed field is a break, unless the class reshapes data both ways (makeCompatible for older readers,
 * upgradePrimitive for older data): that is a rename, a minor change, and the compatibility check verifies
 * the old shape.
 */
function softenRenames(changes: SchemaChange[], meta: ObjectMeta): SchemaChange[] {
  if (!overrides(meta.cls.prototype, 'makeCompatible') || !overrides(meta.cls, 'upgradePrimitive')) return changes;
  return changes.map((c) =>
    c.kind === 'field_removed' ? { ...c, bump: 'minor', message: `${c.message}, reshaped by makeCompatible/upgradePrimitive` } : c,
  );
}

/** Whether `key` is overridden below the base class that first defines it (found by walking up, not by identity). */
function overrides(start: object, key: string): boolean {
  const owners: object[] = [];
  for (let o: object | null = start; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, key)) owners.push(o);
  }
  return owners.length > 1;
}

/** Objects whose version does not account for their changes: `update` refuses to lock them without --force. */
export function unbumpedObjects(report: CheckReport): ObjectReport[] {
  return report.objects.filter((o) => o.status === 'changed' && (!o.verdict?.ok || o.problems.some((p) => p.check === 'history')));
}
