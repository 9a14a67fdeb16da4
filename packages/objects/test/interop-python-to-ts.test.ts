// Direction (a): oslo.versionedobjects makes the primitive, TypeScript decodes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Attachment, Flavor, ScsiAttachment, type Snapshot, Volume, VolumeList, Widget, interopRegistry } from './interop/classes.js';
import { ATTACHMENT_IDS, FULL_VOLUME_VALUES, SHARED_SPECS, VOLUME_ID, attachment } from './interop/fixtures.js';
import { canonicalJson, reportOf, withoutTypes, type ObjectSpec } from './interop/model.js';
import { PythonOracle } from './interop/oracle.js';

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

async function fromOslo<T>(spec: ObjectSpec): Promise<{ obj: T; primitive: Record<string, unknown> }> {
  const { primitive } = await oracle.build(spec);
  return { obj: interopRegistry.fromPrimitive(primitive) as T, primitive };
}

describe('every shared object, made by oslo', () => {
  for (const [name, spec] of Object.entries(SHARED_SPECS)) {
    test(`${name}: decodes to the field values and changes oslo holds`, async () => {
      const { primitive, report } = await oracle.build(spec);
      const obj = interopRegistry.fromPrimitive(primitive);
      assert.deepEqual(reportOf(obj), withoutTypes(report));
    });

    test(`${name}: re-encodes to oslo's envelope`, async () => {
      const { primitive } = await oracle.build(spec);
      const obj = interopRegistry.fromPrimitive(primitive);
      assert.equal(canonicalJson(obj.toPrimitive(), interopRegistry), canonicalJson(primitive, interopRegistry));
    });
  }
});

