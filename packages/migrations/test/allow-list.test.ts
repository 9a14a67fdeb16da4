import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMigrations, isMigrationCheckError, parseAllowList } from '../src/index.js';

const N = [{ name: '1.sql', sql: 'CREATE TABLE volumes (id INTEGER PRIMARY KEY, legacy_size INTEGER, name TEXT);' }];
const N1 = [...N, { name: '2.sql', sql: 'ALTER TABLE volumes DROP COLUMN legacy_size;' }];
const ENTRY = { change: 'column_dropped volumes.legacy_size', reason: 'unused since 2.0', from: '3.0' };

function check(allow: unknown[], release?: string) {
  const allowList = parseAllowList(JSON.stringify({ allow }), 'allow.json');
  return checkMigrations({ dialect: 'sqlite', before: { files: N }, after: { files: N1 }, allowList, ...(release ? { release } : {}) });
}

describe('the allow-list', () => {
  test('an entry in force accepts the change it names', async () => {
    const report = await check([ENTRY], '3.0.0');
    assert.equal(report.ok, true);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(
      report.allowed.map((a) => [a.finding.change, a.entry.reason]),
      [['column_dropped volumes.legacy_size', 'unused since 2.0']],
    );
  });

  test('an entry for a later release does not accept it yet, and says so', async () => {
    const report = await check([ENTRY], '2.5');
    assert.equal(report.ok, false);
    assert.match(report.findings[0]!.message, /the allow-list allows it from release 3\.0; this is 2\.5/);
    assert.deepEqual(report.unusedAllowEntries, []);
  });

  test('an entry that matches no change is reported', async () => {
    const stale = { change: 'table_dropped snapshots', reason: 'gone in 2.0', from: '2.0' };
    const report = await check([ENTRY, stale], '3.1');
    assert.equal(report.ok, true);
    assert.deepEqual(report.unusedAllowEntries, [stale]);
  });

  test('entries need the release being checked', async () => {
    await assert.rejects(
      check([ENTRY]),
      (err) => isMigrationCheckError(err) && err.code === 'usage' && /needs the release being checked/.test(err.message),
    );
    await assert.rejects(
      check([ENTRY], 'next'),
      (err) => isMigrationCheckError(err) && /release "next" is not a release number/.test(err.message),
    );
  });

  for (const [text, message] of [
    ['{', /^allow\.json: not JSON: /],
    ['[]', /^allow\.json: top level: expected an object with an "allow" list$/],
    ['{"allowed": []}', /^allow\.json: allowed: unknown key/],
    ['{"allow": [{"change": "column_dropped t.a", "from": "2"}]}', /^allow\.json: allow\[0\]\.reason: expected a non-empty string$/],
    [
      '{"allow": [{"change": "column_drop t.a", "reason": "x", "from": "2"}]}',
      /^allow\.json: allow\[0\]\.change: unknown kind "column_drop"/,
    ],
    [
      '{"allow": [{"change": "column_dropped", "reason": "x", "from": "2"}]}',
      /^allow\.json: allow\[0\]\.change: "column_dropped" names no table/,
    ],
    [
      '{"allow": [{"change": "column_dropped t.a", "reason": "x", "from": "soon"}]}',
      /^allow\.json: allow\[0\]\.from: "soon" is not a release number/,
    ],
    [
      '{"allow": [{"change": "column_dropped t.a", "reason": "x", "from": "2", "form": "3"}]}',
      /^allow\.json: allow\[0\]\.form: unknown key/,
    ],
    [
      '{"allow": [{"change": "column_dropped t.a", "reason": "x", "from": "2", "__proto__": {"x": 1}}]}',
      /^allow\.json: allow\[0\]\.__proto__: unknown key/,
    ],
  ] as const) {
    test(`a malformed file is an error with its path: ${text}`, () => {
      assert.throws(
        () => parseAllowList(text, 'allow.json'),
        (err) => isMigrationCheckError(err) && err.code === 'allow_list' && err.file === 'allow.json' && message.test(err.message),
      );
    });
  }

  test('releases compare by number, a pre-release as its release', async () => {
    for (const [release, ok] of [
      ['3', true],
      ['10.0', true],
      ['v3.0.1', true],
      ['3.0.0-rc1', true],
      ['2.10', false],
      ['2.99.99', false],
    ] as const) {
      assert.equal((await check([ENTRY], release)).ok, ok, `release ${release}`);
    }
  });
});
