import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestHistory } from '@versioned/objects';
import { ServiceRecords, type ServiceRecord } from '../src/service-records.js';

const VERSIONS = new ManifestHistory().add('N', { Volume: '1.0' }).add('N+1', { Volume: '1.1' });

function row(host: string, release: 'N' | 'N+1', rpcVersion: string, binary = 'volume'): ServiceRecord {
  return { binary, host, release, rpcVersion, objectsVersion: release };
}

test('the cap and pins are those of the oldest live service of the binary', () => {
  const records = new ServiceRecords(VERSIONS);
  records.report(row('b', 'N+1', '1.1'));
  records.report(row('a', 'N', '1.0'));
  records.report(row('s', 'N', '0.9', 'scheduler'));
  assert.equal(records.oldest('volume').host, 'a');
  assert.equal((records.versionCapSource('volume') as () => string)(), '1.0');
  assert.deepEqual(records.manifestSource('volume')(), { Volume: '1.0' });
});

test('versions compare as numbers: 1.10 is newer than 1.9', () => {
  const records = new ServiceRecords(VERSIONS);
  records.report(row('a', 'N+1', '1.10'));
  records.report(row('b', 'N+1', '1.9'));
  assert.equal(records.oldest('volume').host, 'b');
});

test('the sources read the table on every call: a service restarted on a newer release lifts them', () => {
  const records = new ServiceRecords(VERSIONS);
  const cap = records.versionCapSource('volume') as () => string;
  const pins = records.manifestSource('volume');
  records.report(row('a', 'N', '1.0'));
  records.report(row('b', 'N+1', '1.1'));
  assert.equal(cap(), '1.0');
  records.report(row('a', 'N+1', '1.1'));
  assert.equal(cap(), '1.1');
  assert.deepEqual(pins(), { Volume: '1.1' });
});

test('with no live service, no cap is guessed: the source throws, naming the binary', () => {
  const records = new ServiceRecords(VERSIONS);
  assert.throws(() => (records.versionCapSource('volume') as () => string)(), /no live volume service is recorded/);
});

test('a row naming object versions the history does not know is refused', () => {
  const records = new ServiceRecords(VERSIONS);
  assert.throws(() => records.report({ ...row('a', 'N', '1.0'), objectsVersion: 'N+2' }), /no manifest named "N\+2"/);
});

test('cap and pins are separate minimums: the lowest API version and the oldest objects may come from different rows', () => {
  const records = new ServiceRecords(VERSIONS);
  records.report({ binary: 'volume', host: 'a', release: 'N+1', rpcVersion: '1.0', objectsVersion: 'N+1' });
  records.report({ binary: 'volume', host: 'b', release: 'N', rpcVersion: '1.1', objectsVersion: 'N' });
  assert.equal((records.versionCapSource('volume') as () => string)(), '1.0');
  assert.deepEqual(records.manifestSource('volume')(), { Volume: '1.0' });
});
