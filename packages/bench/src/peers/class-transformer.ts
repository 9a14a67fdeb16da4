import 'reflect-metadata';
import { Type, instanceToPlain, plainToInstance } from 'class-transformer';
import type { JsPeer, PreparedPeer } from '../operations.js';
import type { VolumeData, VolumeStatus } from '../volume-data.js';

/** The same shape as decorated classes, the way class-transformer is used: @Type for nested objects and dates. */
export class CtAttachment {
  id!: string;
  instance_uuid!: string;
  mountpoint!: string;
  @Type(() => Date) attached_at!: Date;
}

export class CtVolume {
  id!: string;
  name!: string;
  description!: string | null;
  size!: number;
  status!: VolumeStatus;
  bootable!: boolean;
  @Type(() => Date) created_at!: Date;
  metadata!: Record<string, string>;
  @Type(() => String) tags!: Set<string>;
  @Type(() => CtAttachment) attachments!: CtAttachment[];
}

function buildCtVolume(data: VolumeData): CtVolume {
  return plainToInstance(CtVolume, structuredClone(data));
}

export const classTransformerPeer: JsPeer = {
  id: 'classTransformer',
  prepare(data: VolumeData): PreparedPeer {
    const volume = buildCtVolume(data);
    if (!(volume.created_at instanceof Date) || !(volume.tags instanceof Set) || !(volume.attachments[0] instanceof CtAttachment)) {
      throw new Error('class-transformer did not build Date, Set and CtAttachment values: the peer would time the wrong thing');
    }
    const plain = instanceToPlain(volume);
    const roundTrip = (): CtVolume => plainToInstance(CtVolume, JSON.parse(JSON.stringify(instanceToPlain(volume))));
    return {
      operations: {
        toPrimitive: () => instanceToPlain(volume),
        fromPrimitive: () => plainToInstance(CtVolume, plain),
        roundTrip,
      },
      wire: () => JSON.stringify(instanceToPlain(volume)),
      wireAfterRoundTrip: () => JSON.stringify(instanceToPlain(roundTrip())),
    };
  },
};