describe('typed values decoded from oslo', () => {
  test('DateTime fields become Dates at the instant oslo sent', async () => {
    const { obj } = await fromOslo<Volume>({ $object: 'Volume', values: { id: VOLUME_ID, size: 1, created_at: '2024-03-04T05:06:07Z' } });
    assert.ok(obj.created_at instanceof Date);
    assert.equal(obj.created_at.getTime(), Date.UTC(2024, 2, 4, 5, 6, 7));
  });

  test("oslo's microseconds never reach the wire, so the Date has none", async () => {
    const { obj, primitive } = await fromOslo<Volume>({
      $object: 'Volume',
      values: { id: VOLUME_ID, size: 1, created_at: '2024-03-04T05:06:07.654321Z' },
    });
    assert.equal((primitive['versioned_object.data'] as Record<string, unknown>).created_at, '2024-03-04T05:06:07Z');
    assert.equal(obj.created_at?.toISOString(), '2024-03-04T05:06:07.000Z');
  });

  test('a date-time oslo holds with a +02:00 offset decodes to the same instant', async () => {
    const { obj, primitive } = await fromOslo<Volume>({
      $object: 'Volume',
      values: { id: VOLUME_ID, size: 1, created_at: '2024-03-04T05:06:07+02:00' },
    });
    assert.equal((primitive['versioned_object.data'] as Record<string, unknown>).created_at, '2024-03-04T05:06:07+02:00');
    assert.equal(obj.created_at?.toISOString(), '2024-03-04T03:06:07.000Z');
  });

  test('Set fields become Sets with the elements oslo sent, whatever their order', async () => {
    const { obj } = await fromOslo<Volume>({
      $object: 'Volume',
      values: { id: VOLUME_ID, size: 1, labels: FULL_VOLUME_VALUES.labels, ports: FULL_VOLUME_VALUES.ports },
    });
    assert.ok(obj.labels instanceof Set && obj.ports instanceof Set);
    assert.deepEqual(obj.labels, new Set(['gold', 'eu', 'backup']));
    assert.deepEqual(obj.ports, new Set([3260, 22, 80]));
  });

  test('an Object field becomes an Attachment instance and a ListOfObjects field an array of them', async () => {
    const { obj } = await fromOslo<Volume>({ $object: 'Volume', values: FULL_VOLUME_VALUES });
    assert.ok(obj.attachment instanceof Attachment);
    assert.equal(obj.attachment.id, ATTACHMENT_IDS[0]);
    assert.deepEqual(
      obj.attachments.map((a) => [a instanceof Attachment, a.id, a.isSet('attach_mode') && a.attach_mode, a.mountpoint]),
      [
        [true, ATTACHMENT_IDS[1], false, null],
        [true, ATTACHMENT_IDS[2], 'ro', '/dev/vdd'],
      ],
    );
  });

  test('numbers, booleans, enums and addresses arrive as the JavaScript values assigned in Python', async () => {
    const { obj } = await fromOslo<Volume>({ $object: 'Volume', values: FULL_VOLUME_VALUES });
    assert.deepEqual(
      [
        obj.size,
        obj.offset,
        obj.ratio,
        obj.weight,
        obj.bootable,
        obj.multiattach,
        obj.tier,
        obj.status,
        obj.host_ip,
        obj.subnet4,
        obj.mac,
        obj.pci,
      ],
      [40, -5, 0.75, 2.5, true, true, 'ssd', 'available', '2001:db8::1', '192.0.2.0/24', 'aa:bb:cc:dd:ee:ff', '0000:00:1f.2'],
    );
    assert.deepEqual(Object.entries(obj.metadata), [
      ['owner', 'ops'],
      ['env', 'prod'],
      ['__proto__', 'data'],
    ]);
    assert.equal(Object.getPrototypeOf(obj.metadata), Object.prototype, 'a "__proto__" key is data, never a prototype');
  });

  test('a VolumeList decodes to a list object of Volumes', async () => {
    const { obj } = await fromOslo<VolumeList>(SHARED_SPECS['a VolumeList of two saved Volumes'] as ObjectSpec);
    assert.ok(obj instanceof VolumeList);
    assert.deepEqual(
      obj.map((v) => [v instanceof Volume, v.size]),
      [
        [true, 40],
        [true, 8],
      ],
    );
  });

  test('an empty VolumeList made by oslo decodes to an empty list', async () => {
    const { obj } = await fromOslo<VolumeList>({ $object: 'VolumeList' });
    assert.equal(obj.length, 0);
  });

  test('a Snapshot decodes with its timestamps and its ScsiAttachment source as a ScsiAttachment', async () => {
    const { obj } = await fromOslo<Snapshot>(
      SHARED_SPECS['a timestamped Snapshot whose source is a ScsiAttachment (a subclass)'] as ObjectSpec,
    );
    assert.ok(obj.source instanceof ScsiAttachment);
    assert.equal(obj.source.lun, 3);
    assert.equal(obj.created_at?.toISOString(), '2024-01-01T00:00:00.000Z');
    assert.equal(obj.updated_at, null);
  });

  test('a nova_object envelope decodes to a Flavor with its nova namespace', async () => {
    const { obj, primitive } = await fromOslo<Flavor>(
      SHARED_SPECS['a Flavor in the nova_object serial namespace and nova project'] as ObjectSpec,
    );
    assert.equal(primitive['nova_object.namespace'], 'nova');
    assert.ok(obj instanceof Flavor);
    assert.deepEqual(obj.whatChanged(), new Set(['memory_mb']));
    assert.equal(obj.memory_mb, 4096);
  });

  test('an acme envelope decodes to a Widget', async () => {
    const { obj } = await fromOslo<Widget>(SHARED_SPECS['a Widget in the acme project namespace'] as ObjectSpec);
    assert.ok(obj instanceof Widget);
    assert.equal(obj.enabled, true);
  });

  test('an older compatible minor from oslo decodes and keeps its version', async () => {
    const { primitive } = await oracle.build({ $object: 'Attachment', values: attachment(1).values ?? {} });
    const older = { ...primitive, 'versioned_object.version': '1.0' };
    const obj = interopRegistry.fromPrimitive(older);
    assert.equal(obj.objVersion, '1.0');
    assert.equal((obj.toPrimitive() as Record<string, unknown>)['versioned_object.version'], '1.0');
  });

  test('a class without a declared history, decoded at an older minor, re-encodes at that minor as oslo does', async () => {
    const primitive = {
      'versioned_object.name': 'Note',
      'versioned_object.namespace': 'versionedobjects',
      'versioned_object.version': '1.0',
      'versioned_object.data': { text: 'hi' },
    };
    const { primitive: oslo } = await oracle.decode(primitive);
    assert.equal(oslo['versioned_object.version'], '1.0');
    const ours = interopRegistry.fromPrimitive(primitive).toPrimitive();
    assert.equal(canonicalJson(ours, interopRegistry), canonicalJson(oslo, interopRegistry));
  });
});
