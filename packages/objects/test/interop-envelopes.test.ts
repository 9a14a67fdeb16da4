// Direction (c): the same logical object, built on both sides, gives the same envelope.
// Compared as JSON with sorted keys; `changes` and Set fields are compared as sets (their order is arbitrary in oslo).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { interopRegistry } from './interop/classes.js';
import { SHARED_SPECS } from './interop/fixtures.js';
import { buildObject, canonicalJson } from './interop/model.js';
import { PythonOracle } from './interop/oracle.js';

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

for (const [name, spec] of Object.entries(SHARED_SPECS)) {
  test(`${name}: toPrimitive() equals oslo's obj_to_primitive()`, async () => {
    const { primitive: oslo } = await oracle.build(spec);
    const ours = buildObject(spec, interopRegistry).toPrimitive();
    assert.equal(canonicalJson(ours, interopRegistry), canonicalJson(oslo, interopRegistry));
  });
}

test('the canonical form does not hide a difference: a changed value makes the envelopes differ', async () => {
  const spec = SHARED_SPECS['a saved Volume with two fields changed since']!;
  const { primitive: oslo } = await oracle.build(spec);
  const ours = buildObject(spec, interopRegistry);
  (ours as unknown as { size: number }).size = 51;
  assert.notEqual(canonicalJson(ours.toPrimitive(), interopRegistry), canonicalJson(oslo, interopRegistry));
});
