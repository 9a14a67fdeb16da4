import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Comparable, ObjectList, ObjectRegistry, Timestamped, VersionedObject, f, field, metaOf, versionedObject } from '../src/index.js';

const registry = new ObjectRegistry();

@versionedObject({ name: 'Disk', version: '1.0', registry })
class Disk extends VersionedObject {
  @field(f.integer()) declare size: number;
}

@versionedObject({ name: 'DiskList', version: '1.0', registry })
class DiskList extends ObjectList<Disk> {
  @field(f.listOfObjects('Disk'), { default: [] }) declare objects: Disk[];
}

const disks = (...sizes: number[]): Disk[] => sizes.map((size) => Disk.create({ size }));
const changed = (obj: VersionedObject): string[] => [...obj.whatChanged()].sort();

describe('ObjectList', () => {
  it('behaves as a sequence: length, at, iteration, spread', () => {
    const list = DiskList.create({ objects: disks(1, 2, 3) });
    assert.equal(list.length, 3);
    assert.equal(list.at(0)?.size, 1);
    assert.equal(list.at(-1)?.size, 3);
    assert.equal(list.at(3), undefined);
    const seen: number[] = [];
    for (const d of list) seen.push(d.size);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(
      [...list].map((d) => d.size),
      [1, 2, 3],
    );
  });
  it('offers map, filter, find, includes, indexOf and forEach over its items', () => {
    const items = disks(1, 2, 3);
    const list = DiskList.create({ objects: items });
    assert.deepEqual(
      list.map((d, i) => d.size * 10 + i),
      [10, 21, 32],
    );
    assert.deepEqual(
      list.filter((d) => d.size > 1).map((d) => d.size),
      [2, 3],
    );
    assert.equal(
      list.find((d) => d.size === 2),
      items[1],
    );
    assert.equal(list.includes(items[2]!), true);
    assert.equal(list.includes(Disk.create({ size: 3 })), false);
    assert.equal(list.indexOf(items[2]!), 2);
    let total = 0;
    list.forEach((d) => {
      total += d.size;
    });
    assert.equal(total, 6);
  });
  it("starts with an empty `objects` that is not a change, and sends it, as oslo's ObjectListBase does", () => {
    const list = new DiskList();
    assert.equal(list.isSet('objects'), true);
    assert.deepEqual(list.objects, []);
    assert.deepEqual([...list.whatChanged()], []);
    assert.deepEqual(list.toPrimitive()['versioned_object.data'], { objects: [] });
  });
  it('decodes an envelope without `objects` as an empty list', () => {
    const list = registry.fromPrimitive({
      'versioned_object.name': 'DiskList',
      'versioned_object.namespace': 'versionedobjects',
      'versioned_object.version': '1.0',
      'versioned_object.data': {},
    }) as DiskList;
    assert.deepEqual(list.objects, []);
    assert.equal(list.length, 0);
  });
  it('reads as empty after `objects` is unset, without lazy-loading', () => {
    const list = DiskList.create({ objects: disks(1) });
    list.unset('objects');
    assert.equal(list.length, 0);
    assert.deepEqual([...list], []);
  });
  it('push appends, returns the new length and marks `objects` changed', () => {
    const list = DiskList.create({ objects: disks(1) });
    list.resetChanges(undefined, { recursive: true });
    const [d] = disks(2);
    d!.resetChanges();
    assert.equal(list.push(d!), 2);
    assert.deepEqual(
      list.map((x) => x.size),
      [1, 2],
    );
    assert.deepEqual(changed(list), ['objects']);
  });
  it('push refuses an item of the wrong class, naming its index, and keeps the list', () => {
    const list = DiskList.create({ objects: disks(1) });
    assert.throws(() => list.push(new DiskList() as never), {
      code: 'invalid_value',
      message: 'DiskList.objects[1]: expected a Disk object, got a DiskList',
    });
    assert.equal(list.length, 1);
  });
  it('reports `objects` as changed when a child changed', () => {
    const list = DiskList.create({ objects: disks(1, 2) });
    list.resetChanges(undefined, { recursive: true });
    assert.deepEqual(changed(list), []);
    list.at(1)!.size = 5;
    assert.deepEqual(changed(list), ['objects']);
  });
  it('goes out as an envelope whose data is { objects: [envelopes] }', () => {
    const list = DiskList.create({ objects: disks(4) });
    list.resetChanges(undefined, { recursive: true });
    assert.deepEqual(list.toPrimitive(), {
      'versioned_object.name': 'DiskList',
      'versioned_object.namespace': 'versionedobjects',
      'versioned_object.version': '1.0',
      'versioned_object.data': {
        objects: [
          {
            'versioned_object.name': 'Disk',
            'versioned_object.namespace': 'versionedobjects',
            'versioned_object.version': '1.0',
            'versioned_object.data': { size: 4 },
          },
        ],
      },
    });
  });
  it('comes back from the wire as a list of instances', () => {
    const back = registry.fromPrimitive(JSON.parse(JSON.stringify(DiskList.create({ objects: disks(1, 2) })))) as DiskList;
    assert.ok(back instanceof DiskList);
    assert.ok(back.at(0) instanceof Disk);
    assert.deepEqual(
      back.map((d) => d.size),
      [1, 2],
    );
  });
  it('clones into an independent list of independent children', () => {
    const list = DiskList.create({ objects: disks(1) });
    const copy = list.clone();
    copy.push(...disks(2));
    copy.at(0)!.size = 9;
    assert.equal(list.length, 1);
    assert.equal(list.at(0)!.size, 1);
  });
});

