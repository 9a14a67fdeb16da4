import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ObjectList, ObjectRegistry, VersionedObject, f, field, versionedObject, type Primitive } from '../src/index.js';
import { readEnvelope } from '../src/from-primitive.js';
import { envelopeKeys } from '../src/meta.js';

const registry = new ObjectRegistry();
const UUID = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

@versionedObject({ name: 'Attachment', version: '1.1', registry })
class Attachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string(), { nullable: true }) declare mountpoint: string | null;
}

@versionedObject({ name: 'Volume', version: '1.3', registry })
class Volume extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.integer()) declare size: number;
  @field(f.string(), { nullable: true }) declare name: string | null;
  @field(f.set(f.string())) declare tags: Set<string>;
  @field(f.dateTime()) declare created_at: Date;
  @field(f.object('Attachment'), { nullable: true }) declare primary: Attachment | null;
  @field(f.listOfObjects('Attachment')) declare attachments: Attachment[];
}

@versionedObject({
  name: 'Snapshot',
  version: '1.1',
  registry,
  history: [
    { version: '1.0', note: 'Initial version' },
    { version: '1.1', note: 'Adds size', added: ['size'] },
  ],
})
class Snapshot extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.integer()) declare size: number;
}
void Snapshot;

@versionedObject({ name: 'VolumeList', version: '1.0', registry })
class VolumeList extends ObjectList<Volume> {
  @field(f.listOfObjects('Volume'), { default: [] }) declare objects: Volume[];
}

const K = {
  name: 'versioned_object.name',
  namespace: 'versioned_object.namespace',
  version: 'versioned_object.version',
  data: 'versioned_object.data',
  changes: 'versioned_object.changes',
} as const;

function envelope(name: string, version: string, data: Record<string, unknown>, changes?: unknown): Primitive {
  const out: Primitive = { [K.name]: name, [K.namespace]: 'versionedobjects', [K.version]: version, [K.data]: data };
  if (changes !== undefined) out[K.changes] = changes;
  return out;
}

describe('toPrimitive: the oslo envelope', () => {
  it('has name, namespace, version, data and changes, in that order', () => {
    const v = Volume.partial({ id: UUID(1), size: 10 });
    const p = v.toPrimitive();
    assert.deepEqual(Object.keys(p), [K.name, K.namespace, K.version, K.data, K.changes]);
    assert.deepEqual(p, envelope('Volume', '1.3', { id: UUID(1), size: 10 }, ['id', 'size']));
  });
  it('data holds the set fields only, nulls included', () => {
    const v = Volume.partial({ name: null });
    assert.deepEqual(v.toPrimitive()[K.data], { name: null });
    assert.deepEqual(new Volume().toPrimitive()[K.data], {});
  });
  it('lists the data keys in field declaration order, whatever the assignment order', () => {
    const v = Volume.partial({ size: 1, id: UUID(1) });
    assert.deepEqual(Object.keys(v.toPrimitive()[K.data] as object), ['id', 'size']);
  });
  it('has no changes key when nothing changed', () => {
    const v = Volume.partial({ size: 1 });
    v.resetChanges();
    assert.equal(Object.hasOwn(v.toPrimitive(), K.changes), false);
  });
  it('lists only the changed fields in changes', () => {
    const v = Volume.partial({ size: 1, id: UUID(1) });
    v.resetChanges(['id']);
    assert.deepEqual(v.toPrimitive()[K.changes], ['size']);
  });
  it('nests child envelopes, each with its own changes', () => {
    const v = Volume.partial({
      primary: Attachment.create({ id: UUID(2) }),
      attachments: [Attachment.create({ id: UUID(3), mountpoint: '/dev/vdb' })],
    });
    v.resetChanges();
    v.attachments[0]!.resetChanges(['id']);
    assert.deepEqual(
      v.toPrimitive(),
      envelope(
        'Volume',
        '1.3',
        {
          primary: envelope('Attachment', '1.1', { id: UUID(2) }, ['id']),
          attachments: [envelope('Attachment', '1.1', { id: UUID(3), mountpoint: '/dev/vdb' }, ['mountpoint'])],
        },
        ['primary', 'attachments'],
      ),
    );
  });
  it('sends an ObjectList as an envelope whose data is { objects: [...] }', () => {
    const list = VolumeList.create({ objects: [Volume.partial({ size: 1 })] });
    list.resetChanges(undefined, { recursive: true });
    assert.deepEqual(list.toPrimitive(), envelope('VolumeList', '1.0', { objects: [envelope('Volume', '1.3', { size: 1 })] }));
  });
  it('sends sets as arrays and date-times as YYYY-MM-DDTHH:MM:SSZ', () => {
    const v = Volume.partial({ tags: new Set(['b', 'a']), created_at: new Date('2022-10-11T12:13:14.999Z') });
    assert.deepEqual(v.toPrimitive()[K.data], { tags: ['b', 'a'], created_at: '2022-10-11T12:13:14Z' });
  });
  it('is plain JSON: it survives JSON.stringify/parse unchanged', () => {
    const v = Volume.partial({
      id: UUID(1),
      tags: new Set(['x']),
      created_at: new Date(0),
      attachments: [Attachment.create({ id: UUID(2) })],
    });
    const p = v.toPrimitive();
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });
});

