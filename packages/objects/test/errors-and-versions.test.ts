import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  VersionedError,
  compareVersions,
  formatPath,
  isCompatible,
  isVersion,
  isVersionedError,
  parseVersion,
  stripRevision,
} from '../src/index.js';

describe('VersionedError', () => {
  it('carries a code, a path and a message that starts with the path', () => {
    const err = new VersionedError('invalid_value', 'expected a UUID, got "abc"', { path: ['Volume', 'attachments', 2, 'id'] });
    assert.equal(err.code, 'invalid_value');
    assert.equal(err.message, 'Volume.attachments[2].id: expected a UUID, got "abc"');
    assert.equal(err.pathString, 'Volume.attachments[2].id');
    assert.equal(err.detail, 'expected a UUID, got "abc"');
    assert.ok(err instanceof Error);
  });
  it('has a bare message when it has no path', () => {
    assert.equal(new VersionedError('invalid_primitive', 'not an envelope').message, 'not an envelope');
  });
  it('within() prepends path segments and rewrites the message', () => {
    const err = new VersionedError('invalid_value', 'bad', { path: ['id'] }).within('Volume', 'attachments', 0);
    assert.deepEqual(err.path, ['Volume', 'attachments', 0, 'id']);
    assert.equal(err.message, 'Volume.attachments[0].id: bad');
  });
  it('isVersionedError recognises the error by brand, optionally by code', () => {
    const err = new VersionedError('read_only', 'x');
    assert.equal(isVersionedError(err), true);
    assert.equal(isVersionedError(err, 'read_only'), true);
    assert.equal(isVersionedError(err, 'invalid_value'), false);
    assert.equal(isVersionedError(new Error('x')), false);
    assert.equal(isVersionedError({ code: 'read_only', path: [] }), false);
    assert.equal(isVersionedError(null), false);
  });
  it('isVersionedError recognises an error from another copy of the package (a branded plain object)', () => {
    const foreign = Object.defineProperty({ code: 'read_only' }, Symbol.for('@versioned/objects.VersionedError'), { value: true });
    assert.equal(isVersionedError(foreign, 'read_only'), true);
  });
  it('keeps the cause', () => {
    const cause = new Error('root');
    assert.equal(new VersionedError('limit_exceeded', 'x', { cause }).cause, cause);
  });
});

describe('formatPath', () => {
  it('joins identifiers with dots and indexes with brackets', () => {
    assert.equal(formatPath(['Volume', 'meta', 'size']), 'Volume.meta.size');
    assert.equal(formatPath(['Volume', 'ids', 0, 1]), 'Volume.ids[0][1]');
  });
  it('quotes keys that are not identifiers, so any dict key is shown unambiguously', () => {
    assert.equal(formatPath(['Volume', 'meta', 'with space']), 'Volume.meta["with space"]');
    assert.equal(formatPath(['Volume', 'meta', 'a.b']), 'Volume.meta["a.b"]');
    assert.equal(formatPath(['Volume', 'meta', '']), 'Volume.meta[""]');
    assert.equal(formatPath(['x"]']), '["x\\"]"]');
  });
  it('is empty for an empty path', () => {
    assert.equal(formatPath([]), '');
  });
});

describe('versions', () => {
  it('parses X.Y and X.Y.Z into integers', () => {
    assert.deepEqual(parseVersion('1.10'), [1, 10, 0]);
    assert.deepEqual(parseVersion('2.0.3'), [2, 0, 3]);
  });
  it('refuses anything else with invalid_version', () => {
    for (const bad of ['1', '1.2.3.4', '01.2', '1.02', 'a.b', '', ' 1.0', '1.0\n', '-1.0']) {
      assert.throws(() => parseVersion(bad), { code: 'invalid_version' }, bad);
      assert.equal(isVersion(bad), false, bad);
    }
    assert.throws(() => parseVersion(1 as never), { code: 'invalid_version', message: /got 1$/ });
  });
  it('compares per part as integers: 1.10 > 1.9, 1.2.1 > 1.2, 2.0 > 1.99', () => {
    assert.ok(compareVersions('1.10', '1.9') > 0);
    assert.ok(compareVersions('1.2.1', '1.2') > 0);
    assert.ok(compareVersions('2.0', '1.99') > 0);
    assert.equal(compareVersions('1.2', '1.2.0'), 0);
    assert.ok(compareVersions('1.9', '1.10') < 0);
  });
  it("isCompatible(implemented, requested): same major, requested no newer (oslo's version_is_compatible)", () => {
    assert.equal(isCompatible('1.4', '1.2'), true);
    assert.equal(isCompatible('1.4', '1.4'), true);
    assert.equal(isCompatible('1.4', '1.5'), false);
    assert.equal(isCompatible('2.0', '1.0'), false);
    assert.equal(isCompatible('1.0', '2.0'), false);
    assert.equal(isCompatible('1.2.3', '1.2.1'), true);
    assert.equal(isCompatible('1.2.3', '1.2.4'), false);
    assert.equal(isCompatible('1.3', '1.2.9'), true);
  });
  it('stripRevision drops a .Z only', () => {
    assert.equal(stripRevision('1.2.3'), '1.2');
    assert.equal(stripRevision('1.2'), '1.2');
  });
});
