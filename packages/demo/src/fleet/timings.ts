import type { UpgradeOptions } from '@versioned/upgrade';

/** The times of a fleet run, in milliseconds: the services table's liveness rule, shortened, and the fleet's own. */
export interface FleetTimings {
  /** How often a registered service beats (Upgrade's reportIntervalMs). */
  readonly reportIntervalMs: number;
  /** A heartbeat older than this makes a row late (Nova's service_down_time). */
  readonly downTimeMs: number;
  /** How long a late row still holds the pins. */
  readonly lateGraceMs: number;
  /** How often each Upgrade polls the SQLite table for a change (PostgreSQL: NOTIFY, plus this as a safety net). */
  readonly pollIntervalMs: number;
  /**
   * The API service's view of the live volume hosts is never older than this when it addresses a call: an
   * older view is read again first (a scheduler's service_is_up over the services table).
   */
  readonly viewMaxAgeMs: number;
  /**
   * A graceful stop marks the host's row stopped, then keeps serving this long before its server stops:
   * longer than `viewMaxAgeMs`, so every call addressed from a view that still listed it has arrived.
   */
  readonly drainMs: number;
  /** How long a call waits for its reply. */
  readonly callTimeoutMs: number;
}

/** The demo's: seconds instead of minutes, so a whole upgrade runs in about 20 s. */
export const DEMO_TIMINGS: FleetTimings = Object.freeze({
  reportIntervalMs: 200,
  downTimeMs: 1_000,
  lateGraceMs: 1_000,
  pollIntervalMs: 50,
  viewMaxAgeMs: 150,
  drainMs: 500,
  callTimeoutMs: 3_000,
});

/** Refuses timings that cannot keep the promise of a drain (a view that may outlive the drain). */
export function checkTimings(timings: FleetTimings): FleetTimings {
  for (const [name, value] of Object.entries(timings)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new RangeError(`timings.${name}: expected a positive number of milliseconds, got ${String(value)}`);
  }
  if (timings.drainMs < 2 * timings.viewMaxAgeMs)
    throw new RangeError(`timings.drainMs (${timings.drainMs}) must be at least twice viewMaxAgeMs (${timings.viewMaxAgeMs})`);
  return timings;
}

/** The Upgrade.open() options these timings set (every process of the fleet opens its Upgrade with them). */
export function upgradeTimings(
  timings: FleetTimings,
): Pick<UpgradeOptions, 'reportIntervalMs' | 'downTimeMs' | 'lateGraceMs' | 'pollIntervalMs' | 'refreshIntervalMs'> {
  return {
    reportIntervalMs: timings.reportIntervalMs,
    downTimeMs: timings.downTimeMs,
    lateGraceMs: timings.lateGraceMs,
    pollIntervalMs: timings.pollIntervalMs,
    refreshIntervalMs: Math.max(timings.pollIntervalMs * 4, 200),
  };
}
