import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectRegistry, VersionedObject, f, field, versionedObject, type Primitive } from '../src/index.js';

const registry = new ObjectRegistry();
const UUID = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

@versionedObject({ name: 'Attachment', version: '1.0', registry })
class Attachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string(), { nullable: true }) declare mountpoint: string | null;
}

@versionedObject({ name: 'MultiAttachment', version: '1.0', registry })
class MultiAttachment extends Attachment {
  @field(f.integer()) declare readers: number;
}

@versionedObject({ name: 'Volume', version: '1.0', registry })
class Volume extends VersionedObject {
  @field(f.list(f.uuid())) declare ids: string[];
  @field(f.list(f.integer())) declare sizes: number[];
  @field(f.list(f.list(f.integer()))) declare grid: number[][];
  @field(f.dict(f.integer())) declare quotas: Record<string, number>;
  @field(f.dict(f.list(f.string()))) declare tags: Record<string, string[]>;
  @field(f.set(f.string())) declare labels: Set<string>;
  @field(f.set(f.integer())) declare ports: Set<number>;
  @field(f.list(f.dateTime())) declare times: Date[];
  @field(f.dict(f.dateTime())) declare events: Record<string, Date>;
  @field(f.object('Attachment'), { nullable: true }) declare primary: Attachment | null;
  @field(f.object('Attachment', { subclasses: true })) declare anyAttachment: Attachment;
  @field(f.listOfObjects('Attachment')) declare attachments: Attachment[];
  @field(f.dict(f.object('Attachment'))) declare byHost: Record<string, Attachment>;
}

type Key = Exclude<keyof Volume, keyof VersionedObject>;

function assign(obj: VersionedObject, key: string, value: unknown): void {
  (obj as unknown as Record<string, unknown>)[key] = value;
}

function rejects(key: Key, value: unknown, expected: { message: string | RegExp; path?: unknown[] }): void {
  assert.throws(
    () => assign(new Volume(), key, value),
    (err: { code: string; path: unknown[]; message: string }) => {
      assert.equal(err.code, 'invalid_value');
      if (expected.path) assert.deepEqual(err.path, expected.path);
      if (typeof expected.message === 'string') assert.equal(err.message, expected.message);
      else assert.match(err.message, expected.message);
      return true;
    },
  );
}

function envelope(name: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): Primitive {
  return {
    'versioned_object.name': name,
    'versioned_object.namespace': 'versionedobjects',
    'versioned_object.version': '1.0',
    'versioned_object.data': data,
    ...extra,
  };
}

function roundTrip<T extends VersionedObject>(obj: T): T {
  return registry.fromPrimitive(JSON.parse(JSON.stringify(obj.toPrimitive()))) as T;
}

describe('List', () => {
  it('coerces every element', () => {
    const v = Volume.partial({ sizes: [1, '2', '+3'] as never });
    assert.deepEqual(v.sizes, [1, 2, 3]);
  });
  it('holds a copy, so mutating the assigned array does not change the object', () => {
    const source = [1, 2];
    const v = Volume.partial({ sizes: source });
    source.push(3);
    assert.deepEqual(v.sizes, [1, 2]);
  });
  it('names the index of a bad element', () => {
    rejects('ids', [UUID(1), UUID(2), 'abc'], { message: 'Volume.ids[2]: expected a UUID, got "abc"', path: ['Volume', 'ids', 2] });
  });
  it('names both indexes of a bad element in a nested list', () => {
    rejects('grid', [[1], [2, 'x']], { message: 'Volume.grid[1][1]: expected an integer, got "x"' });
  });
  it('rejects a non-array, including a Set', () => {
    rejects('sizes', new Set([1]), { message: 'Volume.sizes: expected a list of integers, got a Set' });
    rejects('sizes', '1,2', { message: /expected a list of integers, got "1,2"/ });
  });
  it('rejects holes in sparse arrays as undefined elements', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test
    rejects('sizes', [1, , 3], { message: 'Volume.sizes[1]: expected an integer, got undefined' });
  });
  it('goes out as a JSON array, date-times as strings', () => {
    const v = Volume.partial({ times: [new Date('2020-01-02T03:04:05Z')], sizes: [1, 2] });
    const data = v.toPrimitive()['versioned_object.data'] as Record<string, unknown>;
    assert.deepEqual(data.times, ['2020-01-02T03:04:05Z']);
    assert.deepEqual(data.sizes, [1, 2]);
    assert.deepEqual(roundTrip(v).times, [new Date('2020-01-02T03:04:05Z')]);
  });
  it('does not share the encoded array with the object', () => {
    const v = Volume.partial({ sizes: [1] });
    const data = v.toPrimitive()['versioned_object.data'] as { sizes: number[] };
    data.sizes.push(2);
    assert.deepEqual(v.sizes, [1]);
  });
});

