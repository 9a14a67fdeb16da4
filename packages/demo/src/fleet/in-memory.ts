import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryBroker, InMemoryTransport } from '@versioned/rpc';
import { Upgrade, type PinsChange, type RegisterOptions } from '@versioned/upgrade';
import { API_RELEASES, RELEASE_N, RELEASE_N1, VOLUME_RELEASES, type Release } from '../releases/releases.js';
import { API_BINARY, ApiService, type VolumeDirectory } from './api-service.js';
import { LoadGenerator, type LoadStats } from './load.js';
import type { FleetControl } from './plan.js';
import { DeliveryLedger, OutcomeLog, Recorder, type Sample, type SentCast } from './recorder.js';
import { DEMO_TIMINGS, checkTimings, upgradeTimings, type FleetTimings } from './timings.js';
import { VOLUME_BINARY, VolumeHost, type HostReport } from './volume-host.js';

/** The volume service's releases by name. */
export const RELEASES: Readonly<Record<string, Release>> = { N: RELEASE_N, 'N+1': RELEASE_N1 };

export function releaseNamed(name: string): Release {
  const release = RELEASES[name];
  if (!release) throw new RangeError(`no volume release ${JSON.stringify(name)}; known: ${Object.keys(RELEASES).join(', ')}`);
  return release;
}

export interface InMemoryFleetOptions {
  readonly timings?: FleetTimings;
  /** The volume hosts (default volume-1, volume-2, volume-3), all starting on release N. */
  readonly hosts?: readonly string[];
  /** Operations per second of the load (default 10 per host). */
  readonly ratePerSecond?: number;
  /** How often the recorder samples the fleet (default 200 ms). */
  readonly sampleMs?: number;
  /** Told of every sample (the demo's progress line). */
  readonly onSample?: (sample: Sample) => void;
}

/** A change of the volume pins as the API service in force saw it (from its Upgrade's onPinsChange). */
export interface PinChangeSeen {
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly message: string;
}

interface ApiProcess {
  readonly service: ApiService;
  readonly upgrade: Upgrade;
  readonly transport: InMemoryTransport;
}

/**
 * The fleet in one process, on embedded defaults: one in-memory broker (an InMemoryTransport per simulated
 * process), the services table in a SQLite file of a temporary directory, an Upgrade per process (each volume
 * host, each API service, the operator) with the volume lift policy `finalize`, the load, the recorder.
 */
export class InMemoryFleet implements FleetControl {
  readonly broker = new InMemoryBroker();
  readonly recorder = new Recorder('Rolling upgrade of the volume service under load');
  readonly ledger = new DeliveryLedger();
  readonly hosts = new Map<string, VolumeHost>();
  readonly hostUpgrades = new Map<string, Upgrade>();
  readonly volumes: VolumeDirectory = new Map();
  readonly pinChanges: PinChangeSeen[] = [];
  readonly warnings: string[] = [];
  /** Every cast the transport accepted: whether a host received it is in the ledger. */
  readonly outcomes = new OutcomeLog(this.recorder, this.ledger);
  /** The load's rate, operations per second. */
  readonly ratePerSecond: number;
  readonly timings: FleetTimings;
  readonly dir: string;
  readonly database: string;
  readonly volumeHosts: readonly string[];
  load!: LoadGenerator;
  operator!: Upgrade;
  #api!: ApiProcess;
  #apiCount = 0;
  readonly #upgrades = new Set<Upgrade>();
  readonly #options: InMemoryFleetOptions;
  #sampler: NodeJS.Timeout | undefined;
  #closed: LoadStats | undefined;
  /** An exit before close() (Ctrl-C in `pnpm demo`) still removes the temporary directory. */
  readonly #onExit = () => rmSync(this.dir, { recursive: true, force: true });

  private constructor(options: InMemoryFleetOptions) {
    this.#options = options;
    this.timings = checkTimings(options.timings ?? DEMO_TIMINGS);
    this.volumeHosts = options.hosts ?? ['volume-1', 'volume-2', 'volume-3'];
    this.dir = mkdtempSync(join(tmpdir(), 'versioned-demo-'));
    this.database = `sqlite:${join(this.dir, 'services.db')}`;
    this.ratePerSecond = options.ratePerSecond ?? 10 * this.volumeHosts.length;
    process.once('exit', this.#onExit);
  }

  /** Open the table, start every host on release N, the API service on N, the load and the sampler. */
  static async open(options: InMemoryFleetOptions = {}): Promise<InMemoryFleet> {
    const fleet = new InMemoryFleet(options);
    try {
      fleet.operator = await fleet.openUpgrade();
      for (const [i, host] of fleet.volumeHosts.entries()) {
        const upgrade = await fleet.openUpgrade();
        fleet.hostUpgrades.set(host, upgrade);
        const volumeHost = new VolumeHost({
          host,
          zone: `az-${i + 1}`,
          connect: () => fleet.connect(),
          upgrade,
          timings: fleet.timings,
          report: (r) => fleet.#take(r),
        });
        fleet.hosts.set(host, volumeHost);
        await volumeHost.start(RELEASE_N);
      }
      fleet.#api = await fleet.#startApi('N');
      fleet.load = new LoadGenerator({
        caller: fleet.#api.service,
        ratePerSecond: fleet.ratePerSecond,
        onOutcome: (outcome, id) => {
          fleet.outcomes.take(outcome, id);
        },
      });
      fleet.sampleNow();
      fleet.#sampler = setInterval(() => fleet.sampleNow(), options.sampleMs ?? 200);
      fleet.load.start();
      return fleet;
    } catch (error) {
      await fleet.close().catch(() => undefined);
      throw error;
    }
  }

  #take(report: HostReport): void {
    this.ledger.take(report);
    if (report.kind === 'state') this.recorder.event('host', `${report.host} ${report.state} (release ${report.release})`, report.host);
  }

