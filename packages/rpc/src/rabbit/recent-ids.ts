/**
 * The last `capacity` message ids seen, to drop a redelivered duplicate (oslo's _MsgIdCache keeps 16).
 * Memory is bounded: the oldest id is forgotten when a new one arrives at capacity.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RecentIds capacity must be a positive integer, got ${capacity}`);
  }

  /** Record `id`; true if it was already among the recent ones. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    // A Set iterates in insertion order, so its first entry is the oldest.
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return false;
  }

  get size(): number {
    return this.ids.size;
  }
}
