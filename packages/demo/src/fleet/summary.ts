import type { LoadStats } from './load.js';
import type { DeliveryLedger } from './recorder.js';

/** The end of a run in numbers (JSON-safe). */
export interface Summary {
  readonly stats: LoadStats;
  /** Requests delivered to a host more than once (a call or cast run twice). */
  readonly duplicates: number;
  /** Casts the transport accepted that no host received. */
  readonly castsLost: number;
  /** Messages a host could not decode, plus replies the caller could not. */
  readonly undecodable: number;
  /** Each change of the volume pins the caller saw: seconds into the run, and the reason logged. */
  readonly pinChanges: readonly { readonly t: number; readonly message: string }[];
  readonly timeline: string | undefined;
  readonly seconds: number;
}

export function summarize(
  stats: LoadStats,
  ledger: DeliveryLedger,
  castsLost: number,
  pinChanges: readonly { t: number; message: string }[],
  seconds: number,
  timeline?: string,
): Summary {
  return {
    stats,
    duplicates: ledger.duplicates().length,
    castsLost,
    undecodable: stats.undecodable + ledger.undecodable.length,
    pinChanges,
    timeline,
    seconds,
  };
}

/** The final table, one string per line. */
export function formatSummary(summary: Summary): string[] {
  const { stats } = summary;
  const failedBy = Object.entries(stats.failedByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const rows: [string, string][] = [
    ['calls and casts made', `${stats.made} in ${summary.seconds.toFixed(1)} s (${stats.calls} calls, ${stats.casts} casts)`],
    [
      'sent, by method',
      Object.entries(stats.byMethod)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([m, n]) => `${m} ${n}`)
        .join(', '),
    ],
    ['answered', String(stats.answered)],
    ['failed', `${stats.failed}${failedBy ? ` (${failedBy})` : ''}`],
    ['degraded by canSendVersion', String(stats.degraded)],
    ['objects backported', String(stats.backported)],
    ['cap errors', String(stats.capErrors)],
    ['undecodable', String(summary.undecodable)],
    ['run twice', String(summary.duplicates)],
    ['casts lost', String(summary.castsLost)],
    ['pin changes', String(summary.pinChanges.length)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  for (const change of summary.pinChanges) lines.push(`    +${change.t.toFixed(1)} s  ${change.message}`);
  if (summary.timeline) lines.push(`  timeline: ${summary.timeline}`);
  return lines;
}

/** 0 when every call was answered and nothing ran twice, was lost or could not be read; 1 otherwise (`pnpm demo`'s exit code, either fleet). */
export function exitCodeOf(summary: Summary): number {
  return summary.stats.failed === 0 && summary.duplicates === 0 && summary.undecodable === 0 && summary.castsLost === 0 ? 0 : 1;
}