  /** A new connection to the fleet's broker (each simulated process has its own). */
  connect(): InMemoryTransport {
    return new InMemoryTransport({ broker: this.broker });
  }

  /** An Upgrade for one simulated process, on the fleet's table and timings. */
  async openUpgrade(onPinsChange?: (change: PinsChange) => void): Promise<Upgrade> {
    const upgrade = await Upgrade.open({
      database: this.database,
      binaries: [VOLUME_RELEASES, API_RELEASES],
      config: { liftPolicy: { volume: 'finalize' } },
      reloadOnSighup: false,
      logger: { info: () => {}, warn: (line) => this.warnings.push(line) },
      ...upgradeTimings(this.timings),
      ...(onPinsChange ? { onPinsChange } : {}),
    });
    this.#upgrades.add(upgrade);
    return upgrade;
  }

  /** The API service the load goes to now. */
  get api(): ApiService {
    return this.#api.service;
  }

  host(name: string): VolumeHost {
    const host = this.hosts.get(name);
    if (!host) throw new RangeError(`no volume host ${JSON.stringify(name)}`);
    return host;
  }

  async #startApi(release: string): Promise<ApiProcess> {
    const name = `api-${++this.#apiCount}`;
    const upgrade = await this.openUpgrade((change) => {
      // Only the API service the load goes to speaks for the caller's pins.
      if (this.#api?.upgrade === upgrade || this.#api === undefined)
        this.pinChanges.push({ t: this.recorder.now(), from: change.from.release, to: change.to.release, message: change.message });
      this.recorder.event('pins', `${name}: ${change.message}`);
    });
    const transport = this.connect();
    const service = await ApiService.start({ host: name, release, transport, upgrade, timings: this.timings, volumes: this.volumes });
    return { service, upgrade, transport };
  }

  async restartHost(host: string, release: string): Promise<void> {
    await this.host(host).stop();
    await this.host(host).start(releaseNamed(release));
  }

  async startHost(host: string, release: string, register: RegisterOptions = {}): Promise<void> {
    await this.host(host).start(releaseNamed(release), register);
  }

  async replaceApi(release: string): Promise<void> {
    const previous = this.#api;
    const next = await this.#startApi(release);
    this.#api = next;
    await this.load.switchTo(next.service);
    await previous.service.stop();
    await previous.transport.close();
    await previous.upgrade.close();
    this.#upgrades.delete(previous.upgrade);
  }

  async finalize(): Promise<void> {
    const state = await this.operator.finalize(VOLUME_BINARY, { by: 'operator@demo' });
    this.recorder.event('pins', `volume finalized at ${state.release} by ${state.by}`);
  }

  async reloadAll(): Promise<void> {
    await Promise.all([...this.#upgrades].map((upgrade) => upgrade.reload()));
    this.recorder.event('reload', `reload() (the SIGHUP path) in ${this.#upgrades.size} processes`);
  }

  /**
   * The broker closes every connection for `forMs` (InMemoryBroker.dropConnections): nothing is delivered
   * meanwhile, what is sent waits in the broker's queues and is delivered once they are back, as over RabbitMQ
   * with reconnection. Keep `forMs` under the calls' timeout, and away from a host's stop (a drop that holds
   * a call past the stopping host's drain loses it, as any delivery latency above drainMs - viewMaxAgeMs would).
   */
  async dropBrokerConnections(forMs: number): Promise<void> {
    this.recorder.event('fault', `the broker closes every connection for ${forMs} ms`);
    await this.broker.dropConnections({ forMs });
    this.recorder.event('fault', 'the connections are back');
  }

  /** Record the fleet now: the API service's pins, each host's release (or down), the load's counters. */
  sampleNow(): Sample {
    const hosts: Record<string, string> = {};
    hosts[API_BINARY] = this.#api?.service.release ?? 'down';
    for (const [name, host] of this.hosts) hosts[name] = host.release?.name ?? 'down';
    const pins: Record<string, string> = {};
    if (this.#api) {
      pins[VOLUME_BINARY] = this.#api.service.pins().release;
      pins[API_BINARY] = this.#api.upgrade.pins(API_BINARY).release;
    }
    const sample = this.recorder.sample({ pins, hosts, stats: this.load?.stats() ?? Recorder.empty().stats });
    this.#options.onSample?.(sample);
    return sample;
  }

  /** Casts accepted that no host received (after stopLoad(), which gives those in transit the time to arrive). */
  lostCasts(): SentCast[] {
    return this.outcomes.lostCasts();
  }

  /**
   * Stop the load (every started operation completes; a cast completes when the transport takes it, before a host
   * has it, so the casts still in transit get up to drainMs to arrive), take a last sample; the fleet keeps running.
   */
  async stopLoad(): Promise<LoadStats> {
    if (!this.#closed) {
      this.#closed = await this.load.stop();
      await this.outcomes.awaitCastsInTransit(this.timings.drainMs, 10);
    }
    clearInterval(this.#sampler);
    this.sampleNow();
    return this.#closed;
  }

  /** Stop everything gracefully and remove the temporary directory. */
  async close(): Promise<void> {
    try {
      if (this.load) await this.stopLoad();
      clearInterval(this.#sampler);
      await Promise.all([...this.hosts.values()].map((host) => host.stop()));
      if (this.#api) {
        await this.#api.service.stop();
        await this.#api.transport.close();
      }
      await Promise.allSettled([...this.#upgrades].map((upgrade) => upgrade.close()));
    } finally {
      process.off('exit', this.#onExit);
      this.#onExit();
    }
  }
}
