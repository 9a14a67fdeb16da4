// A port of Cinder 21's Volume tree (cinder/objects/volume.py, volume_type.py, volume_attachment.py):
// Volume 1.9, VolumeType 1.3, VolumeAttachment 1.3 and their lists, with the fields as Cinder declares
// them, and its OBJ_VERSIONS (cinder/objects/base.py) as a ManifestHistory. Cinder declares no
// obj_relationships: children move through the manifest. The classes Volume and VolumeType point at
// (Cluster, ConsistencyGroup, Group, Snapshot, QualityOfServiceSpecs) are stand-ins at Cinder's versions
// with only an id: the tests never set them. Written from Cinder's declarations, not copied.
import { ManifestHistory, ObjectList, ObjectRegistry, VersionedObject, f, field, versionedObject } from '../../src/index.js';

export const cinderRegistry = new ObjectRegistry();
const registry = cinderRegistry;
const namespace = 'cinder';

const ATTACH_STATUS = ['attached', 'attaching', 'detached', 'error_attaching', 'error_detaching', 'reserved', 'deleted'] as const;
export type AttachStatus = (typeof ATTACH_STATUS)[number];

/** CinderPersistentObject's fields, which every persistent Cinder object carries. */
class Persistent extends VersionedObject {
  @field(f.dateTime(), { nullable: true }) declare created_at: Date | null;
  @field(f.dateTime(), { nullable: true }) declare updated_at: Date | null;
  @field(f.dateTime(), { nullable: true }) declare deleted_at: Date | null;
  @field(f.boolean(), { default: false, nullable: true }) declare deleted: boolean | null;
}

function standIn(name: string, versions: string[]): void {
  const cls = class extends VersionedObject {};
  field(f.uuid(), { nullable: true })(cls.prototype as never, 'id');
  const version = versions.at(-1) as string;
  versionedObject({ name, version, namespace, registry, history: versions.map((v) => ({ version: v, note: `Cinder ${v}` })) })(cls);
}
standIn('Cluster', ['1.1']);
standIn('ConsistencyGroup', ['1.4']);
standIn('Group', ['1.2']);
standIn('QualityOfServiceSpecs', ['1.0']);
standIn('Snapshot', ['1.5', '1.6']);

@versionedObject({ name: 'SnapshotList', version: '1.0', namespace, registry })
export class SnapshotList extends ObjectList<VersionedObject> {
  @field(f.listOfObjects('Snapshot')) declare objects: VersionedObject[];
}

/** Cinder's use_quota for a primitive without one (Volume._ensure_use_quota_is_set): not for migration targets or temporary volumes. */
function useQuotaFor(data: Record<string, unknown>): boolean {
  const migration = typeof data.migration_status === 'string' ? data.migration_status : '';
  const admin = data.admin_metadata as Record<string, unknown> | null | undefined;
  return !(migration.startsWith('target:') || admin?.temporary === 'True');
}

@versionedObject({
  name: 'Volume',
  version: '1.9',
  namespace,
  registry,
  history: [
    // Cinder keeps its history from OBJ_VERSIONS 1.38 (Volume 1.8) on, and backports no further.
    { version: '1.8', note: 'Cinder 1.38: the oldest version it still backports to' },
    { version: '1.9', added: ['use_quota'], note: 'Added use_quota', fill: { use_quota: useQuotaFor } },
  ],
})
export class Volume extends Persistent {
  @field(f.uuid()) declare id: string;
  @field(f.uuid(), { nullable: true }) declare _name_id: string | null;
  @field(f.uuid(), { nullable: true }) declare ec2_id: string | null;
  @field(f.string(), { nullable: true }) declare user_id: string | null;
  @field(f.string(), { nullable: true }) declare project_id: string | null;
  @field(f.boolean(), { default: true, nullable: true }) declare use_quota: boolean | null;
  @field(f.uuid(), { nullable: true }) declare snapshot_id: string | null;
  @field(f.string(), { nullable: true }) declare cluster_name: string | null;
  @field(f.object('Cluster'), { nullable: true, readOnly: true }) declare cluster: unknown;
  @field(f.string(), { nullable: true }) declare host: string | null;
  @field(f.integer(), { nullable: true }) declare size: number | null;
  @field(f.string(), { nullable: true }) declare availability_zone: string | null;
  @field(f.string(), { nullable: true }) declare status: string | null;
  @field(f.enum(ATTACH_STATUS), { nullable: true }) declare attach_status: AttachStatus | null;
  @field(f.string(), { nullable: true }) declare migration_status: string | null;
  @field(f.dateTime(), { nullable: true }) declare scheduled_at: Date | null;
  @field(f.dateTime(), { nullable: true }) declare launched_at: Date | null;
  @field(f.dateTime(), { nullable: true }) declare terminated_at: Date | null;
  @field(f.string(), { nullable: true }) declare display_name: string | null;
  @field(f.string(), { nullable: true }) declare display_description: string | null;
  @field(f.string(), { nullable: true }) declare provider_id: string | null;
  @field(f.string(), { nullable: true }) declare provider_location: string | null;
  @field(f.string(), { nullable: true }) declare provider_auth: string | null;
  @field(f.string(), { nullable: true }) declare provider_geometry: string | null;
  @field(f.uuid(), { nullable: true }) declare volume_type_id: string | null;
  @field(f.uuid(), { nullable: true }) declare source_volid: string | null;
  @field(f.uuid(), { nullable: true }) declare encryption_key_id: string | null;
  @field(f.uuid(), { nullable: true }) declare consistencygroup_id: string | null;
  @field(f.uuid(), { nullable: true }) declare group_id: string | null;
  @field(f.boolean(), { default: false, nullable: true }) declare bootable: boolean | null;
  @field(f.boolean(), { default: false, nullable: true }) declare multiattach: boolean | null;
  @field(f.string(), { nullable: true }) declare replication_status: string | null;
  @field(f.string(), { nullable: true }) declare replication_extended_status: string | null;
  @field(f.string(), { nullable: true }) declare replication_driver_data: string | null;
  @field(f.string(), { nullable: true }) declare previous_status: string | null;
  @field(f.dict(f.string()), { nullable: true }) declare metadata: Record<string, string> | null;
  @field(f.dict(f.string()), { nullable: true }) declare admin_metadata: Record<string, string> | null;
  @field(f.dict(f.string()), { nullable: true }) declare glance_metadata: Record<string, string> | null;
  @field(f.object('VolumeType'), { nullable: true }) declare volume_type: VolumeType | null;
  @field(f.object('VolumeAttachmentList'), { nullable: true }) declare volume_attachment: VolumeAttachmentList | null;
  @field(f.object('ConsistencyGroup'), { nullable: true }) declare consistencygroup: unknown;
  @field(f.object('SnapshotList'), { nullable: true }) declare snapshots: SnapshotList | null;
  @field(f.object('Group'), { nullable: true }) declare group: unknown;
  @field(f.string(), { nullable: true }) declare service_uuid: string | null;
  @field(f.boolean(), { default: true, nullable: true }) declare shared_targets: boolean | null;
}

