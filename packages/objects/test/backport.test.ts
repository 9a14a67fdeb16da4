import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVersionedError, type DataLoss } from '../src/index.js';
import {
  Attachment,
  Backup,
  Volume,
  VolumeList,
  UUIDS,
  current,
  releaseA,
  releaseB,
  sampleVolume,
  VolumeV10,
  VolumeV12,
} from './fixtures/storage.js';

const data = (p: Record<string, unknown>): Record<string, unknown> => p['versioned_object.data'] as Record<string, unknown>;
const version = (p: Record<string, unknown>): unknown => p['versioned_object.version'];

test('fields added after the target version are dropped', () => {
  const p = sampleVolume().toPrimitive({ targetVersion: '1.1' });
  assert.equal(version(p), '1.1');
  assert.equal(data(p)['bootable'], true);
  assert.equal('tags' in data(p), false, 'tags arrived in 1.2');
});

test('dropped fields are removed from changes too', () => {
  const volume = sampleVolume();
  volume.tags = new Set(['silver']);
  volume.bootable = false;
  const p = volume.toPrimitive({ targetVersion: '1.1' });
  assert.deepEqual(p['versioned_object.changes'], ['bootable']);
  const none = sampleVolume();
  none.tags = new Set(['x']);
  assert.equal('versioned_object.changes' in none.toPrimitive({ targetVersion: '1.0' }), false);
});

test('the custom hook reshapes what no history entry can express (a renamed field)', () => {
  const p = sampleVolume().toPrimitive({ targetVersion: '1.3' });
  assert.equal(data(p)['display_name'], 'db');
  assert.equal('name' in data(p), false);
  assert.equal(data(sampleVolume().toPrimitive())['name'], 'db', 'the current version keeps the new name');
});

test('children follow the declared relationships: Attachment 1.0 below Volume 1.3, 1.1 from it on', () => {
  const atts = (v: string) => data(sampleVolume().toPrimitive({ targetVersion: v }))['attachments'] as Record<string, unknown>[];
  assert.deepEqual(atts('1.2').map(version), ['1.0', '1.0']);
  assert.equal('attached_at' in data(atts('1.2')[0]!), false);
  assert.deepEqual(atts('1.3').map(version), ['1.1', '1.1']);
  assert.equal(data(atts('1.3')[0]!)['attached_at'], '2026-01-02T03:04:05Z');
});

test('a manifest decides every child version in the tree, overriding relationships', () => {
  const p = sampleVolume().toPrimitive({ manifest: { Volume: '1.4', Attachment: '1.0' } });
  assert.equal(version(p), '1.4');
  const atts = data(p)['attachments'] as Record<string, unknown>[];
  assert.deepEqual(atts.map(version), ['1.0', '1.0']);
});

test('a list object backports its children through its own relationships', () => {
  const list = VolumeList.create({ objects: [sampleVolume(), sampleVolume()] });
  const p = list.toPrimitive({ targetVersion: '1.0' });
  const objects = data(p)['objects'] as Record<string, unknown>[];
  assert.deepEqual(objects.map(version), ['1.2', '1.2']);
  assert.equal(data(objects[0]!)['display_name'], 'db', 'each child runs its own hook');
  const decoded = releaseB.fromPrimitive(p);
  assert.equal(decoded.objVersion, '1.0');
});

test('a target newer than the class raises invalid_target_version', () => {
  assert.throws(
    () => sampleVolume().toPrimitive({ targetVersion: '1.5' }),
    (e) => isVersionedError(e, 'invalid_target_version') && /newer version 1\.5/.test(e.message),
  );
});

test('a target older than the history raises invalid_target_version', () => {
  assert.throws(
    () => sampleVolume().toPrimitive({ targetVersion: '0.9' }),
    (e) => isVersionedError(e, 'invalid_target_version') && /no history before 1\.0/.test(e.message),
  );
});

test('a child with no rule raises no_backport_rule naming the field', () => {
  const backup = Backup.create({ id: UUIDS[0], volume: sampleVolume(), note: 'n' });
  assert.throws(
    () => backup.toPrimitive({ targetVersion: '1.0' }),
    (e) => isVersionedError(e, 'no_backport_rule') && e.pathString === 'Backup.volume' && /record it in the history/.test(e.message),
  );
  // No child, nothing to decide; and a manifest settles it.
  assert.equal(version(Backup.create({ id: UUIDS[0], volume: null }).toPrimitive({ targetVersion: '1.0' })), '1.0');
  const viaManifest = backup.toPrimitive({ targetVersion: '1.0', manifest: { Volume: '1.1' } });
  assert.equal(version(data(viaManifest)['volume'] as Record<string, unknown>), '1.1');
});