@versionedObject({ name: 'Flavor', version: '1.0', registry })
class Flavor extends Comparable(VersionedObject) {
  @field(f.string()) declare name: string;
  @field(f.integer()) declare vcpus: number;
  @field(f.object('Disk'), { nullable: true }) declare disk: Disk | null;
}

describe('Comparable', () => {
  it('objects with the same fields and changes are equal', () => {
    assert.equal(Flavor.create({ name: 'm1', vcpus: 2 }).equals(Flavor.create({ name: 'm1', vcpus: 2 })), true);
  });
  it('objects that differ in a value are not equal', () => {
    assert.equal(Flavor.create({ name: 'm1', vcpus: 2 }).equals(Flavor.create({ name: 'm1', vcpus: 4 })), false);
  });
  it('an unset field differs from a set one', () => {
    assert.equal(Flavor.partial({ name: 'm1' }).equals(Flavor.create({ name: 'm1', vcpus: 2 })), false);
  });
  it('children are compared by value', () => {
    const a = Flavor.partial({ name: 'm1', disk: Disk.create({ size: 1 }) });
    const b = Flavor.partial({ name: 'm1', disk: Disk.create({ size: 1 }) });
    assert.equal(a.equals(b), true);
    b.disk!.size = 2;
    assert.equal(a.equals(b), false);
  });
  it('change tracking takes part, as in oslo (the primitives are compared)', () => {
    const a = Flavor.partial({ name: 'm1' });
    const b = Flavor.partial({ name: 'm1' });
    b.resetChanges();
    assert.equal(a.equals(b), false);
  });
  it('the order in which fields were assigned does not matter', () => {
    const a = Flavor.create({ name: 'm1', vcpus: 2 });
    const b = Flavor.create({ vcpus: 2, name: 'm1' });
    assert.equal(a.equals(b), true);
    const c = Flavor.partial({ disk: Disk.create({ size: 1 }), vcpus: 2 });
    const d = Flavor.partial({ vcpus: 2, disk: Disk.create({ size: 1 }) });
    assert.equal(c.equals(d), true);
  });
  it('is never equal to a non-object', () => {
    const a = Flavor.partial({ name: 'm1' });
    assert.equal(a.equals(a.toPrimitive()), false);
    assert.equal(a.equals(null), false);
  });
});

@versionedObject({ name: 'Stamped', version: '1.0', registry })
class Stamped extends Timestamped(VersionedObject) {
  @field(f.string()) declare name: string;
}

describe('Timestamped', () => {
  it("adds created_at and updated_at before the class's own fields", () => {
    assert.deepEqual(
      metaOf(Stamped).fields.map((d) => d.name),
      ['created_at', 'updated_at', 'name'],
    );
  });
  it('the timestamps are nullable date-times on the oslo wire form', () => {
    const s = Stamped.create({ name: 'x', created_at: new Date('2021-05-06T07:08:09.5Z'), updated_at: null });
    assert.deepEqual(s.toPrimitive()['versioned_object.data'], { created_at: '2021-05-06T07:08:09Z', updated_at: null, name: 'x' });
    const back = registry.fromPrimitive(JSON.parse(JSON.stringify(s))) as Stamped;
    assert.deepEqual(back.created_at, new Date('2021-05-06T07:08:09Z'));
    assert.equal(back.updated_at, null);
  });
  it('the timestamps refuse values that are not date-times', () => {
    assert.throws(() => Stamped.partial({ created_at: 'yesterday' as never }), {
      code: 'invalid_value',
      message: /^Stamped\.created_at: expected a date-time/,
    });
  });
});

@versionedObject({ name: 'Image', version: '1.0', registry })
class Image extends Comparable(Timestamped(VersionedObject)) {
  @field(f.string()) declare name: string;
}

describe('Comparable and Timestamped together', () => {
  it('a class can use both mixins: it has the timestamps and compares by value', () => {
    assert.deepEqual(
      metaOf(Image).fields.map((d) => d.name),
      ['created_at', 'updated_at', 'name'],
    );
    const at = new Date('2020-01-01T00:00:00Z');
    assert.equal(Image.create({ name: 'a', created_at: at }).equals(Image.create({ created_at: at, name: 'a' })), true);
    assert.equal(
      Image.create({ name: 'a', created_at: at }).equals(Image.create({ name: 'a', created_at: new Date('2021-01-01T00:00:00Z') })),
      false,
    );
  });
});
