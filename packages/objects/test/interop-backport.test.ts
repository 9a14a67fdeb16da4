// Backports against oslo: for every older version in the history, TypeScript's backported envelope equals
// oslo's obj_to_primitive(target_version=...), via the relationships and via a version manifest.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredVersions, metaOf, type Manifest } from '../src/index.js';
import { interopRegistry } from './interop/classes.js';
import { FULL_VOLUME_VALUES, SHARED_SPECS, VOLUME_ID, attachment } from './interop/fixtures.js';
import { buildObject, canonicalJson, type ObjectSpec } from './interop/model.js';
import { PythonOracle } from './interop/oracle.js';

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

const versionsOf = (name: string): string[] => declaredVersions(metaOf(interopRegistry.newest(name).cls).history);

/** Objects to backport, each with changes on fields that older versions drop. */
const BACKPORTED: Record<string, ObjectSpec> = {
  'a saved Volume with every field set, changed in old and new fields': {
    $object: 'Volume',
    values: FULL_VOLUME_VALUES,
    reset: 'recursive',
    after: { name: 'data-02', auth_key: 'rotated', mac: '00:11:22:33:44:55', ratio: 0.5, created_at: '2024-05-06T07:08:09Z' },
  },
  'a new Attachment (every field changed)': attachment(2),
  'a VolumeList of two saved Volumes': SHARED_SPECS['a VolumeList of two saved Volumes']!,
  'a Flavor whose memory_mb was renamed from memory in 1.2': SHARED_SPECS['a Flavor in the nova_object serial namespace and nova project']!,
  'a Widget (versions 2.x)': SHARED_SPECS['a Widget in the acme project namespace']!,
  'a Volume with only its attachment set, at versions before and after the field existed': {
    $object: 'Volume',
    values: { id: VOLUME_ID, size: 5, attachment: attachment(0, { reset: 'shallow' }) },
    reset: 'shallow',
    after: { size: 6 },
  },
};

describe('via the relationships (target_version only)', () => {
  for (const [name, spec] of Object.entries(BACKPORTED)) {
    for (const version of versionsOf(spec.$object)) {
      test(`${name}, at ${spec.$object} ${version}: toPrimitive({ targetVersion }) equals oslo's`, async () => {
        const { primitive: oslo } = await oracle.build(spec, { target_version: version });
        const ours = buildObject(spec, interopRegistry).toPrimitive({ targetVersion: version });
        assert.equal(canonicalJson(ours, interopRegistry), canonicalJson(oslo, interopRegistry));
      });
    }
  }
});

/** Every combination of the versions of the named classes, as manifests. */
function manifests(names: string[]): Manifest[] {
  let out: Record<string, string>[] = [{}];
  for (const name of names) out = out.flatMap((m) => versionsOf(name).map((v) => ({ ...m, [name]: v })));
  return out;
}

describe('via a version manifest (every combination of versions in the tree)', () => {
  const cases: [string, ObjectSpec, string[]][] = [
    [
      'a saved Volume with every field set',
      BACKPORTED['a saved Volume with every field set, changed in old and new fields']!,
      ['Volume', 'Attachment'],
    ],
    ['a VolumeList of two saved Volumes', BACKPORTED['a VolumeList of two saved Volumes']!, ['VolumeList', 'Volume', 'Attachment']],
  ];
  for (const [name, spec, names] of cases) {
    for (const manifest of manifests(names)) {
      const label = Object.entries(manifest)
        .map(([n, v]) => `${n} ${v}`)
        .join(', ');
      test(`${name}, manifest {${label}}: toPrimitive({ targetVersion, manifest }) equals oslo's`, async () => {
        const target = manifest[spec.$object] as string;
        const { primitive: oslo } = await oracle.build(spec, { target_version: target, manifest: { ...manifest } });
        const ours = buildObject(spec, interopRegistry).toPrimitive({ targetVersion: target, manifest });
        assert.equal(canonicalJson(ours, interopRegistry), canonicalJson(oslo, interopRegistry));
      });
    }
  }
});

describe("oslo's backported envelopes, read back in TypeScript", () => {
  const spec = BACKPORTED['a saved Volume with every field set, changed in old and new fields']!;
  for (const version of versionsOf('Volume')) {
    test(`Volume ${version} from oslo decodes at ${version} and re-encodes to the same envelope`, async () => {
      const { primitive: oslo } = await oracle.build(spec, { target_version: version });
      const obj = interopRegistry.fromPrimitive(oslo);
      assert.equal(obj.objVersion, version);
      assert.equal(canonicalJson(obj.toPrimitive(), interopRegistry), canonicalJson(oslo, interopRegistry));
    });
  }
});
