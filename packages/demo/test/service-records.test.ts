import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestHistory } from '@versioned/objects';
import { ServiceRecords } from '../src/service-records.js';

const OBJECT_VERSIONS = new ManifestHistory().add('N', { Volume: '1.0' }).add('N+1', { Volume: '1.1' });
const RELEASES = [
  { name: 'N', rpcVersion: '1.0', objectsVersion: 'N' },
  { name: 'N+1', rpcVersion: '1.1', objectsVersion: 'N+1' },
];

function recordsWith(...rows: [host: string, release: string, binary?: string][]): ServiceRecords {
  const records = new ServiceRecords(RELEASES, OBJECT_VERSIONS);
  for (const [host, release, binary = 'volume'] of rows) records.report({ binary, host, release });
  return records;
}

const capOf = (records: ServiceRecords) => (records.versionCapSource('volume') as () => string)();

test('the cap and pins are those of the oldest release among the live services of the binary', () => {
  const records = recordsWith(['b', 'N+1'], ['a', 'N'], ['s', 'N', 'scheduler']);
  assert.equal(records.oldestRelease('volume').name, 'N');
  assert.equal(capOf(records), '1.0');
  assert.deepEqual(records.manifestSource('volume')(), { Volume: '1.0' });
  assert.equal(capOf(recordsWith(['b', 'N+1'], ['s', 'N', 'scheduler'])), '1.1');
});

test('the sources read the table on every call: a service restarted on a newer release lifts them', () => {
  const records = recordsWith(['a', 'N'], ['b', 'N+1']);
  const cap = records.versionCapSource('volume') as () => string;
  const pins = records.manifestSource('volume');
  assert.equal(cap(), '1.0');
  records.report({ binary: 'volume', host: 'a', release: 'N+1' });
  assert.equal(cap(), '1.1');
  assert.deepEqual(pins(), { Volume: '1.1' });
});

test('with no live service the pins are the oldest release known, never none', () => {
  const records = recordsWith();
  assert.equal(capOf(records), '1.0');
  assert.deepEqual(records.manifestSource('volume')(), { Volume: '1.0' });
});

test('a release this process does not know counts as its newest', () => {
  assert.equal(capOf(recordsWith(['a', 'N+1'], ['c', 'N+2'])), '1.1');
  assert.equal(capOf(recordsWith(['a', 'N'], ['c', 'N+2'])), '1.0');
});

test('a release naming object versions the history does not know is refused up front', () => {
  assert.throws(() => new ServiceRecords([{ name: 'N+2', rpcVersion: '1.2', objectsVersion: 'N+2' }], OBJECT_VERSIONS), /no manifest named "N\+2"/);
});