describe('Dict', () => {
  it('accepts a plain object and coerces every value', () => {
    assert.deepEqual(Volume.partial({ quotas: { gigabytes: '10', volumes: 2 } as never }).quotas, { gigabytes: 10, volumes: 2 });
  });
  it('accepts a Map with string keys and holds a plain object', () => {
    const v = Volume.partial({ quotas: new Map([['a', 1]]) as never });
    assert.deepEqual(v.quotas, { a: 1 });
    assert.equal(Object.getPrototypeOf(v.quotas), Object.prototype);
  });
  it('names the key of a bad value, quoting keys that are not identifiers', () => {
    rejects(
      'quotas',
      { ok: 1, gigabytes: 'lots' },
      { message: 'Volume.quotas.gigabytes: expected an integer, got "lots"', path: ['Volume', 'quotas', 'gigabytes'] },
    );
    rejects('quotas', { 'with space': 'x' }, { message: 'Volume.quotas["with space"]: expected an integer, got "x"' });
    rejects('tags', { a: ['x', {}] }, { message: 'Volume.tags.a[1]: expected a string, got an object' });
  });
  it('rejects arrays, class instances and Maps with non-string keys', () => {
    rejects('quotas', [1], { message: /expected a dict of integers, got an array of 1/ });
    rejects('quotas', new Date(0), { message: /expected a dict of integers, got a Date/ });
    rejects('quotas', new Map([[1, 1]]), { message: /expected a dict of integers, got a Map \(keys must be strings\)/ });
  });
  it('keeps a "__proto__" key as an own key without touching the prototype', () => {
    const hostile = JSON.parse('{"__proto__": 5, "constructor": 6}');
    const v = Volume.partial({ quotas: hostile });
    assert.equal(Object.getPrototypeOf(v.quotas), Object.prototype);
    assert.deepEqual(Object.keys(v.quotas), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(v.quotas, '__proto__')?.value, 5);
    const back = roundTrip(v);
    assert.equal(Object.getOwnPropertyDescriptor(back.quotas, '__proto__')?.value, 5);
    assert.equal(Object.getPrototypeOf(back.quotas), Object.prototype);
  });
  it('holds a copy of the assigned object', () => {
    const source: Record<string, number> = { a: 1 };
    const v = Volume.partial({ quotas: source });
    source.b = 2;
    assert.deepEqual(v.quotas, { a: 1 });
  });
  it('goes out as a JSON object with encoded values', () => {
    const v = Volume.partial({ events: { created: new Date('2020-01-02T03:04:05.6Z') } });
    assert.deepEqual((v.toPrimitive()['versioned_object.data'] as Record<string, unknown>).events, { created: '2020-01-02T03:04:05Z' });
    assert.deepEqual(roundTrip(v).events, { created: new Date('2020-01-02T03:04:05Z') });
  });
  it('is refused as a Map on the wire, where only JSON objects arrive', () => {
    assert.throws(() => registry.fromPrimitive(envelope('Volume', { quotas: new Map([['a', 1]]) })), {
      code: 'invalid_value',
      message: /^Volume\.quotas: expected a dict of integers, got a Map$/,
    });
  });
});

describe('Set', () => {
  it('accepts a Set or an array, coercing and de-duplicating', () => {
    assert.deepEqual(Volume.partial({ ports: [80, '80', 443] as never }).ports, new Set([80, 443]));
    assert.deepEqual(Volume.partial({ labels: new Set(['a', 'b']) }).labels, new Set(['a', 'b']));
  });
  it('goes out as a JSON array and comes back as a Set', () => {
    const v = Volume.partial({ labels: new Set(['x', 'y']) });
    assert.deepEqual((v.toPrimitive()['versioned_object.data'] as Record<string, unknown>).labels, ['x', 'y']);
    const back = roundTrip(v);
    assert.ok(back.labels instanceof Set);
    assert.deepEqual(back.labels, new Set(['x', 'y']));
  });
  it('names the position of a bad element', () => {
    rejects('ports', new Set([1, 'two']), { message: 'Volume.ports[1]: expected an integer, got "two"' });
  });
  it('rejects anything but a Set or an array', () => {
    rejects('labels', 'abc', { message: /expected a set \(or list\) of strings, got "abc"/ });
    assert.throws(() => registry.fromPrimitive(envelope('Volume', { labels: { a: 1 } })), {
      message: /^Volume\.labels: expected a set \(or list\) of strings, got an object$/,
    });
  });
  it('holds a copy of the assigned Set', () => {
    const source = new Set(['a']);
    const v = Volume.partial({ labels: source });
    source.add('b');
    assert.deepEqual(v.labels, new Set(['a']));
  });
});

