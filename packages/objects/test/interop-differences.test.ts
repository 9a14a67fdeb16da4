// Where oslo.versionedobjects and TypeScript knowingly differ, each pinned on both sides, so a change on
// either side shows up here. Most are deliberate (we refuse what oslo coerces silently); see each name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectRegistry, isVersionedError, type Primitive } from '../src/index.js';
import { Volume, interopRegistry } from './interop/classes.js';
import { FULL_VOLUME_VALUES, SHARED_SPECS, VOLUME_ID, attachment } from './interop/fixtures.js';
import { buildObject, canonicalJson, reportOf, withoutDroppedChanges, type ObjectSpec } from './interop/model.js';
import { defineInTs, type ClassDesc } from './interop/random-classes.js';
import { OracleError, PythonOracle } from './interop/oracle.js';

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

const VO = 'versioned_object';
const dataOf = (p: Primitive): Record<string, unknown> => p[`${VO}.data`] as Record<string, unknown>;

function volumeWith(data: Record<string, unknown>): Primitive {
  const base = Volume.partial({ id: VOLUME_ID, size: 1 }).toPrimitive();
  return { ...base, [`${VO}.data`]: { ...dataOf(base), ...data } };
}

/** oslo decodes the field to `osloHolds` (as oracle.py reports it); TypeScript refuses it with invalid_value. */
async function osloCoercesWeRefuse(field: string, wire: unknown, osloHolds: unknown): Promise<void> {
  const primitive = volumeWith({ [field]: wire });
  const { report } = await oracle.decode(primitive);
  assert.deepEqual(report.fields[field], osloHolds, `oslo holds ${field}`);
  assert.throws(
    () => interopRegistry.fromPrimitive(primitive),
    (err: unknown) => isVersionedError(err, 'invalid_value') && err.pathString === `Volume.${field}`,
  );
}

describe('values oslo coerces or accepts and TypeScript refuses (deliberate: no silent data change)', () => {
  test('UUID "not-a-uuid": oslo keeps it and only warns (FutureWarning); we refuse', async () => {
    await osloCoercesWeRefuse('id', 'not-a-uuid', 'not-a-uuid');
    const warnings = oracle.lastWarnings;
    assert.ok(
      warnings.some((w) => w.startsWith('FutureWarning') && w.includes('invalid UUID')),
      warnings.join('\n'),
    );
  });
  test('UUID without dashes: oslo keeps it as sent (uuid.UUID parses it); we refuse (gap: we could normalise it)', async () => {
    await osloCoercesWeRefuse('id', 'f5b2c6c48c1e4c539d0e2b8f0c7a1d11', 'f5b2c6c48c1e4c539d0e2b8f0c7a1d11');
    assert.deepEqual(oracle.lastWarnings, []);
  });
  test('Integer 1.9: oslo truncates to 1; we refuse', () => osloCoercesWeRefuse('offset', 1.9, 1));
  test('Integer true: oslo makes it 1; we refuse', () => osloCoercesWeRefuse('offset', true, 1));
  test('Integer "1_000": oslo reads 1000 (Python int() syntax); we refuse', () => osloCoercesWeRefuse('offset', '1_000', 1000));
  test('Boolean "no": oslo makes it True (truthiness); we refuse', () => osloCoercesWeRefuse('bootable', 'no', true));
  test('Boolean 0: oslo makes it False; we refuse', () => osloCoercesWeRefuse('bootable', 0, false));
  test('FlexibleBoolean "maybe": oslo makes it False; we refuse', () => osloCoercesWeRefuse('multiattach', 'maybe', false));
  test('FlexibleBoolean 2: oslo makes it False; we refuse', () => osloCoercesWeRefuse('multiattach', 2, false));
  test('a string for a Set of strings: oslo makes a set of its characters; we refuse', () =>
    osloCoercesWeRefuse('labels', 'abc', ['a', 'b', 'c']));
  test('a string for a List of strings: oslo makes a list of its characters; we refuse', () =>
    osloCoercesWeRefuse('tags', 'abc', ['a', 'b', 'c']));
  test('an integer for an IPAddress: oslo reads 167772161 as 10.0.0.1; we refuse', () =>
    osloCoercesWeRefuse('host_ip', 167772161, '10.0.0.1'));
  test('IPv4 "010.0.0.1": oslo (netaddr) reads the leading zero as octal, 8.0.0.1; we refuse', () =>
    osloCoercesWeRefuse('host_ip', '010.0.0.1', '8.0.0.1'));
  test('PCI "0000:00:1fx2": oslo accepts it (its pattern leaves the dot unescaped); we refuse', () =>
    osloCoercesWeRefuse('pci', '0000:00:1fx2', '0000:00:1fx2'));
  test('a date without a time "2024-03-04": oslo reads midnight UTC; we refuse', () =>
    osloCoercesWeRefuse('created_at', '2024-03-04', '2024-03-04T00:00:00+00:00'));
  test('an IPv4 network with a netmask "10.0.0.0/255.255.255.0": oslo reads /24; we refuse (gap: oslo never sends this form)', () =>
    osloCoercesWeRefuse('subnet4', '10.0.0.0/255.255.255.0', '10.0.0.0/24'));
  test('Float "nan": oslo holds NaN (and its envelope is then not JSON); we refuse', async () => {
    const primitive = volumeWith({ ratio: 'nan' });
    await assert.rejects(
      oracle.decode(primitive),
      (err: unknown) => err instanceof OracleError && /not JSON compliant/.test(err.pythonMessage),
    );
    assert.throws(
      () => interopRegistry.fromPrimitive(primitive),
      (err: unknown) => isVersionedError(err, 'invalid_value'),
    );
  });
});

