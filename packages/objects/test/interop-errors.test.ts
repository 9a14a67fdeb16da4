// Direction (d): what both sides refuse to decode, each with its own error; and the oddities both accept alike.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isVersionedError, type ErrorCode, type Primitive } from '../src/index.js';
import { Flavor, Volume, Widget, interopRegistry } from './interop/classes.js';
import { VOLUME_ID } from './interop/fixtures.js';
import { canonicalJson, reportOf, withoutTypes } from './interop/model.js';
import { OracleError, PythonOracle } from './interop/oracle.js';

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

const VO = 'versioned_object';

function volumePrimitive(data: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}): Primitive {
  const base = Volume.partial({ id: VOLUME_ID, size: 1 }).toPrimitive();
  return { ...base, [`${VO}.data`]: { ...(base[`${VO}.data`] as object), ...data }, ...envelope };
}

/** Both sides refuse `primitive`: TypeScript with `code` at `path`, oslo (a receiver of `base`'s project) with `pythonType`. */
async function assertBothReject(
  primitive: Primitive,
  expected: { code: ErrorCode; path?: string; pythonType: string | string[]; base?: string },
): Promise<void> {
  assert.throws(
    () => interopRegistry.fromPrimitive(primitive),
    (err: unknown) => {
      assert.ok(isVersionedError(err, expected.code), `TypeScript: expected ${expected.code}, got ${String(err)}`);
      if (expected.path !== undefined) assert.equal(err.pathString, expected.path);
      return true;
    },
  );
  await assert.rejects(oracle.decode(primitive, { base: expected.base ?? 'versionedobjects' }), (err: unknown) => {
    assert.ok(err instanceof OracleError, `oslo: expected an exception, got ${String(err)}`);
    assert.ok(
      [expected.pythonType].flat().includes(err.pythonType),
      `oslo: expected ${String(expected.pythonType)}, got ${err.pythonType}: ${err.pythonMessage}`,
    );
    return true;
  });
}

describe('envelopes both sides refuse', () => {
  test('an unknown object name: unsupported_object / UnsupportedObjectError', () =>
    assertBothReject(volumePrimitive({}, { [`${VO}.name`]: 'QuotaClass' }), {
      code: 'unsupported_object',
      pythonType: 'UnsupportedObjectError',
    }));

  test('a Volume claiming the acme project, at a versionedobjects receiver: foreign_namespace / UnsupportedObjectError', () =>
    assertBothReject(volumePrimitive({}, { [`${VO}.namespace`]: 'acme' }), {
      code: 'foreign_namespace',
      pythonType: 'UnsupportedObjectError',
    }));

  test('a Widget claiming the versionedobjects project, at an acme receiver: foreign_namespace / UnsupportedObjectError', () =>
    assertBothReject(
      { ...Widget.partial({ id: VOLUME_ID, label: 'x' }).toPrimitive(), [`${VO}.namespace`]: 'versionedobjects' },
      {
        code: 'foreign_namespace',
        pythonType: 'UnsupportedObjectError',
        base: 'acme',
      },
    ));

  test('a newer major (Volume 2.0 where 1.3 is registered): incompatible_version / IncompatibleObjectVersion', () =>
    assertBothReject(volumePrimitive({}, { [`${VO}.version`]: '2.0' }), {
      code: 'incompatible_version',
      pythonType: 'IncompatibleObjectVersion',
    }));

  test('a newer minor (Volume 1.4): incompatible_version / IncompatibleObjectVersion', () =>
    assertBothReject(volumePrimitive({}, { [`${VO}.version`]: '1.4' }), {
      code: 'incompatible_version',
      pythonType: 'IncompatibleObjectVersion',
    }));

  test('a newer revision (Volume 1.3.1): incompatible_version / IncompatibleObjectVersion', () =>
    assertBothReject(volumePrimitive({}, { [`${VO}.version`]: '1.3.1' }), {
      code: 'incompatible_version',
      pythonType: 'IncompatibleObjectVersion',
    }));

  test('an older major (Widget 1.0 where 2.1 is registered): incompatible_version / IncompatibleObjectVersion', () =>
    assertBothReject(
      { ...Widget.partial({ id: VOLUME_ID, label: 'x' }).toPrimitive(), [`${VO}.version`]: '1.0' },
      {
        code: 'incompatible_version',
        pythonType: 'IncompatibleObjectVersion',
        base: 'acme',
      },
    ));

  test('a Flavor under versioned_object keys, at a nova receiver: foreign_namespace / KeyError', () => {
    const nova = Flavor.partial({ id: 1, name: 'm1.tiny', memory_mb: 512 }).toPrimitive();
    const renamed = Object.fromEntries(Object.entries(nova).map(([key, value]) => [key.replace(/^nova_object\./, `${VO}.`), value]));
    return assertBothReject(renamed, { code: 'foreign_namespace', pythonType: 'KeyError', base: 'nova' });
  });

  test('an envelope without data: invalid_primitive / KeyError', () => {
    const primitive = volumePrimitive();
    delete primitive[`${VO}.data`];
    return assertBothReject(primitive, { code: 'invalid_primitive', pythonType: 'KeyError' });
  });
});

