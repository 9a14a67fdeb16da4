// Direction (c): the same logical object, built on both sides, gives the same envelope.
// Compared as JSON with sorted keys; `changes` and Set fields are compared as sets (their order is arbitrary in oslo).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { interopRegistry } from './interop/classes.js';
import { SHARED_SPECS, VOLUME_ID } from './interop/fixtures.js';
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

/** IPv6 spellings whose canonical text is easy to get wrong (netaddr prints what glibc's inet_ntop prints). */
const IPV6_SPELLINGS = [
  '::ffff:1.2.3.4',
  '::ffff:102:304',
  '::1.2.3.4',
  '::1:0',
  '::ffff:0:0',
  '::ffff:0',
  '::5',
  '::1',
  '::',
  '::0.0.1.0',
  '::fffe:1.2.3.4',
  '64:ff9b::192.0.2.33',
  '1:0:0:1:0:0:0:1',
  '2001:DB8:0:0:1:0:0:1',
  'fe80::1:0:0:0',
];

for (const address of IPV6_SPELLINGS) {
  test(`IPv6 ${address} is sent in the text netaddr prints, as an address and as a network`, async () => {
    const spec = {
      $object: 'Volume',
      values: { id: VOLUME_ID, size: 1, host_ip: address, mgmt_ipv6: address, any_ip: address, subnet6: `${address}/128` },
    };
    const { primitive: oslo } = await oracle.build(spec);
    assert.equal(canonicalJson(buildObject(spec, interopRegistry).toPrimitive(), interopRegistry), canonicalJson(oslo, interopRegistry));
  });
}

test('the canonical form does not hide a difference: a changed value makes the envelopes differ', async () => {
  const spec = SHARED_SPECS['a saved Volume with two fields changed since']!;
  const { primitive: oslo } = await oracle.build(spec);
  const ours = buildObject(spec, interopRegistry);
  (ours as unknown as { size: number }).size = 51;
  assert.notEqual(canonicalJson(ours.toPrimitive(), interopRegistry), canonicalJson(oslo, interopRegistry));
});
