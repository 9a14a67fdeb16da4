import { isVersionedError, type DataLoss, type ErrorCode, type VersionedObject } from '@versioned/objects';
import type { Narrator } from './narrator.js';
import * as releaseN from './releases/release-n.js';
import * as releaseN1 from './releases/release-n1.js';
import { OBJECT_VERSIONS } from './releases/object-versions.js';
import { Service } from './service.js';

/** What the steps share: the log, the two services, the pin, and what earlier steps made. */
export interface DemoContext {
  readonly log: Narrator;
  /** The service still on release N (reads Volume 1.0) until it is upgraded. */
  hostA: Service;
  /** The service already upgraded to release N+1 (reads Volume 1.1). */
  hostB: Service;
  /** The release whose object versions every sender backports to (a key of OBJECT_VERSIONS): the oldest release running. */
  pin: string;
  /** The volume host B created. */
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
  run({ log, hostA, hostB }) {
    for (const service of [hostA, hostB]) {
      const reads = Object.entries(service.manifest()).map(([name, version]) => `${name} ${version}`);
      log.say(`${service} reads ${reads.join(', ')}`);
    }
  },
};

export const createVolume: Step = {
  title: 'Host B (release N+1) creates a volume and attaches it',
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
    log.say(`Volume ${volume.objVersion} ${short(volume.id)}: "${volume.name}", ${volume.size} GB, ${volume.status}, tags ${[...volume.tags].join(', ')}`);
    log.say(`  created_at ${volume.created_at.toISOString()} (given ${CREATED_AT.toISOString()}: kept to the second, as oslo sends it)`);
    for (const a of volume.attachments) log.say(`  VolumeAttachment ${a.objVersion} ${short(a.id)}: instance ${short(a.instance_uuid)} at ${a.mountpoint}, ${a.attach_mode}`);
    log.say(`changed since it was saved (resetChanges): ${[...volume.whatChanged()].join(', ')}`);
    expectRefusal(log, 'invalid_value', () => {
      volume.status = 'deleted';
    });
    ctx.volume = volume;
  },
};

export const showEnvelope: Step = {
  title: "On the wire it is oslo.versionedobjects' envelope",
  run({ log, hostB, volume }) {
    const wire = JSON.parse(hostB.send(need(volume))) as Record<string, unknown>;
    const data = wire['versioned_object.data'] as Record<string, unknown>;
    const shown = { ...wire, 'versioned_object.data': { ...data, attachments: [`<${(data['attachments'] as unknown[]).length} VolumeAttachment envelope>`] } };
    log.say(formatEnvelope(shown));
  },
};

export const sendNewVersionToOldService: Step = {
  title: 'Sent as it is (Volume 1.1), host A (release N) cannot read it',
  run({ log, hostA, hostB, volume }) {
    const wire = hostB.send(need(volume));
    expectRefusal(log, 'incompatible_version', () => hostA.receive(wire));
  },
};

export const sendOldVersionToNewService: Step = {
  title: 'Host A sends a Volume 1.0; host B reads it with its 1.1 class',
  run({ log, hostA, hostB }) {
    const old = releaseN.Volume.create({ id: OLD_VOLUME_ID, name: 'scratch', size: 1, status: 'available', created_at: CREATED_AT, attachments: [] });
    const received = hostB.receive(hostA.send(old));
    if (!(received instanceof releaseN1.Volume)) throw new Error(`expected a release N+1 Volume, got ${received.objName}`);
    log.say(`selected class: Volume ${releaseN1.Volume.objVersion} (same major, newer minor); the object speaks ${received.objVersion}`);
    log.say(`tags set? ${received.isSet('tags')} (1.0 has no tags); name: ${received.name}, size: ${received.size} GB`);
  },
};

export const backportToThePin: Step = {
  title: 'Pinned to release N, host B backports the volume to 1.0 and host A reads it',
  run({ log, hostA, hostB, pin, volume }) {
    const manifest = OBJECT_VERSIONS.get(pin);
    log.say(`pin: release ${pin}, manifest ${formatManifest(manifest)}`);
    const losses: DataLoss[] = [];
    const wire = hostB.send(need(volume), { targetVersion: manifest['Volume'], manifest, onDataLoss: (loss) => losses.push(loss) });
    const received = hostA.receive(wire);
    if (!(received instanceof releaseN.Volume)) throw new Error(`expected a release N Volume, got ${received.objName}`);
    const attachment = received.attachments[0];
    log.say(`host A read Volume ${received.objVersion} with VolumeAttachment ${attachment?.objVersion}: ${received.name}, ${received.size} GB, ${received.status}, mounted at ${attachment?.mountpoint}`);
    log.say(`dropped by the backport: ${losses.map((l) => `${l.object}.${l.field}`).join(', ')}`);
    // When a dropped field matters, the sender can refuse to lose it rather than send.
    expectRefusal(log, 'data_loss', () => hostB.send(need(volume), { targetVersion: manifest['Volume'], manifest, onDataLoss: 'refuse' }));
  },
};

export const rejectCorruptPrimitive: Step = {
  title: 'A corrupt primitive is refused with the path of the bad value',
  run({ log, hostA, hostB, volume }) {
    const wire = JSON.parse(hostB.send(need(volume))) as Record<string, any>;
    wire['versioned_object.data'].attachments[0]['versioned_object.data'].instance_uuid = 'not-a-uuid';
    expectRefusal(log, 'invalid_value', () => hostB.receive(JSON.stringify(wire)));
    const unknown = { ...wire, 'versioned_object.name': 'Snapshot' };
    expectRefusal(log, 'unsupported_object', () => hostA.receive(JSON.stringify(unknown)));
  },
};

export const finishUpgrade: Step = {
  title: 'Host A is upgraded to release N+1; the pin moves to N+1 and Volume 1.1 goes out as it is',
  run(ctx) {
    const { log, hostB } = ctx;
    ctx.hostA = new Service(ctx.hostA.name, 'N+1', releaseN1.registry);
    ctx.pin = 'N+1';
    const manifest = OBJECT_VERSIONS.get(ctx.pin);
    log.say(`pin: release ${ctx.pin}, manifest ${formatManifest(manifest)}`);
    const received = ctx.hostA.receive(hostB.send(need(ctx.volume), { targetVersion: manifest['Volume'], manifest, onDataLoss: 'refuse' }));
    if (!(received instanceof releaseN1.Volume)) throw new Error(`expected a release N+1 Volume, got ${received.objName}`);
    log.say(`host A read Volume ${received.objVersion}: tags ${[...received.tags].join(', ')}; attach_mode ${received.attachments[0]?.attach_mode}`);
  },
};

/** The demo, in order. */
export const STEPS: readonly Step[] = [
  introduceServices,
  createVolume,
  showEnvelope,
  sendNewVersionToOldService,
  backportToThePin,
  sendOldVersionToNewService,
  rejectCorruptPrimitive,
  finishUpgrade,
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

function formatManifest(manifest: Readonly<Record<string, string>>): string {
  return Object.entries(manifest)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
}

function short(uuid: string): string {
  return `${uuid.slice(0, 8)}…`;
}

function need<T extends VersionedObject>(value: T | undefined): T {
  if (value === undefined) throw new Error('this step needs the volume created by an earlier step');
  return value;
}