describe('Object', () => {
  it('accepts an instance of the named class', () => {
    const a = Attachment.create({ id: UUID(1) });
    assert.equal(Volume.partial({ primary: a }).primary, a);
  });
  it('rejects an object of another class, and plain data', () => {
    rejects('primary', Volume.partial({}), { message: 'Volume.primary: expected a Attachment object, got a Volume' });
    rejects('primary', { id: UUID(1) }, { message: /expected a Attachment object, got an object/ });
  });
  it('rejects a subclass unless the field allows subclasses', () => {
    const multi = MultiAttachment.create({ id: UUID(1), readers: 2 });
    rejects('primary', multi, { message: /expected a Attachment object, got a MultiAttachment/ });
    assert.equal(Volume.partial({ anyAttachment: multi }).anyAttachment, multi);
  });
  it('goes out as a nested envelope and decodes to an instance of the child class', () => {
    const v = Volume.partial({ anyAttachment: MultiAttachment.create({ id: UUID(3), readers: 2 }) });
    const data = v.toPrimitive()['versioned_object.data'] as Record<string, Primitive>;
    assert.equal(data.anyAttachment?.['versioned_object.name'], 'MultiAttachment');
    const back = roundTrip(v);
    assert.ok(back.anyAttachment instanceof MultiAttachment);
    assert.equal((back.anyAttachment as MultiAttachment).readers, 2);
  });
  it('refuses an envelope of the wrong class on the wire', () => {
    const wrong = envelope('Volume', {});
    assert.throws(() => registry.fromPrimitive(envelope('Volume', { primary: wrong })), {
      code: 'invalid_value',
      message: 'Volume.primary: expected a Attachment object, got a Volume',
    });
  });
  it('refuses plain data where an envelope belongs, naming the field', () => {
    assert.throws(() => registry.fromPrimitive(envelope('Volume', { primary: { id: UUID(1) } })), {
      code: 'invalid_primitive',
      message: /^Volume\.primary: expected an object envelope with a "versioned_object\.name" key$/,
    });
  });
});

describe('ListOfObjects', () => {
  it('accepts a list of instances of the named class', () => {
    const list = [Attachment.create({ id: UUID(1) }), Attachment.create({ id: UUID(2) })];
    assert.deepEqual(Volume.partial({ attachments: list }).attachments, list);
  });
  it('names the index of a wrong element on assignment', () => {
    rejects('attachments', [Attachment.create({ id: UUID(1) }), 'x'], {
      message: 'Volume.attachments[1]: expected a Attachment object, got "x"',
    });
  });
  it('names the index and the field of a bad value inside a child on the wire', () => {
    const children = [UUID(0), UUID(1), 'abc'].map((id) => envelope('Attachment', { id }));
    assert.throws(() => registry.fromPrimitive(envelope('Volume', { attachments: children })), {
      code: 'invalid_value',
      path: ['Volume', 'attachments', 2, 'id'],
      message: 'Volume.attachments[2].id: expected a UUID, got "abc"',
    });
  });
  it('goes out as a JSON array of envelopes', () => {
    const v = Volume.partial({ attachments: [Attachment.create({ id: UUID(1) })] });
    v.resetChanges(undefined, { recursive: true });
    assert.deepEqual((v.toPrimitive()['versioned_object.data'] as Record<string, unknown>).attachments, [
      envelope('Attachment', { id: UUID(1) }),
    ]);
  });
  it('a Dict of objects goes out as a JSON object of envelopes and comes back as instances', () => {
    const v = Volume.partial({ byHost: { h1: Attachment.create({ id: UUID(5) }) } });
    const back = roundTrip(v);
    assert.ok(back.byHost.h1 instanceof Attachment);
    assert.equal(back.byHost.h1.id, UUID(5));
  });
});

@versionedObject({ name: 'Options', version: '1.0', registry })
class Options extends VersionedObject {
  @field(f.string(), { nullable: true }) declare note: string | null;
  @field(f.list(f.string()), { default: [] }) declare names: string[];
  @field(f.dict(f.list(f.integer())), { default: { a: [1] } }) declare nested: Record<string, number[]>;
  @field(f.integer(), { default: 7 }) declare level: number;
  @field(f.string(), { nullable: true, default: null }) declare comment: string | null;
  @field(f.list(f.integer()), { default: () => [Options.calls++] }) declare stamps: number[];
  @field(f.uuid(), { readOnly: true }) declare id: string;
  @field(f.integer(), { readOnly: true, nullable: true }) declare owner: number | null;
  static calls = 0;
}

