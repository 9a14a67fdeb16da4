import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '../src/index.js';

const registry = new ObjectRegistry();

@versionedObject({ name: 'Port', version: '1.0', registry })
class Port extends VersionedObject {
  @field(f.ipAddress()) declare ip: string;
  @field(f.ipv4Address()) declare ip4: string;
  @field(f.ipv6Address()) declare ip6: string;
  @field(f.ipv4AndV6Address()) declare ip46: string;
  @field(f.ipNetwork()) declare net: string;
  @field(f.ipv4Network()) declare net4: string;
  @field(f.ipv6Network()) declare net6: string;
  @field(f.macAddress()) declare mac: string;
  @field(f.pciAddress()) declare pci: string;
}

type Key = Exclude<keyof Port, keyof VersionedObject>;

function coerced(key: Key, value: unknown): unknown {
  const port = new Port();
  (port as unknown as Record<string, unknown>)[key] = value;
  return port[key];
}

function rejects(key: Key, value: unknown, message: RegExp): void {
  assert.throws(
    () => {
      (new Port() as unknown as Record<string, unknown>)[key] = value;
    },
    (err: { code: string; path: unknown[]; message: string }) => {
      assert.equal(err.code, 'invalid_value');
      assert.deepEqual(err.path, ['Port', key]);
      assert.match(err.message, message);
      return true;
    },
    `${key} = ${JSON.stringify(value)}`,
  );
}

/** The primitive the field goes out as, and the value decoded back from it. */
function wire(key: Key, value: unknown): [unknown, unknown] {
  const port = new Port();
  (port as unknown as Record<string, unknown>)[key] = value;
  const env = JSON.parse(JSON.stringify(port));
  return [env['versioned_object.data'][key], (registry.fromPrimitive(env) as Port)[key]];
}

