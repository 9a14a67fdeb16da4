import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectSerializer, isVersionedError, type IndirectionApi, type Manifest, type Primitive } from '../src/index.js';
import { VolumeV10, VolumeV12, current, releaseA, releaseB, sampleVolume } from './fixtures/storage.js';

test('treeVersions lists the newest version of an object and of everything inside it (oslo obj_tree_get_versions)', () => {
  assert.deepEqual(current.treeVersions('VolumeList'), { VolumeList: '1.1', Volume: '1.4', Attachment: '1.1' });
  assert.deepEqual(releaseA.treeVersions('Volume'), { Volume: '1.0', Attachment: '1.0' });
});

test('backportVersions re-encodes a primitive at the versions a receiver reads', () => {
  const p = current.backportVersions(sampleVolume().toPrimitive(), releaseA.treeVersions('Volume'));
  assert.equal(p['versioned_object.version'], '1.0');
  assert.ok(releaseA.fromPrimitive(p) instanceof VolumeV10);
});

test('without indirection, an object the receiver cannot read is an incompatible_version error', () => {
  const old = new ObjectSerializer({ registry: releaseA });
  assert.throws(
    () => old.deserializeEntity({ volume: sampleVolume().toPrimitive() }),
    (e) => isVersionedError(e, 'incompatible_version') && /registered versions are 1\.0/.test(e.message),
  );
});

test('with indirection, the receiver asks the newer side for a backport to its own tree versions', async () => {
  const asked: Manifest[] = [];
  const conductor: IndirectionApi = {
    async backportVersions(primitive: Primitive, versions: Manifest) {
      asked.push(versions);
      return current.backportVersions(primitive, versions);
    },
  };
  const old = new ObjectSerializer({ registry: releaseA, indirection: conductor });
  const out = (await old.deserializeEntityAsync({ volume: sampleVolume().toPrimitive(), n: [1, 2] })) as { volume: VolumeV10; n: number[] };
  assert.ok(out.volume instanceof VolumeV10);
  assert.equal(out.volume.display_name, 'db');
  assert.deepEqual(out.n, [1, 2]);
  assert.deepEqual(asked, [{ Volume: '1.0', Attachment: '1.0' }]);
});

test('readable objects never reach the indirection API', async () => {
  let calls = 0;
  const serializer = new ObjectSerializer({ registry: current, indirection: { backportVersions: (p) => (calls++, p) } });
  const out = (await serializer.deserializeEntityAsync([sampleVolume().toPrimitive()])) as unknown[];
  assert.equal(calls, 0);
  assert.equal(out.length, 1);
});

test('a .Z revision the receiver lacks is stripped and retried before asking for a backport', () => {
  const p = sampleVolume().toPrimitive({ targetVersion: '1.2' });
  p['versioned_object.version'] = '1.2.1';
  const serializer = new ObjectSerializer({ registry: releaseB });
  assert.throws(
    () => releaseB.fromPrimitive(p),
    (e) => isVersionedError(e, 'incompatible_version'),
  );
  assert.ok(serializer.deserializeEntity(p) instanceof VolumeV12);
});

test('the serializer backports to a manifest given per call or read from a function each time', () => {
  let pin: Manifest | undefined = { Volume: '1.0', Attachment: '1.0' };
  const serializer = new ObjectSerializer({ registry: current, manifest: () => pin });
  const first = serializer.serializeEntity({ v: sampleVolume() }) as { v: Primitive };
  assert.equal(first.v['versioned_object.version'], '1.0');
  pin = undefined;
  const second = serializer.serializeEntity({ v: sampleVolume() }) as { v: Primitive };
  assert.equal(second.v['versioned_object.version'], '1.4');
  const explicit = serializer.serializeEntity(sampleVolume(), { manifest: { Volume: '1.2' } }) as Primitive;
  assert.equal(explicit['versioned_object.version'], '1.2');
});

test('a manifest naming a newer version than the object has sends the object as it is', () => {
  const serializer = new ObjectSerializer({ registry: current, manifest: { Volume: '1.9' } });
  assert.equal((serializer.serializeEntity(sampleVolume()) as Primitive)['versioned_object.version'], '1.4');
});

test('the serializer applies its data-loss policy', () => {
  const serializer = new ObjectSerializer({ registry: current, manifest: { Volume: '1.0', Attachment: '1.0' }, onDataLoss: 'refuse' });
  assert.throws(
    () => serializer.serializeEntity([sampleVolume()]),
    (e) => isVersionedError(e, 'data_loss') && e.pathString.startsWith('[0]'),
  );
});