describe('nullable', () => {
  it('lets null be assigned, counts it as set, and sends it as null', () => {
    const o = Options.partial({ note: null });
    assert.equal(o.note, null);
    assert.equal(o.isSet('note'), true);
    assert.deepEqual(o.toPrimitive()['versioned_object.data'], { note: null });
    assert.equal(roundTrip(o).note, null);
  });
  it('a non-nullable field with a default reads null as the default, on assignment and on the wire', () => {
    const o = Options.partial({ level: null as never });
    assert.equal(o.level, 7);
    assert.equal((registry.fromPrimitive(envelope('Options', { level: null })) as Options).level, 7);
  });
  it('a non-nullable field without a default refuses null on the wire, naming it', () => {
    assert.throws(() => registry.fromPrimitive(envelope('Attachment', { id: null })), {
      code: 'invalid_value',
      message: 'Attachment.id: expected a UUID, got null (the field is not nullable)',
    });
  });
});

describe('default', () => {
  it('setDefaults() fills every unset field that has a default and marks it changed', () => {
    const o = new Options();
    o.setDefaults();
    assert.deepEqual(o.names, []);
    assert.deepEqual(o.nested, { a: [1] });
    assert.equal(o.level, 7);
    assert.equal(o.comment, null);
    assert.equal(o.isSet('note'), false);
    assert.deepEqual([...o.whatChanged()].sort(), ['comment', 'level', 'names', 'nested', 'stamps']);
  });
  it('never shares a default container between instances, however deep', () => {
    const a = new Options();
    const b = new Options();
    a.setDefaults();
    b.setDefaults();
    a.names.push('x');
    a.nested.a?.push(2);
    assert.notEqual(a.names, b.names);
    assert.deepEqual(b.names, []);
    assert.deepEqual(b.nested, { a: [1] });
    const c = new Options();
    c.setDefaults();
    assert.deepEqual(c.nested, { a: [1] });
  });
  it('calls a factory default once per use', () => {
    const before = Options.calls;
    const a = new Options();
    const b = new Options();
    a.setDefaults('stamps');
    b.setDefaults('stamps');
    assert.deepEqual([a.stamps, b.stamps], [[before], [before + 1]]);
  });
  it('setDefaults(name) leaves fields that are already set alone', () => {
    const o = Options.partial({ level: 3 });
    o.setDefaults('level', 'names');
    assert.equal(o.level, 3);
    assert.deepEqual(o.names, []);
  });
  it('setDefaults(name) refuses a field without a default and an unknown field', () => {
    assert.throws(() => new Options().setDefaults('id'), { code: 'invalid_value', message: 'Options.id: has no default' });
    // @ts-expect-error not a field: refused at compile time too
    assert.throws(() => new Options().setDefaults('nope'), {
      code: 'unknown_field',
      message: 'Options.nope: is not a field of Options 1.0',
    });
  });
  it('does not set defaults on construction: an unset field stays unset', () => {
    assert.equal(new Options().isSet('level'), false);
  });
});

describe('readOnly', () => {
  it('can be set once', () => {
    const o = new Options();
    o.id = UUID(1);
    assert.equal(o.id, UUID(1));
  });
  it('refuses a second assignment, even of the same value, and keeps the first', () => {
    const o = Options.partial({ id: UUID(1) });
    assert.throws(() => (o.id = UUID(2)), {
      code: 'read_only',
      path: ['Options', 'id'],
      message: 'Options.id: is read-only and already set',
    });
    assert.throws(() => (o.id = UUID(1)), { code: 'read_only' });
    assert.equal(o.id, UUID(1));
  });
  it('counts null as set', () => {
    const o = Options.partial({ owner: null });
    assert.throws(() => (o.owner = 5), { code: 'read_only' });
  });
  it('is set by decoding, and refuses assignment afterwards', () => {
    const o = registry.fromPrimitive(envelope('Options', { id: UUID(4) })) as Options;
    assert.equal(o.id, UUID(4));
    assert.throws(() => (o.id = UUID(5)), { code: 'read_only' });
  });
  it('refuses a change through update() as well', () => {
    const o = Options.partial({ id: UUID(1) });
    assert.throws(() => o.update({ id: UUID(2) }), { code: 'read_only' });
  });
});
