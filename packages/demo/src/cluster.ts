import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataLoss, DataLossPolicy } from '@versioned/objects';
import { InMemoryBroker, InMemoryTransport, ObjectsRpcSerializer, RpcServer, type Transport } from '@versioned/rpc';
import { Upgrade, type RunningService } from '@versioned/upgrade';
import type { Narrator } from './narrator.js';
import type { VolumeRow } from './releases/host-environment.js';
import { RELEASE_N, RELEASE_N1, VOLUME_RELEASES, type Release } from './releases/releases.js';
import { VOLUME_TOPIC, VolumeAPI } from './releases/volume-api.js';
import { WireTap } from './wire-tap.js';

export const VOLUME_BINARY = 'volume';

/** A machine running the volume service: one release at a time; its volume rows outlive an upgrade. */
export class VolumeHost {
  readonly rows = new Map<string, VolumeRow>();
  private server: RpcServer | undefined;
  private service: RunningService | undefined;

  constructor(
    readonly host: string,
    readonly zone: string,
    readonly transport: Transport,
    private readonly upgrade: Upgrade,
    private readonly log: Narrator,
  ) {}

  /**
   * Start (or restart on) `release`: the previous process stops gracefully (its row is marked stopped), then
   * the new one serves its API version and registers its row in the services table, as Cinder does.
   */
  async start(release: Release): Promise<void> {
    await this.server?.stop();
    await this.service?.stop();
    const env = { host: this.host, zone: this.zone, rows: this.rows, say: (line: string) => this.log.say(line) };
    this.server = new RpcServer({
      transport: this.transport,
      target: { topic: VOLUME_TOPIC, server: this.host },
      endpoints: release.makeEndpoints(env),
      // No pins of its own: a reply is backported to what the caller says it reads.
      serializer: new ObjectsRpcSerializer({ registry: release.registry }),
    });
    await this.server.start();
    this.service = await this.upgrade.register(VOLUME_BINARY, this.host, { release: release.name });
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.service?.stop();
    await this.transport.close();
  }
}

/**
 * Two volume hosts on one in-memory broker, the services table (`@versioned/upgrade` on SQLite, in a file of a
 * temporary directory: the demo needs no running service), and host B's client to the volume API.
 */
export class Cluster {
  readonly broker = new InMemoryBroker();
  readonly hostA: VolumeHost;
  readonly hostB: VolumeHost;
  /** Host B's outgoing calls, as they went over the wire. */
  readonly tap: WireTap;
  /** Host B's client: built once; its cap and pins come from the services table on every call. */
  readonly volumeApi: VolumeAPI;
  /** What backports dropped from host B's outgoing objects, since the last `takeLosses()`. */
  private losses: DataLoss[] = [];

  private constructor(
    readonly log: Narrator,
    /** The services table and the pins, held in memory and refreshed when a row moves. */
    readonly upgrade: Upgrade,
    /** What the Upgrade logged: the first pins, then each change of them, with its reason. */
    readonly pinLog: string[],
    private readonly dir: string,
  ) {
    this.hostA = new VolumeHost('host-a', 'az-1', new InMemoryTransport({ broker: this.broker }), upgrade, log);
    this.hostB = new VolumeHost('host-b', 'az-2', new InMemoryTransport({ broker: this.broker }), upgrade, log);
    this.tap = new WireTap(this.hostB.transport, (line) => log.say(line));
    this.volumeApi = this.volumeApiOnHostB((loss) => this.losses.push(loss));
  }

  /** A client on host B, capped and pinned by the services table (read from memory on every call), over the wire tap. */
  volumeApiOnHostB(onDataLoss: DataLossPolicy): VolumeAPI {
    return new VolumeAPI({
      transport: this.tap,
      versionCap: this.upgrade.versionCap(VOLUME_BINARY),
      manifest: this.upgrade.manifest(VOLUME_BINARY),
      onDataLoss,
    });
  }

  /** Host A on release N, host B on release N+1: the middle of a rolling upgrade. */
  static async start(log: Narrator): Promise<Cluster> {
    const dir = mkdtempSync(join(tmpdir(), 'versioned-demo-'));
    const pinLog: string[] = [];
    let upgrade: Upgrade;
    try {
      upgrade = await Upgrade.open({
        database: `sqlite:${join(dir, 'services.db')}`,
        binaries: [VOLUME_RELEASES],
        reloadOnSighup: false,
        logger: { info: (line) => pinLog.push(line), warn: (line) => pinLog.push(`warning: ${line}`) },
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const cluster = new Cluster(log, upgrade, pinLog, dir);
    await cluster.hostA.start(RELEASE_N);
    await cluster.hostB.start(RELEASE_N1);
    return cluster;
  }

  takeLosses(): DataLoss[] {
    const taken = this.losses;
    this.losses = [];
    return taken;
  }

  async close(): Promise<void> {
    try {
      await this.hostA.stop();
      await this.hostB.stop();
      await this.upgrade.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
