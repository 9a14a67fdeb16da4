// Change tracking of values changed in place: `v.metadata.k = 'x'`, `v.tags.push('y')`, `v.labels.add('z')`.
// A field whose value is a container (or a Date) is snapshotted when it can first be reached unchanged: on
// its first read through the accessor, and for every set field at resetChanges(). whatChanged() compares
// the value with its snapshot, so an in-place change counts as a change, as Cinder's obj_what_changed
// overrides make it count for its dict fields. Child objects are kept by reference: their own tracking
// says whether they changed.
import { isVersionedObject } from './meta.js';

/** The state change tracking keeps on an object. */
export interface Tracked {
  $values: Record<string, unknown>;
  $changes: Set<string>;
  /** Snapshots of container values, by field, taken while they were unchanged. */
  $baseline: Record<string, unknown> | undefined;
}

/** Whether a value can change in place (and so needs a snapshot). */
export function isMutable(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !isVersionedObject(value);
}

/** Snapshot a field's value the first time it is read while unchanged. */
export function trackRead(obj: Tracked, name: string, value: object): void {
  const baseline = (obj.$baseline ??= Object.create(null) as Record<string, unknown>);
  if (!(name in baseline) && !obj.$changes.has(name)) baseline[name] = snapshot(value);
}

/** After resetChanges(): every set container field is unchanged from now on. */
export function rebaseline(obj: Tracked, names?: readonly string[]): void {
  if (names === undefined) obj.$baseline = undefined;
  else if (obj.$baseline) for (const name of names) delete obj.$baseline[name];
  for (const name of names ?? Object.keys(obj.$values)) {
    const value = obj.$values[name];
    if (isMutable(value)) (obj.$baseline ??= Object.create(null) as Record<string, unknown>)[name] = snapshot(value);
  }
}

/** Forget the snapshot of a field that was assigned or unset (it is a change, or it is gone). */
export function forgetBaseline(obj: Tracked, name: string): void {
  if (obj.$baseline !== undefined) delete obj.$baseline[name];
}

/** Fields changed in place since their snapshot, not already recorded as changed. */
export function changedInPlace(obj: Tracked): string[] | undefined {
  const baseline = obj.$baseline;
  if (baseline === undefined) return undefined;
  let out: string[] | undefined;
  for (const name in baseline) {
    if (!obj.$changes.has(name) && !sameValue(baseline[name], obj.$values[name])) (out ??= []).push(name);
  }
  return out;
}

function snapshot(value: unknown): unknown {
  if (!isMutable(value)) return value;
  if (Array.isArray(value)) return value.map(snapshot);
  if (value instanceof Set) return new Set([...value].map(snapshot));
  if (value instanceof Date) return value.getTime();
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) out[key] = snapshot((value as Record<string, unknown>)[key]);
  return out;
}

/** Whether `value` still equals its snapshot `before`. */
function sameValue(before: unknown, value: unknown): boolean {
  if (!isMutable(value)) return Object.is(before, value);
  if (value instanceof Date) return Object.is(before, value.getTime());
  if (Array.isArray(value)) {
    if (!Array.isArray(before) || before.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (!sameValue(before[i], value[i])) return false;
    return true;
  }
  if (value instanceof Set) {
    if (!(before instanceof Set) || before.size !== value.size) return false;
    for (const item of value) {
      if (before.has(isMutable(item) ? snapshotKey(item) : item)) continue;
      if (!isMutable(item) || ![...before].some((b) => sameValue(b, item))) return false;
    }
    return true;
  }
  if (typeof before !== 'object' || before === null || Array.isArray(before) || before instanceof Set) return false;
  const keys = Object.keys(value);
  if (keys.length !== Object.keys(before).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(before, key) || !sameValue((before as Record<string, unknown>)[key], (value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** A Date in a Set is snapshotted as its time: look that up first. */
function snapshotKey(item: object): unknown {
  return item instanceof Date ? item.getTime() : item;
}
