import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVersionedError } from '../src/index.js';
import { SchemaValidator, jsonSchemaFor, schemaVersions } from '../src/schema.js';
import { exportSchemas } from '../src/node.js';
import { current, sampleVolume } from './fixtures/storage.js';

const validator = new SchemaValidator(current);
type Json = Record<string, any>;

test('a schema exists for every declared version of every object', () => {
  const versions = schemaVersions(current).map((v) => `${v.name} ${v.version}`);
  assert.deepEqual(versions, [
    'Attachment 1.0',
    'Attachment 1.1',
    'Backup 1.0',
    'Backup 1.1',
    'Volume 1.0',
    'Volume 1.1',
    'Volume 1.2',
    'Volume 1.3',
    'Volume 1.4',
    'VolumeList 1.0',
    'VolumeList 1.1',
  ]);
});

test("a version's schema has exactly that version's fields, a removed field included while it existed", () => {
  const dataProps = (v: string) =>
    Object.keys(
      (jsonSchemaFor('Volume', v, current) as Json)['definitions'][`Volume-${v}`].properties['versioned_object.data'].properties,
    ).sort();
  assert.deepEqual(dataProps('1.0'), ['attachments', 'display_name', 'id', 'size', 'status']);
  assert.deepEqual(dataProps('1.2'), ['attachments', 'bootable', 'display_name', 'id', 'size', 'status', 'tags']);
  assert.deepEqual(dataProps('1.4'), ['attachments', 'bootable', 'id', 'name', 'size', 'status', 'tags']);
});

test('child objects may come at any declared version (a manifest moves them independently of the relationships)', () => {
  const schema = jsonSchemaFor('Volume', '1.2', current) as Json;
  // Null is read as the field's default ([]), and the decoder's list limit is the schema's maxItems.
  assert.deepEqual(schema['definitions']['Volume-1.2'].properties['versioned_object.data'].properties.attachments, {
    anyOf: [
      {
        type: 'array',
        items: { anyOf: [{ $ref: '#/definitions/Attachment-1.0' }, { $ref: '#/definitions/Attachment-1.1' }] },
        maxItems: 1_000_000,
      },
      { type: 'null' },
    ],
  });
  assert.ok(schema['definitions']['Attachment-1.0']);
  assert.ok(schema['definitions']['Attachment-1.1']);
});

test('primitives of every backport validate against their version', () => {
  for (const v of ['1.0', '1.1', '1.2', '1.3', '1.4']) {
    const result = validator.validate(sampleVolume().toPrimitive({ targetVersion: v }));
    assert.equal(result.valid, true, `${v}: ${JSON.stringify(result.issues)}`);
  }
});

test('a primitive carrying a field its version lacks fails with the field named', () => {
  const p = sampleVolume().toPrimitive();
  const result = validator.validate(p, { version: '1.0' });
  assert.equal(result.valid, false);
  assert.ok(
    result.issues.some((i) => i.path.join('.') === 'Volume.bootable' && i.message === 'is not part of this version'),
    JSON.stringify(result.issues),
  );
});

test('validation errors name the path of the bad value', () => {
  const p = sampleVolume().toPrimitive() as Json;
  p['versioned_object.data'].attachments[1]['versioned_object.data'].id = 'not-a-uuid';
  assert.throws(
    () => validator.assertValid(p),
    (e) => isVersionedError(e, 'invalid_primitive') && e.pathString === 'Volume.attachments[1].id' && /uuid/.test(e.message),
  );
  delete p['versioned_object.data'].attachments[1]['versioned_object.namespace'];
  const issues = validator.validate(p).issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.ok(issues.includes('Volume.attachments.1.versioned_object.namespace: is required'), issues.join('\n'));
});

test('a non-envelope is reported, not thrown', () => {
  assert.deepEqual(validator.validate(42).valid, false);
  assert.deepEqual(validator.validate({ a: 1 }).valid, false);
});

test('schemas export to files for other languages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
  try {
    const files = exportSchemas(dir, current);
    assert.equal(files.length, schemaVersions(current).length);
    const schema = JSON.parse(readFileSync(join(dir, 'Volume', '1.2.schema.json'), 'utf8'));
    assert.equal(schema.$id, 'urn:versioned:versionedobjects:Volume:1.2');
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