describe('fromPrimitive', () => {
  it('restores values, classes and changes', () => {
    const wire = envelope(
      'Volume',
      '1.3',
      {
        id: UUID(1),
        size: 2,
        tags: ['a'],
        created_at: '2022-10-11T12:13:14Z',
        attachments: [envelope('Attachment', '1.1', { id: UUID(3) }, ['id'])],
      },
      ['size'],
    );
    const v = registry.fromPrimitive(wire) as Volume;
    assert.ok(v instanceof Volume);
    assert.equal(v.id, UUID(1));
    assert.deepEqual(v.tags, new Set(['a']));
    assert.deepEqual(v.created_at, new Date('2022-10-11T12:13:14Z'));
    assert.ok(v.attachments[0] instanceof Attachment);
    assert.deepEqual([...v.attachments[0]!.whatChanged()], ['id']);
    assert.deepEqual([...v.whatChanged()].sort(), ['attachments', 'size']);
  });
  it('re-encodes to the primitive it came from', () => {
    const wire = envelope('Volume', '1.3', { id: UUID(1), name: null, primary: envelope('Attachment', '1.1', { id: UUID(4) }) }, ['name']);
    assert.deepEqual(registry.fromPrimitive(wire).toPrimitive(), wire);
  });
  it('leaves fields missing from data unset', () => {
    const v = registry.fromPrimitive(envelope('Volume', '1.3', { size: 1 })) as Volume;
    assert.equal(v.isSet('id'), false);
    assert.throws(() => v.id, { code: 'not_lazy_loadable' });
  });
  it('has no changes when the envelope has none', () => {
    assert.deepEqual([...registry.fromPrimitive(envelope('Volume', '1.3', { size: 1 })).whatChanged()], []);
  });
  it('drops data keys that are not fields, as oslo does', () => {
    const v = registry.fromPrimitive(envelope('Volume', '1.3', { size: 1, added_in_1_4: 'x', ['__proto__']: 1 })) as Volume;
    assert.deepEqual(v.toPrimitive()[K.data], { size: 1 });
  });
  it('refuses unknown data keys with the strict option, naming the key', () => {
    assert.throws(() => registry.fromPrimitive(envelope('Volume', '1.3', { size: 1, added_in_1_4: 'x' }), { strict: true }), {
      code: 'unknown_field',
      path: ['Volume', 'added_in_1_4'],
      message: 'Volume.added_in_1_4: is not a field of Volume 1.3',
    });
  });
  it('drops changes that name unknown fields', () => {
    const v = registry.fromPrimitive(envelope('Volume', '1.3', { size: 1 }, ['size', 'bogus', '__proto__', 'toString']));
    assert.deepEqual([...v.whatChanged()], ['size']);
  });
  it('keeps the version an older envelope was written at', () => {
    const older = registry.fromPrimitive(envelope('Attachment', '1.0', { id: UUID(1) }));
    assert.equal(older.objVersion, '1.0');
    assert.equal(older.clone().objVersion, '1.0');
  });
  it('re-encodes an object decoded at an older version at that version, as oslo does (self.VERSION = objver)', () => {
    const older = registry.fromPrimitive(envelope('Snapshot', '1.0', { id: UUID(1) }, ['id']));
    assert.deepEqual(older.toPrimitive(), envelope('Snapshot', '1.0', { id: UUID(1) }, ['id']));
  });
  it("re-encodes an object decoded at a version older than its class's declared history verbatim, as oslo does", () => {
    const older = registry.fromPrimitive(envelope('Attachment', '1.0', { id: UUID(1) }));
    assert.deepEqual(older.toPrimitive(), envelope('Attachment', '1.0', { id: UUID(1) }));
    assert.throws(
      () => older.toPrimitive({ targetVersion: '1.0' }),
      { code: 'invalid_target_version' },
      'an explicit backport still needs history',
    );
  });
  it('decodes a date-time in any ISO form and a set from an array', () => {
    const v = registry.fromPrimitive(
      envelope('Volume', '1.3', { created_at: '2022-10-11T14:13:14+02:00', tags: ['a', 'a', 'b'] }),
    ) as Volume;
    assert.deepEqual(v.created_at, new Date('2022-10-11T12:13:14Z'));
    assert.deepEqual(v.tags, new Set(['a', 'b']));
  });
  it('decodes an ObjectList envelope into a list of instances', () => {
    const list = registry.fromPrimitive(
      envelope('VolumeList', '1.0', { objects: [envelope('Volume', '1.3', { size: 1 }), envelope('Volume', '1.3', { size: 2 })] }),
    ) as VolumeList;
    assert.deepEqual(
      list.map((v) => v.size),
      [1, 2],
    );
  });
});

