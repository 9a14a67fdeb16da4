// Release N, the one running everywhere before the upgrade: Volume 1.0 and VolumeAttachment 1.0.
import { ObjectRegistry, VersionedObject, f, field, versionedObject, OptionalFields } from '@versioned/objects';
import { VOLUME_TRANSITIONS, type VolumeStatus } from './statuses.js';

/** What a release-N service can read. */
export const registry = new ObjectRegistry();

@versionedObject({ name: 'VolumeAttachment', version: '1.0', registry })
export class VolumeAttachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.uuid()) declare instance_uuid: string;
  @field(f.string(), { nullable: true }) declare mountpoint: string | null;
  @field(f.dateTime()) declare attached_at: Date;
}

@versionedObject({ name: 'Volume', version: '1.0', registry })
export class Volume extends VersionedObject {
  /** Fields with a default: create() may leave them out. */
  declare [OptionalFields]?: 'attachments';
  @field(f.uuid(), { readOnly: true }) declare id: string;
  @field(f.string()) declare name: string;
  /** Gigabytes. */
  @field(f.nonNegativeInteger()) declare size: number;
  @field(f.stateMachine<VolumeStatus>(VOLUME_TRANSITIONS)) declare status: VolumeStatus;
  @field(f.dateTime()) declare created_at: Date;
  @field(f.listOfObjects<VolumeAttachment>('VolumeAttachment'), { default: [] }) declare attachments: VolumeAttachment[];
}
