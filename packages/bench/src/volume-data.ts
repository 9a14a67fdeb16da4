/** The benchmark's subject as plain JSON data: every peer builds its own object from this, so all encode the same thing. */
export interface AttachmentData {
  id: string;
  instance_uuid: string;
  mountpoint: string;
  /** `YYYY-MM-DDTHH:MM:SSZ`, oslo's wire form. */
  attached_at: string;
}

export interface VolumeData {
  id: string;
  name: string;
  description: string | null;
  size: number;
  status: VolumeStatus;
  bootable: boolean;
  created_at: string;
  metadata: Record<string, string>;
  tags: string[];
  attachments: AttachmentData[];
}

export const VOLUME_STATUSES = ['creating', 'available', 'in-use', 'deleting', 'error'] as const;
export type VolumeStatus = (typeof VOLUME_STATUSES)[number];

/** The version the Volume classes are at, and the oldest one they backport to (1.1 added `tags`). */
export const VOLUME_VERSION = '1.1';
export const OLDEST_VOLUME_VERSION = '1.0';

/** A multi-attached data volume, as a Cinder-like service would send it over RPC. */
export const VOLUME: VolumeData = {
  id: '0c1b7f4e-5a3d-4c52-9f8e-2d6b1a7c3e90',
  name: 'billing-db-data',
  description: 'PostgreSQL data volume of the billing cluster',
  size: 500,
  status: 'in-use',
  bootable: false,
  created_at: '2026-03-14T09:26:53Z',
  metadata: { volume_type: 'ssd-replicated', backup_policy: 'daily', owner: 'billing', availability_zone: 'nova-az1' },
  tags: ['prod', 'billing', 'postgres'],
  attachments: [
    {
      id: '5e0f8a91-2b7c-4d3e-8f6a-1c2d3e4f5a6b',
      instance_uuid: 'a3c5e7f9-1b2d-4e6f-8a0b-c1d2e3f4a5b6',
      mountpoint: '/dev/vdb',
      attached_at: '2026-03-14T09:30:00Z',
    },
    {
      id: '7a9b1c3d-5e7f-4a1b-9c3d-5e7f9a1b3c5d',
      instance_uuid: 'b4d6f8a0-2c4e-4f6a-9b1c-d2e3f4a5b6c7',
      mountpoint: '/dev/vdc',
      attached_at: '2026-03-15T11:02:17Z',
    },
    {
      id: '9c1d3e5f-7a9b-4c1d-8e3f-5a7b9c1d3e5f',
      instance_uuid: 'c5e7a9b1-3d5f-4a7b-8c2d-e3f4a5b6c7d8',
      mountpoint: '/dev/vdd',
      attached_at: '2026-03-16T23:59:59Z',
    },
  ],
};
