// The volume service's RPC API, declared once (Cinder's volume/rpcapi.py, whose history lives in comments):
// the calling side, the serving side, the release aliases and the fingerprint lock all come from it.
import { f, type DataLossPolicy, type FieldType, type Manifest } from '@versioned/objects';
import {
  ObjectsRpcSerializer,
  defineRpcApi,
  type RequestContext,
  type RpcApiClient,
  type Transport,
  type VersionCapSource,
} from '@versioned/rpc';
import { registry, type Volume } from './release-n1.js';

export const VOLUME_TOPIC = 'volume';

/**
 * The 1.0 entry, over the Volume class of the release whose code declares it (release N's code has its own
 * Volume, without tags): the wire is the same, only the TypeScript type differs.
 */
export const volumeApi1_0 = <V>(volume: FieldType<V>) =>
  ({
    version: '1.0',
    release: 'N',
    note: 'Initial version: create_volume(volume), get_volume(volume_id), update_volume(volume) (a cast)',
    methods: {
      create_volume: { args: { volume }, result: volume },
      get_volume: { args: { volume_id: f.uuid() }, result: volume },
      /** A cast: the host stores the volume's fields. */
      update_volume: { args: { volume } },
    },
  }) as const;

/** The volume API as release N+1 declares it. Never edit a released entry; add one. */
export const volumeApi = defineRpcApi({
  topic: VOLUME_TOPIC,
  history: [
    volumeApi1_0(f.object<Volume>('Volume')),
    {
      version: '1.1',
      release: 'N+1',
      note: 'create_volume() takes zone (dropped for a 1.0 host, which places the volume in its own zone); adds extend_volume(volume_id, new_size)',
      args: { create_volume: { zone: { type: f.string(), optional: true, ifCapped: 'drop' } } },
      methods: { extend_volume: { args: { volume_id: f.uuid(), new_size: f.nonNegativeInteger() }, result: f.object<Volume>('Volume') } },
    },
  ],
});

export interface VolumeAPIOptions {
  transport: Transport;
  /** Read on every call: the newest API version every live volume service serves. */
  versionCap: VersionCapSource;
  /** Read on every call: the object versions every live volume service reads. */
  manifest: () => Manifest | undefined;
  /** What to do when a backport drops a set field on the way out (default: allow). */
  onDataLoss?: DataLossPolicy;
  /** How long a call waits for its reply (default 5 s: a demo must not hang a minute). */
  timeoutMs?: number;
}

/**
 * The volume API of release N+1, calling side: the declared client, with the pins' serializer. No method
 * picks a version: each call goes at the lowest version that has what it passes, under the cap.
 */
export class VolumeAPI {
  readonly client: RpcApiClient<typeof volumeApi.history>;
  private readonly serializer: ObjectsRpcSerializer;

  constructor(options: VolumeAPIOptions) {
    this.serializer = new ObjectsRpcSerializer({
      registry,
      manifest: options.manifest,
      ...(options.onDataLoss ? { onDataLoss: options.onDataLoss } : {}),
    });
    // A short timeout: a demo must not hang a minute.
    this.client = volumeApi.client({
      transport: options.transport,
      versionCap: options.versionCap,
      serializer: this.serializer,
      timeoutMs: options.timeoutMs ?? 5_000,
    });
  }

  /** The cap in force right now. */
  get versionCap(): string | undefined {
    return this.client.versionCap;
  }

  /** The object versions outgoing objects are backported to right now. */
  get pins(): Manifest | undefined {
    return this.serializer.currentManifest();
  }

  /** Whether the hosts all serve `version` right now (the cap is read on each call). */
  canSendVersion(version: string): boolean {
    return this.client.canSendVersion(version);
  }

  /** Under a 1.0 cap the zone (new in 1.1, `ifCapped: 'drop'`) is left out and the call goes as 1.0. */
  createVolume(ctx: RequestContext, host: string, volume: Volume, zone: string): Promise<Volume> {
    return this.client.prepare({ server: host }).call(ctx, 'create_volume', { volume, zone });
  }

  getVolume(ctx: RequestContext, host: string, volumeId: string): Promise<Volume> {
    return this.client.prepare({ server: host }).call(ctx, 'get_volume', { volume_id: volumeId });
  }

  /** A cast: the host stores the volume's fields; nothing comes back (Cinder casts most of its volume API). */
  updateVolume(ctx: RequestContext, host: string, volume: Volume): Promise<void> {
    return this.client.prepare({ server: host }).cast(ctx, 'update_volume', { volume });
  }

  /** New in 1.1, with no degradation declared: under a 1.0 cap it fails with `version_cap`, unsent. */
  extendVolume(ctx: RequestContext, host: string, volumeId: string, newSize: number): Promise<Volume> {
    return this.client.prepare({ server: host }).call(ctx, 'extend_volume', { volume_id: volumeId, new_size: newSize });
  }
}