describe('IPAddress', () => {
  it('accepts exactly what node:net accepts (the grammar is written out, so the default entry imports no node: module)', () => {
    const near = fc.oneof(
      fc.ipV4(),
      fc.ipV4Extended(),
      fc.ipV6(),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg:.%'), maxLength: 45 }),
      fc
        .tuple(fc.ipV6(), fc.nat(44), fc.constantFrom('', ':', '::', '.', '0', '00', 'fffff', '1.2.3.4', '%'))
        .map(([ip, at, s]) => ip.slice(0, at) + s + ip.slice(at)),
    );
    fc.assert(
      fc.property(near, (text) => {
        const expected = isIPv4(text) ? text : isIPv6(text) && !text.includes('%') ? 'v6' : undefined;
        let got: string | undefined;
        try {
          got = Port.partial({ ip: text }).ip;
        } catch {
          got = undefined;
        }
        assert.equal(got === undefined ? undefined : expected === 'v6' ? 'v6' : got, expected, text);
      }),
      { numRuns: 20000 },
    );
  });
  it('accepts IPv4 addresses as written', () => {
    assert.equal(coerced('ip', '192.168.0.1'), '192.168.0.1');
  });
  it('canonicalises IPv6 to the compressed lower-case form Python prints', () => {
    assert.equal(coerced('ip', '2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(coerced('ip', '0:0:0:0:0:0:0:1'), '::1');
    assert.equal(coerced('ip', 'FE80:0000:0000:0000:0202:B3FF:FE1E:8329'), 'fe80::202:b3ff:fe1e:8329');
    assert.equal(coerced('ip', '2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  });
  it('writes IPv4-mapped and IPv4-compatible addresses with a dotted tail, as netaddr prints them', () => {
    assert.equal(coerced('ip', '::ffff:1.2.3.4'), '::ffff:1.2.3.4');
    assert.equal(coerced('ip', '::FFFF:102:304'), '::ffff:1.2.3.4');
    assert.equal(coerced('ip', '::ffff:0:0'), '::ffff:0.0.0.0');
    assert.equal(coerced('ip', '::d559:6b'), '::213.89.0.107');
    assert.equal(coerced('ip', '::1:0'), '::0.1.0.0');
    assert.equal(coerced('net', '::ffff:a00:0/104'), '::ffff:10.0.0.0/104');
  });
  it('keeps hex for the addresses netaddr writes in hex: ::, ::1, ::ffff and other prefixes', () => {
    assert.equal(coerced('ip', '::'), '::');
    assert.equal(coerced('ip', '::1'), '::1');
    assert.equal(coerced('ip', '::0.0.255.255'), '::ffff');
    assert.equal(coerced('ip', '::fffe:1.2.3.4'), '::fffe:102:304');
    assert.equal(coerced('ip', '64:ff9b::1.2.3.4'), '64:ff9b::102:304');
  });
  it('rejects malformed addresses, scoped addresses and non-strings', () => {
    for (const bad of [
      '256.1.1.1',
      '1.2.3',
      '01.2.3.4',
      '1.2.3.4 ',
      'fe80::1%eth0',
      '2001:db8::g',
      ':::',
      '',
      'localhost',
      3232235521,
      null,
    ]) {
      rejects('ip', bad, /expected an IP address/);
    }
  });
  it('names the bad value in the message', () => {
    rejects('ip', '1.2.3', /^Port\.ip: expected an IP address, got "1\.2\.3"$/);
  });
  it('crosses the wire as the canonical string', () => {
    assert.deepEqual(wire('ip', '2001:DB8::0001'), ['2001:db8::1', '2001:db8::1']);
  });
});

describe('IPV4Address / IPV6Address / IPV4AndV6Address', () => {
  it('IPV4Address accepts IPv4 and rejects IPv6', () => {
    assert.equal(coerced('ip4', '10.0.0.1'), '10.0.0.1');
    rejects('ip4', '::1', /expected an IPv4 address, got "::1"/);
  });
  it('IPV6Address accepts IPv6 and rejects IPv4', () => {
    assert.equal(coerced('ip6', '::FFFF'), '::ffff');
    rejects('ip6', '10.0.0.1', /expected an IPv6 address, got "10\.0\.0\.1"/);
  });
  it('IPV4AndV6Address accepts both families and reports its own kind', () => {
    assert.equal(coerced('ip46', '10.0.0.1'), '10.0.0.1');
    assert.equal(coerced('ip46', '2001:0db8::1'), '2001:db8::1');
    assert.equal(f.ipv4AndV6Address().kind, 'IPV4AndV6Address');
    rejects('ip46', 'nope', /expected an IP address/);
  });
});

describe('IPNetwork', () => {
  it('keeps address/prefix and normalises the address and the prefix', () => {
    assert.equal(coerced('net', '10.0.0.0/8'), '10.0.0.0/8');
    assert.equal(coerced('net', '10.0.0.0/08'), '10.0.0.0/8');
    assert.equal(coerced('net', '2001:DB8:0::/32'), '2001:db8::/32');
  });
  it('reads a bare address as a host network (/32 or /128)', () => {
    assert.equal(coerced('net', '10.1.2.3'), '10.1.2.3/32');
    assert.equal(coerced('net', '::1'), '::1/128');
  });
  it('rejects prefixes beyond the family width and malformed networks', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/1.5', '/8', '10.0.0/8', '10.0.0.0/8/8', 8]) {
      rejects('net', bad, /expected an IP network \(address\/prefix\)/);
    }
  });
  it('IPV4Network and IPV6Network hold to their family', () => {
    assert.equal(coerced('net4', '192.168.0.0/16'), '192.168.0.0/16');
    rejects('net4', '2001:db8::/32', /expected an IPv4 network/);
    assert.equal(coerced('net6', 'FD00::/8'), 'fd00::/8');
    rejects('net6', '10.0.0.0/8', /expected an IPv6 network/);
  });
  it('crosses the wire as the canonical string', () => {
    assert.deepEqual(wire('net6', 'FD00:0::/8'), ['fd00::/8', 'fd00::/8']);
  });
});

describe('MACAddress', () => {
  it('lower-cases and uses colons', () => {
    assert.equal(coerced('mac', 'AA:BB:CC:DD:EE:FF'), 'aa:bb:cc:dd:ee:ff');
    assert.equal(coerced('mac', '00-1a-2B-3c-4D-5e'), '00:1a:2b:3c:4d:5e');
  });
  it('rejects malformed MAC addresses', () => {
    for (const bad of ['aa:bb:cc:dd:ee', 'aabbccddeeff', 'gg:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:ff:00', 'a:bb:cc:dd:ee:ff', 42]) {
      rejects('mac', bad, /expected a MAC address/);
    }
  });
});

describe('PCIAddress', () => {
  it('accepts domain:bus:slot.function and lower-cases it', () => {
    assert.equal(coerced('pci', '0000:00:1F.7'), '0000:00:1f.7');
    assert.equal(coerced('pci', 'abcd:ef:00.0'), 'abcd:ef:00.0');
  });
  it('rejects a slot above 1f, a function above 7 and other shapes', () => {
    for (const bad of ['0000:00:20.0', '0000:00:1f.8', '00:1f.7', '0000:000:1f.7', '0000:00:1f', 'zzzz:00:00.0']) {
      rejects('pci', bad, /expected a PCI address \(dddd:bb:ss\.f\)/);
    }
  });
});
