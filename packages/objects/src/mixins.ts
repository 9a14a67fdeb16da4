import { field } from './decorators.js';
import { f } from './fields/index.js';
import { VersionedObject } from './object.js';
import fastStableStringify from 'fast-json-stable-stringify';

type ObjectClass = abstract new (...args: any[]) => VersionedObject;

/** oslo's ComparableVersionedObject: two objects are equal when their primitives are. */
export function Comparable<TBase extends ObjectClass>(
  Base: TBase,
): TBase &
  (abstract new (
    ...args: any[]
  ) => {
    /** Whether `other` is an object of the same class and version with the same primitive. */
    equals(other: unknown): boolean;
  }) {
  abstract class ComparableObject extends Base {
    equals(other: unknown): boolean {
      // `changes` lists fields in declaration order, so equal objects give equal primitives.
      return other instanceof VersionedObject && fastStableStringify(this.toPrimitive()) === fastStableStringify(other.toPrimitive());
    }
  }
  return ComparableObject;
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
