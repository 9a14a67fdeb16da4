// RPC payloads against oslo's VersionedObjectSerializer, the version tree, and the indirection backport.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectSerializer, type VersionedObject, isVersionedObject, type Manifest, type Primitive } from '../src/index.js';
import { interopRegistry } from './interop/classes.js';
import { SHARED_SPECS } from './interop/fixtures.js';
import { buildObject, canonicalJson, isSpec, reportOf, withoutTypes, type ObjectSpec } from './interop/model.js';
import { PythonOracle } from './interop/oracle.js';

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

const serializer = new ObjectSerializer({ registry: interopRegistry });

/** A payload in which specs stand for objects, built in TypeScript. */
function buildPayload(value: unknown): unknown {
  if (isSpec(value)) return buildObject(value, interopRegistry);
  if (Array.isArray(value)) return value.map(buildPayload);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, buildPayload(v)]));
  return value;
}

/** A deserialized payload as JSON: objects reported like oracle.py's report(). */
function payloadReport(value: unknown): unknown {
  if (isVersionedObject(value)) return reportOf(value as VersionedObject);
  if (Array.isArray(value)) return value.map(payloadReport);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, payloadReport(v)]));
  return value;
}

const PAYLOAD = {
  volumes: [
    SHARED_SPECS['a saved Volume with two fields changed since']!,
    SHARED_SPECS['a Volume with most fields unset and nullable fields null']!,
  ],
  list: SHARED_SPECS['a VolumeList with one Volume changed']!,
  nested: { widgetless: [1, 'two', null, { three: true }] },
  count: 2,
};

describe('VersionedObjectSerializer', () => {
  test('a payload serialized in TypeScript deserializes in oslo to the same objects, lists and values', async () => {
    const payload = buildPayload(PAYLOAD);
    const deserialized = await oracle.deserialize(serializer.serializeEntity(payload));
    assert.deepEqual(withoutTypes(deserialized), payloadReport(payload));
  });

  test('a payload serialized by oslo deserializes in TypeScript to the same objects, lists and values', async () => {
    const wire = await oracle.serialize(PAYLOAD);
    const osloView = await oracle.deserialize(wire);
    assert.deepEqual(payloadReport(serializer.deserializeEntity(wire)), withoutTypes(osloView));
  });

  test('a nova_object payload goes both ways through a serializer whose base is Nova’s', async () => {
    const flavor = SHARED_SPECS['a Flavor in the nova_object serial namespace and nova project']!;
    const ours = serializer.serializeEntity({ flavors: [buildObject(flavor, interopRegistry)] });
    assert.deepEqual(
      withoutTypes(await oracle.deserialize(ours, { base: 'nova' })),
      payloadReport({ flavors: [buildObject(flavor, interopRegistry)] }),
    );
    const theirs = await oracle.serialize({ flavors: [flavor] }, { base: 'nova' });
    assert.equal(
      canonicalJson((theirs as { flavors: Primitive[] }).flavors[0], interopRegistry),
      canonicalJson((ours as { flavors: Primitive[] }).flavors[0], interopRegistry),
    );
  });

  test('an X.Y.Z revision newer than both sides read is accepted by both as X.Y', async () => {
    const primitive = {
      ...buildObject(SHARED_SPECS['a saved Volume with two fields changed since']!, interopRegistry).toPrimitive(),
      'versioned_object.version': '1.3.7',
    };
    const osloView = (await oracle.deserialize([primitive])) as unknown[];
    const ours = serializer.deserializeEntity([primitive]) as VersionedObject[];
    assert.deepEqual(payloadReport(ours), withoutTypes(osloView));
    assert.equal(ours[0]!.objVersion, '1.3');
  });
});

describe('version trees (obj_tree_get_versions)', () => {
  for (const name of ['Attachment', 'Volume', 'VolumeList', 'Flavor', 'Widget']) {
    test(`${name}: registry.treeVersions() equals oslo's obj_tree_get_versions()`, async () => {
      assert.deepEqual(interopRegistry.treeVersions(name), await oracle.treeVersions(name));
    });
  }
});

describe("indirection: registry.backportVersions() answers as Nova's conductor does (obj_to_primitive(target, manifest))", () => {
  const spec: ObjectSpec = SHARED_SPECS['a VolumeList of two saved Volumes']!;
  const manifests: Manifest[] = [
    { VolumeList: '1.0', Volume: '1.2', Attachment: '1.1' },
    { VolumeList: '1.0', Volume: '1.0', Attachment: '1.0' },
    { VolumeList: '1.1', Volume: '1.1', Attachment: '1.0' },
  ];
  for (const versions of manifests) {
    test(`backported to ${JSON.stringify(versions)}`, async () => {
      const primitive = buildObject(spec, interopRegistry).toPrimitive();
      const ours = interopRegistry.backportVersions(primitive, versions);
      const { primitive: oslo } = await oracle.decode(primitive, {
        target_version: versions['VolumeList'] as string,
        manifest: { ...versions },
      });
      assert.equal(canonicalJson(ours, interopRegistry), canonicalJson(oslo, interopRegistry));
    });
  }

  test('a single Volume, backported through the serializer with a manifest, equals the conductor answer', async () => {
    // Children without changes: oslo leaves a backported child's changes unfiltered (see interop-differences).
    const volume = buildObject(SHARED_SPECS['a saved Volume with two fields changed since']!, interopRegistry);
    const versions = { Volume: '1.2', Attachment: '1.0' };
    const [ours] = serializer.serializeEntity([volume], { manifest: versions }) as Primitive[];
    const { primitive: oslo } = await oracle.decode(volume.toPrimitive(), { target_version: '1.2', manifest: versions });
    assert.equal(canonicalJson(ours, interopRegistry), canonicalJson(oslo, interopRegistry));
  });
});
