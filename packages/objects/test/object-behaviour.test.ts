import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ObjectRegistry, VersionedObject, extraField, f, field, versionedObject } from '../src/index.js';

const registry = new ObjectRegistry();
const UUID = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

@versionedObject({ name: 'Disk', version: '1.0', registry })
class Disk extends VersionedObject {
  @field(f.integer()) declare size: number;
  @field(f.string(), { nullable: true }) declare label: string | null;
}

@versionedObject({ name: 'Server', version: '1.3', registry })
class Server extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string()) declare host: string;
  @field(f.integer()) declare vcpus: number;
  @field(f.object('Disk'), { nullable: true }) declare root: Disk | null;
  @field(f.listOfObjects('Disk')) declare disks: Disk[];
  @field(f.dict(f.list(f.string()))) declare meta: Record<string, string[]>;
  @field(f.set(f.string())) declare tags: Set<string>;
  @field(f.dateTime()) declare launched: Date;

  @extraField()
  get summary(): string {
    return `${this.isSet('host') ? this.host : '?'}/${this.isSet('vcpus') ? this.vcpus : '?'}`;
  }
}

/** A server whose `vcpus` and `host` can be fetched on first read, counting the fetches. */
@versionedObject({ name: 'LazyServer', version: '1.0', registry })
class LazyServer extends Server {
  loads: string[] = [];
  override loadAttr(name: string): void {
    this.loads.push(name);
    if (name === 'vcpus') this.vcpus = 8;
    else if (name === 'host')
      return; // forgets to set it
    else super.loadAttr(name);
  }
}

@versionedObject({ name: 'Node', version: '1.0', registry })
class Node extends VersionedObject {
  @field(f.string()) declare name: string;
  @field(f.object('Node'), { nullable: true }) declare next: Node | null;
}

const changed = (obj: VersionedObject): string[] => [...obj.whatChanged()].sort();

describe('change tracking', () => {
  it('a new object has no changes', () => {
    assert.deepEqual(changed(new Server()), []);
  });
  it('values given at construction count as changes, as in oslo', () => {
    assert.deepEqual(changed(Server.partial({ host: 'a', vcpus: 2 })), ['host', 'vcpus']);
  });
  it('assignment marks the field, even when the value is the same', () => {
    const s = Server.partial({ host: 'a' });
    s.resetChanges();
    s.host = 'a';
    assert.deepEqual(changed(s), ['host']);
  });
  it('a refused assignment neither marks the field nor changes it', () => {
    const s = Server.partial({ vcpus: 2 });
    s.resetChanges();
    assert.throws(() => (s.vcpus = 'many' as never), { code: 'invalid_value' });
    assert.deepEqual(changed(s), []);
    assert.equal(s.vcpus, 2);
  });
  it('a container changed in place counts as changed, and its envelope says so', () => {
    const s = Server.partial({ meta: { a: ['x'] } });
    s.resetChanges();
    s.meta.a?.push('y');
    assert.deepEqual(changed(s), ['meta']);
    assert.deepEqual(s.toPrimitive()['versioned_object.changes'], ['meta']);
    s.resetChanges();
    assert.deepEqual(changed(s), []);
  });
  it('a container reference kept across resetChanges() is still watched', () => {
    const s = Server.partial({ meta: { a: ['x'] } });
    const held = s.meta;
    s.resetChanges();
    held['b'] = ['z'];
    assert.deepEqual(changed(s), ['meta']);
  });
  it('a container changed and changed back in place is unchanged', () => {
    const s = Server.partial({ meta: { a: ['x'] } });
    s.resetChanges();
    s.meta.a?.push('y');
    s.meta.a?.pop();
    assert.deepEqual(changed(s), []);
  });
  it('a parent reports an object field whose child has changes', () => {
    const s = Server.partial({ root: Disk.create({ size: 1 }) });
    s.resetChanges(undefined, { recursive: true });
    s.root!.size = 2;
    assert.deepEqual(changed(s), ['root']);
    assert.deepEqual(changed(s.root!), ['size']);
  });
  it('a parent reports a list-of-objects field when one of the children has changes', () => {
    const s = Server.partial({ disks: [Disk.create({ size: 1 }), Disk.create({ size: 2 })] });
    s.resetChanges(undefined, { recursive: true });
    s.disks[1]!.label = 'data';
    assert.deepEqual(changed(s), ['disks']);
  });
  it('resetChanges() clears the object but not its children, so the parent still reports a changed child', () => {
    const s = Server.partial({ host: 'a', root: Disk.create({ size: 1 }) });
    s.resetChanges();
    assert.deepEqual(changed(s), ['root']);
    assert.deepEqual(changed(s.root!), ['size']);
  });
  it('resetChanges(undefined, { recursive: true }) clears the children too', () => {
    const s = Server.partial({ root: Disk.create({ size: 1 }), disks: [Disk.create({ size: 2 })] });
    s.resetChanges(undefined, { recursive: true });
    assert.deepEqual(changed(s), []);
    assert.deepEqual(changed(s.root!), []);
    assert.deepEqual(changed(s.disks[0]!), []);
  });
  it('resetChanges(fields) clears only the named fields', () => {
    const s = Server.partial({ host: 'a', vcpus: 1, id: UUID(1) });
    s.resetChanges(['host', 'vcpus']);
    assert.deepEqual(changed(s), ['id']);
  });
  it("resetChanges(fields, { recursive: true }) clears only the named fields' children", () => {
    const s = Server.partial({ root: Disk.create({ size: 1 }), disks: [Disk.create({ size: 2 })] });
    s.resetChanges(['root'], { recursive: true });
    assert.deepEqual(changed(s.root!), []);
    assert.deepEqual(changed(s.disks[0]!), ['size']);
    assert.deepEqual(changed(s), ['disks']);
  });
  it('resetChanges refuses an unknown field name before clearing anything', () => {
    const s = Server.partial({ host: 'a' });
    // @ts-expect-error not a field: refused at compile time too
    assert.throws(() => s.resetChanges(['host', 'nope']), { code: 'unknown_field', message: 'Server.nope: is not a field of Server 1.3' });
    assert.deepEqual(changed(s), ['host']);
  });
  it('getChanges() maps every changed field to its value, children included', () => {
    const root = Disk.create({ size: 1 });
    const s = Server.partial({ host: 'a', vcpus: 2, root });
    s.resetChanges(['vcpus']);
    assert.deepEqual(s.getChanges(), { host: 'a', root });
    s.resetChanges();
    assert.deepEqual(s.getChanges(), { root });
    root.resetChanges();
    assert.deepEqual(s.getChanges(), {});
  });
});

