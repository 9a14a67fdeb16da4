import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_TIMINGS, checkTimings, countBackported } from '../src/fleet/index.js';
import { OBJECT_VERSIONS } from '../src/releases/object-versions.js';
import { Volume, VolumeAttachment, registry } from '../src/releases/release-n1.js';

test('timings whose drain could end before a view that still lists the host is too old are refused', () => {
  assert.doesNotThrow(() => checkTimings(DEMO_TIMINGS));
  assert.throws(
    () => checkTimings({ ...DEMO_TIMINGS, drainMs: 2 * DEMO_TIMINGS.viewMaxAgeMs - 1 }),
    /drainMs .* must be at least twice viewMaxAgeMs/,
  );
  assert.throws(() => checkTimings({ ...DEMO_TIMINGS, downTimeMs: Number.NaN }), /timings.downTimeMs: expected a positive number/);
});

test('countBackported counts every envelope sent below its class, children included, as the wire carries it', () => {
  const attachment = () =>
    VolumeAttachment.create({
      id: '7c4d3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
      instance_uuid: '7c4d3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1e',
      mountpoint: null,
      attached_at: new Date(0),
      attach_mode: 'ro',
    });
  const volume = Volume.create({
    id: '7c4d3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1f',
    name: 'v',
    size: 1,
    status: 'available',
    created_at: new Date(0),
    attachments: [attachment(), attachment()],
    tags: new Set(['a']),
  });
  const native = OBJECT_VERSIONS.get('N+1');
  const pinnedToN = registry.backportVersions(volume.toPrimitive(), OBJECT_VERSIONS.get('N'));
  assert.equal(countBackported({ volume: pinnedToN, other: [pinnedToN] }, native), 6);
  assert.equal(countBackported({ volume: volume.toPrimitive() }, native), 0);
  assert.equal(countBackported({ volume_id: 'x', n: 3, nothing: null }, native), 0);
});
