import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ObjectRegistry,
  VersionedObject,
  childVersionAt,
  f,
  field,
  fieldExistsAt,
  isVersionedError,
  metaOf,
  versionedObject,
  type HistoryEntry,
} from '../src/index.js';
import { Volume } from './fixtures/storage.js';

/** Declare a throwaway class with `fields` and `history`; returns the registration error, if any. */
function declare(version: string, history: HistoryEntry[] | undefined, extra: (cls: typeof VersionedObject) => void = () => {}): unknown {
  try {
    class Thing extends VersionedObject {}
    field(f.string())(Thing.prototype as never, 'name');
    field(f.object('Thing'), { nullable: true })(Thing.prototype as never, 'child');
    extra(Thing);
    versionedObject({ name: 'Thing', version, registry: new ObjectRegistry(), ...(history ? { history } : {}) })(Thing);
    return undefined;
  } catch (err) {
    return err;
  }
}

const registrationError = (err: unknown, pattern: RegExp): boolean => isVersionedError(err, 'registration') && pattern.test(err.message);

test('a class without a declared history has one version, its own', () => {
  assert.equal(declare('1.3', undefined), undefined);
});

test('the newest history entry must equal the class version', () => {
  assert.ok(
    registrationError(
      declare('1.2', [
        { version: '1.0', note: 'a' },
        { version: '1.1', note: 'b' },
      ]),
      /newest entry is 1\.1, but the class version is 1\.2/,
    ),
  );
});

test('history entries must ascend, by integer parts', () => {
  assert.ok(
    registrationError(
      declare('1.9', [
        { version: '1.10', note: 'a' },
        { version: '1.9', note: 'b' },
      ]),
      /1\.9 comes after 1\.10/,
    ),
  );
  assert.equal(
    declare('1.10', [
      { version: '1.9', note: 'a' },
      { version: '1.10', note: 'b' },
    ]),
    undefined,
  );
});

test('every entry needs a note: the history is the changelog', () => {
  assert.ok(registrationError(declare('1.0', [{ version: '1.0', note: ' ' }]), /needs a note/));
});

test('a field the history adds must exist on the class', () => {
  assert.ok(
    registrationError(
      declare('1.1', [
        { version: '1.0', note: 'a' },
        { version: '1.1', added: ['size'], note: 'b' },
      ]),
      /"size" exists in 1\.1, but the class has no such field/,
    ),
  );
});

test('a field the history removes must not be on the class', () => {
  assert.ok(
    registrationError(
      declare('1.1', [
        { version: '1.0', note: 'a' },
        { version: '1.1', removed: ['name'], note: 'b' },
      ]),
      /"name" is declared on the class but the history removes it/,
    ),
  );
});

test('a field cannot be added twice, nor removed or changed before it exists', () => {
  const added = (cls: typeof VersionedObject) => field(f.integer())(cls.prototype as never, 'size');
  assert.ok(
    registrationError(
      declare(
        '1.2',
        [
          { version: '1.0', note: 'a' },
          { version: '1.1', added: ['size'], note: 'b' },
          { version: '1.2', added: ['size'], note: 'c' },
        ],
        added,
      ),
      /adds "size", which already exists/,
    ),
  );
  assert.ok(
    registrationError(
      declare(
        '1.2',
        [
          { version: '1.0', changed: ['size'], note: 'a' },
          { version: '1.1', note: 'x' },
          { version: '1.2', added: ['size'], note: 'b' },
        ],
        added,
      ),
      /changes "size", which does not exist/,
    ),
  );
});

test('the first entry cannot add fields', () => {
  assert.ok(registrationError(declare('1.0', [{ version: '1.0', added: ['name'], note: 'a' }]), /first entry cannot add fields/));
});

test('children must name an object field, with a version', () => {
  assert.ok(
    registrationError(declare('1.0', [{ version: '1.0', note: 'a', children: { name: '1.0' } }]), /"name", which is not an object field/),
  );
  assert.ok(
    registrationError(declare('1.0', [{ version: '1.0', note: 'a', children: { child: 'one' } }]), /children\.child must be a version/),
  );
});

test('presence and relationships follow from the history', () => {
  const { history } = metaOf(Volume);
  assert.equal(fieldExistsAt(history, 'bootable', '1.0'), false);
  assert.equal(fieldExistsAt(history, 'bootable', '1.1'), true);
  assert.equal(fieldExistsAt(history, 'id', '1.0'), true);
  assert.deepEqual(history.removedFields.get('display_name'), ['1.0', '1.4']);
  assert.equal(childVersionAt(history, 'attachments', '1.2'), '1.0');
  assert.equal(childVersionAt(history, 'attachments', '1.3'), '1.1');
  assert.equal(childVersionAt(history, 'attachments', '1.10'), '1.1', '1.10 is after 1.3');
  assert.deepEqual(
    history.entries.map((e) => e.note),
    ['Initial version', 'Add bootable', 'Add tags', 'Attachment 1.1 (attached_at)', 'Rename display_name to name'],
  );
});

test('oslo gap rule: before the first relationship the child field is dropped', () => {
  const registry = new ObjectRegistry();
  @versionedObject({ name: 'Leaf', version: '1.0', registry })
  class Leaf extends VersionedObject {
    @field(f.string()) declare v: string;
  }
  @versionedObject({
    name: 'Tree',
    version: '1.2',
    registry,
    history: [
      { version: '1.0', note: 'a' },
      { version: '1.1', note: 'b' },
      { version: '1.2', note: 'c' },
    ],
    relationships: { leaf: [['1.1', '1.0']] },
  })
  class Tree extends VersionedObject {
    @field(f.object<Leaf>('Leaf')) declare leaf: Leaf;
  }
  const tree = Tree.create({ leaf: Leaf.create({ v: 'x' }) });
  assert.equal('leaf' in (tree.toPrimitive({ targetVersion: '1.0' })['versioned_object.data'] as object), false);
  assert.equal('leaf' in (tree.toPrimitive({ targetVersion: '1.1' })['versioned_object.data'] as object), true);
  assert.throws(
    () => tree.toPrimitive({ targetVersion: '1.0', onDataLoss: 'refuse' }),
    (e) => isVersionedError(e, 'data_loss') && e.pathString === 'Tree.leaf',
  );
});