describe('isSet and unset', () => {
  it('isSet says whether a field holds a value (null included)', () => {
    const d = Disk.partial({ label: null });
    assert.equal(d.isSet('label'), true);
    assert.equal(d.isSet('size'), false);
  });
  it('isSet refuses a name that is not a field', () => {
    // @ts-expect-error not a field: refused at compile time too
    assert.throws(() => new Disk().isSet('sizes'), { code: 'unknown_field', path: ['Disk', 'sizes'] });
  });
  it('unset forgets the value and the change', () => {
    const d = Disk.create({ size: 3, label: 'x' });
    d.unset('size');
    assert.equal(d.isSet('size'), false);
    assert.deepEqual(changed(d), ['label']);
    assert.deepEqual(d.toPrimitive()['versioned_object.data'], { label: 'x' });
  });
  it('unset refuses a name that is not a field', () => {
    // @ts-expect-error not a field: refused at compile time too
    assert.throws(() => new Disk().unset('nope'), { code: 'unknown_field' });
  });
  it('construction and update refuse names that are not fields', () => {
    assert.throws(() => new Disk({ sise: 1 }), { code: 'unknown_field', message: 'Disk.sise: is not a field of Disk 1.0' });
    // @ts-expect-error not a field: refused at compile time too
    assert.throws(() => new Disk().update({ size: 1, extra: 2 }), { code: 'unknown_field' });
  });
});

describe('lazy loading', () => {
  it('reading an unset field of a class that cannot lazy-load raises not_lazy_loadable with the path', () => {
    assert.throws(() => new Disk().size, {
      code: 'not_lazy_loadable',
      path: ['Disk', 'size'],
      message: 'Disk.size: is not set, and Disk cannot lazy-load it (override loadAttr)',
    });
  });
  it('reading an unset field calls loadAttr(name), and the value it sets is returned', () => {
    const s = new LazyServer();
    assert.equal(s.vcpus, 8);
    assert.deepEqual(s.loads, ['vcpus']);
  });
  it('loadAttr is not called again once the field is set', () => {
    const s = new LazyServer();
    void s.vcpus;
    void s.vcpus;
    assert.deepEqual(s.loads, ['vcpus']);
  });
  it('loadAttr is not called for a field that is set, even to null', () => {
    const s = LazyServer.partial({ root: null });
    assert.equal(s.root, null);
    assert.deepEqual(s.loads, []);
  });
  it('a loadAttr that leaves the field unset raises not_lazy_loadable', () => {
    assert.throws(() => new LazyServer().host, {
      code: 'not_lazy_loadable',
      message: 'LazyServer.host: is still not set after loadAttr()',
    });
  });
  it('an override can defer to the base, which names the field', () => {
    assert.throws(() => new LazyServer().id, { code: 'not_lazy_loadable', path: ['LazyServer', 'id'] });
  });
  it('isSet and toPrimitive never trigger loading', () => {
    const s = new LazyServer();
    assert.equal(s.isSet('vcpus'), false);
    s.toPrimitive();
    assert.deepEqual(s.loads, []);
  });
});

