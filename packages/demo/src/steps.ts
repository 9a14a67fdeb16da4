import { isVersionedError, type ErrorCode, type VersionedObject } from '@versioned/objects';
import type { Narrator } from './narrator.js';
import * as releaseN from './releases/release-n.js';
import * as releaseN1 from './releases/release-n1.js';
import type { Service } from './service.js';

/** What the steps share: the log, the two services, and what earlier steps made. */
export interface DemoContext {
  readonly log: Narrator;
  /** Runs release N: reads Volume 1.0. */
  readonly oldService: Service;
  /** Runs release N+1: reads Volume 1.1. */
  readonly newService: Service;
  /** The volume the new service created. */
  volume?: releaseN1.Volume;
}

/** One narrated step of the demo. A step throws when what it shows does not happen: the demo then fails. */
export interface Step {
  readonly title: string;
  run(ctx: DemoContext): void | Promise<void>;
}

// Fixed identities and times, so that every run prints the same thing.
const VOLUME_ID = '7c4d3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const OLD_VOLUME_ID = '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9';
const INSTANCE_ID = '0d7f3a4e-2b1c-4e5f-8a9b-c0d1e2f3a4b5';
const ATTACHMENT_ID = '6e1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const CREATED_AT = new Date('2026-11-21T09:30:00.250Z');

export const introduceServices: Step = {
  title: 'Two releases of the volume service run side by side',
  run({ log, oldService, newService }) {
    for (const service of [oldService, newService]) {
      const reads = Object.entries(service.manifest()).map(([name, version]) => `${name} ${version}`);
      log.say(`${service} reads ${reads.join(', ')}`);
    }
  },
};

export const createVolume: Step = {
  title: 'The new service creates a volume and attaches it',
  run(ctx) {
    const { log } = ctx;
    const volume = releaseN1.Volume.create({ id: VOLUME_ID, name: 'db-data', size: 10, status: 'creating', created_at: CREATED_AT, tags: new Set(['gold', 'db']) });
    volume.setDefaults('attachments');
    volume.resetChanges();
    volume.status = 'available';
    volume.attachments = [
      releaseN1.VolumeAttachment.create({ id: ATTACHMENT_ID, instance_uuid: INSTANCE_ID, mountpoint: '/dev/vdb', attached_at: CREATED_AT, attach_mode: 'ro' }),
    ];
    volume.status = 'attaching';
    volume.status = 'in-use';
    log.say(String(volume));
    log.say(`created_at is kept to the second, as oslo sends it: ${volume.created_at.toISOString()}`);
    log.say(`changed since it was saved (resetChanges): ${[...volume.whatChanged()].join(', ')}`);
    expectRefusal(log, 'invalid_value', () => {
      volume.status = 'deleted';
    });
    ctx.volume = volume;
  },
};

export const showEnvelope: Step = {
  title: "On the wire it is oslo.versionedobjects' envelope",
  run({ log, newService, volume }) {
    const wire = JSON.parse(newService.send(need(volume))) as Record<string, unknown>;
    const data = wire['versioned_object.data'] as Record<string, unknown>;
    const shown = { ...wire, 'versioned_object.data': { ...data, attachments: [`<${(data['attachments'] as unknown[]).length} VolumeAttachment envelope>`] } };
    log.say(formatEnvelope(shown));
  },
};

export const sendNewVersionToOldService: Step = {
  title: 'Sent as it is (Volume 1.1), the old service cannot read it',
  run({ log, oldService, newService, volume }) {
    const wire = newService.send(need(volume));
    expectRefusal(log, 'incompatible_version', () => oldService.receive(wire));
  },
};

export const sendOldVersionToNewService: Step = {
  title: 'The old service sends a Volume 1.0; the new one reads it with its 1.1 class',
  run({ log, oldService, newService }) {
    const old = releaseN.Volume.create({ id: OLD_VOLUME_ID, name: 'scratch', size: 1, status: 'available', created_at: CREATED_AT, attachments: [] });
    const received = newService.receive(oldService.send(old));
    if (!(received instanceof releaseN1.Volume)) throw new Error(`expected a release N+1 Volume, got ${received.objName}`);
    log.say(`selected class: Volume ${releaseN1.Volume.objVersion} (same major, newer minor); the object speaks ${received.objVersion}`);
    log.say(`tags set? ${received.isSet('tags')} (1.0 has no tags); name: ${received.name}, size: ${received.size} GB`);
  },
};

export const rejectCorruptPrimitive: Step = {
  title: 'A corrupt primitive is refused with the path of the bad value',
  run({ log, oldService, newService, volume }) {
    const wire = JSON.parse(newService.send(need(volume))) as Record<string, any>;
    wire['versioned_object.data'].attachments[0]['versioned_object.data'].instance_uuid = 'not-a-uuid';
    expectRefusal(log, 'invalid_value', () => newService.receive(JSON.stringify(wire)));
    const unknown = { ...wire, 'versioned_object.name': 'Snapshot' };
    expectRefusal(log, 'unsupported_object', () => oldService.receive(JSON.stringify(unknown)));
  },
};

/** The demo, in order. */
export const STEPS: readonly Step[] = [
  introduceServices,
  createVolume,
  showEnvelope,
  sendNewVersionToOldService,
  sendOldVersionToNewService,
  rejectCorruptPrimitive,
];

/** Run `fn`, which must fail with a VersionedError of `code`; log the refusal. */
export function expectRefusal(log: Narrator, code: ErrorCode, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!isVersionedError(err, code)) throw err;
    log.say(`refused (${err.code}): ${err.message}`);
    return;
  }
  throw new Error(`expected a refusal with code ${code}, but it succeeded`);
}

/** Two levels expanded, deeper values on one line: readable without scrolling. */
function formatEnvelope(value: Record<string, unknown>, depth = 0): string {
  const pad = '  '.repeat(depth + 1);
  const entries = Object.entries(value).map(([key, v]) => {
    const shown = depth === 0 && typeof v === 'object' && v !== null && !Array.isArray(v) ? formatEnvelope(v as Record<string, unknown>, 1) : JSON.stringify(v);
    return `${pad}${JSON.stringify(key)}: ${shown}`;
  });
  return `{\n${entries.join(',\n')}\n${'  '.repeat(depth)}}`;
}

function need<T extends VersionedObject>(value: T | undefined): T {
  if (value === undefined) throw new Error('this step needs the volume created by an earlier step');
  return value;
}