test('data loss: allow drops silently (oslo), log warns, refuse names the field, a function sees each loss', () => {
  const volume = sampleVolume();
  assert.doesNotThrow(() => volume.toPrimitive({ targetVersion: '1.0' }));
  const warnings: string[] = [];
  volume.toPrimitive({ targetVersion: '1.0', onDataLoss: 'log', logger: { warn: (m) => warnings.push(m) } });
  assert.ok(
    warnings.some((w) => w.startsWith('Volume.bootable: dropped by the backport to 1.0')),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => w.startsWith('Attachment.attached_at:')),
    'children report their own losses',
  );
  assert.throws(
    () => volume.toPrimitive({ targetVersion: '1.0', onDataLoss: 'refuse' }),
    (e) => isVersionedError(e, 'data_loss') && e.pathString === 'Volume.attachments[0].attached_at',
  );
  const losses: DataLoss[] = [];
  volume.toPrimitive({ targetVersion: '1.1', onDataLoss: (l) => losses.push(l) });
  assert.deepEqual(losses.map((l) => `${l.object}.${l.field}`).sort(), ['Attachment.attached_at', 'Attachment.attached_at', 'Volume.tags']);
});

test('unset fields are not data loss', () => {
  const volume = Volume.partial({ id: UUIDS[0], size: 1, status: 'available' });
  assert.doesNotThrow(() => volume.toPrimitive({ targetVersion: '1.0', onDataLoss: 'refuse' }));
});

test('a backported primitive decodes in the release that has that exact version', () => {
  const a = releaseA.fromPrimitive(sampleVolume().toPrimitive({ targetVersion: '1.0' })) as VolumeV10;
  assert.ok(a instanceof VolumeV10);
  assert.equal(a.display_name, 'db');
  assert.equal(a.attachments.length, 2);
  const b = releaseB.fromPrimitive(sampleVolume().toPrimitive({ targetVersion: '1.2' })) as VolumeV12;
  assert.ok(b instanceof VolumeV12);
  assert.deepEqual([...b.tags], ['gold']);
});

test('decoding an older version keeps the wire version, so re-encoding claims no field the sender lacked', () => {
  const old = sampleVolume().toPrimitive({ targetVersion: '1.1' });
  const decoded = current.fromPrimitive(old) as Volume;
  assert.ok(decoded instanceof Volume);
  assert.equal(decoded.objVersion, '1.1');
  assert.equal(decoded.isSet('tags'), false);
  assert.equal(decoded.name, 'db', 'upgradePrimitive brought display_name forward');
  const again = decoded.toPrimitive();
  assert.equal(version(again), '1.1');
  assert.deepEqual(Object.keys(data(again)).sort(), Object.keys(data(old)).sort());
  decoded.tags = new Set(['late']);
  assert.throws(
    () => decoded.toPrimitive({ onDataLoss: 'refuse' }),
    (e) => isVersionedError(e, 'data_loss') && e.pathString === 'Volume.tags',
  );
  assert.equal(
    version(decoded.toPrimitive({ targetVersion: '1.4' })),
    '1.4',
    'an explicit newer target up to the class version is allowed',
  );
});

test('without a target, children keep their own versions (no rule needed)', () => {
  const p = Backup.create({ id: UUIDS[0], volume: sampleVolume() }).toPrimitive();
  assert.equal(version(data(p)['volume'] as Record<string, unknown>), '1.4');
});

test('an Attachment alone backports by its own history', () => {
  const att = Attachment.create({ id: UUIDS[1], mountpoint: '/dev/vdc', attached_at: new Date(0) });
  assert.deepEqual(Object.keys(data(att.toPrimitive({ targetVersion: '1.0' }))).sort(), ['id', 'mountpoint']);
});

test('a manifest covers the root too; an explicit target version overrides it, and a newer entry changes nothing', () => {
  assert.equal(version(sampleVolume().toPrimitive({ manifest: { Volume: '1.2', Attachment: '1.0' } })), '1.2');
  assert.equal(version(sampleVolume().toPrimitive({ targetVersion: '1.3', manifest: { Volume: '1.2', Attachment: '1.0' } })), '1.3');
  assert.equal(version(sampleVolume().toPrimitive({ manifest: { Volume: '1.9' } })), '1.4');
});
