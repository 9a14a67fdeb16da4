import { VOLUME_BINARY } from '../cluster.js';
import * as releaseN1 from '../releases/release-n1.js';
import { RELEASE_N1 } from '../releases/releases.js';
import type { Step } from './context.js';
import { CREATED_AT, INSTANCE_ID, LOGS_ATTACHMENT_ID, LOGS_VOLUME_ID, REQUEST, VOLUME_ID, check, formatManifest } from './helpers.js';

export const upgradeHostA: Step = {
  title: 'Host A is upgraded to release N+1: its server now serves 1.1, its row says N+1',
  async run({ log, cluster }) {
    const api = cluster.volumeApi;
    const capBefore = api.versionCap;
    const logged = cluster.pinLog.length;
    await cluster.hostA.start(RELEASE_N1);
    for (const row of await cluster.upgrade.services(VOLUME_BINARY)) log.say(`${row.binary}@${row.host}: release ${row.release}, serves volume API ${row.rpcVersions['volume']}, ${row.state}`);
    // What the Upgrade logged when host A's new row moved the pins: once, with the reason.
    for (const line of cluster.pinLog.slice(logged)) log.say(`log: ${line}`);
    // Nothing is rebuilt or reloaded: the client reads the table again on its next call.
    log.say(`the same client as before, not rebuilt: version cap ${capBefore} -> ${api.versionCap}, pins ${formatManifest(api.pins)}`);
    log.say(`canSendVersion('1.1'): ${api.canSendVersion('1.1')}`);
    check(api.versionCap === '1.1' && api.canSendVersion('1.1'), 'the cap to lift to 1.1 once every host runs release N+1');
  },
};

export const extendOnUpgradedHost: Step = {
  title: 'extend_volume now works, on the volume host A stored while it ran release N',
  async run({ log, cluster }) {
    const reply = await cluster.volumeApi.extendVolume(REQUEST, cluster.hostA.host, VOLUME_ID, 20);
    check(reply instanceof releaseN1.Volume && reply.size === 20, 'the volume extended to 20 GB');
    log.say(`host B read the reply: Volume ${reply.objVersion} "${reply.name}", ${reply.size} GB, tags set? ${reply.isSet('tags')}`);
  },
};

export const createOnUpgradedHost: Step = {
  title: 'create_volume goes out as 1.1, with its zone, and Volume 1.1 arrives whole',
  async run({ log, cluster }) {
    const volume = releaseN1.Volume.create({ id: LOGS_VOLUME_ID, name: 'logs', size: 5, status: 'available', created_at: CREATED_AT, tags: new Set(['silver']) });
    volume.attachments = [
      releaseN1.VolumeAttachment.create({ id: LOGS_ATTACHMENT_ID, instance_uuid: INSTANCE_ID, mountpoint: '/dev/vdc', attached_at: CREATED_AT, attach_mode: 'ro' }),
    ];
    cluster.takeLosses();
    const reply = await cluster.volumeApi.createVolume(REQUEST, cluster.hostA.host, volume, 'az-2');
    const sent = cluster.tap.sent.at(-1);
    check(sent?.version === '1.1' && sent.args['zone'] === 'az-2', 'create_volume sent as 1.1 with its zone');
    check(cluster.takeLosses().length === 0, 'nothing dropped once every host reads 1.1');
    check(reply instanceof releaseN1.Volume && reply.objVersion === '1.1' && reply.isSet('tags'), 'a whole Volume 1.1 in reply');
    log.say(`host B read the reply: Volume ${reply.objVersion}, tags ${[...reply.tags].join(', ')}; attach_mode ${reply.attachments[0]?.attach_mode}`);
  },
};
