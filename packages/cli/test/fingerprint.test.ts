import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import { ObjectRegistry, VersionedObject, field, f, versionedObject, type FieldType, type FieldOptions } from '@versioned/objects';
import { describeObject, fingerprintOf, hashDescription } from '../src/index.js';

type FieldList = [name: string, type: FieldType<any>, options?: FieldOptions<any>][];

/** A class named `name` with `fields` declared in the given order, in a registry of its own (plus `extra`). */
function defineClass(name: string, version: string, fields: FieldList, registry = new ObjectRegistry()) {
  class Generated extends VersionedObject {}
  for (const [fieldName, type, options] of fields) field(type, options)(Generated.prototype as never, fieldName);
  versionedObject({ name, version, registry })(Generated);
  return { meta: registry.newest(name), registry };
}

const fp = (name: string, version: string, fields: FieldList): string => {
  const { meta, registry } = defineClass(name, version, fields);
  return fingerprintOf(meta, registry).fingerprint;
};

const BASE: FieldList = [
  ['id', f.uuid()],
  ['size', f.integer(), { default: 0 }],
  ['tags', f.list(f.string())],
];

describe('fingerprints', () => {
  test('have the form <version>-<sha256 hex>', () => {
    assert.match(fp('Volume', '1.2', BASE), /^1\.2-[0-9a-f]{64}$/);
  });

  test('do not depend on the order fields are declared in', () => {
    assert.equal(fp('Volume', '1.0', BASE), fp('Volume', '1.0', [...BASE].reverse()));
  });

  test('are pinned: sha256 over the sorted-key compact JSON of the description, the same on every machine', () => {
    // If this changes, every user's lock file changes: only ever on purpose, with a LOCK_FORMAT bump.
    // Python reproduces it: json.dumps(description, sort_keys=True, separators=(',', ':')).
    const canonical =
      '{"children":[],"fields":[{"name":"id","nullable":false,"readOnly":false,"type":{"type":"UUID"}},' +
      '{"default":{"value":0},"name":"size","nullable":false,"readOnly":false,"type":{"type":"Integer"}},' +
      '{"name":"tags","nullable":false,"readOnly":false,"type":{"element":{"type":"String"},"type":"List"}}],' +
      '"name":"Volume","namespace":"versionedobjects","relationships":[],"remotable":[],"serialNamespace":"versioned_object"}';
    const { meta, registry } = defineClass('Volume', '1.0', BASE);
    assert.equal(stableStringify(describeObject(meta, registry)), canonical);
    assert.equal(createHash('sha256').update(canonical).digest('hex'), '5388cfeb07a0c8434f7ebb88424b76864fd0cd18a663fce5596110056d45d142');
    assert.equal(fp('Volume', '1.0', BASE), '1.0-5388cfeb07a0c8434f7ebb88424b76864fd0cd18a663fce5596110056d45d142');
  });

  test('the hash does not include the version: a bump alone changes only the prefix', () => {
    assert.equal(fp('Volume', '1.0', BASE).split('-')[1], fp('Volume', '1.1', BASE).split('-')[1]);
  });

  for (const [what, fields] of [
    ['read-only', [['id', f.uuid(), { readOnly: true }], ...BASE.slice(1)]],
    ['nullable', [['id', f.uuid(), { nullable: true }], ...BASE.slice(1)]],
    ['the element type of a list', [...BASE.slice(0, 2), ['tags', f.list(f.uuid())]]],
    ['a list becoming a set', [...BASE.slice(0, 2), ['tags', f.set(f.string())]]],
    ['the default value', [BASE[0], ['size', f.integer(), { default: 1 }], BASE[2]]],
    ['a new field', [...BASE, ['name', f.string()]]],
  ] as [string, FieldList][]) {
    test(`change with ${what}`, () => {
      assert.notEqual(fp('Volume', '1.0', BASE), fp('Volume', '1.0', fields));
    });
  }

  test('change with the target class of an object field', () => {
    const a = fp('Volume', '1.0', [['owner', f.object('User')]]);
    const b = fp('Volume', '1.0', [['owner', f.object('Project')]]);
    assert.notEqual(a, b);
  });

  test('change with enum values and state transitions', () => {
    const a = fp('Volume', '1.0', [['status', f.stateMachine({ up: ['down'], down: [] })]]);
    const b = fp('Volume', '1.0', [['status', f.stateMachine({ up: ['down'], down: ['up'] })]]);
    const c = fp('Volume', '1.0', [['status', f.stateMachine({ up: ['down'], down: [], gone: [] })]]);
    assert.equal(new Set([a, b, c]).size, 3);
  });

  test('change when a child class moves to a new version', () => {
    const make = (childVersion: string): string => {
      const registry = new ObjectRegistry();
      defineClass('Attachment', childVersion, [['id', f.uuid()]], registry);
      const { meta } = defineClass('Volume', '1.0', [['attachments', f.listOfObjects('Attachment')]], registry);
      return fingerprintOf(meta, registry).fingerprint;
    };
    assert.notEqual(make('1.0'), make('1.1'));
  });
});

describe('canonical descriptions', () => {
  test('list fields by name with their full type, nullability, read-only flag and default', () => {
    const { meta, registry } = defineClass('Volume', '1.0', [
      ['size', f.nonNegativeInteger(), { default: 1, readOnly: true }],
      ['attachments', f.listOfObjects('Attachment'), { nullable: true }],
    ]);
    assert.deepEqual(describeObject(meta, registry), {
      name: 'Volume',
      namespace: 'versionedobjects',
      serialNamespace: 'versioned_object',
      fields: [
        {
          name: 'attachments',
          type: { type: 'List', element: { type: 'Object', target: 'Attachment', subclasses: false } },
          nullable: true,
          readOnly: false,
        },
        { name: 'size', type: { type: 'NonNegativeInteger' }, nullable: false, readOnly: true, default: { value: 1 } },
      ],
      remotable: [],
      children: [{ field: 'attachments', target: 'Attachment', version: null }],
      relationships: [],
    });
  });

  test('describe a value default in its wire form and a factory default as { factory: true }', () => {
    const { meta, registry } = defineClass('Volume', '1.0', [
      ['tags', f.set(f.string()), { default: new Set(['b', 'a']) }],
      ['createdAt', f.dateTime(), { default: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)) }],
      ['token', f.uuid(), { default: () => '6f1c4bd1-0f3e-4b8e-9d3a-0c1b2a3d4e5f' }],
    ]);
    const byName = Object.fromEntries(describeObject(meta, registry).fields.map((d) => [d.name, d.default]));
    assert.deepEqual(byName, { createdAt: { value: '2020-01-02T03:04:05Z' }, tags: { value: ['b', 'a'] }, token: { factory: true } });
  });

  test('hash the same description to the same value regardless of key order', () => {
    const { meta, registry } = defineClass('Volume', '1.0', BASE);
    const description = describeObject(meta, registry);
    const reordered = JSON.parse(JSON.stringify(description, Object.keys(description).reverse()));
    assert.equal(
      hashDescription({ ...reordered, fields: description.fields, children: description.children, remotable: [], relationships: [] }),
      hashDescription(description),
    );
  });
});
