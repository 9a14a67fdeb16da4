// The volume service's RPC API, serving side, as release N ships it.
import { f } from '@versioned/objects';
import { defineRpcApi, type RequestContext } from '@versioned/rpc';
import { fromRow, toRow, type HostEnvironment } from './host-environment.js';
import { registry, type Volume } from './release-n.js';
import { VOLUME_TOPIC, volumeApi1_0 } from './volume-api.js';

/** The volume API as release N's code declares it: 1.0 only. */
export const volumeApiN = defineRpcApi({ topic: VOLUME_TOPIC, history: [volumeApi1_0(f.object<Volume>('Volume'))] });

/** The volume manager of release N: its endpoints serve 1.0 and read what release N reads. */
export class VolumeManagerN {
  constructor(private readonly env: HostEnvironment) {}

  /** What the RpcServer serves: the manager behind the endpoint the declaration generates. */
  endpoints(): object[] {
    return volumeApiN.endpoints(this);
  }

  create_volume(_ctx: RequestContext, args: { volume: Volume }): Volume {
    const { volume } = args;
    this.env.rows.set(volume.id, toRow(volume));
    this.env.say(
      `${this.env.host} (release N) create_volume: got Volume ${volume.objVersion} "${volume.name}", stored it in zone ${this.env.zone}`,
    );
    return volume;
  }

  update_volume(_ctx: RequestContext, args: { volume: Volume }): void {
    this.env.rows.set(args.volume.id, toRow(args.volume));
  }

  get_volume(_ctx: RequestContext, args: { volume_id: string }): Volume {
    const row = this.env.rows.get(args.volume_id);
    if (row === undefined) throw new Error(`no volume ${args.volume_id} on ${this.env.host}`);
    return fromRow<Volume>(registry, 'Volume', row);
  }
}
