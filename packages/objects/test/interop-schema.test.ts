// Our JSON Schema per version, checked against what oslo actually sends: every envelope oslo makes for the
// shared objects, at every version of their history, is valid for its version.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredVersions, metaOf } from '../src/index.js';
import { SchemaValidator } from '../src/schema.js';
import { interopRegistry } from './interop/classes.js';
import { SHARED_SPECS, VOLUME_ID } from './interop/fixtures.js';
import { PythonOracle } from './interop/oracle.js';

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

const validator = new SchemaValidator(interopRegistry);

for (const [name, spec] of Object.entries(SHARED_SPECS)) {
  for (const version of declaredVersions(metaOf(interopRegistry.newest(spec.$object).cls).history)) {
    test(`${name}, as oslo sends it at ${spec.$object} ${version}: valid for our ${version} schema`, async () => {
      const { primitive } = await oracle.build(spec, { target_version: version });
      const result = validator.validate(primitive);
      assert.equal(result.valid, true, JSON.stringify(result.issues, null, 2));
    });
  }
}

test('an envelope oslo sends at 1.2 is not valid for the 1.1 schema (the schemas tell versions apart)', async () => {
  const { primitive } = await oracle.build(
    { $object: 'Volume', values: { id: VOLUME_ID, size: 1, mac: 'aa:bb:cc:dd:ee:ff' } },
    { target_version: '1.2' },
  );
  assert.equal(validator.validate(primitive, { version: '1.1' }).valid, false);
});
