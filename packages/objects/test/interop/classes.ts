// The interop fixture classes, TypeScript side: the same names, fields, versions and history as classes.py.
import { ObjectList, ObjectRegistry, Timestamped, VersionedObject, compareVersions, f, field, versionedObject } from '../../src/index.js';

/** Every interop test file decodes with this registry, never the default one. */
export const interopRegistry = new ObjectRegistry();

export type VolumeStatus = 'creating' | 'available' | 'in-use' | 'error' | 'deleting';

const VOLUME_STATUS: Record<VolumeStatus, VolumeStatus[]> = {
  creating: ['available', 'error'],
  available: ['in-use', 'deleting'],
  'in-use': ['available'],
  error: ['deleting'],
  deleting: [],
};

@versionedObject({
  version: '1.1',
  registry: interopRegistry,
  history: [
    { version: '1.0', note: 'Initial version' },
    { version: '1.1', added: ['attached_at', 'attach_mode'], note: 'When and how it was attached' },
  ],
})
export class Attachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string()) declare instance: string;
  @field(f.string(), { nullable: true }) declare mountpoint: string | null;
  @field(f.dateTime(), { nullable: true }) declare attached_at: Date | null;
  @field(f.enum(['rw', 'ro'] as const), { default: 'rw' }) declare attach_mode: 'rw' | 'ro';
}

/** Fields each Volume version added (classes.py drops them by hand in obj_make_compatible). */
export const VOLUME_ADDED = {
  '1.1': [
    'offset',
    'ratio',
    'weight',
    'bootable',
    'multiattach',
    'created_at',
    'tier',
    'counts',
    'quotas',
    'labels',
    'ports',
    'attachment',
  ],
  '1.2': ['host_ip', 'mgmt_ipv4', 'mgmt_ipv6', 'any_ip', 'subnet', 'subnet4', 'subnet6', 'mac', 'pci', 'synced_at'],
  '1.3': ['auth_key'],
} as const;

@versionedObject({
  version: '1.3',
  registry: interopRegistry,
  history: [
    { version: '1.0', note: 'Initial version', children: { attachments: '1.0' } },
    { version: '1.1', added: VOLUME_ADDED['1.1'], children: { attachment: '1.0' }, note: 'Scalars, sets, the single attachment' },
    { version: '1.2', added: VOLUME_ADDED['1.2'], children: { attachment: '1.1' }, note: 'Network fields; Attachment 1.1 in attachment' },
    { version: '1.3', added: VOLUME_ADDED['1.3'], children: { attachments: '1.1' }, note: 'auth_key; Attachment 1.1 in attachments' },
  ],
})
export class Volume extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string(), { nullable: true }) declare name: string | null;
  @field(f.sensitiveString(), { nullable: true }) declare auth_key: string | null;
  @field(f.nonNegativeInteger()) declare size: number;
  @field(f.integer(), { default: 0 }) declare offset: number;
  @field(f.float(), { nullable: true }) declare ratio: number | null;
  @field(f.nonNegativeFloat(), { nullable: true }) declare weight: number | null;
  @field(f.boolean(), { default: false }) declare bootable: boolean;
  @field(f.flexibleBoolean(), { default: false }) declare multiattach: boolean;
  @field(f.dateTime(), { nullable: true }) declare created_at: Date | null;
  @field(f.dateTime({ precision: 'millisecond' }), { nullable: true }) declare synced_at: Date | null;
  @field(f.enum(['ssd', 'hdd', 'nvme'] as const), { nullable: true }) declare tier: 'ssd' | 'hdd' | 'nvme' | null;
  @field(f.stateMachine(VOLUME_STATUS), { default: 'creating' }) declare status: VolumeStatus;
  @field(f.ipAddress(), { nullable: true }) declare host_ip: string | null;
  @field(f.ipv4Address(), { nullable: true }) declare mgmt_ipv4: string | null;
  @field(f.ipv6Address(), { nullable: true }) declare mgmt_ipv6: string | null;
  @field(f.ipv4AndV6Address(), { nullable: true }) declare any_ip: string | null;
  @field(f.ipNetwork(), { nullable: true }) declare subnet: string | null;
  @field(f.ipv4Network(), { nullable: true }) declare subnet4: string | null;
  @field(f.ipv6Network(), { nullable: true }) declare subnet6: string | null;
  @field(f.macAddress(), { nullable: true }) declare mac: string | null;
  @field(f.pciAddress(), { nullable: true }) declare pci: string | null;
  @field(f.list(f.string()), { default: [] }) declare tags: string[];
  @field(f.list(f.integer()), { nullable: true }) declare counts: number[] | null;
  @field(f.dict(f.string()), { default: {} }) declare metadata: Record<string, string>;
  @field(f.dict(f.integer()), { nullable: true }) declare quotas: Record<string, number> | null;
  @field(f.set(f.string()), { nullable: true }) declare labels: Set<string> | null;
  @field(f.set(f.integer()), { nullable: true }) declare ports: Set<number> | null;
  @field(f.object<Attachment>('Attachment'), { nullable: true }) declare attachment: Attachment | null;
  @field(f.listOfObjects<Attachment>('Attachment'), { default: [] }) declare attachments: Attachment[];
}

