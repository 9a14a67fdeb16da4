import { compareVersions, type Manifest } from '@versioned/objects';
import type { LiftPolicy, ResolvedBinaryConfig } from './config.js';
import type { LivenessRule, ServiceState } from './liveness.js';
import type { Release, Releases } from './releases.js';
import type { PinSnapshot } from './store/types.js';

/**
 * Where a binary's pins come from:
 * - `config`: an upgrade level in configuration (a release name or a version): it wins over the table;
 * - `services`: the oldest live (or late) service in the table;
 * - `finalize-hold`: the `finalize` lift policy holds them at a release that ran during this upgrade;
 * - `no-live-service`: no service counts: the oldest release this process knows (or the finalized one), never "unpinned".
 */
export type PinSource = 'config' | 'services' | 'finalize-hold' | 'no-live-service';

/** What holds a pin at its level: a service row, or (policy `finalize`) a release seen during the upgrade. */
export interface PinHolder {
  readonly release: string;
  /** The host of the row; absent for a release held by the upgrade state. */
  readonly host?: string;
  readonly state: ServiceState | 'seen' | 'finalized';
}

/** The pins of one binary, held in memory: what its clients cap and backport to. */
export interface Pins {
  readonly binary: string;
  /** The release the pins are those of. */
  readonly release: string;
  /** The RPC version cap, by API. */
  readonly rpc: Readonly<Record<string, string>>;
  /** The key of the pinned object manifest. */
  readonly objects: string;
  readonly manifest: Manifest;
  readonly source: PinSource;
  readonly liftPolicy: LiftPolicy;
  /** In words: which host or setting holds the pins where they are. */
  readonly reason: string;
  /** Who holds the pins at their level: the first host of each release group (or the releases held by the upgrade state). */
  readonly heldBy: readonly PinHolder[];
  /** How many rows hold the pins at their level (0 for configuration or a finalize hold). */
  readonly heldByCount: number;
  readonly computedAt: number;
}

interface Candidate {
  readonly release: string;
  readonly rank: number;
  readonly rpcVersions: Readonly<Record<string, string>>;
  readonly holders: readonly PinHolder[];
  /** How many rows (a seen or finalized release: 0). */
  readonly count: number;
}

function describe(holders: readonly PinHolder[], count: number): string {
  const hosts = holders
    .filter((h) => h.host !== undefined)
    .map((h) => `${h.host} (release ${h.release}${h.state === 'live' ? '' : `, ${h.state}`})`);
  return count > hosts.length ? `${hosts.join(', ')} and ${count - hosts.length} more` : hosts.join(', ');
}

function pinsAt(
  binary: string,
  release: Release,
  rpc: Record<string, string>,
  rest: Omit<Pins, 'binary' | 'release' | 'rpc' | 'objects' | 'manifest'>,
): Pins {
  return Object.freeze({
    binary,
    release: release.name,
    rpc: Object.freeze(rpc),
    objects: release.objects,
    manifest: release.manifest,
    ...rest,
    heldBy: Object.freeze([...rest.heldBy]),
  });
}

/**
 * The caps of every API of the binary at `release`: what it serves, and for an API it does not serve yet, the
 * first version any release declares (never "uncapped").
 */
function capsAt(releases: Releases, release: Release): Record<string, string> {
  const caps: Record<string, string> = {};
  for (const api of releases.apis)
    caps[api] = release.rpc[api] ?? (releases.list.find((r) => r.rpc[api] !== undefined)?.rpc[api] as string);
  return caps;
}

/**
 * The pins of a binary from its configuration and a read of the table (the counting rows by release), at
 * time `now`. Pure: the refresher calls it after each read; nothing on the call path does.
 */
