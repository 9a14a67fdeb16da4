import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MESSAGE_VERSION, versionIsCompatible } from '../src/index.js';

// [implemented, requested, compatible]
const TABLE: [string, string, boolean][] = [
  ['1.0', '1.0', true],
  ['1.5', '1.0', true],
  ['1.5', '1.5', true],
  ['1.5', '1.6', false],
  ['1.10', '1.9', true],
  ['1.9', '1.10', false],
  ['1.10', '1.10', true],
  ['2.0', '1.9', false],
  ['1.9', '2.0', false],
  ['2.3', '2.0', true],
  ['1.2.3', '1.2', true],
  ['1.2.3', '1.2.3', true],
  ['1.2.3', '1.2.4', false],
  ['1.2', '1.2.1', false],
  ['1.3', '1.2.9', true],
  ['1.2.10', '1.2.9', true],
  ['1.2.9', '1.2.10', false],
  ['0.1', '0.1', true],
  ['0.2', '1.0', false],
];

for (const [implemented, requested, expected] of TABLE) {
  test(`a server implementing ${implemented} ${expected ? 'accepts' : 'rejects'} a message of version ${requested}`, () => {
    assert.equal(versionIsCompatible(implemented, requested), expected);
  });
}

test('a message without a version claims 1.0', () => {
  assert.equal(DEFAULT_MESSAGE_VERSION, '1.0');
});

test('a malformed version is a typed error, not a silent false', () => {
  assert.throws(() => versionIsCompatible('1.x', '1.0'), { name: 'VersionedError', code: 'invalid_version' });
});

test('the version rule agrees with integer comparison of (minor, revision) within a major, for any versions', async () => {
  const fc = (await import('fast-check')).default;
  const part = fc.integer({ min: 0, max: 10_000 });
  const version = fc.tuple(fc.integer({ min: 0, max: 3 }), part, fc.option(part, { nil: undefined }));
  const text = ([major, minor, revision]: [number, number, number | undefined]) =>
    revision === undefined ? `${major}.${minor}` : `${major}.${minor}.${revision}`;
  fc.assert(
    fc.property(version, version, (implemented, requested) => {
      const [im, imin, irev = 0] = implemented;
      const [rm, rmin, rrev = 0] = requested;
      const expected = im === rm && (rmin < imin || (rmin === imin && rrev <= irev));
      return versionIsCompatible(text(implemented), text(requested)) === expected;
    }),
  );
});