@versionedObject({
  version: '1.1',
  registry: interopRegistry,
  history: [
    { version: '1.0', note: 'Initial version', children: { objects: '1.2' } },
    { version: '1.1', children: { objects: '1.3' }, note: 'Volume 1.3' },
  ],
})
export class VolumeList extends ObjectList<Volume> {
  @field(f.listOfObjects<Volume>('Volume')) declare objects: Volume[];
}

/** A subclass, accepted where an Attachment is expected with `subclasses: true`. */
@versionedObject({ version: '1.0', registry: interopRegistry })
export class ScsiAttachment extends Attachment {
  @field(f.integer()) declare lun: number;
}

/** oslo's TimestampedObject mixin (created_at, updated_at) and an Object field open to subclasses. */
@versionedObject({ version: '1.0', registry: interopRegistry })
export class Snapshot extends Timestamped(VersionedObject) {
  @field(f.uuid()) declare id: string;
  @field(f.object<Attachment>('Attachment', { subclasses: true }), { nullable: true }) declare source: Attachment | null;
}

/** No declared history: only its current version is described. */
@versionedObject({ version: '1.1', registry: interopRegistry })
export class Note extends VersionedObject {
  @field(f.string()) declare text: string;
}

/** Nova's style: its own serial namespace (the envelope key prefix) and project namespace. */
@versionedObject({
  version: '1.2',
  namespace: 'nova',
  serialNamespace: 'nova_object',
  registry: interopRegistry,
  history: [
    { version: '1.0', note: 'Initial version' },
    { version: '1.1', added: ['extra_specs'], note: 'Add extra_specs' },
    { version: '1.2', added: ['memory_mb', 'created_at'], removed: ['memory'], note: 'Rename memory to memory_mb; add created_at' },
  ],
})
export class Flavor extends VersionedObject {
  @field(f.integer()) declare id: number;
  @field(f.string()) declare name: string;
  @field(f.nonNegativeInteger()) declare memory_mb: number;
  @field(f.dict(f.string()), { default: {} }) declare extra_specs: Record<string, string>;
  @field(f.dateTime(), { nullable: true }) declare created_at: Date | null;

  /** Before 1.2 the field was called memory (classes.py does the same by hand). */
  override makeCompatible(data: Record<string, unknown>, targetVersion: string): void {
    if (compareVersions(targetVersion, '1.2') < 0 && Object.hasOwn(data, 'memory_mb')) {
      data['memory'] = data['memory_mb'];
      delete data['memory_mb'];
    }
  }
}

/** A project namespace of its own, with oslo's default serial namespace. */
@versionedObject({
  version: '2.1',
  namespace: 'acme',
  registry: interopRegistry,
  history: [
    { version: '2.0', note: 'Initial version' },
    { version: '2.1', added: ['enabled'], note: 'Add enabled' },
  ],
})
export class Widget extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string()) declare label: string;
  @field(f.boolean(), { default: true }) declare enabled: boolean;
}
