// The NestJS example served over HTTP (app.listen(0), Node's fetch): ValidationPipe({ transform: true })
// builds a Volume from the body, ClassSerializerInterceptor answers with its set fields, a bad body is a 400
// that names the field.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Volume, VolumesModule, VersionedErrorFilter } from '../src/index.js';

const ID = '6d1f7a2e-4b3c-4d5e-8f9a-0b1c2d3e4f5a';
const ATTACHMENT = { id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', mountpoint: '/dev/vdb', attached_at: '2026-05-01T10:00:00Z' };

describe('a NestJS controller on versioned objects', () => {
  let app: INestApplication;
  let base: string;
  before(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [VolumesModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalPipes(new ValidationPipe({ transform: true }));
    app.useGlobalFilters(new VersionedErrorFilter());
    await app.listen(0, '127.0.0.1');
    base = `${await app.getUrl()}/volumes`;
  });
  after(async () => {
    await app.close();
  });

  const post = (body: unknown): Promise<Response> =>
    fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('POST builds a Volume from the body and answers with its set fields (children included, no internals)', async () => {
    const body = { id: ID, name: 'db', size: 10, attachments: [ATTACHMENT] };
    const res = await post(body);
    assert.equal(res.status, 201);
    const answer = await res.json();
    assert.deepEqual(answer, { ...body, status: 'creating' });
    // What came back is what the stored object's plain form is, and a GET gives it again.
    const got = await (await fetch(`${base}/${ID}`)).json();
    assert.deepEqual(got, answer);
    assert.deepEqual(Volume.fromPlain(got).toPlain(), answer);
  });

  it('a bad value is a 400 naming the field, not a 500', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ id: ID, name: 'db', size: -1 }, 'NestVolume.size', /expected a non-negative integer/],
      [
        { id: ID, name: 'db', size: 1, attachments: [ATTACHMENT, { ...ATTACHMENT, id: 'nope' }] },
        'NestVolume.attachments[1].id',
        /expected a UUID, got "nope"/,
      ],
      [{ id: ID, name: 'db', size: 1, status: 'gone' }, 'NestVolume.status', /expected one of/],
      [{ id: 'x' }, 'NestVolume.id', /expected a UUID/],
    ];
    for (const [body, path, message] of cases) {
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const answer = (await res.json()) as { error: string; path: string; message: string };
      assert.equal(answer.error, 'invalid_value');
      assert.equal(answer.path, path);
      assert.match(answer.message, message);
    }
  });

  it('an unknown volume is a 404', async () => {
    assert.equal((await fetch(`${base}/${'f'.repeat(8)}`)).status, 404);
  });
});
