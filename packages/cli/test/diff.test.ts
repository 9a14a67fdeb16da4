import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ObjectRegistry,
  VersionedObject,
  f,
  field,
  remotable,
  versionedObject,
  type FieldOptions,
  type FieldType,
  type HistoryEntry,
} from '@versioned/objects';
import { describeObject, diffDescriptions, requiredBump, type ObjectDescription } from '../src/index.js';

type FieldList = [name: string, type: FieldType<any>, options?: FieldOptions<any>][];

interface Spec {
  fields: FieldList;
  remotables?: string[];
  history?: HistoryEntry[];
  version?: string;
}

/** The description of a Volume built from `spec`, with an Attachment 1.0 registered beside it. */
function describe_(spec: Spec): ObjectDescription {
  const registry = new ObjectRegistry();
  class Attachment extends VersionedObject {}
  field(f.uuid())(Attachment.prototype as never, 'id');
  versionedObject({ name: 'Attachment', version: '1.0', registry })(Attachment);
  class Volume extends VersionedObject {}
  for (const [name, type, options] of spec.fields) field(type, options)(Volume.prototype as never, name);
  for (const name of spec.remotables ?? []) {
    const method = function (this: unknown, _a: number, _b: string): void {};
    Object.defineProperty(Volume.prototype, name, { value: method, configurable: true, writable: true });
    remotable()(Volume.prototype, name, Object.getOwnPropertyDescriptor(Volume.prototype, name) as PropertyDescriptor);
  }
  versionedObject({ name: 'Volume', version: spec.version ?? '1.0', registry, ...(spec.history ? { history: spec.history } : {}) })(Volume);
  return describeObject(registry.newest('Volume'), registry);
}

const changesOf = (before: Spec, after: Spec) =>
  diffDescriptions(describe_(before), describe_(after)).map((c) => [c.kind, c.field, c.bump]);

describe('schema diffs', () => {
  test('name nothing when nothing changed', () => {
    assert.deepEqual(changesOf({ fields: [['id', f.uuid()]] }, { fields: [['id', f.uuid()]] }), []);
  });

  test('a retyped list element is a major change of that field', () => {
    assert.deepEqual(changesOf({ fields: [['ids', f.list(f.string())]] }, { fields: [['ids', f.list(f.uuid())]] }), [
      ['field_retyped', 'ids', 'major'],
    ]);
  });

  test('an object field pointing at another class is a retype', () => {
    assert.deepEqual(changesOf({ fields: [['a', f.object('Attachment')]] }, { fields: [['a', f.object('Other')]] })[0], [
      'field_retyped',
      'a',
      'major',
    ]);
  });

  test('accepting subclasses loosens, refusing them tightens', () => {
    assert.deepEqual(
      changesOf({ fields: [['a', f.object('Attachment')]] }, { fields: [['a', f.object('Attachment', { subclasses: true })]] }),
      [['subclasses_allowed', 'a', 'minor']],
    );
    assert.deepEqual(
      changesOf({ fields: [['a', f.object('Attachment', { subclasses: true })]] }, { fields: [['a', f.object('Attachment')]] }),
      [['subclasses_refused', 'a', 'major']],
    );
  });

  test('enum values removed are major, state transitions changed are minor', () => {
    const before: Spec = { fields: [['s', f.stateMachine({ a: ['b'], b: [], c: [] })]] };
    assert.deepEqual(changesOf(before, { fields: [['s', f.stateMachine({ a: ['b'], b: [] })]] }), [
      ['enum_values_removed', 's', 'major'],
      ['transitions_changed', 's', 'minor'],
    ]);
    assert.deepEqual(changesOf(before, { fields: [['s', f.stateMachine({ a: ['b', 'c'], b: [], c: [] })]] }), [
      ['transitions_changed', 's', 'minor'],
    ]);
  });

  test('defaults: added and changed are minor, removed is major; a factory is one kind of default', () => {
    const plain: Spec = { fields: [['n', f.integer()]] };
    const one: Spec = { fields: [['n', f.integer(), { default: 1 }]] };
    assert.deepEqual(changesOf(plain, one), [['default_added', 'n', 'minor']]);
    assert.deepEqual(changesOf(one, { fields: [['n', f.integer(), { default: 2 }]] }), [['default_changed', 'n', 'minor']]);
    assert.deepEqual(changesOf(one, plain), [['default_removed', 'n', 'major']]);
    assert.deepEqual(changesOf(one, { fields: [['n', f.integer(), { default: () => 1 }]] }), [['default_changed', 'n', 'minor']]);
  });

  test('read-only is a tightening, writable a loosening', () => {
    assert.deepEqual(changesOf({ fields: [['n', f.integer()]] }, { fields: [['n', f.integer(), { readOnly: true }]] }), [
      ['made_read_only', 'n', 'major'],
    ]);
    assert.deepEqual(changesOf({ fields: [['n', f.integer(), { readOnly: true }]] }, { fields: [['n', f.integer()]] }), [
      ['made_writable', 'n', 'minor'],
    ]);
  });

  test('remotable methods added are minor, removed are major', () => {
    const base: Spec = { fields: [['id', f.uuid()]] };
    assert.deepEqual(changesOf(base, { ...base, remotables: ['extend'] }), [['remotable_added', 'extend', 'minor']]);
    assert.deepEqual(changesOf({ ...base, remotables: ['extend'] }, base), [['remotable_removed', 'extend', 'major']]);
  });

  test('appending a relationship for a new version is no change; rewriting a released one is major', () => {
    const fields: FieldList = [['a', f.listOfObjects('Attachment')]];
    const v10: Spec = { fields, version: '1.0', history: [{ version: '1.0', note: 'i', children: { a: '1.0' } }] };
    const v11: Spec = {
      fields,
      version: '1.1',
      history: [
        { version: '1.0', note: 'i', children: { a: '1.0' } },
        { version: '1.1', note: 'n', children: { a: '1.0' } },
      ],
    };
    assert.deepEqual(changesOf(v10, v11), []);
    const rewritten: Spec = {
      fields,
      version: '1.1',
      history: [
        { version: '1.0', note: 'i' },
        { version: '1.1', note: 'n', children: { a: '1.0' } },
      ],
    };
    assert.deepEqual(changesOf(v10, rewritten), [['relationships_changed', 'a', 'major']]);
  });

  test('the required bump is the largest of the changes', () => {
    const changes = diffDescriptions(
      describe_({
        fields: [
          ['a', f.string()],
          ['b', f.string()],
        ],
      }),
      describe_({
        fields: [
          ['a', f.string(), { nullable: true }],
          ['c', f.string()],
        ],
      }),
    );
    assert.deepEqual(
      changes.map((c) => [c.kind, c.field]),
      [
        ['made_nullable', 'a'],
        ['field_removed', 'b'],
        ['field_added', 'c'],
      ],
    );
    assert.equal(requiredBump(changes), 'major');
    assert.equal(requiredBump(changes.filter((c) => c.bump === 'minor')), 'minor');
    assert.equal(requiredBump([]), undefined);
  });
});
