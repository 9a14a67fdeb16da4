import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '@versioned/objects';
import type { JsPeer, PreparedPeer } from '../operations.js';
import { OLDEST_VOLUME_VERSION, VOLUME_STATUSES, VOLUME_VERSION, type VolumeData, type VolumeStatus } from '../volume-data.js';

export const registry = new ObjectRegistry();

@versionedObject({ version: '1.0', registry })
export class Attachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.uuid()) declare instance_uuid: string;
  @field(f.string()) declare mountpoint: string;
  @field(f.dateTime()) declare attached_at: Date;
}

@versionedObject({
  version: VOLUME_VERSION,
  registry,
  history: [
    { version: OLDEST_VOLUME_VERSION, note: 'Initial version', children: { attachments: '1.0' } },
    { version: VOLUME_VERSION, note: 'Added tags', added: ['tags'] },
  ],
})
export class Volume extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string()) declare name: string;
  @field(f.string(), { nullable: true }) declare description: string | null;
  @field(f.integer()) declare size: number;
  @field(f.enum(VOLUME_STATUSES)) declare status: VolumeStatus;
  @field(f.boolean()) declare bootable: boolean;
  @field(f.dateTime()) declare created_at: Date;
  @field(f.dict(f.string())) declare metadata: Record<string, string>;
  /** Added in 1.1. */
  @field(f.set(f.string())) declare tags: Set<string>;
  @field(f.listOfObjects<Attachment>('Attachment')) declare attachments: Attachment[];
}

export function buildVolume(data: VolumeData): Volume {
  const volume = Volume.create({
    ...data,
    created_at: new Date(data.created_at),
    tags: new Set(data.tags),
    attachments: data.attachments.map((a) => Attachment.create({ ...a, attached_at: new Date(a.attached_at) })),
  });
  // As loaded from a database: nothing changed, so the envelope carries no "changes" key.
  volume.resetChanges(undefined, { recursive: true });
  return volume;
}

/** The operations the instruction counts follow (scripts/instructions-loop.mjs). */
export function versionedOperations(data: VolumeData): { decode: () => unknown; encode: () => unknown; backport: () => unknown } {
  const volume = buildVolume(data);
  const primitive = volume.toPrimitive();
  const oldest = { targetVersion: OLDEST_VOLUME_VERSION };
  return {
    decode: () => Volume.fromPrimitive(primitive, { registry }),
    encode: () => volume.toPrimitive(),
    backport: () => volume.toPrimitive(oldest),
  };
}

export const versionedPeer: JsPeer = {
  id: 'versioned',
  prepare(data: VolumeData): PreparedPeer {
    const volume = buildVolume(data);
    const primitive = volume.toPrimitive();
    const roundTrip = (): Volume => Volume.fromPrimitive(JSON.parse(JSON.stringify(volume.toPrimitive())), { registry });
    const oldest = { targetVersion: OLDEST_VOLUME_VERSION };
    return {
      operations: {
        toPrimitive: () => volume.toPrimitive(),
        fromPrimitive: () => Volume.fromPrimitive(primitive, { registry }),
        roundTrip,
        backportOldest: () => volume.toPrimitive(oldest),
      },
      decode: (envelope) => Volume.fromPrimitive(envelope, { registry }),
      wire: () => JSON.stringify(volume.toPrimitive()),
      wireAfterRoundTrip: () => JSON.stringify(roundTrip().toPrimitive()),
    };
  },
};
