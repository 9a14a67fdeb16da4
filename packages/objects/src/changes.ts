// Change tracking of values changed in place: `v.metadata.k = 'x'`, `v.tags.push('y')`, `v.labels.add('z')`.
// Assigned values are always copied (coerce builds a new container or Date), so a caller can only change a
// stored value in place after reading it through the accessor. That first read takes a snapshot (or, for a
// field already changed, marks it read, to be snapshotted at resetChanges()); whatChanged() compares the
// value with its snapshot. Objects never read pay nothing. Child objects are kept by reference: their own
// tracking says whether they changed. Cinder's obj_what_changed overrides catch the same for its dicts.
import { BASE_HOOKS, isVersionedObject, metaOf } from './meta.js';
import type { VersionedObject } from './object.js';

/** The state change tracking keeps on an object. */
export interface Tracked {
  $values: Record<string, unknown>;
  $changes: Set<string>;
  /** By field read through its accessor: a snapshot of its value while unchanged, or READ when it was changed. */
  $baseline: Map<string, unknown> | undefined;
}

/** A field read while changed: snapshotted when its changes are reset. */
const READ = Symbol('read');

/** Whether a value can change in place (and so needs a snapshot). */
export function isMutable(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !isVersionedObject(value);
}

/** The accessor's first read of a mutable value: the caller may change it in place from now on. */
export function trackRead(obj: Tracked, name: string, value: object): void {
  const baseline = (obj.$baseline ??= new Map());
  if (!baseline.has(name)) baseline.set(name, obj.$changes.has(name) ? READ : snapshot(value));
}

/** After resetChanges() (of `names`, or all): what was read is unchanged from now on. */
export function rebaseline(obj: Tracked, names?: readonly string[]): void {
  const baseline = obj.$baseline;
  if (baseline === undefined) return;
  for (const name of names ?? [...baseline.keys()]) {
    if (!baseline.has(name)) continue;
    const value = obj.$values[name];
    if (isMutable(value)) baseline.set(name, snapshot(value));
    else baseline.delete(name);
  }
}

/** Forget what was known of a field that was assigned or unset (it is a change, or it is gone). */
export function forgetBaseline(obj: Tracked, name: string): void {
  obj.$baseline?.delete(name);
}

/** Fields changed in place since their snapshot, not already recorded as changed. */
export function changedInPlace(obj: Tracked): string[] | undefined {
  const baseline = obj.$baseline;
  if (baseline === undefined) return undefined;
  let out: string[] | undefined;
  for (const [name, before] of baseline) {
    if (before !== READ && !obj.$changes.has(name) && !sameValue(before, obj.$values[name])) (out ??= []).push(name);
  }
  return out;
}

/** A copy to compare with later: arrays, Sets and Maps (for dicts) of snapshots; a Date as its time. */
function snapshot(value: unknown): unknown {
  if (!isMutable(value)) return value;
  if (Array.isArray(value)) return value.map(snapshot);
  if (value instanceof Set) return new Set([...value].map(snapshot));
  if (value instanceof Date) return value.getTime();
  const out = new Map<string, unknown>();
  for (const key of Object.keys(value)) out.set(key, snapshot((value as Record<string, unknown>)[key]));
  return out;
}

/** Whether `value` still equals its snapshot `before`. */
function sameValue(before: unknown, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return Object.is(before, value);
  if (Array.isArray(value)) {
    if (!Array.isArray(before) || before.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (!sameValue(before[i], value[i])) return false;
    return true;
  }
  if (value instanceof Date) return Object.is(before, value.getTime());
  if (isVersionedObject(value)) return before === value;
  if (value instanceof Set) {
    if (!(before instanceof Set) || before.size !== value.size) return false;
    for (const item of value) {
      if (before.has(item instanceof Date ? item.getTime() : item)) continue;
      if (!isMutable(item) || ![...before].some((b) => sameValue(b, item))) return false;
    }
    return true;
  }
  if (!(before instanceof Map)) return false;
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    count++;
    if (!before.has(key) || !sameValue(before.get(key), (value as Record<string, unknown>)[key])) return false;
  }
  return count === before.size;
}

/** Whether whatChanged() is non-empty, without allocating unless the class overrides it. */
export function hasChanges(obj: VersionedObject): boolean {
  if (obj.whatChanged !== BASE_HOOKS.whatChanged) return obj.whatChanged().size > 0;
  if (obj.$changes.size > 0 || changedInPlace(obj) !== undefined) return true;
  for (const def of metaOf(obj).objectFields) if (childHasChanges(obj.$values[def.name])) return true;
  return false;
}

/** Whether a field's value holds a child object (alone or in a list) with changes. */
export function childHasChanges(value: unknown): boolean {
  if (Array.isArray(value)) {
    for (const item of value) if (isVersionedObject(item) && hasChanges(item as VersionedObject)) return true;
    return false;
  }
  return isVersionedObject(value) && hasChanges(value as VersionedObject);
}