describe('field values both sides refuse', () => {
  const cases: [field: string, value: unknown, pythonType: string, path?: string][] = [
    ['size', -1, 'ValueError'],
    ['size', null, 'ValueError'],
    ['size', 'ten', 'ValueError'],
    ['id', null, 'ValueError'],
    ['tier', 'floppy', 'ValueError'],
    ['status', 'bogus', 'ValueError'],
    ['mac', 'aa:bb:cc:dd:ee', 'ValueError'],
    ['pci', '0000:00:1f', 'ValueError'],
    ['host_ip', 'not-an-ip', 'ValueError'],
    ['mgmt_ipv4', '2001:db8::1', 'ValueError'],
    ['mgmt_ipv6', '192.0.2.1', 'ValueError'],
    ['subnet4', '2001:db8::/32', 'ValueError'],
    ['subnet4', '10.0.0.0/33', 'ValueError'],
    ['subnet6', '10.0.0.0/8', 'ValueError'],
    ['created_at', 'yesterday', 'ValueError'],
    ['ratio', 'fast', 'ValueError'],
    ['weight', -0.5, 'ValueError'],
    ['counts', ['x'], 'ValueError', 'Volume.counts[0]'],
    ['counts', 5, 'TypeError'],
    ['quotas', { gb: 'lots' }, 'ValueError', 'Volume.quotas.gb'],
    ['metadata', ['a'], 'AttributeError'],
    ['ports', 5, 'TypeError'],
  ];
  for (const [field, value, pythonType, path = `Volume.${field}`] of cases) {
    test(`Volume.${field} = ${JSON.stringify(value)}: invalid_value at ${path} / ${pythonType}`, () =>
      assertBothReject(volumePrimitive({ [field]: value }), { code: 'invalid_value', path, pythonType }));
  }

  test('a Volume envelope in the Attachment field: invalid_value at Volume.attachment / ValueError', () =>
    assertBothReject(volumePrimitive({ attachment: Volume.partial({ id: VOLUME_ID, size: 2 }).toPrimitive() }), {
      code: 'invalid_value',
      path: 'Volume.attachment',
      pythonType: 'ValueError',
    }));

  test('a ScsiAttachment (a subclass) in the Attachment field that does not take subclasses: invalid_value / ValueError', () =>
    assertBothReject(
      volumePrimitive({
        attachment: {
          [`${VO}.name`]: 'ScsiAttachment',
          [`${VO}.namespace`]: 'versionedobjects',
          [`${VO}.version`]: '1.0',
          [`${VO}.data`]: { id: VOLUME_ID, instance: 'i', lun: 1 },
        },
      }),
      { code: 'invalid_value', path: 'Volume.attachment', pythonType: 'ValueError' },
    ));

  test('a bad value inside a child in a list: invalid_value at Volume.attachments[0].attach_mode / ValueError', () =>
    assertBothReject(
      volumePrimitive({
        attachments: [
          {
            [`${VO}.name`]: 'Attachment',
            [`${VO}.namespace`]: 'versionedobjects',
            [`${VO}.version`]: '1.1',
            [`${VO}.data`]: { id: VOLUME_ID, instance: 'i', attach_mode: 'rwx' },
          },
        ],
      }),
      { code: 'invalid_value', path: 'Volume.attachments[0].attach_mode', pythonType: 'ValueError' },
    ));
});

describe('oddities both sides accept the same way', () => {
  async function assertSameDecode(primitive: Primitive): Promise<void> {
    const { report, primitive: oslo } = await oracle.decode(primitive);
    const ours = interopRegistry.fromPrimitive(primitive);
    assert.deepEqual(reportOf(ours), withoutTypes(report));
    assert.equal(canonicalJson(ours.toPrimitive(), interopRegistry), canonicalJson(oslo, interopRegistry));
  }

  test('a data key that is not a field is dropped', () => assertSameDecode(volumePrimitive({ legacy_flag: true })));

  test('a change naming something that is not a field is dropped', () =>
    assertSameDecode(volumePrimitive({}, { [`${VO}.changes`]: ['size', 'legacy_flag'] })));

  test('a change naming a field that is not in the data is kept in memory, and not re-sent', () =>
    assertSameDecode(volumePrimitive({}, { [`${VO}.changes`]: ['size', 'name'] })));

  test('null on a non-nullable field with a default decodes to the default', () =>
    assertSameDecode(volumePrimitive({ bootable: null, tags: null })));

  test('version 1.3.0 is read by the 1.3 class and re-sent as 1.3.0', () =>
    assertSameDecode(volumePrimitive({}, { [`${VO}.version`]: '1.3.0' })));
});