describe('values both accept but hold differently', () => {
  test('an upper-case UUID: oslo keeps the case, we lower-case it (so our re-encoded envelope differs)', async () => {
    const upper = VOLUME_ID.toUpperCase();
    const { report } = await oracle.decode(volumeWith({ id: upper }));
    assert.equal(report.fields.id, upper);
    assert.equal((interopRegistry.fromPrimitive(volumeWith({ id: upper })) as Volume).id, VOLUME_ID);
  });

  test('a boolean in a String field: oslo holds "True", we refuse it (JavaScript would hold "true")', async () => {
    const { report } = await oracle.decode(volumeWith({ name: true }));
    assert.equal(report.fields.name, 'True');
    assert.throws(
      () => interopRegistry.fromPrimitive(volumeWith({ name: true })),
      (err: unknown) => isVersionedError(err, 'invalid_value') && /a boolean is not a string/.test(err.message),
    );
  });

  test('a date-time with an offset: oslo re-sends the offset, we re-send the same instant in UTC', async () => {
    const { primitive: oslo } = await oracle.decode(volumeWith({ created_at: '2024-03-04T05:06:07+02:00' }));
    assert.equal(dataOf(oslo).created_at, '2024-03-04T05:06:07+02:00');
    const ours = interopRegistry.fromPrimitive(volumeWith({ created_at: '2024-03-04T05:06:07+02:00' })).toPrimitive();
    assert.equal(dataOf(ours).created_at, '2024-03-04T03:06:07Z');
  });

  test('a date-time before the year 1000: oslo sends the year unpadded ("999-..."), which neither side reads; we send "0999-..."', async () => {
    const spec: ObjectSpec = { $object: 'Volume', values: { id: VOLUME_ID, size: 1, created_at: '0999-01-02T03:04:05Z' } };
    const { primitive: oslo } = await oracle.build(spec);
    assert.equal(dataOf(oslo).created_at, '999-01-02T03:04:05Z');
    await assert.rejects(oracle.decode(oslo), (err: unknown) => err instanceof OracleError && err.pythonType === 'ValueError');
    assert.throws(
      () => interopRegistry.fromPrimitive(oslo),
      (err: unknown) => isVersionedError(err, 'invalid_value'),
    );
    const ours = buildObject(spec, interopRegistry).toPrimitive();
    assert.equal(dataOf(ours).created_at, '0999-01-02T03:04:05Z');
    assert.equal((await oracle.decode(ours)).report.fields.created_at, '0999-01-02T03:04:05+00:00');
  });

  test('a whole-second date-time in a millisecond-precision field goes out as oslo sends it ("...08Z"); a fraction is kept', async () => {
    const spec: ObjectSpec = { $object: 'Volume', values: { id: VOLUME_ID, size: 1, synced_at: '2024-03-04T05:06:08Z' } };
    const { primitive: oslo } = await oracle.build(spec);
    assert.equal(dataOf(oslo).synced_at, '2024-03-04T05:06:08Z');
    assert.equal(dataOf(buildObject(spec, interopRegistry).toPrimitive()).synced_at, '2024-03-04T05:06:08Z');
    const fraction: ObjectSpec = { $object: 'Volume', values: { id: VOLUME_ID, size: 1, synced_at: '2024-03-04T05:06:08.250Z' } };
    assert.equal(dataOf(buildObject(fraction, interopRegistry).toPrimitive()).synced_at, '2024-03-04T05:06:08.250Z');
  });
});

