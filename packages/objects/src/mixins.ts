import { field } from './decorators.js';
import { f } from './fields/index.js';
import { VersionedObject } from './object.js';
import { defineOwn } from './fields/containers.js';
import fastStableStringify from 'fast-json-stable-stringify';

type ObjectClass = abstract new (...args: any[]) => VersionedObject;

/** oslo's ComparableVersionedObject: two objects are equal when their primitives are. */
export function Comparable<TBase extends ObjectClass>(Base: TBase): TBase & (abstract new (...args: any[]) => { equals(other: unknown): boolean }) {
  abstract class ComparableObject extends Base {
    equals(other: unknown): boolean {
      return other instanceof VersionedObject && fastStableStringify(sortedChanges(this.toPrimitive())) === fastStableStringify(sortedChanges(other.toPrimitive()));
    }
  }
  return ComparableObject;
}

/** A primitive with every envelope's `changes` sorted: the order fields were assigned in is not part of equality. */
function sortedChanges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedChanges);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const isChanges = key.endsWith('.changes') && Object.hasOwn(value, `${key.slice(0, -'.changes'.length)}.name`) && Array.isArray(v);
    defineOwn(out, key, isChanges ? [...(v as string[])].sort() : sortedChanges(v));
  }
  return out;
}

/** oslo's TimestampedObject: `created_at` and `updated_at`, nullable date-times. */
export function Timestamped<TBase extends ObjectClass>(
  Base: TBase,
): TBase & (abstract new (...args: any[]) => { created_at: Date | null; updated_at: Date | null }) {
  abstract class TimestampedObject extends Base {
    @field(f.dateTime(), { nullable: true }) declare created_at: Date | null;
    @field(f.dateTime(), { nullable: true }) declare updated_at: Date | null;
  }
  return TimestampedObject;
}
