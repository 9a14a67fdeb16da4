// The class-transformer entry imported after the classes were decorated still covers them (it replays the
// classes decorated so far): ./fixtures/twins.js is evaluated before the entry, in import order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwinAttachment, TwinVolume } from './fixtures/twins.js';
import '../src/class-transformer.js';
import { instanceToPlain, plainToInstance } from 'class-transformer';

test('classes decorated before the entry was imported are exposed to class-transformer', () => {
  const attachment = TwinAttachment.create({ id: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9', mountpoint: '/dev/vdb', attached_at: null });
  const volume = TwinVolume.partial({
    id: '9a8b7c6d-5e4f-4031-9213-a4b5c6d7e8f9',
    name: 'late',
    description: null,
    size: 2,
    tags: new Set(['t']),
    attachments: [attachment],
  });
  assert.deepEqual(instanceToPlain(volume, { exposeUnsetFields: false }), volume.toPlain());
  const back = plainToInstance(TwinVolume, volume.toPlain());
  assert.ok(back instanceof TwinVolume && back.attachments[0] instanceof TwinAttachment);
  assert.deepEqual(back.toPlain(), volume.toPlain());
});