describe('change tracking', () => {
  test('a field unset after it was set: oslo still reports it changed, we do not (the envelopes agree)', async () => {
    const spec: ObjectSpec = { $object: 'Volume', values: { id: VOLUME_ID, size: 4, name: 'gone' }, unset: ['name'] };
    const { primitive: oslo, report } = await oracle.build(spec);
    const ours = buildObject(spec, interopRegistry);
    assert.deepEqual(report.changed, ['id', 'name', 'size']);
    assert.deepEqual(reportOf(ours).changed, ['id', 'size']);
    assert.equal(canonicalJson(ours.toPrimitive(), interopRegistry), canonicalJson(oslo, interopRegistry));
  });

  test('a change inside an element of a ListOfObjects field: we report the field changed, oslo does not', async () => {
    const spec: ObjectSpec = {
      $object: 'Volume',
      values: { id: VOLUME_ID, size: 1, attachments: [attachment(1, { reset: 'shallow', after: { mountpoint: '/dev/vdx' } })] },
      reset: 'shallow',
    };
    const { primitive: oslo } = await oracle.build(spec);
    const ours = buildObject(spec, interopRegistry).toPrimitive();
    assert.equal(`${VO}.changes` in oslo, false);
    assert.deepEqual(ours[`${VO}.changes`], ['attachments']);
    assert.deepEqual((await oracle.decode(ours)).report.changed, ['attachments'], 'oslo takes the extra change as sent');
  });

  test("a backported child's changes: oslo keeps the names of fields the backport dropped, we drop them", async () => {
    const spec = SHARED_SPECS['a new Volume with every field set (all changed, children too)']!;
    const { primitive: oslo } = await oracle.build(spec, { target_version: '1.1' });
    const ours = buildObject(spec, interopRegistry).toPrimitive({ targetVersion: '1.1' });
    const childChanges = (p: Primitive): string[] => [...((dataOf(p).attachment as Primitive)[`${VO}.changes`] as string[])].sort();
    assert.deepEqual(childChanges(oslo), ['attached_at', 'id', 'instance', 'mountpoint']);
    assert.deepEqual(childChanges(ours), ['id', 'instance', 'mountpoint']);
  });

  test('assigning a StateMachine its current state: oslo refuses unless the state lists itself, we accept (no transition)', async () => {
    const spec: ObjectSpec = { $object: 'Volume', values: { id: VOLUME_ID, size: 1, status: 'available' }, after: { status: 'available' } };
    await assert.rejects(oracle.build(spec), (err: unknown) => err instanceof OracleError && err.pythonType === 'ValueError');
    assert.equal(buildObject<Volume>(spec, interopRegistry).status, 'available');
  });
});

describe('namespaces', () => {
  test('a Volume in the acme project at an acme receiver: oslo decodes it (its registry is global), we refuse', async () => {
    const primitive = { ...volumeWith({}), [`${VO}.namespace`]: 'acme' };
    const { report } = await oracle.decode(primitive, { base: 'acme' });
    assert.equal(report.$object, 'Volume');
    assert.throws(
      () => interopRegistry.fromPrimitive(primitive),
      (err: unknown) => isVersionedError(err, 'foreign_namespace'),
    );
  });
});

describe('older versions', () => {
  test('a full Volume at 1.3 decodes as 1.2 in oslo and keeps the 1.3 fields; we drop them when re-sending at 1.2', async () => {
    const primitive = {
      ...buildObject(SHARED_SPECS['a new Volume with every field set (all changed, children too)']!, interopRegistry).toPrimitive(),
      [`${VO}.version`]: '1.2',
    };
    const { primitive: oslo } = await oracle.decode(primitive);
    assert.equal(dataOf(oslo).auth_key, FULL_VOLUME_VALUES.auth_key);
    const ours = interopRegistry.fromPrimitive(primitive).toPrimitive();
    assert.equal('auth_key' in dataOf(ours), false);
  });
});

