import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectRegistry, ObjectSerializer, VersionedObject, f, field, versionedObject } from '../src/index.js';

const registry = new ObjectRegistry();

@versionedObject({ name: 'Disk', version: '1.0', registry })
class Disk extends VersionedObject {
  @field(f.integer()) declare size: number;
}

@versionedObject({ name: 'Host', version: '2.1', namespace: 'nova', serialNamespace: 'nova_object', registry })
class Host extends VersionedObject {
  @field(f.string()) declare name: string;
}

const serializer = new ObjectSerializer({ registry });
const disk = (size: number): Disk => {
  const d = Disk.create({ size });
  d.resetChanges();
  return d;
};
const diskPrimitive = (size: number): Record<string, unknown> => ({
  'versioned_object.name': 'Disk',
  'versioned_object.namespace': 'versionedobjects',
  'versioned_object.version': '1.0',
  'versioned_object.data': { size },
});

describe('ObjectSerializer.serializeEntity', () => {
  it('leaves JSON scalars alone', () => {
    for (const v of [1, 'a', true, null, undefined]) assert.equal(serializer.serializeEntity(v), v);
  });
  it('turns an object into its envelope', () => {
    assert.deepEqual(serializer.serializeEntity(disk(1)), diskPrimitive(1));
  });
  it('walks arrays and plain objects, nested', () => {
    assert.deepEqual(serializer.serializeEntity({ a: [disk(1), { b: disk(2) }], n: 3 }), {
      a: [diskPrimitive(1), { b: diskPrimitive(2) }],
      n: 3,
    });
  });
  it('sends a Map as a plain object and a Set as an array', () => {
    const out = serializer.serializeEntity({ m: new Map([['x', disk(1)]]), s: new Set([disk(2), 'y']) });
    assert.deepEqual(out, { m: { x: diskPrimitive(1) }, s: [diskPrimitive(2), 'y'] });
  });
  it('refuses a Map with non-string keys, naming where it is', () => {
    assert.throws(() => serializer.serializeEntity({ list: [new Map([[1, 'x']])] }), {
      code: 'invalid_value',
      path: ['list', 0],
      message: 'list[0]: a Map sent over RPC needs string keys, got 1',
    });
  });
  it('keeps a "__proto__" key as an own key of the copy', () => {
    const out = serializer.serializeEntity(JSON.parse('{"__proto__": {"polluted": 1}}')) as object;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
  it('does not modify the payload it was given', () => {
    const payload = { a: [disk(1)] };
    serializer.serializeEntity(payload);
    assert.ok(payload.a[0] instanceof Disk);
  });
  it('refuses a payload nesting deeper than 64 levels (a cycle) with limit_exceeded', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.throws(() => serializer.serializeEntity(loop), { code: 'limit_exceeded' });
  });
  it("uses each class's serial namespace", () => {
    assert.deepEqual(Object.keys(serializer.serializeEntity(Host.create({ name: 'h' })) as object), [
      'nova_object.name',
      'nova_object.namespace',
      'nova_object.version',
      'nova_object.data',
      'nova_object.changes',
    ]);
  });
});

describe('ObjectSerializer.deserializeEntity', () => {
  it('leaves JSON scalars alone', () => {
    for (const v of [1, 'a', false, null]) assert.equal(serializer.deserializeEntity(v), v);
  });
  it('decodes an envelope at the top level', () => {
    const d = serializer.deserializeEntity(diskPrimitive(4));
    assert.ok(d instanceof Disk);
    assert.equal(d.size, 4);
  });
  it('finds envelopes anywhere in arrays and plain objects', () => {
    const out = serializer.deserializeEntity({ a: [[diskPrimitive(1)], { deeper: { still: diskPrimitive(2) } }], plain: { size: 3 } }) as {
      a: [[Disk], { deeper: { still: Disk } }];
      plain: { size: number };
    };
    assert.ok(out.a[0][0] instanceof Disk);
    assert.equal(out.a[1].deeper.still.size, 2);
    assert.deepEqual(out.plain, { size: 3 });
  });
  it('recognises every serial namespace the registry knows', () => {
    const wire = serializer.serializeEntity([Host.create({ name: 'h' }), disk(1)]);
    const [host, d] = serializer.deserializeEntity(JSON.parse(JSON.stringify(wire))) as [Host, Disk];
    assert.ok(host instanceof Host);
    assert.equal(host.name, 'h');
    assert.ok(d instanceof Disk);
  });
  it('round-trips a payload mixing objects, Maps and Sets (as objects and arrays)', () => {
    const payload = { byName: new Map([['root', disk(10)]]), sizes: new Set([1, 2]), list: [disk(20)] };
    const back = serializer.deserializeEntity(JSON.parse(JSON.stringify(serializer.serializeEntity(payload)))) as {
      byName: { root: Disk };
      sizes: number[];
      list: Disk[];
    };
    assert.equal(back.byName.root.size, 10);
    assert.deepEqual(back.sizes, [1, 2]);
    assert.equal(back.list[0]!.size, 20);
  });
  it('names the payload path of a bad envelope', () => {
    assert.throws(
      () =>
        serializer.deserializeEntity({
          args: { volumes: [diskPrimitive(1), { ...diskPrimitive(1), 'versioned_object.data': { size: 'big' } }] },
        }),
      {
        code: 'invalid_value',
        message: 'args.volumes[1].Disk.size: expected an integer, got "big"',
      },
    );
  });
  it('reports an unknown object name as unsupported_object', () => {
    assert.throws(() => serializer.deserializeEntity([{ ...diskPrimitive(1), 'versioned_object.name': 'Nope' }]), {
      code: 'unsupported_object',
    });
  });
  it('keeps a "__proto__" key of a JSON payload as an own key, never as the prototype', () => {
    const out = serializer.deserializeEntity(JSON.parse('{"x": {"__proto__": {"polluted": true}}}')) as { x: object };
    assert.equal(Object.getPrototypeOf(out.x), Object.prototype);
    assert.deepEqual(Object.keys(out.x), ['__proto__']);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
  it('refuses a payload nesting deeper than 64 levels with limit_exceeded', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    assert.throws(() => serializer.deserializeEntity(deep), { code: 'limit_exceeded' });
  });
  it('applies its decode limits to envelopes', () => {
    const limited = new ObjectSerializer({ registry, limits: { maxDepth: 0 } });
    assert.throws(() => limited.deserializeEntity([diskPrimitive(1)]), { code: 'limit_exceeded' });
  });
});

describe('ObjectSerializer manifests', () => {
  it('an explicit manifest wins over the configured one', () => {
    const s = new ObjectSerializer({ registry, manifest: { Disk: '1.0' } });
    assert.deepEqual(s.currentManifest({ Disk: '0.9' }), { Disk: '0.9' });
    assert.deepEqual(s.currentManifest(), { Disk: '1.0' });
  });
  it('a manifest function is asked on every call', () => {
    let pinned: Record<string, string> | undefined;
    const s = new ObjectSerializer({ registry, manifest: () => pinned });
    assert.equal(s.currentManifest(), undefined);
    pinned = { Disk: '1.0' };
    assert.deepEqual(s.currentManifest(), { Disk: '1.0' });
  });
});
