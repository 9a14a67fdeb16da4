// The volume service's RPC API, serving side, as release N ships it.
import type { RequestContext } from '@versioned/rpc';
import { fromRow, toRow, type HostEnvironment } from './host-environment.js';
import { registry, Volume } from './release-n.js';

/**
 * The volume manager of release N: it serves 1.0 and reads what release N reads.
 *
 * Version history:
 *   1.0 - Initial version: create_volume(volume), get_volume(volume_id), update_volume(volume) (a cast)
 */
export class VolumeManagerN {
  readonly target = { version: '1.0' };

  constructor(private readonly env: HostEnvironment) {}

  create_volume(_ctx: RequestContext, args: { volume: Volume }): Volume {
    const { volume } = args;
    this.env.rows.set(volume.id, toRow(volume));
    this.env.say(`${this.env.host} (release N) create_volume: got Volume ${volume.objVersion} "${volume.name}", stored it in zone ${this.env.zone}`);
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
