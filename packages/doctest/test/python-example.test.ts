// The Python example of docs/getting-started.md is run for real: the page's Volume goes through it, to
// oslo.versionedobjects (Debian's python3-oslo.versionedobjects, provisioned by scripts/provision.sh) and back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '@versioned/objects';
import { repositoryRoot } from './root.js';

// The classes of docs/getting-started.md, as the page defines them.
const registry = new ObjectRegistry();

@versionedObject({ name: 'VolumeAttachment', version: '1.0', registry })
class VolumeAttachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.uuid()) declare instance_uuid: string;
  @field(f.string(), { nullable: true }) declare mountpoint: string | null;
}

@versionedObject({ name: 'Volume', version: '1.0', registry })
class Volume extends VersionedObject {
  @field(f.uuid(), { readOnly: true }) declare id: string;
  @field(f.string()) declare name: string;
  @field(f.nonNegativeInteger()) declare size: number;
  @field(f.enum(['creating', 'available', 'in-use', 'error'] as const)) declare status: 'creating' | 'available' | 'in-use' | 'error';
  @field(f.dateTime()) declare created_at: Date;
  @field(f.set(f.string()), { default: () => new Set<string>() }) declare tags: Set<string>;
  @field(f.listOfObjects<VolumeAttachment>('VolumeAttachment'), { default: [] }) declare attachments: VolumeAttachment[];
}

function pythonExample(): string {
  const page = readFileSync(join(repositoryRoot(), 'docs', 'getting-started.md'), 'utf8');
  const match = /^```python\n([\s\S]*?)^```$/m.exec(page);
  assert.ok(match, 'docs/getting-started.md has no ```python block');
  return match[1] as string;
}

test('the Python example of getting-started.md reads the page’s Volume with oslo.versionedobjects and sends it back', () => {
  const volume = Volume.create({
    id: '7c4d3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
    name: 'db-data',
    size: 10,
    status: 'available',
    created_at: new Date('2026-11-21T09:30:00Z'),
    tags: new Set(['gold', 'db']),
    attachments: [
      VolumeAttachment.create({
        id: '6e1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        instance_uuid: '0d7f3a4e-2b1c-4e5f-8a9b-c0d1e2f3a4b5',
        mountpoint: '/dev/vdb',
      }),
    ],
  });
  volume.resetChanges(undefined, { recursive: true });
  const output = execFileSync('/usr/bin/python3', ['-c', pythonExample()], { input: JSON.stringify(volume), encoding: 'utf8' });

  const back = Volume.fromPrimitive(JSON.parse(output), { registry });
  assert.equal(back.size, 11); // the Python side's change
  assert.deepEqual(back.whatChanged(), new Set(['size']));
  assert.equal(back.name, 'db-data');
  assert.equal(back.created_at.toISOString(), '2026-11-21T09:30:00.000Z');
  assert.deepEqual(back.tags, new Set(['gold', 'db']));
  assert.equal(back.attachments[0]?.mountpoint, '/dev/vdb');
});
