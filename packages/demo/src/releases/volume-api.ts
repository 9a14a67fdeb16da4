// The volume service's RPC API, calling side, as release N+1 ships it (Cinder's volume/rpcapi.py).
import type { DataLossPolicy, Manifest } from '@versioned/objects';
import { ObjectsRpcSerializer, RpcClient, type RequestContext, type Transport, type VersionCapSource } from '@versioned/rpc';
import { registry, type Volume } from './release-n1.js';

export const VOLUME_TOPIC = 'volume';

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
 * The volume API of release N+1, calling side.
 *
 * Version history (never edit a line, only add one):
 *   1.0 - Initial version: create_volume(volume), get_volume(volume_id), update_volume(volume) (a cast)
 *   1.1 - create_volume() takes zone; adds extend_volume(volume_id, new_size)
 */
export class VolumeAPI {
  readonly client: RpcClient;
  private readonly serializer: ObjectsRpcSerializer;

  constructor(options: VolumeAPIOptions) {
    this.serializer = new ObjectsRpcSerializer({ registry, manifest: options.manifest, ...(options.onDataLoss ? { onDataLoss: options.onDataLoss } : {}) });
    // The base version is 1.0; each method prepares the version it needs.
    this.client = new RpcClient({ transport: options.transport, target: { topic: VOLUME_TOPIC, version: '1.0' }, versionCap: options.versionCap, serializer: this.serializer, timeoutMs: options.timeoutMs ?? 5_000 });
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

  createVolume(ctx: RequestContext, host: string, volume: Volume, zone: string): Promise<Volume> {
    // 1.1 added zone: a 1.0 host is not told, and places the volume in its own zone.
    if (this.client.canSendVersion('1.1')) return this.client.prepare({ server: host, version: '1.1' }).call(ctx, 'create_volume', { volume, zone });
    return this.client.prepare({ server: host }).call(ctx, 'create_volume', { volume });
  }

  getVolume(ctx: RequestContext, host: string, volumeId: string): Promise<Volume> {
    return this.client.prepare({ server: host }).call(ctx, 'get_volume', { volume_id: volumeId });
  }

  /** A cast: the host stores the volume's fields; nothing comes back (Cinder casts most of its volume API). */
  updateVolume(ctx: RequestContext, host: string, volume: Volume): Promise<void> {
    return this.client.prepare({ server: host }).cast(ctx, 'update_volume', { volume });
  }

  /** New in 1.1, with no older form to fall back on: under a 1.0 cap it fails with `version_cap`, unsent. */
  extendVolume(ctx: RequestContext, host: string, volumeId: string, newSize: number): Promise<Volume> {
    return this.client.prepare({ server: host, version: '1.1' }).call(ctx, 'extend_volume', { volume_id: volumeId, new_size: newSize });
  }
}