@versionedObject({ name: 'VolumeList', version: '1.1', namespace, registry })
export class VolumeList extends ObjectList<Volume> {
  @field(f.listOfObjects<Volume>('Volume')) declare objects: Volume[];
}

@versionedObject({ name: 'VolumeType', version: '1.3', namespace, registry })
export class VolumeType extends Persistent {
  @field(f.uuid()) declare id: string;
  @field(f.string(), { nullable: true }) declare name: string | null;
  @field(f.string(), { nullable: true }) declare description: string | null;
  @field(f.boolean(), { default: true, nullable: true }) declare is_public: boolean | null;
  @field(f.list(f.string()), { nullable: true }) declare projects: string[] | null;
  @field(f.dict(f.nullable(f.string())), { nullable: true }) declare extra_specs: Record<string, string | null> | null;
  @field(f.uuid(), { nullable: true }) declare qos_specs_id: string | null;
  @field(f.object('QualityOfServiceSpecs'), { nullable: true }) declare qos_specs: unknown;
}

@versionedObject({ name: 'VolumeTypeList', version: '1.1', namespace, registry })
export class VolumeTypeList extends ObjectList<VolumeType> {
  @field(f.listOfObjects<VolumeType>('VolumeType')) declare objects: VolumeType[];
}

@versionedObject({ name: 'VolumeAttachment', version: '1.3', namespace, registry })
export class VolumeAttachment extends Persistent {
  @field(f.uuid()) declare id: string;
  @field(f.uuid()) declare volume_id: string;
  @field(f.uuid(), { nullable: true }) declare instance_uuid: string | null;
  @field(f.string(), { nullable: true }) declare attached_host: string | null;
  @field(f.string(), { nullable: true }) declare mountpoint: string | null;
  @field(f.dateTime(), { nullable: true }) declare attach_time: Date | null;
  @field(f.dateTime(), { nullable: true }) declare detach_time: Date | null;
  @field(f.enum(ATTACH_STATUS), { nullable: true }) declare attach_status: AttachStatus | null;
  @field(f.string(), { nullable: true }) declare attach_mode: string | null;
  @field(f.object<Volume>('Volume')) declare volume: Volume;
  @field(f.dict(f.untyped()), { nullable: true }) declare connection_info: Record<string, unknown> | null;
  @field(f.dict(f.untyped()), { nullable: true }) declare connector: Record<string, unknown> | null;
}

@versionedObject({ name: 'VolumeAttachmentList', version: '1.1', namespace, registry })
export class VolumeAttachmentList extends ObjectList<VolumeAttachment> {
  @field(f.listOfObjects<VolumeAttachment>('VolumeAttachment')) declare objects: VolumeAttachment[];
}

/** Cinder 21's OBJ_VERSIONS, for the classes ported here: 1.38 (its oldest) and 1.39 (Volume 1.9, Snapshot 1.6). */
export const OBJ_VERSIONS = new ManifestHistory()
  .add('1.38', {
    Cluster: '1.1',
    ConsistencyGroup: '1.4',
    Group: '1.2',
    QualityOfServiceSpecs: '1.0',
    Snapshot: '1.5',
    SnapshotList: '1.0',
    Volume: '1.8',
    VolumeAttachment: '1.3',
    VolumeAttachmentList: '1.1',
    VolumeList: '1.1',
    VolumeType: '1.3',
    VolumeTypeList: '1.1',
  })
  .add('1.39', { Volume: '1.9', Snapshot: '1.6' });
