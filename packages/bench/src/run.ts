import { deepStrictEqual } from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { measure, type TimingOptions } from './measure.js';
import { OPERATIONS, type JsPeer, type OperationId, type PeerId, type PreparedPeer } from './operations.js';
import { classTransformerPeer } from './peers/class-transformer.js';
import { handWrittenPeer } from './peers/hand-written.js';
import { runOslo, type OsloResults } from './peers/oslo.js';
import { versionedPeer } from './peers/versioned.js';
import type { BenchReport } from './report.js';
import { checkTargets, type Figures } from './targets.js';
import { VOLUME, type VolumeData } from './volume-data.js';

export interface BenchOptions {
  /** A few iterations only: proves the harness works; the figures mean nothing. */
  readonly smoke?: boolean;
  /** Time budget per task, ms (default 2000; smoke 5). */
  readonly timeMs?: number;
  /** Progress lines (to stderr in the script). */
  readonly log?: (line: string) => void;
}

const JS_PEERS: readonly JsPeer[] = [versionedPeer, handWrittenPeer, classTransformerPeer];

function timingFor(options: BenchOptions): TimingOptions {
  if (options.smoke) return { timeMs: options.timeMs ?? 5, warmupMs: 0, batch: 2, iterations: 2 };
  return { timeMs: options.timeMs ?? 2000, warmupMs: 300, batch: 32, iterations: 10 };
}

function parsed(json: string): unknown {
  return JSON.parse(json);
}

function withSortedTags(envelope: unknown): unknown {
  const copy = structuredClone(envelope) as Record<string, Record<string, unknown>>;
  const data = copy['versioned_object.data'];
  if (data && Array.isArray(data.tags)) data.tags = [...(data.tags as string[])].sort();
  return copy;
}

/** Refuse to time peers that do not do the same work: same envelope, and a round trip that gives it back. */
function checkPeersAgree(prepared: ReadonlyMap<PeerId, PreparedPeer>, oslo: OsloResults): void {
  const agree = (actual: unknown, expected: unknown, what: string): void => {
    try {
      deepStrictEqual(actual, expected);
    } catch (err) {
      throw new Error(`the peers disagree: ${what}\n${(err as Error).message}`);
    }
  };
  const ours = prepared.get('versioned')!;
  agree(parsed(prepared.get('handWritten')!.wire()), parsed(ours.wire()), 'the hand-written envelope differs from @versioned/objects\'');
  agree(oslo.primitive, withSortedTags(parsed(ours.wire())), 'oslo\'s envelope differs from @versioned/objects\'');
  for (const [id, peer] of prepared) agree(parsed(peer.wireAfterRoundTrip()), parsed(peer.wire()), `${id}'s JSON round trip does not give back what it sent`);
  const backport = ours.operations.backportOldest;
  if (backport) agree(withSortedTags(backport()), oslo.backportOldest, 'the backport to 1.0 differs from oslo\'s');
}

/** A dependency's version, read from its package.json (some do not export it, so walk up from the entry). */
function packageVersion(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

export async function runBench(options: BenchOptions = {}, data: VolumeData = VOLUME): Promise<BenchReport> {
  const log = options.log ?? (() => {});
  const timing = timingFor(options);
  const prepared = new Map<PeerId, PreparedPeer>(JS_PEERS.map((peer) => [peer.id, peer.prepare(data)]));
  const operationIds = OPERATIONS.map((op) => op.id);

  log(`timing oslo (Python), ${operationIds.length} operations × ${timing.timeMs} ms ...`);
  const oslo = await runOslo(data, operationIds, timing.timeMs / 1000);
  checkPeersAgree(prepared, oslo);

  const tasks = new Map<string, () => unknown>();
  for (const op of operationIds) {
    for (const [peerId, peer] of prepared) {
      const fn = peer.operations[op];
      if (fn) tasks.set(`${peerId}:${op}`, fn);
    }
  }
  log(`timing ${tasks.size} JS tasks × ${timing.timeMs} ms ...`);
  const timings = await measure(tasks, timing);

  const figures: Figures = {};
  const rme: BenchReport['rme'] = {};
  for (const op of operationIds) {
    figures[op] = {};
    rme[op] = {};
    const osloOps = oslo.results[op];
    if (osloOps !== undefined) figures[op].oslo = osloOps;
  }
  for (const [name, t] of timings) {
    const [peerId, op] = name.split(':') as [PeerId, OperationId];
    figures[op]![peerId] = t.opsPerSecond;
    rme[op]![peerId] = t.rme;
  }
  const notes = ['the backport row has no hand-written or class-transformer peer: neither has versions to backport to.'];

  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: {
      cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
      cpus: cpus.length,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.versions.node,
      python: oslo.python,
      oslo: oslo.oslo,
      classTransformer: packageVersion('class-transformer'),
      tinybench: packageVersion('tinybench'),
    },
    mode: options.smoke ? 'smoke' : 'full',
    timeMsPerTask: timing.timeMs,
    figures,
    rme,
    notes,
    targets: checkTargets(figures),
  };
}
