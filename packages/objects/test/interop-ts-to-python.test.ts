// Direction (b): TypeScript makes the primitive, oslo.versionedobjects decodes it and reports what it holds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VersionedObject, metaOf } from '../src/index.js';
import { Attachment, Flavor, Volume, VolumeList, Widget, interopRegistry } from './interop/classes.js';
import { ATTACHMENT_IDS, SHARED_SPECS, VOLUME_ID } from './interop/fixtures.js';
import { buildObject, canonicalJson, pythonTypeOf, reportOf, withoutTypes } from './interop/model.js';
import { PythonOracle, type PythonReport } from './interop/oracle.js';

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

/** For every field oslo holds, the Python type its field declares; children checked the same way. */
function assertPythonTypes(obj: VersionedObject, report: PythonReport): void {
  const meta = metaOf(obj);
  const expected: Record<string, string> = {};
  for (const def of meta.fields) {
    if (!obj.isSet(def.name)) continue;
    const value = (obj as unknown as Record<string, unknown>)[def.name];
    // An Object field open to subclasses holds the subclass: its name is what oslo reports.
    expected[def.name] = value === null ? 'null' : value instanceof VersionedObject ? `object:${value.objName}` : pythonTypeOf(def.type);
    const child = report.fields[def.name];
    if (Array.isArray(value) && Array.isArray(child)) {
      value.forEach((item, i) => {
        if (typeof item === 'object' && item !== null && '$values' in item)
          assertPythonTypes(item as VersionedObject, child[i] as PythonReport);
      });
    } else if (typeof value === 'object' && value !== null && '$values' in value) {
      assertPythonTypes(value as VersionedObject, child as PythonReport);
    }
  }
  assert.deepEqual(report.types, expected, `Python types of ${meta.name}'s fields`);
}

describe('every shared object, made by TypeScript', () => {
  for (const [name, spec] of Object.entries(SHARED_SPECS)) {
    test(`${name}: oslo decodes the field values and changes TypeScript holds`, async () => {
      const obj = buildObject(spec, interopRegistry);
      const { report } = await oracle.decode(obj.toPrimitive());
      assert.deepEqual(withoutTypes(report), reportOf(obj));
    });

    test(`${name}: oslo holds each field as the Python type its field declares`, async () => {
      const obj = buildObject(spec, interopRegistry);
      const { report } = await oracle.decode(obj.toPrimitive());
      assertPythonTypes(obj, report);
    });

    test(`${name}: oslo re-encodes TypeScript's envelope unchanged`, async () => {
      const primitive = buildObject(spec, interopRegistry).toPrimitive();
      const { primitive: again } = await oracle.decode(primitive);
      assert.equal(canonicalJson(again, interopRegistry), canonicalJson(primitive, interopRegistry));
    });
  }
});

describe('typed values made in TypeScript', () => {
  test('a Date reaches oslo as a timezone-aware datetime at the same instant', async () => {
    const volume = Volume.partial({ id: VOLUME_ID, size: 1, created_at: new Date(Date.UTC(2025, 0, 31, 23, 59, 58)) });
    const { report } = await oracle.decode(volume.toPrimitive());
    assert.equal(report.types.created_at, 'datetime');
    assert.equal(report.fields.created_at, '2025-01-31T23:59:58+00:00');
  });

  test('a millisecond-precision DateTime reaches oslo with its milliseconds', async () => {
    const volume = Volume.partial({ id: VOLUME_ID, size: 1, synced_at: new Date(Date.UTC(2025, 0, 31, 23, 59, 58, 123)) });
    assert.equal((volume.toPrimitive()['versioned_object.data'] as Record<string, unknown>).synced_at, '2025-01-31T23:59:58.123Z');
    const { report } = await oracle.decode(volume.toPrimitive());
    assert.equal(report.fields.synced_at, '2025-01-31T23:59:58.123000+00:00');
  });

  test('a Set reaches oslo as a set with the same elements', async () => {
    const volume = Volume.partial({ id: VOLUME_ID, size: 1, labels: new Set(['b', 'a', 'c']), ports: new Set([443, 80]) });
    const { report } = await oracle.decode(volume.toPrimitive());
    assert.deepEqual([report.types.labels, report.fields.labels], ['set', ['a', 'b', 'c']]);
    assert.deepEqual([report.types.ports, report.fields.ports], ['set', [80, 443]]);
  });

  test('an IPv6 address assigned in any spelling reaches oslo as the address netaddr prints', async () => {
    const volume = Volume.partial({
      id: VOLUME_ID,
      size: 1,
      host_ip: '2001:DB8:0:0:0:0:0:1',
      subnet6: '2001:0db8::/32',
      mac: 'AA-BB-CC-DD-EE-FF',
    });
    const { report } = await oracle.decode(volume.toPrimitive());
    assert.deepEqual(
      [report.fields.host_ip, report.fields.subnet6, report.fields.mac],
      ['2001:db8::1', '2001:db8::/32', 'aa:bb:cc:dd:ee:ff'],
    );
  });

  test('a VolumeList filled with push() reaches oslo as a VolumeList of Volumes', async () => {
    const list = VolumeList.create({ objects: [] });
    list.push(Volume.partial({ id: VOLUME_ID, size: 1 }), Volume.partial({ id: ATTACHMENT_IDS[0], size: 2 }));
    const { report } = await oracle.decode(list.toPrimitive());
    assert.equal(report.types.objects, 'list');
    assert.deepEqual(
      (report.fields.objects as PythonReport[]).map((v) => [v.$object, v.fields.size]),
      [
        ['Volume', 1],
        ['Volume', 2],
      ],
    );
  });

  test('an Attachment set after a reset is the only change oslo sees, in the child and the parent', async () => {
    const volume = Volume.partial({ id: VOLUME_ID, size: 1, attachment: Attachment.partial({ id: ATTACHMENT_IDS[0], instance: 'i' }) });
    volume.resetChanges(undefined, { recursive: true });
    volume.attachment!.mountpoint = '/dev/vdq';
    const { report } = await oracle.decode(volume.toPrimitive());
    assert.deepEqual(report.changed, ['attachment']);
    assert.deepEqual((report.fields.attachment as PythonReport).changed, ['mountpoint']);
  });

  test('a Flavor reaches oslo through the nova_object keys and the nova project', async () => {
    const flavor = Flavor.partial({ id: 7, name: 'm1.tiny', memory_mb: 512 });
    assert.ok('nova_object.data' in flavor.toPrimitive());
    const { report } = await oracle.decode(flavor.toPrimitive(), { base: 'nova' });
    assert.deepEqual([report.$object, report.fields.memory_mb], ['Flavor', 512]);
  });

  test('a Widget reaches oslo through the acme project', async () => {
    const { report } = await oracle.decode(Widget.partial({ id: VOLUME_ID, label: 'cog' }).toPrimitive(), { base: 'acme' });
    assert.deepEqual([report.$object, report.version, report.fields.label], ['Widget', '2.1', 'cog']);
  });
});
