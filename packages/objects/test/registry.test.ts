import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectRegistry, VersionedObject, f, field, isVersionedError, versionedObject, type Primitive } from '../src/index.js';

function envelope(name: string, version: string, data: Record<string, unknown> = {}, namespace = 'versionedobjects'): Primitive {
  return {
    'versioned_object.name': name,
    'versioned_object.namespace': namespace,
    'versioned_object.version': version,
    'versioned_object.data': data,
  };
}

/** A registry holding one empty class per version of `name`; returns the classes by version. */
function registryWith(name: string, versions: string[], namespace?: string): { registry: ObjectRegistry; classes: Map<string, Function> } {
  const registry = new ObjectRegistry();
  const classes = new Map<string, Function>();
  for (const version of versions) {
    class Versioned extends VersionedObject {
      @field(f.integer()) declare n: number;
    }
    versionedObject({ name, version, registry, ...(namespace ? { namespace } : {}) })(Versioned);
    classes.set(version, Versioned);
  }
  return { registry, classes };
}

/** Which registered version decodes an envelope of `incoming`. */
function chosen(registry: ObjectRegistry, classes: Map<string, Function>, incoming: string): string | undefined {
  const obj = registry.fromPrimitive(envelope('Thing', incoming, { n: 1 }));
  return [...classes].find(([, cls]) => obj.constructor === cls)?.[0];
}

describe('ObjectRegistry: version selection', () => {
  const { registry, classes } = registryWith('Thing', ['1.0', '1.2', '1.4', '2.0']);

  it('decodes with the exact registered version when there is one', () => {
    for (const v of ['1.0', '1.2', '1.4', '2.0']) assert.equal(chosen(registry, classes, v), v);
  });
  it('otherwise decodes with the newest class of the same major and a higher minor', () => {
    assert.equal(chosen(registry, classes, '1.1'), '1.4');
    assert.equal(chosen(registry, classes, '1.3'), '1.4');
  });
  it('keeps the wire version on an object decoded by a newer class (objVersion)', () => {
    const obj = registry.fromPrimitive(envelope('Thing', '1.1'));
    assert.equal(obj.objVersion, '1.1');
    assert.equal((obj.constructor as unknown as { objVersion: string }).objVersion, '1.4');
    assert.equal(registry.fromPrimitive(envelope('Thing', '1.4')).objVersion, '1.4');
  });
  it('refuses a newer minor than any registered, naming the supported versions', () => {
    assert.throws(
      () => registry.fromPrimitive(envelope('Thing', '1.5')),
      (err: unknown) => {
        assert.ok(isVersionedError(err, 'incompatible_version'));
        assert.equal(err.message, 'Thing 1.5 cannot be read here: registered versions are 2.0, 1.4, 1.2, 1.0');
        assert.deepEqual(err.details.supported, ['2.0', '1.4', '1.2', '1.0']);
        assert.equal(err.details.newest, '2.0');
        return true;
      },
    );
  });
  it('refuses a major that is not registered, older or newer', () => {
    assert.throws(() => registry.fromPrimitive(envelope('Thing', '3.0')), { code: 'incompatible_version' });
    assert.throws(() => registry.fromPrimitive(envelope('Thing', '0.9')), { code: 'incompatible_version' });
  });
  it('never reads a newer major with an older class', () => {
    assert.throws(() => registryWith('Thing', ['1.9']).registry.lookup('Thing', '2.0'), { code: 'incompatible_version' });
  });
  it('compares versions as integers per part: 1.10 is newer than 1.9', () => {
    const both = registryWith('Thing', ['1.9', '1.10']);
    assert.equal(chosen(both.registry, both.classes, '1.2'), '1.10');
    assert.equal(chosen(both.registry, both.classes, '1.9'), '1.9');
    assert.deepEqual(both.registry.versions('Thing'), ['1.10', '1.9']);
    const old = registryWith('Thing', ['1.9']);
    assert.throws(() => old.registry.fromPrimitive(envelope('Thing', '1.10')), { code: 'incompatible_version' });
    const fresh = registryWith('Thing', ['1.10']);
    assert.equal(chosen(fresh.registry, fresh.classes, '1.9'), '1.10');
  });
  it('handles X.Y.Z: a lower revision is compatible, a higher one is not', () => {
    const r = registryWith('Thing', ['1.2.3']);
    assert.equal(chosen(r.registry, r.classes, '1.2.1'), '1.2.3');
    assert.equal(chosen(r.registry, r.classes, '1.2'), '1.2.3');
    assert.equal(chosen(r.registry, r.classes, '1.1.9'), '1.2.3');
    assert.throws(() => r.registry.fromPrimitive(envelope('Thing', '1.2.4')), { code: 'incompatible_version' });
  });
  it('a class registered later is taken into account by the next lookup', () => {
    const r = registryWith('Thing', ['1.4']);
    assert.equal(r.registry.lookup('Thing', '1.1').version, '1.4');
    class Later extends VersionedObject {}
    versionedObject({ name: 'Thing', version: '1.1', registry: r.registry })(Later);
    assert.equal(r.registry.lookup('Thing', '1.1').version, '1.1');
  });
});

