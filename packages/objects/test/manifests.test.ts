import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestHistory, ObjectRegistry, isVersionedError } from '../src/index.js';
import { current, sampleVolume } from './fixtures/storage.js';

const history = (): ManifestHistory =>
  new ManifestHistory()
    .add('1.0', { Volume: '1.0', Attachment: '1.0', VolumeList: '1.0', Backup: '1.0' }, { aliases: ['antelope'] })
    .add('1.1', { Volume: '1.2' })
    .add('1.2', { Volume: '1.4', Attachment: '1.1', VolumeList: '1.1', Backup: '1.1' }, { aliases: ['bobcat'] });

test('each manifest is the previous one with updates applied', () => {
  const h = history();
  assert.deepEqual(h.get('1.1'), { Volume: '1.2', Attachment: '1.0', VolumeList: '1.0', Backup: '1.0' });
  assert.deepEqual(
    h.get('1.0'),
    { Volume: '1.0', Attachment: '1.0', VolumeList: '1.0', Backup: '1.0' },
    'earlier manifests are not changed',
  );
  assert.deepEqual(h.keys(), ['1.0', '1.1', '1.2']);
  assert.equal(h.latestKey(), '1.2');
});

test('a release alias names a manifest', () => {
  const h = history();
  assert.equal(h.get('antelope'), h.get('1.0'));
  assert.equal(h.resolve('bobcat'), '1.2');
});

test('an unknown manifest is a typed error listing the known ones', () => {
  assert.throws(
    () => history().get('caracal'),
    (e) => isVersionedError(e, 'invalid_version') && /known: 1\.0, 1\.1, 1\.2, antelope, bobcat/.test(e.message),
  );
});

test('keys and aliases cannot be defined twice', () => {
  assert.throws(
    () => history().add('1.1', {}),
    (e) => isVersionedError(e, 'registration'),
  );
  assert.throws(
    () => history().add('1.3', {}, { aliases: ['antelope'] }),
    (e) => isVersionedError(e, 'registration'),
  );
});

test('manifests are frozen', () => {
  assert.throws(() => {
    (history().get('1.0') as Record<string, string>)['Volume'] = '9.9';
  }, TypeError);
});

test('the newest manifest is checked against the registry', () => {
  assert.deepEqual(history().mismatches(current), []);
  assert.doesNotThrow(() => history().check(current));
  const stale = new ManifestHistory().add('1.0', { Volume: '1.3', Attachment: '1.1', Ghost: '1.0' });
  assert.deepEqual(stale.mismatches(current), [
    'Backup 1.1 is registered but missing from manifest 1.0',
    'Volume: manifest 1.0 says 1.3, the registered class is 1.4',
    'VolumeList 1.1 is registered but missing from manifest 1.0',
    'Ghost is in manifest 1.0 but no class is registered',
  ]);
  assert.throws(
    () => stale.check(current),
    (e) => isVersionedError(e, 'registration') && /Ghost/.test(e.message),
  );
  assert.deepEqual(new ManifestHistory().add('1.0', {}).mismatches(new ObjectRegistry()), []);
});

test('a pinned manifest from the history drives a whole-tree backport', () => {
  const pin = history().get('antelope');
  const p = sampleVolume().toPrimitive({ targetVersion: pin['Volume']!, manifest: pin });
  assert.equal(p['versioned_object.version'], '1.0');
  const attachments = (p['versioned_object.data'] as Record<string, unknown>)['attachments'] as Record<string, unknown>[];
  assert.deepEqual(
    attachments.map((a) => a['versioned_object.version']),
    ['1.0', '1.0'],
  );
});
