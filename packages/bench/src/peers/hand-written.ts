import type { JsPeer, PreparedPeer } from '../operations.js';
import type { VolumeStatus, VolumeData } from '../volume-data.js';

/**
 * The practical limit: the same data as plain TS objects, encoded to the same envelope and read back by
 * code written for this one shape. It checks nothing; it is the speed a generic library can approach.
 */
export interface PlainAttachment {
  id: string;
  instance_uuid: string;
  mountpoint: string;
  attached_at: Date;
}

export interface PlainVolume {
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

export type Envelope = Record<string, unknown>;

/** How dates are written (`YYYY-MM-DDTHH:MM:SSZ`) and read back. */
export interface DateCodec {
  format(date: Date): string;
  parse(text: string): Date;
}

/** What anyone writes first: toISOString() and new Date(text). */
export const IDIOMATIC_DATES: DateCodec = {
  format: (date) => `${date.toISOString().slice(0, 19)}Z`,
  parse: (text) => new Date(text),
};

const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

export function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
}

/** The library's own tricks (a digit table out, char codes in): 2-3x faster, trusting the sender and years 1000-9999. */
export const TUNED_DATES: DateCodec = {
  format: (d) =>
    `${d.getUTCFullYear()}-${TWO_DIGITS[d.getUTCMonth() + 1]}-${TWO_DIGITS[d.getUTCDate()]}T${TWO_DIGITS[d.getUTCHours()]}:${TWO_DIGITS[d.getUTCMinutes()]}:${TWO_DIGITS[d.getUTCSeconds()]}Z`,
  parse: (t) =>
    new Date(
      Date.UTC(
        twoDigits(t, 0) * 100 + twoDigits(t, 2),
        twoDigits(t, 5) - 1,
        twoDigits(t, 8),
        twoDigits(t, 11),
        twoDigits(t, 14),
        twoDigits(t, 17),
      ),
    ),
};

/** The envelope codec for this one shape, over a date codec (a factory, so each variant is its own code). */
export function volumeCodec(dates: DateCodec): { toPrimitive(v: PlainVolume): Envelope; fromPrimitive(e: Envelope): PlainVolume } {
  const { format, parse } = dates;
  const attachmentToPrimitive = (a: PlainAttachment): Envelope => ({
    'versioned_object.name': 'Attachment',
    'versioned_object.namespace': 'versionedobjects',
    'versioned_object.version': '1.0',
    'versioned_object.data': { id: a.id, instance_uuid: a.instance_uuid, mountpoint: a.mountpoint, attached_at: format(a.attached_at) },
  });
  const attachmentFromPrimitive = (envelope: Envelope): PlainAttachment => {
    const d = envelope['versioned_object.data'] as Record<string, string>;
    return { id: d.id!, instance_uuid: d.instance_uuid!, mountpoint: d.mountpoint!, attached_at: parse(d.attached_at!) };
  };
  return {
    toPrimitive: (v) => ({
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
        created_at: format(v.created_at),
        metadata: { ...v.metadata },
        tags: [...v.tags],
        attachments: v.attachments.map(attachmentToPrimitive),
      },
    }),
    fromPrimitive: (envelope) => {
      const d = envelope['versioned_object.data'] as Record<string, any>;
      return {
        id: d.id,
        name: d.name,
        description: d.description,
        size: d.size,
        status: d.status,
        bootable: d.bootable,
        created_at: parse(d.created_at),
        metadata: { ...d.metadata },
        tags: new Set(d.tags),
        attachments: (d.attachments as Envelope[]).map(attachmentFromPrimitive),
      };
    },
  };
}

export function buildPlainVolume(data: VolumeData): PlainVolume {
  return {
    ...data,
    metadata: { ...data.metadata },
    created_at: new Date(data.created_at),
    tags: new Set(data.tags),
    attachments: data.attachments.map((a) => ({ ...a, attached_at: new Date(a.attached_at) })),
  };
}

function handWritten(id: 'handWritten' | 'handWrittenIdiomatic', dates: DateCodec): JsPeer {
  return {
    id,
    prepare(data: VolumeData): PreparedPeer {
      const codec = volumeCodec(dates);
      const volume = buildPlainVolume(data);
      const primitive = codec.toPrimitive(volume);
      const roundTrip = (): PlainVolume => codec.fromPrimitive(JSON.parse(JSON.stringify(codec.toPrimitive(volume))));
      return {
        operations: {
          toPrimitive: () => codec.toPrimitive(volume),
          fromPrimitive: () => codec.fromPrimitive(primitive),
          roundTrip,
        },
        wire: () => JSON.stringify(codec.toPrimitive(volume)),
        wireAfterRoundTrip: () => JSON.stringify(codec.toPrimitive(roundTrip())),
      };
    },
  };
}

/** The targets' reference: dates get the library's own tricks, so the ratios measure the library's per-field work and checks. */
export const handWrittenPeer = handWritten('handWritten', TUNED_DATES);
/** For context: the same with toISOString() / new Date(text). */
export const handWrittenIdiomaticPeer = handWritten('handWrittenIdiomatic', IDIOMATIC_DATES);
