// The plain-object form (toPlain / fromPlain) and the class-transformer entry: set fields as JSON values,
// children included, never the internal state; read back with the decoder's checks and typed paths.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { instanceToPlain, plainToInstance } from 'class-transformer';
import '../src/class-transformer.js';
import { ObjectRegistry, OptionalFields, VersionedObject, f, field, isVersionedError, metaOf, versionedObject } from '../src/index.js';
import { Everything, Part, everythingArb } from './support/model.js';

const data = (obj: VersionedObject): unknown => obj.toPrimitive()['versioned_object.data'];
/** The envelope without change lists (a value read from a plain object counts as a change), children included. */
const settled = (obj: VersionedObject): unknown =>
  JSON.parse(JSON.stringify(obj.toPrimitive()), (key, value) => (key === 'versioned_object.changes' ? undefined : value));
/**
 * Keys class-transformer skips where it copies a plain object (a dict field's value): `__proto__` and
 * `constructor` always, and into a class (plainToInstance) every name a plain object inherits (`toString`...).
 */
const skipped =
  (names: readonly string[]) =>
  (plain: unknown): boolean => {
    let found = false;
    JSON.parse(JSON.stringify(plain), (key, value) => ((found ||= names.includes(key)), value));
    return found;
  };
const skippedOut = skipped(['__proto__', 'constructor']);
const skippedIn = skipped(Object.getOwnPropertyNames(Object.prototype));
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

const local = new ObjectRegistry();
const UUID = '3f2a9c1e-7b4d-4e8a-9c5f-1a2b3c4d5e6f';

@versionedObject({ name: 'PlainAttachment', version: '1.0', registry: local })
class PlainAttachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.dateTime()) declare attached_at: Date;
}

@versionedObject({ name: 'PlainVolume', version: '1.0', registry: local })
class PlainVolume extends VersionedObject {
  declare [OptionalFields]?: 'status' | 'tags' | 'attachments';
  @field(f.uuid()) declare id: string;
  @field(f.integer()) declare size: number;
  @field(f.string(), { nullable: true }) declare description: string | null;
  @field(f.string(), { default: 'available' }) declare status: string;
  @field(f.set(f.string()), { default: () => new Set<string>() }) declare tags: Set<string>;
  @field(f.listOfObjects<PlainAttachment>('PlainAttachment'), { default: [] }) declare attachments: PlainAttachment[];
}

const attachment = (n: number) => ({ id: UUID.replace(/.$/, String(n)), attached_at: '2026-01-02T03:04:05Z' });

describe('toPlain / fromPlain', () => {
  it('round-trips every field type through JSON: fromPlain(toPlain(x)) encodes as x does', () => {
    fc.assert(
      fc.property(everythingArb, (obj) => {
        const plain = obj.toPlain();
        assert.deepEqual(Object.keys(plain).sort(), Object.keys(data(obj) as object).sort());
        const back = Everything.fromPlain(viaJson(plain), { partial: true });
        assert.deepEqual(settled(back), settled(obj));
        assert.deepEqual(back.toPlain(), plain);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the set fields only, children as plain objects, and no internal state', () => {
    const v = PlainVolume.create({
      id: UUID,
      size: 1,
      description: null,
      tags: new Set(['a']),
      attachments: [PlainAttachment.fromPlain(attachment(1))],
    });
    assert.deepEqual(v.toPlain(), { id: UUID, size: 1, description: null, tags: ['a'], attachments: [attachment(1)] });
  });

  it('applies defaults, requires what is neither nullable nor defaulted, and reports typed paths', () => {
    const v = PlainVolume.fromPlain({ id: UUID, size: 3 });
    assert.deepEqual(v.toPlain(), { id: UUID, size: 3, status: 'available', tags: [], attachments: [] });
    assert.deepEqual([...v.whatChanged()].sort(), ['attachments', 'id', 'size', 'status', 'tags']);
    const refused = (plain: unknown, code: string, message: RegExp): void => {
      assert.throws(
        () => PlainVolume.fromPlain(plain),
        (err) => isVersionedError(err, code as never) && message.test(err.message),
      );
    };
    refused({ id: UUID }, 'invalid_value', /^PlainVolume\.size: is required \(expected an integer\)$/);
    refused(
      { id: UUID, size: 1, attachments: [attachment(1), attachment(2), { id: 'nope', attached_at: '2026-01-02T03:04:05Z' }] },
      'invalid_value',
      /^PlainVolume\.attachments\[2\]\.id: expected a UUID, got "nope"$/,
    );
    refused(
      { id: UUID, size: 1, attachments: [{ id: UUID }] },
      'invalid_value',
      /^PlainVolume\.attachments\[0\]\.attached_at: is required/,
    );
    refused({ id: UUID, size: 1, sise: 2 }, 'unknown_field', /^PlainVolume\.sise: is not a field of PlainVolume 1\.0$/);
    refused(JSON.parse(`{"id": "${UUID}", "size": 1, "__proto__": {}}`), 'unknown_field', /^PlainVolume\.__proto__: is not a field/);
    refused([], 'invalid_value', /^PlainVolume: expected a plain object of PlainVolume's fields/);
    refused(
      { id: UUID, size: 1, attachments: ['x'] },
      'invalid_value',
      /^PlainVolume\.attachments\[0\]: expected a plain object of PlainAttachment's fields/,
    );
    refused({ id: UUID, size: 1, status: null, tags: 'a' }, 'invalid_value', /^PlainVolume\.tags: /);
    assert.equal(PlainVolume.fromPlain({ id: UUID, size: 1 }, { partial: true }).isSet('status'), false);
  });

  it('a cycle has no plain form: a typed error, not a stack overflow', () => {
    @versionedObject({ name: 'Loop', version: '1.0', registry: new ObjectRegistry() })
    class Loop extends VersionedObject {
      @field(f.object('Loop'), { nullable: true }) declare next: Loop | null;
    }
    const a = Loop.create({ next: null });
    a.next = a;
    assert.throws(
      () => a.toPlain(),
      (err) => isVersionedError(err, 'invalid_value') && /a Loop holds itself/.test(err.message),
    );
  });
});

describe('class-transformer', () => {
  it('instanceToPlain gives what toPlain gives (unset fields undefined), never the internals', () => {
    fc.assert(
      fc.property(everythingArb, (obj) => {
        fc.pre(!skippedOut(obj.toPlain()));
        const plain = instanceToPlain(obj);
        assert.deepEqual(viaJson(plain), viaJson(obj.toPlain()));
        assert.deepEqual(instanceToPlain(obj, { exposeUnsetFields: false }), obj.toPlain());
        // Field names only: nothing of the internal state.
        assert.ok(
          Object.keys(plain).every((key) => metaOf(Everything).fieldMap.has(key)),
          Object.keys(plain).join(),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('plainToInstance builds the object, children included, with the checks and typed paths of an assignment', () => {
    fc.assert(
      fc.property(everythingArb, (obj) => {
        fc.pre(!skippedIn(obj.toPlain()));
        const back = plainToInstance(Everything, viaJson(obj.toPlain()));
        assert.ok(back instanceof Everything);
        assert.deepEqual(settled(back), settled(obj));
      }),
      { numRuns: 100 },
    );
    assert.throws(
      () => plainToInstance(PlainVolume, { id: UUID, attachments: [attachment(1), { id: 'nope' }] }),
      (err) => isVersionedError(err, 'invalid_value') && err.message === 'PlainVolume.attachments[1].id: expected a UUID, got "nope"',
    );
    assert.equal(plainToInstance(Part, { id: UUID }).id, UUID);
  });
});
