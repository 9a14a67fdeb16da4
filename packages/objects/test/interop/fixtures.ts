// Logical objects that both sides build from the same spec (values in oslo's wire form, so both
// coerce the same input). Every value survives both sides unchanged: whole-second date-times, canonical
// lower-case addresses, valid UUIDs.
import type { ObjectSpec } from './model.js';

export const VOLUME_ID = 'f5b2c6c4-8c1e-4c53-9d0e-2b8f0c7a1d11';
export const ATTACHMENT_IDS = [
  '0e1c7f7a-5d8b-4d55-9a3e-6a1f0b2c3d41',
  '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  '9b2d6f0e-1c3a-4e5b-8f7d-2a4c6e8b0d13',
] as const;

export function attachment(n: 0 | 1 | 2, extra: Partial<ObjectSpec> = {}): ObjectSpec {
  return {
    $object: 'Attachment',
    values: {
      id: ATTACHMENT_IDS[n],
      instance: `instance-${n}`,
      mountpoint: n === 1 ? null : `/dev/vd${'bcd'[n]}`,
      attached_at: `2024-03-0${n + 1}T10:20:3${n}Z`,
      ...(n === 2 ? { attach_mode: 'ro' } : {}),
    },
    ...extra,
  };
}

/** Every field of Volume set to a non-default value. */
export const FULL_VOLUME_VALUES = {
  id: VOLUME_ID,
  name: 'data-01',
  auth_key: 's3cr3t',
  size: 40,
  offset: -5,
  ratio: 0.75,
  weight: 2.5,
  bootable: true,
  multiattach: true,
  created_at: '2024-03-04T05:06:07Z',
  tier: 'ssd',
  status: 'available',
  host_ip: '2001:db8::1',
  mgmt_ipv4: '192.0.2.10',
  mgmt_ipv6: 'fe80::1',
  any_ip: '198.51.100.7',
  subnet: '10.0.0.0/8',
  subnet4: '192.0.2.0/24',
  subnet6: '2001:db8::/32',
  mac: 'aa:bb:cc:dd:ee:ff',
  pci: '0000:00:1f.2',
  tags: ['fast', 'replicated'],
  counts: [3, 1, 2],
  // A computed key: an own "__proto__" entry, which both sides must carry as data.
  metadata: { owner: 'ops', env: 'prod', ['__proto__']: 'data' },
  quotas: { gb: 100, snapshots: 10 },
  labels: ['gold', 'eu', 'backup'],
  ports: [3260, 22, 80],
  attachment: attachment(0),
  attachments: [attachment(1), attachment(2)],
} as const satisfies Record<string, unknown>;

/** The logical objects built on both sides and compared in every direction. */
export const SHARED_SPECS: Record<string, ObjectSpec> = {
  'a new Volume with every field set (all changed, children too)': { $object: 'Volume', values: FULL_VOLUME_VALUES },
  'a saved Volume with two fields changed since': {
    $object: 'Volume',
    values: FULL_VOLUME_VALUES,
    reset: 'recursive',
    after: { name: 'data-02', size: 50 },
  },
  'a Volume with most fields unset and nullable fields null': {
    $object: 'Volume',
    values: {
      id: VOLUME_ID,
      size: 1,
      name: null,
      ratio: null,
      created_at: null,
      labels: null,
      ports: null,
      attachment: null,
      host_ip: null,
      quotas: null,
    },
    reset: 'shallow',
    after: { counts: null },
  },
  'a Volume whose defaults were filled in (and null on a defaulted field gives the default)': {
    $object: 'Volume',
    values: { id: VOLUME_ID, size: 2, bootable: null, tags: null },
    setDefaults: [],
  },
  'a Volume whose only change is inside its child Attachment': {
    $object: 'Volume',
    values: { id: VOLUME_ID, size: 3, attachment: attachment(0, { reset: 'shallow', after: { mountpoint: '/dev/vdz' } }) },
    reset: 'shallow',
  },
  'a VolumeList of two saved Volumes': {
    $object: 'VolumeList',
    values: {
      objects: [
        { $object: 'Volume', values: FULL_VOLUME_VALUES },
        { $object: 'Volume', values: { id: ATTACHMENT_IDS[2], size: 8, tags: [] } },
      ],
    },
    reset: 'recursive',
  },
  'an empty VolumeList': { $object: 'VolumeList' },
  'a VolumeList with one Volume changed': {
    $object: 'VolumeList',
    values: { objects: [{ $object: 'Volume', values: { id: VOLUME_ID, size: 9 }, reset: 'shallow', after: { size: 10 } }] },
    reset: 'shallow',
  },
  'a timestamped Snapshot whose source is a ScsiAttachment (a subclass)': {
    $object: 'Snapshot',
    values: {
      id: VOLUME_ID,
      created_at: '2024-01-01T00:00:00Z',
      updated_at: null,
      source: { $object: 'ScsiAttachment', values: { id: ATTACHMENT_IDS[0], instance: 'i-0', lun: 3 }, reset: 'shallow' },
    },
  },
  'a Flavor in the nova_object serial namespace and nova project': {
    $object: 'Flavor',
    values: {
      id: 42,
      name: 'm1.small',
      memory_mb: 2048,
      extra_specs: { 'hw:cpu_policy': 'dedicated' },
      created_at: '2023-12-31T23:59:59Z',
    },
    reset: 'shallow',
    after: { memory_mb: 4096 },
  },
  'a Widget in the acme project namespace': {
    $object: 'Widget',
    values: { id: VOLUME_ID, label: 'sprocket' },
    setDefaults: ['enabled'],
  },
};
