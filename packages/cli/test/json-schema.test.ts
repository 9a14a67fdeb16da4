import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '@versioned/objects';
import { SchemaValidator, jsonSchemaFor, schemaVersions } from '@versioned/objects/schema';
import { validateAgainst } from '../src/checks/json-schema.js';
import { sampleObject } from '../src/sample.js';

/** A domain using every field type, with a history, so the schemas use every keyword the generator emits. */
function domain(): ObjectRegistry {
  const registry = new ObjectRegistry();
  class Port extends VersionedObject {}
  field(f.uuid())(Port.prototype as never, 'id');
  field(f.macAddress())(Port.prototype as never, 'mac');
  field(f.ipAddress(), { nullable: true })(Port.prototype as never, 'address');
  field(f.ipv4Network())(Port.prototype as never, 'network');
  field(f.pciAddress(), { nullable: true })(Port.prototype as never, 'pci');
  versionedObject({
    name: 'Port',
    version: '1.1',
    registry,
    history: [
      { version: '1.0', note: 'i' },
      { version: '1.1', added: ['pci'], note: 'pci' },
    ],
  })(Port);
  class Server extends VersionedObject {}
  const fields: [string, Parameters<typeof field>[0], object?][] = [
    ['id', f.uuid()],
    ['name', f.string()],
    ['secret', f.sensitiveString(), { nullable: true }],
    ['vcpus', f.nonNegativeInteger()],
    ['load', f.float()],
    ['locked', f.boolean()],
    ['created', f.dateTime({ precision: 'millisecond' })],
    ['status', f.stateMachine({ building: ['active'], active: [] })],
    ['flavor', f.enum(['small', 'large'])],
    ['tags', f.set(f.string())],
    ['meta', f.dict(f.integer())],
    ['ports', f.listOfObjects('Port')],
    ['primary', f.object('Port'), { nullable: true }],
  ];
  for (const [name, type, options] of fields) field(type as never, options as never)(Server.prototype as never, name);
  versionedObject({
    name: 'Server',
    version: '2.1',
    registry,
    history: [
      { version: '2.0', note: 'i', children: { ports: '1.0', primary: '1.0' } },
      { version: '2.1', added: ['load'], children: { ports: '1.1' }, note: 'load' },
    ],
  })(Server);
  return registry;
}

/** Ways to break an envelope: each gives a copy of `p` damaged in one place. */
const MUTATIONS: [string, (p: any, data: any) => void][] = [
  ['as is', () => {}],
  ['an unknown data key', (_p, d) => (d.extra = 1)],
  ['a missing envelope key', (p) => delete p['versioned_object.namespace']],
  ['a wrong version', (p) => (p['versioned_object.version'] = '9.9')],
  ['an unknown changes entry', (p) => (p['versioned_object.changes'] = ['nope'])],
  ['duplicate changes', (p) => (p['versioned_object.changes'] = ['id', 'id'])],
  ['a bad uuid', (_p, d) => (d.id = 'not-a-uuid')],
  ['a number for a string', (_p, d) => (d.name = 5)],
  ['null on a non-nullable field', (_p, d) => (d.name = null)],
  ['null on a nullable field', (_p, d) => (d.secret = null)],
  ['a negative count', (_p, d) => (d.vcpus = -1)],
  ['a fractional integer', (_p, d) => (d.vcpus = 1.5)],
  ['a string for a boolean', (_p, d) => (d.locked = 'yes')],
  ['a bad date-time', (_p, d) => (d.created = '2024-13-45T99:00:00Z')],
  ['a date without a zone', (_p, d) => (d.created = '2024-01-02T03:04:05')],
  ['an unknown enum value', (_p, d) => (d.flavor = 'medium')],
  ['an unknown state', (_p, d) => (d.status = 'gone')],
  ['duplicate set items', (_p, d) => (d.tags = ['a', 'a'])],
  ['a string in an integer dict', (_p, d) => (d.meta = { a: 'x' })],
  ['a bad child MAC', (_p, d) => d.ports?.[0] && (d.ports[0]['versioned_object.data'].mac = 'zz')],
  ['a bad child address', (_p, d) => d.ports?.[0] && (d.ports[0]['versioned_object.data'].address = '999.1.1.1')],
  ['a child at a version the parent does not declare', (_p, d) => d.ports?.[0] && (d.ports[0]['versioned_object.version'] = '1.7')],
  ['a child field its version lacks', (_p, d) => d.primary && (d.primary['versioned_object.data'].pci = '0000:00:1f.7')],
  ['a bad network', (_p, d) => d.ports?.[0] && (d.ports[0]['versioned_object.data'].network = '10.0.0.0')],
];

describe('the interpreting JSON Schema validator of the compatibility check', () => {
  test('agrees with ajv on every version of a domain using every field type, valid and damaged', () => {
    const registry = domain();
    const ajv = new SchemaValidator(registry);
    let compared = 0;
    const verdicts = { valid: 0, invalid: 0 };
    for (const { name, version } of schemaVersions(registry)) {
      const schema = jsonSchemaFor(name, version, registry);
      const primitive = sampleObject(registry.newest(name), registry).toPrimitive({ targetVersion: version });
      for (const [what, mutate] of MUTATIONS) {
        const copy = structuredClone(primitive) as Record<string, unknown>;
        mutate(copy, copy['versioned_object.data']);
        const ours = validateAgainst(schema, copy).length === 0;
        const theirs = ajv.validate(copy, { name, version }).valid;
        assert.equal(
          ours,
          theirs,
          `${name} ${version} with ${what}: ours says ${ours ? 'valid' : 'invalid'}, ajv says ${theirs ? 'valid' : 'invalid'}`,
        );
        compared++;
        verdicts[ours ? 'valid' : 'invalid']++;
      }
    }
    assert.ok(compared >= 4 * MUTATIONS.length);
    // The damage must really be damage, mostly: a comparison of two always-valid verdicts proves nothing.
    assert.ok(verdicts.invalid > compared / 2 && verdicts.valid >= 8, JSON.stringify(verdicts));
  });

  test('names the innermost bad spot, and an extra key as not part of the version', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: { list: { type: 'array', items: { type: 'string', format: 'uuid' } } },
    };
    assert.deepEqual(
      validateAgainst(schema, { list: ['0b8a1d6e-3c55-4c1e-9a47-5f0f6c1e2a01', 'nope'], extra: 1 }).map((i) => [i.path, i.message]),
      [
        [['list', 1], 'String does not match format "uuid".'],
        [['extra'], 'is not part of this version'],
      ],
    );
  });
});