describe('ObjectRegistry: names and namespaces', () => {
  it('refuses an unknown name with unsupported_object', () => {
    const { registry } = registryWith('Thing', ['1.0']);
    assert.throws(() => registry.fromPrimitive(envelope('Other', '1.0')), {
      code: 'unsupported_object',
      message: 'no object named "Other" is registered',
    });
  });
  it('refuses an envelope of another project namespace with foreign_namespace', () => {
    const { registry } = registryWith('Thing', ['1.0'], 'cinder');
    assert.equal(registry.fromPrimitive(envelope('Thing', '1.0', {}, 'cinder')).objName, 'Thing');
    assert.throws(() => registry.fromPrimitive(envelope('Thing', '1.0', {}, 'nova')), {
      code: 'foreign_namespace',
      message: 'Thing belongs to namespace "cinder", not "nova"',
    });
  });
  it('checks the namespace before the version, as oslo does', () => {
    const { registry } = registryWith('Thing', ['1.0']);
    assert.throws(() => registry.fromPrimitive(envelope('Thing', '9.0', {}, 'nova')), { code: 'foreign_namespace' });
  });
  it('reads only envelopes whose keys use a registered serial namespace', () => {
    const registry = new ObjectRegistry();
    class Inst extends VersionedObject {}
    versionedObject({ name: 'Inst', version: '1.0', namespace: 'nova', serialNamespace: 'nova_object', registry })(Inst);
    const nova = { 'nova_object.name': 'Inst', 'nova_object.namespace': 'nova', 'nova_object.version': '1.0', 'nova_object.data': {} };
    assert.ok(registry.fromPrimitive(nova) instanceof Inst);
    assert.deepEqual([...registry.serialNamespaces], ['nova_object']);
    assert.throws(() => registry.fromPrimitive(envelope('Inst', '1.0', {}, 'nova')), {
      code: 'invalid_primitive',
      message: 'expected an object envelope with a "nova_object.name" key',
    });
  });
  it('lists names, versions and the newest class of each name', () => {
    const registry = new ObjectRegistry();
    for (const [name, version] of [
      ['B', '1.0'],
      ['A', '1.1'],
      ['A', '1.0'],
    ] as const) {
      class C extends VersionedObject {}
      versionedObject({ name, version, registry })(C);
    }
    assert.deepEqual(registry.names(), ['A', 'B']);
    assert.deepEqual(registry.versions('A'), ['1.1', '1.0']);
    assert.deepEqual(registry.versions('Z'), []);
    assert.equal(registry.has('A'), true);
    assert.equal(registry.has('Z'), false);
    assert.deepEqual(
      registry.newestClasses().map((m) => `${m.name} ${m.version}`),
      ['A 1.1', 'B 1.0'],
    );
    assert.throws(() => registry.newest('Z'), { code: 'unsupported_object' });
  });
  it('registries are independent of each other', () => {
    const a = registryWith('Thing', ['1.0']).registry;
    const b = new ObjectRegistry();
    assert.throws(() => b.fromPrimitive(envelope('Thing', '1.0')), { code: 'invalid_primitive' });
    assert.equal(a.has('Thing'), true);
  });
});

describe('VersionedObject.fromPrimitive', () => {
  const registry = new ObjectRegistry();
  @versionedObject({ name: 'Volume', version: '1.0', registry })
  class Volume extends VersionedObject {}
  @versionedObject({ name: 'Disk', version: '1.0', registry })
  class Disk extends VersionedObject {}

  it('decodes an envelope of its own class', () => {
    assert.ok(Volume.fromPrimitive(envelope('Volume', '1.0'), { registry }) instanceof Volume);
  });
  it('refuses an envelope of another class, naming both', () => {
    assert.throws(() => Volume.fromPrimitive(envelope('Disk', '1.0'), { registry }), {
      code: 'unsupported_object',
      message: 'Volume: expected a Volume primitive, got a Disk',
    });
    void Disk;
  });
});
