// Release N+1, the one being rolled out: Volume 1.1 adds `tags`, VolumeAttachment 1.1 adds `attach_mode`.
import { ObjectRegistry, VersionedObject, f, field, versionedObject, OptionalFields } from '@versioned/objects';
import { VOLUME_TRANSITIONS, type VolumeStatus } from './statuses.js';

/** What a release-N+1 service can read. */
export const registry = new ObjectRegistry();

@versionedObject({
  name: 'VolumeAttachment',
  version: '1.1',
  registry,
  history: [
    { version: '1.0', note: 'Initial version' },
    { version: '1.1', note: 'Adds attach_mode', added: ['attach_mode'] },
  ],
})
export class VolumeAttachment extends VersionedObject {
  /** Fields with a default: create() may leave them out. */
  declare [OptionalFields]?: 'attach_mode';
  @field(f.uuid()) declare id: string;
  @field(f.uuid()) declare instance_uuid: string;
  @field(f.string(), { nullable: true }) declare mountpoint: string | null;
  @field(f.dateTime()) declare attached_at: Date;
  /** New in 1.1. */
  @field(f.enum(['rw', 'ro'] as const), { default: 'rw' }) declare attach_mode: 'rw' | 'ro';
}

@versionedObject({
  name: 'Volume',
  version: '1.1',
  registry,
  // The history makes backports automatic: what each version has, and which attachment version goes with it.
  history: [
    { version: '1.0', note: 'Initial version', children: { attachments: '1.0' } },
    { version: '1.1', note: 'Adds tags; attachments are VolumeAttachment 1.1', added: ['tags'], children: { attachments: '1.1' } },
  ],
})
export class Volume extends VersionedObject {
  /** Fields with a default: create() may leave them out. */
  declare [OptionalFields]?: 'attachments' | 'tags';
  @field(f.uuid(), { readOnly: true }) declare id: string;
  @field(f.string()) declare name: string;
  /** Gigabytes. */
  @field(f.nonNegativeInteger()) declare size: number;
  @field(f.stateMachine<VolumeStatus>(VOLUME_TRANSITIONS)) declare status: VolumeStatus;
  @field(f.dateTime()) declare created_at: Date;
  @field(f.listOfObjects<VolumeAttachment>('VolumeAttachment'), { default: [] }) declare attachments: VolumeAttachment[];
  /** New in 1.1. */
  @field(f.set(f.string()), { default: () => new Set<string>() }) declare tags: Set<string>;
}
