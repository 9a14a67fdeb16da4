import type { ReleaseGroup, ServiceRow } from './store/types.js';

/**
 * The state of a services row:
 * - `live`: its heartbeat is younger than the down time;
 * - `late`: older than the down time, but within the late grace after it: it still holds the pins down;
 * - `dead`: older than down time + late grace (a crashed or partitioned service): it no longer counts;
 * - `stopped`: stopped gracefully; `disabled`: taken out by an operator. Neither counts.
 */
export type ServiceState = 'live' | 'late' | 'dead' | 'stopped' | 'disabled';

/** The times of the liveness rule, in milliseconds. */
export interface LivenessRule {
  /** A heartbeat older than this makes a row late (Nova's service_down_time; default 60 s). */
  readonly downTimeMs: number;
  /** How long a late row still holds the pins down before it is dead (default 60 s). */
  readonly lateGraceMs: number;
}

/** How old a heartbeat may be for its row to be live: 60 s (Nova's `service_down_time`). */
export const DEFAULT_DOWN_TIME_MS = 60_000;
/** How long a row stays late (still holding the pins) after the down time, before it is dead: 60 s. */
export const DEFAULT_LATE_GRACE_MS = 60_000;
/** How often a running service writes its heartbeat: every 10 s (Nova's `report_interval`). */
export const DEFAULT_REPORT_INTERVAL_MS = 10_000;

/** A row with its state and heartbeat age, as an operator's listing shows it. */
export interface ServiceView extends ServiceRow {
  readonly state: ServiceState;
  /** Milliseconds since its last heartbeat (at the time of the listing). */
  readonly heartbeatAgeMs: number;
  /** Whether the row counts for the pins (live or late). */
  readonly holdsPins: boolean;
}

/** A row's state at `now`: disabled, stopped, else live, late or dead by its heartbeat's age against the rule. */
export function serviceState(row: ServiceRow, now: number, rule: LivenessRule): ServiceState {
  if (row.disabled) return 'disabled';
  if (row.stoppedAt !== null) return 'stopped';
  const age = now - row.heartbeatAt;
  if (age < rule.downTimeMs) return 'live';
  return age < rule.downTimeMs + rule.lateGraceMs ? 'late' : 'dead';
}

/** A row with its state, its heartbeat age and whether it holds the pins, at `now`: what an operator's listing shows. */
export function viewOf(row: ServiceRow, now: number, rule: LivenessRule): ServiceView {
  const state = serviceState(row, now, rule);
  return Object.freeze({
    ...row,
    state,
    heartbeatAgeMs: Math.max(0, now - row.heartbeatAt),
    holdsPins: state === 'live' || state === 'late',
  });
}

/** When the first counting row turns dead if it does not beat again: the next moment the pins may lift by themselves. */
export function nextExpiry(groups: readonly ReleaseGroup[], rule: LivenessRule): number | undefined {
  if (groups.length === 0) return undefined;
  return Math.min(...groups.map((group) => group.oldestHeartbeatAt)) + rule.downTimeMs + rule.lateGraceMs;
}
