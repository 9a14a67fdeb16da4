import { isVersionedError } from '@versioned/objects';
import { NoOpSerializer, RpcClient, isRpcError } from '@versioned/rpc';
import { VOLUME_BINARY } from '../cluster.js';
import { OBJECT_VERSIONS } from '../releases/object-versions.js';
import * as releaseN1 from '../releases/release-n1.js';
import { VOLUME_TOPIC } from '../releases/volume-api.js';
import type { Step } from './context.js';
import { ATTACHMENT_ID, CREATED_AT, INSTANCE_ID, REQUEST, VOLUME_ID, check, expectRefusal, expectRejection, formatJson, formatManifest, need, short } from './helpers.js';

export const introduceServices: Step = {
  title: 'Host A runs release N, host B release N+1; the services table says who is oldest',
  async run({ log, cluster }) {
    log.say('the services table: @versioned/upgrade on SQLite, a file in a temporary directory');
    for (const row of await cluster.upgrade.services(VOLUME_BINARY)) {
      log.say(`${row.binary}@${row.host}: release ${row.release}, serves volume API ${row.rpcVersions['volume']}, reads ${formatManifest(OBJECT_VERSIONS.get(row.objects))}, ${row.state}`);
    }
    const pins = cluster.upgrade.pins(VOLUME_BINARY);
    log.say(`oldest release among the live volume services: ${pins.release}`);
    log.say(`pins held in memory (${pins.reason})`);
    const api = cluster.volumeApi;
    log.say(`host B's client reads, on every call: version cap ${api.versionCap}, pins ${formatManifest(api.pins)}`);
    check(api.versionCap === '1.0' && !api.canSendVersion('1.1'), 'a cap of 1.0 while host A runs release N');
  },
};

export const buildVolume: Step = {
  title: 'Host B (release N+1) builds a volume and attaches it',
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

export const createOnOldHost: Step = {
  title: 'create_volume on host A: the client degrades to 1.0 and backports the volume to release N',
  async run({ log, cluster, volume }) {
    const api = cluster.volumeApi;
    log.say(`canSendVersion('1.1'): ${api.canSendVersion('1.1')}, so create_volume goes out as 1.0, without its zone (new in 1.1)`);
    cluster.takeLosses();
    const reply = await api.createVolume(REQUEST, cluster.hostA.host, need(volume), 'az-2');
    const sent = cluster.tap.sent.at(-1);
    if (!sent) throw new Error('create_volume was not sent');
    check(sent.version === '1.0' && !('zone' in sent.args), 'create_volume sent as 1.0 without a zone');
    check((sent.args['volume'] as Record<string, unknown>)['versioned_object.version'] === '1.0', 'the volume sent as Volume 1.0');
    log.say(`dropped by the backport: ${cluster.takeLosses().map((l) => `${l.object}.${l.field}`).join(', ')}`);
    check(reply instanceof releaseN1.Volume && reply.objVersion === '1.0', "host A's reply to be a Volume 1.0 read by host B's 1.1 class");
    log.say(`host B read the reply with its Volume ${releaseN1.Volume.objVersion} class: the object speaks ${reply.objVersion}, tags set? ${reply.isSet('tags')}`);
    // When a dropped field matters, a client can refuse to lose it: the call fails before it is sent.
    const sentBefore = cluster.tap.sent.length;
    await expectRejection(log, 'data_loss', cluster.volumeApiOnHostB('refuse').createVolume(REQUEST, cluster.hostA.host, need(volume), 'az-2'));
    check(cluster.tap.sent.length === sentBefore, 'nothing sent when the backport would lose data');
    log.say(`  (a client with onDataLoss: 'refuse': the call failed before anything was sent)`);
  },
};

export const showMessage: Step = {
  title: 'On the wire: the create_volume message, the volume in oslo.versionedobjects\' envelope',
  run({ log, cluster }) {
    const message = cluster.tap.sent.find((m) => m.method === 'create_volume');
    if (!message) throw new Error('no create_volume message was sent');
    const volume = message.args['volume'] as Record<string, any>;
    const data = volume['versioned_object.data'];
    // The attachment is an envelope too: shown as one line, to keep the message readable.
    const attachments = (data.attachments as Record<string, string>[]).map((a) => `<VolumeAttachment ${a['versioned_object.version']} envelope>`);
    const shown = { ...message, args: { volume: { ...volume, 'versioned_object.data': { ...data, attachments } } } };
    log.say(formatJson(shown));
  },
};

export const refuseAboveCap: Step = {
  title: 'extend_volume is new in 1.1: above the cap, the call fails before anything is sent',
  async run({ log, cluster }) {
    const before = cluster.tap.sent.length;
    await expectRejection(log, 'version_cap', cluster.volumeApi.extendVolume(REQUEST, cluster.hostA.host, VOLUME_ID, 20));
    check(cluster.tap.sent.length === before, 'no message sent for a call above the cap');
    log.say(`messages host B has sent: ${cluster.tap.sent.length}, as before the call`);
  },
};

export const refuseCorruptPrimitive: Step = {
  title: 'A corrupt primitive is refused by the receiving server, with the path of the bad value',
  async run({ log, cluster, volume }) {
    // A sender with a bug: it writes the envelope by hand, with no serializer to keep it honest.
    const raw = new RpcClient({ transport: cluster.hostB.transport, target: { topic: VOLUME_TOPIC }, serializer: new NoOpSerializer() });
    const wire = JSON.parse(JSON.stringify(need(volume).toPrimitive())) as Record<string, any>;
    wire['versioned_object.data'].attachments[0]['versioned_object.data'].instance_uuid = 'not-a-uuid';
    const refusal = await expectRejection(log, 'invalid_argument', raw.prepare({ server: cluster.hostB.host }).call(REQUEST, 'create_volume', { volume: wire }));
    check(isRpcError(refusal) && refusal.details['remote'] === true && refusal.details['method'] === 'create_volume' && refusal.details['argument'] === 'volume', 'the refusal to come from the remote server, naming the argument');
    log.say(`  (raised by host-b's server before its manager ran, naming the method and argument of the declared API)`);
    const unknown = { ...wire, 'versioned_object.name': 'Snapshot' };
    await expectRejection(log, 'invalid_argument', raw.prepare({ server: cluster.hostA.host }).call(REQUEST, 'create_volume', { volume: unknown }));
    check(!cluster.hostB.rows.has(VOLUME_ID), 'the corrupt volume not to be stored');
  },
};
