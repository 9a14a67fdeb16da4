import { VersionedError } from './errors.js';

/** A parsed `X.Y` or `X.Y.Z` version: integers per part, so 1.10 > 1.9. */
export type VersionTuple = readonly [major: number, minor: number, revision: number];

const VERSION_RE = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:\.(0|[1-9]\d{0,8}))?$/;
const cache = new Map<string, VersionTuple>();

/** Whether `value` is a version string, `X.Y` or `X.Y.Z` (decimal integers, no leading zeros). */
export function isVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION_RE.test(value);
}

/** Parse `X.Y` or `X.Y.Z` (a missing revision is 0); anything else is a VersionedError `invalid_version`. */
export function parseVersion(version: string): VersionTuple {
  const hit = cache.get(version);
  if (hit) return hit;
  const m = typeof version === 'string' ? VERSION_RE.exec(version) : null;
  if (!m) {
    throw new VersionedError('invalid_version', `expected a version "X.Y" or "X.Y.Z", got ${describeValue(version)}`);
  }
  const parsed: VersionTuple = [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])];
  if (cache.size < 10_000) cache.set(version, parsed);
  return parsed;
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  // The common case (an object at its own version): no lookups. An invalid version still throws below.
  if (a === b && cache.has(a)) return 0;
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/**
 * oslo's version_is_compatible(implemented, requested): same major, and the requested minor
 * (then revision) no higher than the implemented one.
 */
export function isCompatible(implemented: string, requested: string): boolean {
  const imp = parseVersion(implemented);
  const req = parseVersion(requested);
  if (imp[0] !== req[0]) return false;
  if (req[1] !== imp[1]) return req[1] < imp[1];
  return req[2] <= imp[2];
}

/** `1.2.3` -> `1.2`; `1.2` stays. oslo strips the revision before asking for a backport. */
export function stripRevision(version: string): string {
  const [major, minor] = parseVersion(version);
  return `${major}.${minor}`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Date) return `a Date (${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  const proto = Object.getPrototypeOf(value);
  const name = proto && typeof proto.constructor === 'function' ? proto.constructor.name : '';
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
