import type { DataLoss, DataLossPolicy } from '@versioned/objects';
import { InMemoryBroker, InMemoryTransport, ObjectsRpcSerializer, RpcServer, type Transport } from '@versioned/rpc';
import type { Narrator } from './narrator.js';
import { OBJECT_VERSIONS } from './releases/object-versions.js';
import type { VolumeRow } from './releases/host-environment.js';
import { RELEASE_N, RELEASE_N1, type Release } from './releases/releases.js';
import { VOLUME_TOPIC, VolumeAPI } from './releases/volume-api.js';
import { ServiceRecords } from './service-records.js';
import { WireTap } from './wire-tap.js';

export const VOLUME_BINARY = 'volume';

/** A machine running the volume service: one release at a time; its volume rows outlive an upgrade. */
export class VolumeHost {
  readonly rows = new Map<string, VolumeRow>();
  private server: RpcServer | undefined;

  constructor(
    readonly host: string,
    readonly zone: string,
    readonly transport: Transport,
    private readonly records: ServiceRecords,
    private readonly log: Narrator,
  ) {}

  /** Start (or restart on) `release`: serve its API version, then write the service row, as Cinder does. */
  async start(release: Release): Promise<void> {
    await this.server?.stop();
    const env = { host: this.host, zone: this.zone, rows: this.rows, say: (line: string) => this.log.say(line) };
    this.server = new RpcServer({
      transport: this.transport,
      target: { topic: VOLUME_TOPIC, server: this.host },
      endpoints: [release.makeManager(env)],
      // No pins of its own: a reply is backported to what the caller says it reads.
      serializer: new ObjectsRpcSerializer({ registry: release.registry }),
    });
    await this.server.start();
    this.records.report({ binary: VOLUME_BINARY, host: this.host, release: release.name });
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.transport.close();
  }
}

/** Two volume hosts on one in-memory broker, the services table, and host B's client to the volume API. */
export class Cluster {
  readonly records = new ServiceRecords([RELEASE_N, RELEASE_N1], OBJECT_VERSIONS);
  readonly broker = new InMemoryBroker();
  readonly hostA: VolumeHost;
  readonly hostB: VolumeHost;
  /** Host B's outgoing calls, as they went over the wire. */
  readonly tap: WireTap;
  /** Host B's client: built once; its cap and pins come from the services table on every call. */
  readonly volumeApi: VolumeAPI;
  /** What backports dropped from host B's outgoing objects, since the last `takeLosses()`. */
  private losses: DataLoss[] = [];

  private constructor(readonly log: Narrator) {
    this.hostA = new VolumeHost('host-a', 'az-1', new InMemoryTransport({ broker: this.broker }), this.records, log);
    this.hostB = new VolumeHost('host-b', 'az-2', new InMemoryTransport({ broker: this.broker }), this.records, log);
    this.tap = new WireTap(this.hostB.transport, (line) => log.say(line));
    this.volumeApi = this.volumeApiOnHostB((loss) => this.losses.push(loss));
  }

  /** A client on host B, capped and pinned by the services table, over the wire tap. */
  volumeApiOnHostB(onDataLoss: DataLossPolicy): VolumeAPI {
    return new VolumeAPI({
      transport: this.tap,
      versionCap: this.records.versionCapSource(VOLUME_BINARY),
      manifest: this.records.manifestSource(VOLUME_BINARY),
      onDataLoss,
    });
  }

  /** Host A on release N, host B on release N+1: the middle of a rolling upgrade. */
  static async start(log: Narrator): Promise<Cluster> {
    const cluster = new Cluster(log);
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
    await this.hostA.stop();
    await this.hostB.stop();
  }
}
