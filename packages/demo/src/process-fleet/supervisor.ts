import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Upgrade } from '@versioned/upgrade';
import type { Operation, Outcome } from '../fleet/api-service.js';
import { LoadGenerator, type Caller, type LoadStats } from '../fleet/load.js';
import type { FleetControl } from '../fleet/plan.js';
import { DeliveryLedger, OutcomeLog, Recorder, type Sample, type SentCast } from '../fleet/recorder.js';
import { checkTimings, upgradeTimings, type FleetTimings } from '../fleet/timings.js';
import { VOLUME_BINARY, type HostReport } from '../fleet/volume-host.js';
import { API_RELEASES, VOLUME_RELEASES } from '../releases/releases.js';
import type { ChildConfig } from './child-main.js';
import { FleetChild, type ChildEvent } from './child.js';
import { createDatabase } from './database.js';
import { startPythonHost } from './python-host.js';

const CHILD_MAIN = fileURLToPath(new URL('./child-main.js', import.meta.url));

/** The process fleet's times: the demo's, with room for process start-up and a broker's reconnection. */
export const PROCESS_TIMINGS: FleetTimings = Object.freeze({
  reportIntervalMs: 250,
  downTimeMs: 1_500,
  lateGraceMs: 1_500,
  pollIntervalMs: 100,
  viewMaxAgeMs: 200,
  drainMs: 600,
  callTimeoutMs: 6_000,
});

export interface ProcessFleetOptions {
  /** The broker (rabbit:// or amqp://). */
  readonly brokerUrl: string;
  /** A PostgreSQL server to create the run's own database on (any database of it; the run's is dropped after). */
  readonly postgresUrl: string;
  readonly timings?: FleetTimings;
  /** The volume hosts, all on release N at the start; `python: true` runs python/volume_host.py. */
  readonly hosts?: readonly { readonly name: string; readonly python?: boolean }[];
  readonly ratePerSecond?: number;
  readonly sampleMs?: number;
  readonly onSample?: (sample: Sample) => void;
  /** Told of every operation's outcome, with its request id. */
  readonly onOutcome?: (outcome: Outcome, requestId: string) => void;
}

/** When a host did not serve (from its kill or stop to the moment its next process was ready), or the broker's fault. */
export interface Downtime {
  readonly host: string;
  readonly how: 'killed' | 'stopped' | 'broker';
  readonly from: number;
  to: number | undefined;
}

/** A host or API process of the fleet, with what it runs. */
interface Member {
  readonly child: FleetChild;
  readonly release: string;
  readonly python: boolean;
}

/** The API service's process as the load's Caller: each operation goes over stdin, its Outcome comes back on stdout. */
class ApiProcess implements Caller {
  readonly #pending = new Map<string, (outcome: Outcome) => void>();
  pins: { volume: string; api: string } = { volume: '?', api: '?' };

