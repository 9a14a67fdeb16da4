import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import * as v from 'valibot';
import { z } from 'zod';
import type { JsPeer, PreparedPeer } from '../operations.js';
import { VOLUME_STATUSES, type VolumeData } from '../volume-data.js';
import {
  IDIOMATIC_DATES,
  buildPlainVolume,
  twoDigits,
  volumeCodec,
  type Envelope,
  type PlainAttachment,
  type PlainVolume,
} from './hand-written.js';
import { assertVolumeEnvelope } from './typia-generated/volume-envelope.js';

/**
 * Peers that decode untrusted input: each checks the envelope (names, versions), every field's type, the UUIDs
 * and the date-times, and builds the same typed PlainVolume (Dates, a Set) as the hand-written copy, or throws.
 */

const NAME = 'versioned_object.name';
const NAMESPACE = 'versioned_object.namespace';
const VERSION = 'versioned_object.version';
const CHANGES = 'versioned_object.changes';
const DATA = 'versioned_object.data';

/** What ajv and typia leave to the caller once the input is known to be valid: build the typed object, as users write it. */
const build = volumeCodec(IDIOMATIC_DATES).fromPrimitive;

function decodingPeer(id: JsPeer['id'], decode: (primitive: unknown) => PlainVolume, encode?: (volume: PlainVolume) => Envelope): JsPeer {
  return {
    id,
    prepare(data: VolumeData): PreparedPeer {
      const volume = buildPlainVolume(data);
      const primitive = volumeCodec(IDIOMATIC_DATES).toPrimitive(volume);
      return {
        operations: {
          fromPrimitive: () => decode(primitive),
          ...(encode ? { toPrimitive: () => encode(volume) } : {}),
        },
        decode,
        ...(encode ? { wire: () => JSON.stringify(encode(volume)) } : {}),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------- hand-written

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const STATUSES: ReadonlySet<unknown> = new Set(VOLUME_STATUSES);

/**
 * Where a value sits: the Volume's own fields, or the n-th attachment's. Paths are only spelled out on failure,
 * so the success path builds no strings.
 */
type At = 'Volume' | number;

function fail(at: At, key: string, expected: string): never {
  const parent = at === 'Volume' ? 'Volume' : `Volume.attachments[${at}]`;
  throw new TypeError(`${key ? `${parent}.${key}` : parent}: expected ${expected}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, at: At, key: string): string {
  if (typeof value !== 'string') fail(at, key, 'a string');
  return value;
}

function uuid(value: unknown, at: At, key: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) fail(at, key, 'a UUID');
  return value;
}

/** `YYYY-MM-DDTHH:MM:SSZ`, fields in range, read with char codes rather than Date's own parser. */
function dateTime(value: unknown, at: At, key: string): Date {
  if (typeof value !== 'string' || !DATE_TIME.test(value)) fail(at, key, 'a date-time (YYYY-MM-DDTHH:MM:SSZ)');
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hours = twoDigits(value, 11);
  const minutes = twoDigits(value, 14);
  const seconds = twoDigits(value, 17);
  const date = new Date(Date.UTC(twoDigits(value, 0) * 100 + twoDigits(value, 2), month - 1, day, hours, minutes, seconds));
  // Date.UTC rolls 31 February over into March: a day out of range comes back as another day.
  if (month < 1 || month > 12 || hours > 23 || minutes > 59 || seconds > 59 || date.getUTCDate() !== day)
    fail(at, key, 'a valid date-time');
  return date;
}

function stringList(value: unknown, at: At, key: string): string[] {
  if (!Array.isArray(value)) fail(at, key, 'a list');
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') fail(at, `${key}[${i}]`, 'a string');
  return value as string[];
}

function envelope(value: unknown, at: At, name: string, version: string): Record<string, unknown> {
  if (!isRecord(value)) fail(at, '', 'an object envelope');
  if (value[NAME] !== name) fail(at, NAME, `'${name}'`);
  if (value[NAMESPACE] !== 'versionedobjects') fail(at, NAMESPACE, "'versionedobjects'");
  if (value[VERSION] !== version) fail(at, VERSION, `'${version}'`);
  if (value[CHANGES] !== undefined) stringList(value[CHANGES], at, CHANGES);
  const data = value[DATA];
  if (!isRecord(data)) fail(at, DATA, 'an object');
  return data;
}

function handDecodeAttachment(value: unknown, at: number): PlainAttachment {
  const d = envelope(value, at, 'Attachment', '1.0');
  return {
    id: uuid(d.id, at, 'id'),
    instance_uuid: uuid(d.instance_uuid, at, 'instance_uuid'),
    mountpoint: str(d.mountpoint, at, 'mountpoint'),
    attached_at: dateTime(d.attached_at, at, 'attached_at'),
  };
}

/** The practical limit of a validating decoder: written for this one shape, every check inline. */
export function handDecodeVolume(value: unknown): PlainVolume {
  const d = envelope(value, 'Volume', 'Volume', '1.1');
  const { size, status, bootable, description } = d;
  if (typeof size !== 'number' || !Number.isSafeInteger(size)) fail('Volume', 'size', 'an integer');
  if (!STATUSES.has(status)) fail('Volume', 'status', `one of ${VOLUME_STATUSES.join(', ')}`);
  if (typeof bootable !== 'boolean') fail('Volume', 'bootable', 'a boolean');
  if (description !== null && typeof description !== 'string') fail('Volume', 'description', 'a string or null');
  const metadataIn = d.metadata;
  if (!isRecord(metadataIn)) fail('Volume', 'metadata', 'an object');
  const metadata: Record<string, string> = {};
  for (const key in metadataIn) {
    if (!Object.hasOwn(metadataIn, key)) continue;
    const item = metadataIn[key];
    if (typeof item !== 'string') fail('Volume', `metadata.${key}`, 'a string');
    metadata[key] = item;
  }
  const attachmentsIn = d.attachments;
  if (!Array.isArray(attachmentsIn)) fail('Volume', 'attachments', 'a list');
  const attachments = new Array<PlainAttachment>(attachmentsIn.length);
  for (let i = 0; i < attachmentsIn.length; i++) attachments[i] = handDecodeAttachment(attachmentsIn[i], i);
  return {
    id: uuid(d.id, 'Volume', 'id'),
    name: str(d.name, 'Volume', 'name'),
    description: description as string | null,
    size,
    status: status as PlainVolume['status'],
    bootable,
    created_at: dateTime(d.created_at, 'Volume', 'created_at'),
    metadata,
    tags: new Set(stringList(d.tags, 'Volume', 'tags')),
    attachments,
  };
}

export const handWrittenValidatingPeer = decodingPeer('handWrittenValidating', handDecodeVolume);

// ---------------------------------------------------------------------------------------------- zod 4

const zDateTime = z.codec(z.iso.datetime(), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => `${date.toISOString().slice(0, 19)}Z`,
});
const zStringSet = z.codec(z.array(z.string()), z.set(z.string()), { decode: (list) => new Set(list), encode: (set) => [...set] });

/** An envelope whose decoded form is its data (and whose encoded form wraps the data back up). */
function zEnvelope<D extends z.ZodObject>(name: string, version: string, data: D) {
  return z.codec(
    z.object({
      [NAME]: z.literal(name),
      [NAMESPACE]: z.literal('versionedobjects'),
      [VERSION]: z.literal(version),
      [CHANGES]: z.array(z.string()).optional(),
      [DATA]: data,
    }),
    z.custom<z.output<D>>(),
    {
      decode: (e) => (e as Record<string, unknown>)[DATA] as z.output<D>,
      encode: (d) => ({ [NAME]: name, [NAMESPACE]: 'versionedobjects', [VERSION]: version, [DATA]: d }) as never,
    },
  );
}

const zAttachment = zEnvelope(
  'Attachment',
  '1.0',
  z.object({ id: z.uuid(), instance_uuid: z.uuid(), mountpoint: z.string(), attached_at: zDateTime }),
);
const zVolume = zEnvelope(
  'Volume',
  '1.1',
  z.object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    size: z.int(),
    status: z.enum(VOLUME_STATUSES),
    bootable: z.boolean(),
    created_at: zDateTime,
    metadata: z.record(z.string(), z.string()),
    tags: zStringSet,
    attachments: z.array(zAttachment),
  }),
);

export const zodPeer = decodingPeer(
  'zod',
  (primitive) => z.decode(zVolume, primitive as never) as PlainVolume,
  (volume) => z.encode(zVolume, volume) as Envelope,
);

// ---------------------------------------------------------------------------------------------- valibot

const vDateTime = v.pipe(
  v.string(),
  v.isoTimestamp(),
  v.transform((text) => new Date(text)),
);
const vUuid = v.pipe(v.string(), v.uuid());

function vEnvelope<D extends v.GenericSchema>(name: string, version: string, data: D) {
  return v.pipe(
    v.object({
      [NAME]: v.literal(name),
      [NAMESPACE]: v.literal('versionedobjects'),
      [VERSION]: v.literal(version),
      [CHANGES]: v.optional(v.array(v.string())),
      [DATA]: data,
    }),
    v.transform((e) => e[DATA] as v.InferOutput<D>),
  );
}

const vAttachment = vEnvelope(
  'Attachment',
  '1.0',
  v.object({ id: vUuid, instance_uuid: vUuid, mountpoint: v.string(), attached_at: vDateTime }),
);
const vVolume = vEnvelope(
  'Volume',
  '1.1',
  v.object({
    id: vUuid,
    name: v.string(),
    description: v.nullable(v.string()),
    size: v.pipe(v.number(), v.safeInteger()),
    status: v.picklist(VOLUME_STATUSES),
    bootable: v.boolean(),
    created_at: vDateTime,
    metadata: v.record(v.string(), v.string()),
    tags: v.pipe(
      v.array(v.string()),
      v.transform((list) => new Set(list)),
    ),
    attachments: v.array(vAttachment),
  }),
);

export const valibotPeer = decodingPeer('valibot', (primitive) => v.parse(vVolume, primitive) as PlainVolume);

// ---------------------------------------------------------------------------------------------- typia

/** typia's validator is generated ahead of time (`typia generate`, see typia-templates/); then the object is built. */
export const typiaPeer = decodingPeer('typia', (primitive) => build(assertVolumeEnvelope(primitive) as unknown as Envelope));

// ---------------------------------------------------------------------------------------------- ajv

function ajvEnvelope(name: string, version: string, data: object): object {
  return {
    type: 'object',
    required: [NAME, NAMESPACE, VERSION, DATA],
    properties: {
      [NAME]: { const: name },
      [NAMESPACE]: { const: 'versionedobjects' },
      [VERSION]: { const: version },
      [CHANGES]: { type: 'array', items: { type: 'string' } },
      [DATA]: data,
    },
  };
}

const uuidSchema = { type: 'string', format: 'uuid' };
const dateTimeSchema = { type: 'string', format: 'date-time' };
const ajvAttachment = ajvEnvelope('Attachment', '1.0', {
  type: 'object',
  required: ['id', 'instance_uuid', 'mountpoint', 'attached_at'],
  properties: { id: uuidSchema, instance_uuid: uuidSchema, mountpoint: { type: 'string' }, attached_at: dateTimeSchema },
});
const ajvVolume = ajvEnvelope('Volume', '1.1', {
  type: 'object',
  required: ['id', 'name', 'description', 'size', 'status', 'bootable', 'created_at', 'metadata', 'tags', 'attachments'],
  properties: {
    id: uuidSchema,
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    size: { type: 'integer' },
    status: { enum: VOLUME_STATUSES },
    bootable: { type: 'boolean' },
    created_at: dateTimeSchema,
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    attachments: { type: 'array', items: ajvAttachment },
  },
});

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: false }));
const ajvValidate = ajv.compile(ajvVolume);

export const ajvPeer = decodingPeer('ajv', (primitive) => {
  if (!ajvValidate(primitive)) throw new TypeError(`Volume: ${ajv.errorsText(ajvValidate.errors)}`);
  return build(primitive as Envelope);
});