it('an empty object name is an unsupported object, as in oslo (no class is registered under "")', () => {
  const p = { ...envelope('Volume', '1.3', { size: 1 }), [K.name]: '' };
  assert.throws(
    () => registry.fromPrimitive(p),
    (err: { code: string; message: string }) => err.code === 'unsupported_object' && /no object named ""/.test(err.message),
  );
});

describe('fromPrimitive: malformed envelopes', () => {
  const good = (): Primitive => envelope('Volume', '1.3', { size: 1 });
  const cases: [string, () => unknown, RegExp][] = [
    ['a non-object', () => 'Volume', /^expected an object envelope, got "Volume"$/],
    ['an array', () => [good()], /^expected an object envelope, got an array of 1$/],
    ['null', () => null, /^expected an object envelope, got null$/],
    [
      'no name key',
      () => ({ ...good(), [K.name]: undefined, 'other.name': 'x' }),
      /"versioned_object\.name" must be a string, got undefined/,
    ],
    ['a numeric name', () => ({ ...good(), [K.name]: 5 }), /"versioned_object\.name" must be a string, got 5/],
    [
      'no namespace',
      () => {
        const p = good();
        delete p[K.namespace];
        return p;
      },
      /"versioned_object\.namespace" must be a string, got undefined/,
    ],
    [
      'a bad version',
      () => ({ ...good(), [K.version]: '1.3.a' }),
      /"versioned_object\.version" must be a version "X\.Y" or "X\.Y\.Z", got "1\.3\.a"/,
    ],
    ['a numeric version', () => ({ ...good(), [K.version]: 1.3 }), /"versioned_object\.version" must be a version .*got 1\.3/],
    [
      'no data',
      () => {
        const p = good();
        delete p[K.data];
        return p;
      },
      /"versioned_object\.data" must be an object, got undefined/,
    ],
    ['array data', () => ({ ...good(), [K.data]: [] }), /"versioned_object\.data" must be an object, got an array of 0/],
    [
      'changes that are not a list',
      () => ({ ...good(), [K.changes]: 'size' }),
      /"versioned_object\.changes" must be a list of field names, got "size"/,
    ],
    [
      'changes holding a non-string',
      () => ({ ...good(), [K.changes]: ['size', 1] }),
      /"versioned_object\.changes" must be a list of field names/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(`refuses ${what} with invalid_primitive`, () => {
      assert.throws(
        () => registry.fromPrimitive(make()),
        (err: { code: string; message: string }) => {
          assert.equal(err.code, 'invalid_primitive');
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
  it('reads envelope keys that are own properties only, never inherited ones', () => {
    const inherited = Object.create(good());
    assert.throws(() => registry.fromPrimitive(inherited), { code: 'invalid_primitive' });
  });
  it('reads data fields and envelope keys that are own only, also once the decoder is optimised and Object.prototype is polluted', () => {
    // The compiled readers skip Object.hasOwn when the prototype is Object.prototype and does not hold the key:
    // warm them up so the optimised code runs, then put the keys where only a non-own read would find them.
    const plain = envelope('Volume', '1.3', { id: UUID(1), size: 2, name: 'n' });
    for (let i = 0; i < 20_000; i++) registry.fromPrimitive(plain);
    const fields = ['size', 'name', 'created_at'] as const;
    const values = { size: 9, name: 'inherited', created_at: '2020-01-01T00:00:00Z' };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('own', 'prototype', 'polluted', 'absent'), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        (places, pollutedChanges) => {
          const proto: Record<string, unknown> = {};
          const data: Record<string, unknown> = Object.create(places.includes('prototype') ? proto : Object.prototype);
          data.id = UUID(2);
          const polluted: string[] = [];
          fields.forEach((name, i) => {
            if (places[i] === 'own') data[name] = values[name];
            else if (places[i] === 'prototype') proto[name] = values[name];
            else if (places[i] === 'polluted') polluted.push(name);
          });
          if (pollutedChanges) polluted.push(K.changes);
          const env = envelope('Volume', '1.3', data);
          const prototype = Object.prototype as Record<string, unknown>;
          for (const name of polluted) prototype[name] = name === K.changes ? ['size'] : values[name as keyof typeof values];
          let v: Volume;
          try {
            v = registry.fromPrimitive(env) as Volume;
          } finally {
            for (const name of polluted) delete prototype[name];
          }
          // Read once the pollution is gone: what was decoded, not what a read finds on the prototype now.
          assert.deepEqual(
            fields.filter((name) => v.isSet(name)),
            fields.filter((_, i) => places[i] === 'own'),
          );
          assert.deepEqual([...v.whatChanged()], []);
        },
      ),
      { numRuns: 200 },
    );
    assert.equal((registry.fromPrimitive(plain) as Volume).size, 2);
  });
  it('names the path of a malformed nested envelope', () => {
    const bad = envelope('Volume', '1.3', {
      attachments: [envelope('Attachment', '1.1', {}), { ...envelope('Attachment', '1.1', {}), [K.data]: 'x' }],
    });
    assert.throws(() => registry.fromPrimitive(bad), {
      code: 'invalid_primitive',
      path: ['Volume', 'attachments', 1],
      message: /^Volume\.attachments\[1\]: "versioned_object\.data" must be an object, got "x"$/,
    });
  });
  it('names the path of a nested unsupported object', () => {
    const bad = envelope('Volume', '1.3', { primary: envelope('Nope', '1.0', {}) });
    assert.throws(() => registry.fromPrimitive(bad), { code: 'unsupported_object', message: /^Volume\.primary: no object named "Nope"/ });
  });
  it('readEnvelope reports the parts of a well-formed envelope', () => {
    assert.deepEqual(readEnvelope(envelope('Volume', '1.3', { size: 1 }, ['size']), [envelopeKeys('versioned_object')]), {
      serialNamespace: 'versioned_object',
      name: 'Volume',
      namespace: 'versionedobjects',
      version: '1.3',
      data: { size: 1 },
      changes: ['size'],
    });
  });
});

describe('fromPrimitive: limits', () => {
  @versionedObject({ name: 'Chain', version: '1.0', registry })
  class Chain extends VersionedObject {
    @field(f.object('Chain'), { nullable: true }) declare next: Chain | null;
  }
  const chain = (depth: number): Primitive => {
    let p = envelope('Chain', '1.0', { next: null });
    for (let i = 1; i < depth; i++) p = envelope('Chain', '1.0', { next: p });
    return p;
  };
  it('decodes nesting up to the depth limit (32 by default)', () => {
    assert.ok(registry.fromPrimitive(chain(32)) instanceof Chain);
  });
  it('refuses nesting beyond the limit with limit_exceeded, naming the path', () => {
    assert.throws(
      () => registry.fromPrimitive(chain(33)),
      (err: { code: string; path: unknown[]; message: string }) => {
        assert.equal(err.code, 'limit_exceeded');
        assert.deepEqual(err.path, ['Chain', ...Array(32).fill('next')]);
        assert.match(err.message, /objects nest deeper than the limit of 32$/);
        return true;
      },
    );
  });
  it('takes a custom depth limit', () => {
    assert.throws(() => registry.fromPrimitive(chain(3), { limits: { maxDepth: 2 } }), { code: 'limit_exceeded' });
    assert.ok(registry.fromPrimitive(chain(40), { limits: { maxDepth: 40 } }));
  });
  it('refuses a list longer than maxListLength, naming the field', () => {
    const wire = envelope('Volume', '1.3', { tags: ['a', 'b', 'c'] });
    assert.throws(() => registry.fromPrimitive(wire, { limits: { maxListLength: 2 } }), {
      code: 'limit_exceeded',
      message: 'Volume.tags: a list of 3 items exceeds the limit of 2',
    });
  });
});
