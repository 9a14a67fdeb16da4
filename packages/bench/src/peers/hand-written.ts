import type { JsPeer, PreparedPeer } from '../operations.js';
import type { VolumeStatus, VolumeData } from '../volume-data.js';

/**
 * The practical limit: the same data as plain TS objects, encoded to the same envelope and read back by
 * code written for this one shape. It checks nothing; it is the speed a generic library can approach.
 */
interface PlainAttachment {
  id: string;
  instance_uuid: string;
  mountpoint: string;
  attached_at: Date;
}

interface PlainVolume {
  id: string;
  name: string;
  description: string | null;
  size: number;
  status: VolumeStatus;
  bootable: boolean;
  created_at: Date;
  metadata: Record<string, string>;
  tags: Set<string>;
  attachments: PlainAttachment[];
}

type Envelope = Record<string, unknown>;

/** oslo's wire form of a date-time: whole seconds, `Z`. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function attachmentToPrimitive(a: PlainAttachment): Envelope {
  return {
    'versioned_object.name': 'Attachment',
    'versioned_object.namespace': 'versionedobjects',
    'versioned_object.version': '1.0',
    'versioned_object.data': { id: a.id, instance_uuid: a.instance_uuid, mountpoint: a.mountpoint, attached_at: isoSeconds(a.attached_at) },
  };
}

export function volumeToPrimitive(v: PlainVolume): Envelope {
  return {
    'versioned_object.name': 'Volume',
    'versioned_object.namespace': 'versionedobjects',
    'versioned_object.version': '1.1',
    'versioned_object.data': {
      id: v.id,
      name: v.name,
      description: v.description,
      size: v.size,
      status: v.status,
      bootable: v.bootable,
      created_at: isoSeconds(v.created_at),
      metadata: { ...v.metadata },
      tags: [...v.tags],
      attachments: v.attachments.map(attachmentToPrimitive),
    },
  };
}

function attachmentFromPrimitive(envelope: Envelope): PlainAttachment {
  const d = envelope['versioned_object.data'] as Record<string, string>;
  return { id: d.id!, instance_uuid: d.instance_uuid!, mountpoint: d.mountpoint!, attached_at: new Date(d.attached_at!) };
}

export function volumeFromPrimitive(envelope: Envelope): PlainVolume {
  const d = envelope['versioned_object.data'] as Record<string, any>;
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    size: d.size,
    status: d.status,
    bootable: d.bootable,
    created_at: new Date(d.created_at),
    metadata: { ...d.metadata },
    tags: new Set(d.tags),
    attachments: (d.attachments as Envelope[]).map(attachmentFromPrimitive),
  };
}

function buildPlainVolume(data: VolumeData): PlainVolume {
  return {
    ...data,
    metadata: { ...data.metadata },
    created_at: new Date(data.created_at),
    tags: new Set(data.tags),
    attachments: data.attachments.map((a) => ({ ...a, attached_at: new Date(a.attached_at) })),
  };
}

export const handWrittenPeer: JsPeer = {
  id: 'handWritten',
  prepare(data: VolumeData): PreparedPeer {
    const volume = buildPlainVolume(data);
    const primitive = volumeToPrimitive(volume);
    const roundTrip = (): PlainVolume => volumeFromPrimitive(JSON.parse(JSON.stringify(volumeToPrimitive(volume))));
    return {
      operations: {
        toPrimitive: () => volumeToPrimitive(volume),
        fromPrimitive: () => volumeFromPrimitive(primitive),
        roundTrip,
      },
      wire: () => JSON.stringify(volumeToPrimitive(volume)),
      wireAfterRoundTrip: () => JSON.stringify(volumeToPrimitive(roundTrip())),
    };
  },
};
