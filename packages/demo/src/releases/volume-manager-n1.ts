// The volume service's RPC API, serving side, as release N+1 ships it.
import type { RequestContext } from '@versioned/rpc';
import { fromRow, toRow, type HostEnvironment } from './host-environment.js';
import { registry, type Volume } from './release-n1.js';
import { volumeApi } from './volume-api.js';

/** The volume manager of release N+1: its endpoints serve 1.1 (from the history), and so every 1.x caller. */
export class VolumeManager {
  constructor(private readonly env: HostEnvironment) {}

  /** What the RpcServer serves: the manager behind the endpoint the declaration generates. */
  endpoints(): object[] {
    return volumeApi.endpoints(this);
  }

  /** A 1.0 caller sends no zone: the volume goes to this host's zone. */
  create_volume(_ctx: RequestContext, args: { volume: Volume; zone?: string }): Volume {
    const { volume } = args;
    this.env.rows.set(volume.id, toRow(volume));
    const zone = args.zone ?? this.env.zone;
    this.env.say(
      `${this.env.host} (release N+1) create_volume: got Volume ${volume.objVersion} "${volume.name}", stored it in zone ${zone}`,
    );
    return volume;
  }

  update_volume(_ctx: RequestContext, args: { volume: Volume }): void {
    this.env.rows.set(args.volume.id, toRow(args.volume));
  }

  get_volume(_ctx: RequestContext, args: { volume_id: string }): Volume {
    return this.load(args.volume_id);
  }

  extend_volume(_ctx: RequestContext, args: { volume_id: string; new_size: number }): Volume {
    const volume = this.load(args.volume_id);
    if (!(args.new_size > volume.size))
      throw new Error(`volume ${volume.id} is ${volume.size} GB: cannot extend it to ${args.new_size} GB`);
    const unset = volume.isSet('tags') ? '' : ' (written by release N: tags unset)';
    volume.size = args.new_size;
    this.env.rows.set(volume.id, toRow(volume));
    this.env.say(
      `${this.env.host} (release N+1) extend_volume: read the row of "${volume.name}"${unset} as Volume ${volume.objVersion}, now ${volume.size} GB`,
    );
    return volume;
  }

  private load(volumeId: string): Volume {
    const row = this.env.rows.get(volumeId);
    if (row === undefined) throw new Error(`no volume ${volumeId} on ${this.env.host}`);
    return fromRow<Volume>(registry, 'Volume', row);
  }
}
