import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManifestHistory, ObjectRegistry, VersionedObject, f, field, versionedObject } from '@versioned/objects';
import { Releases, assertNewestRelease, isUpgradeError, newestReleaseProblems } from '../src/index.js';
import { HISTORY, VOLUME } from './helpers.js';

const invalid = (pattern: RegExp) => (error: unknown) => isUpgradeError(error, 'invalid_release') && pattern.test((error as Error).message);

test('the release-name aliases are derived from the release list (Nova VERSION_ALIASES, never typed twice)', () => {
  assert.deepEqual(VOLUME.aliases(), { N: '1.0', 'N+1': '1.1', 'N+2': '1.2' });
  assert.deepEqual(VOLUME.aliases('volume'), VOLUME.aliases());
  const two = new Releases(
    'api',
    [
      { name: 'a', rpc: { volume: '1.0', scheduler: '2.0' }, objects: 'N' },
      { name: 'b', rpc: { volume: '1.1', scheduler: '2.3' }, objects: 'N+1' },
    ],
    { objects: HISTORY },
  );
  assert.deepEqual(two.aliases('scheduler'), { a: '2.0', b: '2.3' });
  assert.throws(
    () => two.aliases(),
    (e) => isUpgradeError(e, 'invalid_config') && /2 APIs/.test((e as Error).message),
  );
});

test('a release list is checked: order, versions, names and manifest keys, naming the release and field', () => {
  const make = (specs: unknown[]) => () => new Releases('volume', specs as never, { objects: HISTORY });
  assert.throws(make([]), invalid(/release list is empty/));
  assert.throws(
    make([
      { name: 'N', rpc: { volume: '1.1' }, objects: 'N' },
      { name: 'N+1', rpc: { volume: '1.0' }, objects: 'N+1' },
    ]),
    invalid(/release 1 \("N\+1"\)\.rpc\.volume: 1\.0 is older than 1\.1/),
  );
  assert.throws(make([{ name: 'N', rpc: { volume: 'one' }, objects: 'N' }]), invalid(/rpc\.volume: expected "X\.Y"/));
  assert.throws(
    make([
      { name: 'N', rpc: { volume: '1.0' }, objects: 'N' },
      { name: 'N', rpc: { volume: '1.1' }, objects: 'N+1' },
    ]),
    invalid(/declared twice/),
  );
  assert.throws(
    make([{ name: 'N', rpc: { volume: '1.0' }, objects: 'zed' }]),
    invalid(/objects: no manifest named "zed"; known: N, N\+1, N\+2/),
  );
  assert.throws(
    make([
      { name: 'N', rpc: { volume: '1.0' }, objects: 'N+1' },
      { name: 'N+1', rpc: { volume: '1.1' }, objects: 'N' },
    ]),
    invalid(/manifest N comes before N\+1/),
  );
  assert.throws(make([{ name: '1.0', rpc: { volume: '1.0' }, objects: 'N' }]), invalid(/must not look like a version/));
  assert.throws(make([{ name: 'N', rpc: {}, objects: 'N' }]), invalid(/at least one API/));
});

test('rankOf orders a row by its release name, or by its RPC versions when the name is unknown', () => {
  assert.equal(VOLUME.rankOf({ release: 'N+1', rpcVersions: { volume: '1.1' } }), 1);
  assert.equal(VOLUME.rankOf({ release: 'M', rpcVersions: { volume: '0.9' } }), -1, 'older than anything known');
  assert.equal(VOLUME.rankOf({ release: 'N+3', rpcVersions: { volume: '1.3' } }), 3, 'newer than this process');
});

test('assertNewestRelease passes when the newest release is what the code serves and registers', () => {
  const registry = new ObjectRegistry();
  @versionedObject({ registry, name: 'Volume', version: '1.2' })
  class Volume extends VersionedObject {
    @field(f.string()) declare name: string;
  }
  void Volume;
  assert.doesNotThrow(() => assertNewestRelease(VOLUME, { rpc: { volume: '1.2' }, registry }));
});

test('assertNewestRelease names each disagreement: RPC version served, API missing, manifest not the newest', () => {
  assert.deepEqual(newestReleaseProblems(VOLUME, { rpc: { volume: '1.3', backup: '1.0' } }), [
    'release N+2 declares volume 1.2 but the code serves 1.3',
    'the code serves backup 1.0 but release N+2 does not declare backup',
  ]);
  const lagging = new Releases('volume', VOLUME.list.slice(0, 2), { objects: HISTORY });
  assert.throws(
    () => assertNewestRelease(lagging, { rpc: { volume: '1.1' } }),
    invalid(/registers objects N\+1 but the newest manifest is N\+2/),
  );
  const history = new ManifestHistory().add('N', { Volume: '1.0' });
  const registry = new ObjectRegistry();
  @versionedObject({ registry, name: 'Volume', version: '1.1' })
  class Volume extends VersionedObject {}
  void Volume;
  const one = new Releases('volume', [{ name: 'N', rpc: { volume: '1.0' }, objects: 'N' }], { objects: history });
  assert.throws(
    () => assertNewestRelease(one, { rpc: { volume: '1.0' }, registry }),
    invalid(/manifest N says 1\.0, the registered class is 1\.1/),
  );
});