  constructor(
    readonly child: FleetChild,
    readonly release: string,
  ) {
    child.on((event) => {
      if (event.event === 'outcome') {
        const resolve = this.#pending.get(String(event['requestId']));
        this.#pending.delete(String(event['requestId']));
        resolve?.(event['outcome'] as Outcome);
      } else if (event.event === 'pins' || (event.event === 'ready' && event['pins'])) {
        const pins = (event.event === 'pins' ? event : event['pins']) as Record<string, unknown>;
        this.pins = { volume: String(pins['volume']), api: String(pins['api']) };
      }
    });
    void child.exited.then(() => {
      for (const [, resolve] of this.#pending)
        resolve({
          op: 'get_volume',
          kind: 'call',
          host: undefined,
          sentAt: Date.now(),
          degraded: false,
          backported: 0,
          error: { code: 'api_exited', message: `${child.name} exited`, undecodable: false },
        });
      this.#pending.clear();
    });
  }

  run(op: Operation, requestId: string): Promise<Outcome> {
    return new Promise((resolve) => {
      this.#pending.set(requestId, resolve);
      this.child.send({ cmd: 'run', op, requestId });
    });
  }

  async command(cmd: Record<string, unknown>, reply: string): Promise<ChildEvent> {
    const count = this.child.events.filter((e) => e.event === reply).length;
    this.child.send(cmd);
    return this.child.waitFor(reply, 10_000, (e) => this.child.events.filter((x) => x.event === reply).indexOf(e) >= count);
  }
}

/**
 * The fleet as OS processes: the API service and each volume host a process of its own (TypeScript, or the
 * Python host of release N), on RabbitMQ and a PostgreSQL services table of the run's own; the load, the
 * recorder and the operator's Upgrade in this process, the supervisor.
 */
export class ProcessFleet implements FleetControl {
  readonly recorder = new Recorder('Rolling upgrade of a process fleet (RabbitMQ, PostgreSQL, a Python host) under load');
  readonly ledger = new DeliveryLedger();
  readonly members = new Map<string, Member>();
  readonly downtimes: Downtime[] = [];
  readonly pinChanges: { t: number; message: string }[] = [];
  readonly warnings: string[] = [];
  /** Every cast the transport accepted: whether a host received it is in the ledger. */
  readonly outcomes = new OutcomeLog(this.recorder, this.ledger);
  readonly exchange = `versioned_fleet_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  readonly timings: FleetTimings;
  readonly volumeHosts: readonly string[];
  readonly dir = mkdtempSync(join(tmpdir(), 'versioned-fleet-'));
  database!: Awaited<ReturnType<typeof createDatabase>>;
  operator!: Upgrade;
  load!: LoadGenerator;
  #api!: ApiProcess;
  #apiCount = 0;
  #sampler: NodeJS.Timeout | undefined;
  #finalStats: LoadStats | undefined;
  readonly #options: ProcessFleetOptions;

  private constructor(options: ProcessFleetOptions) {
    this.#options = options;
    this.timings = checkTimings(options.timings ?? PROCESS_TIMINGS);
    this.volumeHosts = (options.hosts ?? DEFAULT_HOSTS).map((h) => h.name);
  }

  /** Create the database, start every host on release N and the API service on N, then the load and the sampler. */
  static async open(options: ProcessFleetOptions): Promise<ProcessFleet> {
    const fleet = new ProcessFleet(options);
    try {
      fleet.database = await createDatabase(options.postgresUrl);
      fleet.operator = await Upgrade.open({
        database: fleet.database.url,
        binaries: [VOLUME_RELEASES, API_RELEASES],
        config: { liftPolicy: { volume: 'finalize' } },
        reloadOnSighup: false,
        logger: { info: () => {}, warn: (line) => fleet.warnings.push(line) },
        ...upgradeTimings(fleet.timings),
      });
      await Promise.all((options.hosts ?? DEFAULT_HOSTS).map((h) => fleet.startHost(h.name, 'N', { python: h.python ?? false })));
      fleet.#api = await fleet.#startApi('N');
      fleet.load = new LoadGenerator({
        caller: fleet.#api,
        ratePerSecond: options.ratePerSecond ?? 8 * fleet.volumeHosts.length,
        idPrefix: fleet.exchange,
        onOutcome: (outcome, id) => {
          options.onOutcome?.(outcome, id);
          fleet.outcomes.take(outcome, id);
        },
      });
      fleet.sampleNow();
      fleet.#sampler = setInterval(() => fleet.sampleNow(), options.sampleMs ?? 250);
      fleet.load.start();
      return fleet;
    } catch (error) {
      await fleet.close().catch(() => undefined);
      throw error;
    }
  }

  #config(role: 'volume' | 'api', host: string, release: string): ChildConfig {
    return {
      role,
      host,
      release,
      broker: this.#options.brokerUrl,
      exchange: this.exchange,
      database: this.database.url,
      timings: this.timings,
    };
  }

  #watch(host: string, child: FleetChild, release: string): void {
    child.on((event) => {
      if (event.event === 'delivered' || event.event === 'undecodable') {
        this.ledger.take({ ...event, kind: event.event, host, release, at: Number(event['at'] ?? Date.now()) } as unknown as HostReport);
      } else if (event.event === 'warn') {
        this.warnings.push(`${child.name}: ${String(event['message'])}`);
      }
    });
  }

  /** Start a process for `host` on `release` (Python only for release N) and wait until it serves. */
  async startHost(host: string, release: string, options: { python?: boolean; forceBelowFinalized?: boolean } = {}): Promise<void> {
    const python = options.python ?? false;
    if (python && release !== 'N') throw new RangeError('the Python host runs release N only');
    if (this.members.get(host)?.child.running) throw new Error(`${host} is running: stop it first`);
    const rows = join(this.dir, `${host}.rows.json`);
    const child = python
      ? startPythonHost({
          host,
          brokerUrl: this.#options.brokerUrl,
          exchange: this.exchange,
          topic: 'volume',
          database: this.database.url,
          reportIntervalMs: this.timings.reportIntervalMs,
          deadAfterMs: this.timings.downTimeMs + this.timings.lateGraceMs,
          drainMs: this.timings.drainMs,
          rows,
          forceBelowFinalized: options.forceBelowFinalized ?? false,
        })
      : FleetChild.start(`${host} (TypeScript, release ${release})`, process.execPath, [
          CHILD_MAIN,
          JSON.stringify({
            ...this.#config('volume', host, release),
            zone: `az-${host}`,
            rows,
            forceBelowFinalized: options.forceBelowFinalized ?? false,
          }),
        ]);
    this.#watch(host, child, release);
    this.members.set(host, { child, release, python });
    await child.waitFor('ready', 60_000);
    const down = this.downtimes.findLast((d) => d.host === host && d.to === undefined);
    if (down) down.to = Date.now();
    this.recorder.event('step', `${host} serves release ${release}${python ? ' (Python)' : ''}`, host);
  }

  /** Graceful: SIGTERM (the row is marked stopped, the host drains), then wait for the exit. */
  async stopHost(host: string): Promise<void> {
    const member = this.#member(host);
    this.downtimes.push({ host, how: 'stopped', from: Date.now(), to: undefined });
    const exit = await member.child.stop(this.timings.drainMs + 15_000);
    if (exit.code !== 0)
      throw new Error(`${member.child.name} did not stop cleanly (${exit.signal ?? exit.code})\n${member.child.diagnostics}`);
  }

  /**
   * A broker fault (`close` closes the connections, e.g. rabbitmqctl close_all_connections), recorded with its
   * time. It fails no call: calls in flight wait for the reconnection, their replies wait in their reply queues.
   */
  async brokerFault(what: string, close: () => Promise<void>): Promise<void> {
    const fault: Downtime = { host: '(broker)', how: 'broker', from: Date.now(), to: undefined };
    this.downtimes.push(fault);
    await close();
    fault.to = Date.now();
    this.recorder.event('fault', what);
  }

  /** SIGKILL: the row is left to turn late, then dead. */
  async killHost(host: string): Promise<void> {
    const member = this.#member(host);
    this.downtimes.push({ host, how: 'killed', from: Date.now(), to: undefined });
    member.child.signal('SIGKILL');
    await member.child.exited;
    this.recorder.event('fault', `${host}: SIGKILL`, host);
  }

  #member(host: string): Member {
    const member = this.members.get(host);
    if (!member) throw new RangeError(`no volume host ${JSON.stringify(host)}`);
    return member;
  }

  async restartHost(host: string, release: string): Promise<void> {
    await this.stopHost(host);
    await this.startHost(host, release);
  }

  async #startApi(release: string): Promise<ApiProcess> {
    const host = `api-${++this.#apiCount}`;
    const child = FleetChild.start(`${host} (TypeScript, release ${release})`, process.execPath, [
      CHILD_MAIN,
      JSON.stringify(this.#config('api', host, release)),
    ]);
    const api = new ApiProcess(child, release);
    child.on((event) => {
      // Only the API service the load goes to speaks for the caller's pins.
      if (event.event === 'pins' && this.#api === api)
        this.pinChanges.push({ t: this.recorder.now() / 1000, message: `${host}: ${String(event['message'])}` });
      if (event.event === 'pins') this.recorder.event('pins', `${host}: ${String(event['message'])}`);
      if (event.event === 'warn') this.warnings.push(`${child.name}: ${String(event['message'])}`);
    });
    await child.waitFor('ready', 60_000);
    return api;
  }

  /** The API service on `release`: the new process starts, the load moves to it, the old one's volumes are handed over, it stops. */
  async replaceApi(release: string): Promise<void> {
    const previous = this.#api;
    const next = await this.#startApi(release);
    await this.load.switchTo(next);
    this.#api = next;
    const { volumes } = await previous.command({ cmd: 'volumes' }, 'volumes');
    await next.command({ cmd: 'merge', volumes }, 'merged');
    const exit = await previous.child.stop(15_000);
    if (exit.code !== 0) throw new Error(`${previous.child.name} did not stop cleanly (${exit.signal ?? exit.code})`);
    this.recorder.event('step', `api service on release ${release}`);
  }

  async finalize(): Promise<void> {
    const state = await this.operator.finalize(VOLUME_BINARY, { by: 'operator@process-fleet' });
    this.recorder.event('step', `volume finalized at ${state.release}`);
  }

  /** SIGHUP to every process of the fleet; resolves once each has said it got it. */
  async reloadAll(): Promise<void> {
    const children = [this.#api.child, ...[...this.members.values()].map((m) => m.child)].filter((c) => c.running);
    await Promise.all(
      children.map((child) => {
        const seen = child.events.filter((e) => e.event === 'sighup').length;
        child.signal('SIGHUP');
        return child.waitFor('sighup', 10_000, (e) => child.events.filter((x) => x.event === 'sighup').indexOf(e) >= seen);
      }),
    );
    this.recorder.event('reload', `SIGHUP to ${children.length} processes`);
  }

  get api(): ApiProcess {
    return this.#api;
  }

  sampleNow(): Sample {
    const hosts: Record<string, string> = { api: this.#api?.child.running ? this.#api.release : 'down' };
    for (const [name, member] of this.members) hosts[name] = member.child.running ? member.release : 'down';
    const pins: Record<string, string> = this.#api ? { volume: this.#api.pins.volume, api: this.#api.pins.api } : {};
    const sample = this.recorder.sample({ pins, hosts, stats: this.load?.stats() ?? Recorder.empty().stats });
    this.#options.onSample?.(sample);
    return sample;
  }

  /** Casts accepted that no host received (after stopLoad(), which gives those in transit the time to arrive). */
  lostCasts(): SentCast[] {
    return this.outcomes.lostCasts();
  }

  /** Stop the load (every operation started completes; casts in transit get a few seconds to reach their host and be reported). */
  async stopLoad(): Promise<LoadStats> {
    if (!this.#finalStats) {
      this.#finalStats = await this.load.stop();
      await this.outcomes.awaitCastsInTransit(this.timings.drainMs + 2_000, 20);
    }
    clearInterval(this.#sampler);
    this.sampleNow();
    return this.#finalStats;
  }

  /** Stop every process gracefully, drop the database, remove the rows files. */
  async close(): Promise<void> {
    try {
      if (this.load) await this.stopLoad();
      clearInterval(this.#sampler);
      const children = [...this.members.values()].map((m) => m.child);
      if (this.#api) children.push(this.#api.child);
      await Promise.allSettled(children.map((child) => child.stop(this.timings.drainMs + 10_000)));
      await this.operator?.close().catch(() => undefined);
      await this.database?.drop().catch((error: unknown) => this.warnings.push(`dropping ${this.database.name}: ${String(error)}`));
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Two TypeScript hosts and the Python one, all release N at the start. */
export const DEFAULT_HOSTS: readonly { readonly name: string; readonly python?: boolean }[] = [
  { name: 'volume-1' },
  { name: 'volume-2' },
  { name: 'volume-3', python: true },
];
