import { LIST_BRAND } from './meta.js';
import { VersionedObject, type FieldKey, type FieldsOf } from './object.js';

/**
 * The base of list objects (oslo's ObjectListBase): a versioned object whose `objects` field holds the
 * items. Subclasses declare it: `@field(f.listOfObjects('Volume'), { default: [] }) declare objects: Volume[]`.
 */
export class ObjectList<T extends VersionedObject> extends VersionedObject implements Iterable<T> {
  // No `objects` here: a subclass declares it, `declare objects: T[]` (legacy decorators) or `accessor objects!: T[]`
  // (standard), and TypeScript refuses an accessor over a base class's property.
  static readonly [LIST_BRAND] = true;

  constructor(init?: Record<string, unknown>) {
    super(init);
    // As oslo's ObjectListBase: a new list holds an empty `objects`, not counted as a change, so it goes out as {objects: []}.
    if (this.$values.objects === undefined) this.$values.objects = [];
  }

  /** The number of items (0 while `objects` is unset). */
  get length(): number {
    return this.items().length;
  }

  /** The item at `index` (negative counts from the end), as Array's `at`. */
  at(index: number): T | undefined {
    return this.items().at(index);
  }

  /** Iterates over the items: `for (const volume of volumes)`. */
  [Symbol.iterator](): Iterator<T> {
    return this.items()[Symbol.iterator]();
  }

  /** Whether the list holds this very item. */
  includes(item: T): boolean {
    return this.items().includes(item);
  }

  /** The index of this very item, or -1. */
  indexOf(item: T): number {
    return this.items().indexOf(item);
  }

  /** The items mapped, as an array. */
  map<U>(fn: (item: T, index: number) => U): U[] {
    return this.items().map(fn);
  }

  /** The items `fn` accepts, as an array (not a list object). */
  filter(fn: (item: T, index: number) => boolean): T[] {
    return this.items().filter(fn);
  }

  /** The first item `fn` accepts. */
  find(fn: (item: T, index: number) => boolean): T | undefined {
    return this.items().find(fn);
  }

  /** Calls `fn` for each item. */
  forEach(fn: (item: T, index: number) => void): void {
    this.items().forEach(fn);
  }

  /** Append items; `objects` counts as changed. */
  push(...items: T[]): number {
    const all = [...this.items(), ...items];
    this.update({ objects: all } as unknown as FieldsOf<this>);
    return all.length;
  }

  /** An unset list reads as empty rather than lazy-loading. */
  private items(): T[] {
    return this.isSet('objects' as FieldKey<this>) ? (this as unknown as { objects: T[] }).objects : [];
  }
}