export function computePins(
  releases: Releases,
  config: ResolvedBinaryConfig,
  snapshot: PinSnapshot,
  now: number,
  rule: LivenessRule,
): Pins {
  const binary = releases.binary;
  const common = { liftPolicy: config.lift, computedAt: now, heldByCount: 0 };
  const level = config.level;
  if (level.kind === 'release') {
    return pinsAt(binary, level.release, capsAt(releases, level.release), {
      ...common,
      source: 'config',
      reason: `${level.option} = ${JSON.stringify(level.release.name)} in configuration`,
      heldBy: [],
    });
  }
  if (level.kind === 'version') {
    return pinsAt(
      binary,
      level.release,
      { ...capsAt(releases, level.release), [level.api]: level.version },
      { ...common, source: 'config', reason: `${level.option} = ${JSON.stringify(level.version)} in configuration`, heldBy: [] },
    );
  }

  const candidates: Candidate[] = [];
  for (const group of snapshot.groups) {
    const holders: PinHolder[] = [
      { host: group.firstHost, release: group.release, state: now - group.newestHeartbeatAt < rule.downTimeMs ? 'live' : 'late' },
    ];
    candidates.push({ release: group.release, rpcVersions: group.rpcVersions, rank: releases.rankOf(group), holders, count: group.count });
  }
  const liveCount = candidates.length;
  if (config.lift === 'finalize') {
    const finalized = snapshot.finalized;
    for (const seen of snapshot.seen) {
      if (finalized === undefined || seen.lastSeenAt > finalized.at)
        candidates.push({
          release: seen.release,
          rpcVersions: seen.rpcVersions,
          rank: releases.rankOf(seen),
          holders: [{ release: seen.release, state: 'seen' }],
          count: 0,
        });
    }
    const at = finalized && releases.find(finalized.release);
    if (at)
      candidates.push({
        release: at.name,
        rpcVersions: at.rpc,
        rank: at.index,
        holders: [{ release: at.name, state: 'finalized' }],
        count: 0,
      });
  }

  if (candidates.length === 0) {
    const at = (snapshot.finalized && releases.find(snapshot.finalized.release)) ?? releases.oldest;
    const why = at === releases.oldest ? `the oldest release this process knows` : `the release the fleet was finalized at`;
    return pinsAt(binary, at, capsAt(releases, at), {
      ...common,
      source: 'no-live-service',
      reason: `no live ${binary} service: pinned to ${at.name}, ${why}`,
      heldBy: [],
    });
  }

  const lowest = Math.min(...candidates.map((c) => c.rank));
  const release = releases.list[Math.max(0, Math.min(lowest, releases.list.length - 1))] as Release;
  const rpc = capsAt(releases, release);
  for (const c of candidates) {
    for (const [api, served] of Object.entries(c.rpcVersions)) {
      const cap = rpc[api];
      if (cap !== undefined && c.rank <= release.index && compareVersions(served, cap) < 0) rpc[api] = served;
    }
  }
  const holding = candidates.filter((c) => c.rank === lowest);
  const heldBy = holding.flatMap((c) => c.holders);
  const heldByCount = holding.reduce((sum, c) => sum + c.count, 0);
  let source: PinSource = 'services';
  let reason: string;
  if (heldByCount > 0) {
    reason = `oldest live ${binary} service: ${describe(heldBy, heldByCount)}`;
    if (lowest < 0) reason += `, older than any release this process knows: pinned to its oldest, ${release.name}`;
  } else {
    source = 'finalize-hold';
    const what = heldBy.some((h) => h.state === 'finalized')
      ? `the fleet is finalized at ${release.name}`
      : `release ${release.name} ran during this upgrade`;
    reason = `lift policy finalize: ${what}${liveCount > 0 ? ` (every live service is newer)` : ''}; finalize ${binary} to lift`;
  }
  return pinsAt(binary, release, rpc, { ...common, heldByCount, source, reason, heldBy });
}

/** Whether two pins differ in what a client sends. */
export function pinsDiffer(a: Pins, b: Pins): boolean {
  if (a.objects !== b.objects) return true;
  const apis = new Set([...Object.keys(a.rpc), ...Object.keys(b.rpc)]);
  return [...apis].some((api) => a.rpc[api] !== b.rpc[api]);
}

/**
 * One line for the log: what moved and why (`volume pins lifted: rpc volume 1.0 -> 1.1, objects N -> N+1;
 * host-a (release N) stopped; ...`). `now` says what became of a row that held the old pins.
 */
export function describeChange(releases: Releases, from: Pins, to: Pins, now: (host: string) => string): string {
  const moves: string[] = [];
  for (const api of new Set([...Object.keys(from.rpc), ...Object.keys(to.rpc)])) {
    if (from.rpc[api] !== to.rpc[api]) moves.push(`rpc ${api} ${from.rpc[api] ?? 'none'} -> ${to.rpc[api] ?? 'none'}`);
  }
  if (from.objects !== to.objects) moves.push(`objects ${from.objects} -> ${to.objects}`);
  const rank = (pins: Pins) => releases.find(pins.release)?.index ?? -1;
  const direction = rank(to) > rank(from) ? 'lifted' : rank(to) < rank(from) ? 'lowered' : 'moved';
  // On a lift, say what became of the hosts that held the old pins; on a drop, the new holder is the reason.
  const gone = direction === 'lifted' ? from.heldBy.filter((h) => h.host !== undefined && !to.heldBy.some((t) => t.host === h.host)) : [];
  const was = gone.slice(0, 3).map((h) => `${h.host} (release ${h.release}) ${now(h.host as string)}`);
  return `${to.binary} pins ${direction}: ${moves.join(', ')}; ${was.length && to.source !== 'config' ? `${was.join(', ')}; ` : ''}now ${to.reason}`;
}