describe('clone', () => {
  const original = (): Server => {
    const s = Server.partial({
      id: UUID(1),
      host: 'h',
      root: Disk.create({ size: 1 }),
      disks: [Disk.create({ size: 2 })],
      meta: { a: ['x'] },
      tags: new Set(['t']),
      launched: new Date('2020-01-01T00:00:00Z'),
    });
    s.resetChanges(['id']);
    return s;
  };
  it('copies the class, the values and the change tracking', () => {
    const s = original();
    const c = s.clone();
    assert.ok(c instanceof Server);
    assert.notEqual(c, s);
    assert.deepEqual(c.toPrimitive(), s.toPrimitive());
    assert.deepEqual(changed(c), changed(s));
  });
  it('shares no container, date or child with the original', () => {
    const s = original();
    const c = s.clone();
    assert.notEqual(c.root, s.root);
    assert.notEqual(c.disks[0], s.disks[0]);
    assert.notEqual(c.meta.a, s.meta.a);
    c.meta.a!.push('y');
    c.tags.add('u');
    c.launched.setUTCFullYear(1999);
    c.root!.size = 9;
    c.disks[0]!.size = 9;
    assert.deepEqual(s.meta, { a: ['x'] });
    assert.deepEqual(s.tags, new Set(['t']));
    assert.equal(s.launched.getUTCFullYear(), 2020);
    assert.equal(s.root!.size, 1);
    assert.equal(s.disks[0]!.size, 2);
  });
  it("changes made to the clone are not the original's changes", () => {
    const s = original();
    s.resetChanges(undefined, { recursive: true });
    const c = s.clone();
    c.host = 'other';
    assert.deepEqual(changed(s), []);
  });
  it('keeps cycles as cycles instead of recursing forever', () => {
    const a = Node.create({ name: 'a' });
    const b = Node.create({ name: 'b', next: a });
    a.next = b;
    const c = a.clone();
    assert.equal(c.next!.next, c);
    assert.notEqual(c.next, b);
    assert.equal(c.next!.name, 'b');
  });
  it('keeps a child shared by two fields shared in the copy', () => {
    const d = Disk.create({ size: 1 });
    const c = Server.partial({ root: d, disks: [d] }).clone();
    assert.equal(c.root, c.disks[0]);
  });
});

describe('cycles on the wire', () => {
  it('encoding a cycle fails with limit_exceeded rather than overflowing the stack', () => {
    const a = Node.create({ name: 'a' });
    a.next = a;
    assert.throws(
      () => a.toPrimitive(),
      (err: { code: string; message: string }) => {
        assert.equal(err.code, 'limit_exceeded');
        assert.match(err.message, /^Node\.next\.next\..*nest deeper than 100 levels \(is there a cycle\?\)$/);
        return true;
      },
    );
  });
});

describe('extra fields and printing', () => {
  it('an extra field is printed', () => {
    const s = Server.partial({ host: 'h1', vcpus: 4 });
    assert.match(inspect(s), /summary: 'h1\/4'/);
  });
  it('an extra field is never serialized', () => {
    const s = Server.partial({ host: 'h1', vcpus: 4 });
    const data = s.toPrimitive()['versioned_object.data'] as object;
    assert.deepEqual(Object.keys(data).sort(), ['host', 'vcpus']);
    assert.doesNotMatch(JSON.stringify(s), /summary/);
  });
  it('prints name@version and the set fields only', () => {
    const shown = String(Disk.create({ size: 5 }));
    assert.equal(shown, 'Disk@1.0 { size: 5 }');
  });
  it('prints children with their own name@version', () => {
    assert.match(inspect(Server.partial({ root: Disk.create({ size: 5 }) })), /root: Disk@1\.0 \{ size: 5 \}/);
  });
  it('prints a cycle without recursing forever', () => {
    const a = Node.create({ name: 'a' });
    a.next = a;
    assert.match(inspect(a, { depth: 10 }), /Node@1\.0/);
  });
  it('JSON.stringify(obj) gives the envelope', () => {
    const d = Disk.create({ size: 5 });
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d.toPrimitive());
  });
});

describe('name and version', () => {
  it("an instance speaks its class's name and version", () => {
    const s = new Server();
    assert.equal(s.objName, 'Server');
    assert.equal(s.objVersion, '1.3');
  });
});
