// What a class's envelope holds at a given wire version, shared by the schema and by strict decoding so the
// two describe the same set. A version before the declared history has the fields of its first entry.
import { compareVersions } from './version.js';
import { fieldExistsAt } from './backport.js';
import type { ObjectMeta } from './meta.js';

/**
 * The versions at which something about the class's wire form changes: its history entries and the parent
 * versions of its relationships. Between two of them nothing changes, so they key compiled schemas.
 */
function breakpoints(meta: ObjectMeta): string[] {
  let points = BREAKPOINTS.get(meta);
  if (!points) {
    const all = new Set(meta.history.entries.map((e) => e.version));
    for (const pairs of meta.history.relationships.values()) for (const [parent] of pairs) all.add(parent);
    points = [...all].sort(compareVersions);
    BREAKPOINTS.set(meta, points);
  }
  return points;
}
const BREAKPOINTS = new WeakMap<ObjectMeta, string[]>();

/** The breakpoint whose wire form `version` has: the newest one at or below it (the first, below them all). */
export function effectiveVersion(meta: ObjectMeta, version: string): string {
  const points = breakpoints(meta);
  let found = points[0] as string;
  for (const point of points) {
    if (compareVersions(point, version) > 0) break;
    found = point;
  }
  return found;
}

/** The data keys an envelope of `meta` may carry at `version`: its fields then, removed ones included. */
export function wireFieldsAt(meta: ObjectMeta, version: string): ReadonlySet<string> {
  const at = effectiveVersion(meta, version);
  let byVersion = WIRE_FIELDS.get(meta);
  if (!byVersion) WIRE_FIELDS.set(meta, (byVersion = new Map()));
  let names = byVersion.get(at);
  if (!names) {
    const history = meta.history;
    const found = new Set<string>();
    for (const def of meta.fields) if (fieldExistsAt(history, def.name, at)) found.add(def.name);
    for (const [removed, [since, removedIn]] of history.removedFields) {
      if (compareVersions(at, since) >= 0 && compareVersions(at, removedIn) < 0) found.add(removed);
    }
    byVersion.set(at, (names = found));
  }
  return names;
}
const WIRE_FIELDS = new WeakMap<ObjectMeta, Map<string, ReadonlySet<string>>>();
