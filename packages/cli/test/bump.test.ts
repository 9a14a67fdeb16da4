import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { historyEntryFor, judgeBump, nextVersion, type SchemaChange } from '../src/index.js';

const added: SchemaChange = { kind: 'field_added', bump: 'minor', field: 'bootable', message: 'field `bootable` added (Boolean)' };
const removed: SchemaChange = { kind: 'field_removed', bump: 'major', field: 'kind', message: 'field `kind` removed (was String)' };

describe('judging a version bump', () => {
  test('the next version of a minor change moves the minor; of a major change, the major', () => {
    assert.equal(nextVersion('1.9', 'minor'), '1.10');
    assert.equal(nextVersion('1.9.3', 'major'), '2.0');
  });

  test('an unchanged version with a change asks for the next version and a history entry', () => {
    assert.deepEqual(judgeBump('1.2', '1.2', 'minor', [added]), {
      ok: false,
      message: 'version is still 1.2: bump to 1.3 and add the history entry listed below',
      suggested: '1.3',
    });
  });

  test('the suggested history entry lists added, removed and changed fields and moved children', () => {
    const changes: SchemaChange[] = [
      added,
      removed,
      { kind: 'made_nullable', bump: 'minor', field: 'name', message: '' },
      { kind: 'child_version_moved', bump: 'minor', field: 'attachments', message: '', from: '1.0', to: '1.1' },
    ];
    assert.equal(
      historyEntryFor('2.0', changes),
      "{ version: '2.0', added: ['bootable'], removed: ['kind'], changed: ['name'], children: { attachments: '1.1' }, note: '...' }",
    );
  });

  test('a minor bump is enough for a minor change, and so is a major one', () => {
    assert.equal(judgeBump('1.2', '1.3', 'minor', [added]).ok, true);
    assert.equal(judgeBump('1.2', '2.0', 'minor', [added]).ok, true);
  });

  test('a minor bump is not enough for a major change', () => {
    const verdict = judgeBump('1.2', '1.3', 'major', [added, removed]);
    assert.equal(verdict.ok, false);
    assert.equal(verdict.suggested, '2.0');
    assert.match(
      verdict.message,
      /version 1\.3 only bumps the minor, but a major change \(field `kind` removed\) breaks old readers: bump to 2\.0/,
    );
  });

  test('a version that went backwards is refused even without a schema change', () => {
    assert.equal(judgeBump('1.2', '1.1', undefined, []).ok, false);
    assert.equal(judgeBump('1.2', '1.1', 'minor', [added]).ok, false);
  });

  test('1.10 is newer than 1.9', () => {
    assert.equal(judgeBump('1.9', '1.10', 'minor', [added]).ok, true);
  });
});