describe('backports (deliberate: every object sent at a version decodes where that version is read)', () => {
  const FULL = SHARED_SPECS['a new Volume with every field set (all changed, children too)']!;

  test('A manifest covers the root object too: oslo leaves the root at its own version unless a target is given; we send it at the manifest’s', async () => {
    const manifest = { Volume: '1.1', Attachment: '1.0' };
    const { primitive: oslo } = await oracle.build(FULL, { manifest });
    assert.equal(oslo[`${VO}.version`], '1.3');
    const ours = buildObject(FULL, interopRegistry).toPrimitive({ manifest });
    assert.equal(ours[`${VO}.version`], '1.1');
    const { primitive: osloTargeted } = await oracle.build(FULL, { manifest, target_version: '1.1' });
    assert.equal(canonicalJson(ours, interopRegistry), canonicalJson(withoutDroppedChanges(osloTargeted), interopRegistry));
  });

  test('A manifest entry newer than a child’s class: oslo labels the child with the manifest’s version; we send the child at its own', async () => {
    const manifest = { Volume: '1.3', Attachment: '1.7' };
    const { primitive: oslo } = await oracle.build(FULL, { manifest });
    assert.equal((dataOf(oslo).attachment as Primitive)[`${VO}.version`], '1.7');
    const ours = buildObject(FULL, interopRegistry).toPrimitive({ manifest });
    assert.equal((dataOf(ours).attachment as Primitive)[`${VO}.version`], '1.1');
  });

  test('An ObjectList whose objects are unset: oslo cannot send it (obj_what_changed reads them); we send it without objects', async () => {
    const spec: ObjectSpec = { $object: 'VolumeList', values: {}, unset: ['objects'] };
    await assert.rejects(oracle.build(spec), (err: unknown) => err instanceof OracleError);
    const ours = buildObject(spec, interopRegistry).toPrimitive();
    assert.deepEqual(dataOf(ours), {});
  });

  test('A child with no rule in a backport: oslo raises ObjectActionError; we raise no_backport_rule, or send a received child at the version it came at', async () => {
    const classes: ClassDesc[] = [
      {
        name: 'NoRuleChild',
        version: '1.0',
        versions: ['1.0'],
        fields: [{ name: 'n', type: { t: 'integer' }, nullable: false }],
        added: {},
        relationships: {},
      },
      {
        name: 'NoRuleParent',
        version: '1.1',
        versions: ['1.0', '1.1'],
        fields: [
          { name: 'child', type: { t: 'object', cls: 'NoRuleChild' }, nullable: true },
          { name: 'x', type: { t: 'integer' }, nullable: true },
        ],
        added: { x: '1.1' },
        relationships: {},
      },
    ];
    const registry = new ObjectRegistry();
    defineInTs(classes, registry);
    await oracle.define(classes);
    const spec: ObjectSpec = { $object: 'NoRuleParent', values: { x: 1, child: { $object: 'NoRuleChild', values: { n: 2 } } } };
    await assert.rejects(
      oracle.build(spec, { target_version: '1.0' }),
      (err: unknown) => err instanceof OracleError && err.pythonType === 'ObjectActionError',
    );
    const built = buildObject(spec, registry);
    assert.throws(
      () => built.toPrimitive({ targetVersion: '1.0' }),
      (err: unknown) => isVersionedError(err, 'no_backport_rule') && err.pathString === 'NoRuleParent.child',
    );
    const received = registry.fromPrimitive(built.toPrimitive());
    await assert.rejects(
      oracle.decode(built.toPrimitive(), { target_version: '1.0' }),
      (err: unknown) => err instanceof OracleError && err.pythonType === 'ObjectActionError',
    );
    assert.equal((dataOf(received.toPrimitive({ targetVersion: '1.0' })).child as Primitive)[`${VO}.version`], '1.0');
  });
});

describe('change tracking of containers (deliberate: what changed in place is sent as changed)', () => {
  test('A container changed in place is a change: oslo sends no change (Cinder overrides obj_what_changed for it); we send the field in changes', async () => {
    const spec = {
      $object: 'Volume',
      values: { id: VOLUME_ID, size: 1, metadata: { a: 'x' } },
      reset: 'shallow',
      in_place: { metadata: { b: 'y' } },
    } as ObjectSpec;
    const { primitive: oslo } = await oracle.build(spec);
    assert.deepEqual(dataOf(oslo).metadata, { a: 'x', b: 'y' });
    assert.equal(`${VO}.changes` in oslo, false);
    const ours = buildObject<Volume>(spec, interopRegistry);
    ours.metadata['b'] = 'y';
    assert.deepEqual(ours.toPrimitive()[`${VO}.changes`], ['metadata']);
  });
});
