import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import {
  DEFAULT_NAMESPACE,
  DEFAULT_SERIAL_NAMESPACE,
  ObjectRegistry,
  VersionedObject,
  f,
  field,
  isVersionedError,
  metaOf,
  versionedObject,
} from '../src/index.js';

/** Run a class definition that must be refused at decoration time; return the error. */
function refused(define: () => void): { code: string; message: string } {
  try {
    define();
  } catch (err) {
    assert.ok(isVersionedError(err), `expected a VersionedError, got ${String(err)}`);
    return err;
  }
  assert.fail('the class definition was accepted');
}

describe('@versionedObject: name and version', () => {
  it('uses the class name as the wire name unless a name is given', () => {
    const registry = new ObjectRegistry();
    @versionedObject({ version: '1.0', registry })
    class Volume extends VersionedObject {}
    @versionedObject({ name: 'Snapshot', version: '1.0', registry })
    class SnapshotImpl extends VersionedObject {}
    assert.equal(Volume.objName, 'Volume');
    assert.equal(SnapshotImpl.objName, 'Snapshot');
    assert.deepEqual(registry.names(), ['Snapshot', 'Volume']);
  });

  it('accepts X.Y and X.Y.Z versions', () => {
    const registry = new ObjectRegistry();
    @versionedObject({ name: 'A', version: '1.12', registry })
    class A extends VersionedObject {}
    @versionedObject({ name: 'B', version: '2.0.3', registry })
    class B extends VersionedObject {}
    assert.equal(A.objVersion, '1.12');
    assert.equal(new B().objVersion, '2.0.3');
  });

  for (const version of ['1', '1.', '1.0.0.0', 'v1.0', '01.0', '1.01', '-1.0', '1.0 ', '', 'one.two']) {
    it(`rejects the version ${JSON.stringify(version)} with code 'registration'`, () => {
      const err = refused(() => {
        @versionedObject({ name: 'BadVersion', version, registry: new ObjectRegistry() })
        class BadVersion extends VersionedObject {}
        void BadVersion;
      });
      assert.equal(err.code, 'registration');
      assert.match(err.message, /BadVersion: version must be "X\.Y" or "X\.Y\.Z"/);
    });
  }

  it('defaults the project namespace to "versionedobjects" and the serial namespace to "versioned_object"', () => {
    @versionedObject({ name: 'Plain', version: '1.0', registry: new ObjectRegistry() })
    class Plain extends VersionedObject {}
    const meta = metaOf(Plain);
    assert.equal(meta.namespace, DEFAULT_NAMESPACE);
    assert.equal(meta.namespace, 'versionedobjects');
    assert.equal(meta.serialNamespace, DEFAULT_SERIAL_NAMESPACE);
    assert.deepEqual(Object.keys(new Plain().toPrimitive()), [
      'versioned_object.name',
      'versioned_object.namespace',
      'versioned_object.version',
      'versioned_object.data',
    ]);
  });

  it('puts the project namespace in the envelope and the serial namespace in its keys (Nova style)', () => {
    @versionedObject({
      name: 'Instance',
      version: '2.7',
      namespace: 'nova',
      serialNamespace: 'nova_object',
      registry: new ObjectRegistry(),
    })
    class Instance extends VersionedObject {
      @field(f.string()) declare host: string;
    }
    assert.deepEqual(Instance.create({ host: 'c1' }).toPrimitive(), {
      'nova_object.name': 'Instance',
      'nova_object.namespace': 'nova',
      'nova_object.version': '2.7',
      'nova_object.data': { host: 'c1' },
      'nova_object.changes': ['host'],
    });
  });

  it('refuses a second version of a name in another namespace', () => {
    const registry = new ObjectRegistry();
    @versionedObject({ name: 'Split', version: '1.0', namespace: 'a', registry })
    class SplitV1 extends VersionedObject {}
    void SplitV1;
    const err = refused(() => {
      @versionedObject({ name: 'Split', version: '1.1', namespace: 'b', registry })
      class SplitV2 extends VersionedObject {}
      void SplitV2;
    });
    assert.equal(err.code, 'registration');
    assert.match(err.message, /Split 1\.1 is in namespace b/);
  });

  it('registers nowhere with registry: false', () => {
    @versionedObject({ name: 'Unlisted', version: '1.0', registry: false })
    class Unlisted extends VersionedObject {
      @field(f.integer()) declare n: number;
    }
    assert.equal(Unlisted.create({ n: 1 }).n, 1);
  });
});

describe('@versionedObject: fields', () => {
  it('inherits the fields of a decorated parent class, parent fields first', () => {
    const registry = new ObjectRegistry();
    @versionedObject({ name: 'Base', version: '1.0', registry })
    class Base extends VersionedObject {
      @field(f.uuid()) declare id: string;
    }
    @versionedObject({ name: 'Derived', version: '1.0', registry })
    class Derived extends Base {
      @field(f.string()) declare label: string;
    }
    const meta = metaOf(Derived);
    assert.deepEqual(
      meta.fields.map((d) => d.name),
      ['id', 'label'],
    );
    assert.equal(meta.parent?.name, 'Base');
    assert.deepEqual(
      metaOf(Base).fields.map((d) => d.name),
      ['id'],
    );
    const d = Derived.create({ id: '6F1C1B7E-0E2B-4F6A-9D1E-2B3C4D5E6F70', label: 'x' });
    assert.equal(d.id, '6f1c1b7e-0e2b-4f6a-9d1e-2b3c4d5e6f70');
  });

  it('inherits fields through an undecorated intermediate class', () => {
    abstract class WithOwner extends VersionedObject {
      @field(f.string()) declare owner: string;
    }
    @versionedObject({ name: 'Owned', version: '1.0', registry: new ObjectRegistry() })
    class Owned extends WithOwner {
      @field(f.integer()) declare size: number;
    }
    assert.deepEqual(
      metaOf(Owned).fields.map((d) => d.name),
      ['owner', 'size'],
    );
  });

  it('lets a subclass redeclare an inherited field with another type', () => {
    const registry = new ObjectRegistry();
    @versionedObject({ name: 'Loose', version: '1.0', registry })
    class Loose extends VersionedObject {
      @field(f.string()) declare ref: string;
    }
    @versionedObject({ name: 'Strict', version: '1.0', registry })
    class Strict extends Loose {
      @field(f.uuid()) declare ref: string;
    }
    assert.equal(Loose.create({ ref: 'anything' }).ref, 'anything');
    assert.throws(() => Strict.create({ ref: 'anything' }), { code: 'invalid_value' });
  });

  for (const reserved of ['update', 'clone', 'toPrimitive', 'objName', 'whatChanged', 'toString', 'hasOwnProperty', 'constructor']) {
    it(`refuses the field name ${reserved}, taken by a method or property`, () => {
      const err = refused(() => {
        class Clash extends VersionedObject {}
        field(f.string())(Clash.prototype as never, reserved);
        versionedObject({ name: 'Clash', version: '1.0', registry: new ObjectRegistry() })(Clash);
      });
      assert.equal(err.code, 'registration');
      assert.match(err.message, new RegExp(`Clash: field name "${reserved}" is taken`));
    });
  }

  it('refuses a field named after a method the class itself defines', () => {
    const err = refused(() => {
      class Resize extends VersionedObject {
        grow(): void {}
      }
      field(f.integer())(Resize.prototype as never, 'grow');
      versionedObject({ name: 'Resize', version: '1.0', registry: new ObjectRegistry() })(Resize);
    });
    assert.match(err.message, /field name "grow" is taken/);
  });

  for (const bad of ['__proto__', 'has-dash', '1st', 'with space', '$dollar']) {
    it(`refuses the field name ${JSON.stringify(bad)}`, () => {
      const err = refused(() => {
        class Odd extends VersionedObject {}
        field(f.string())(Odd.prototype as never, bad);
        versionedObject({ name: 'Odd', version: '1.0', registry: new ObjectRegistry() })(Odd);
      });
      assert.equal(err.code, 'registration');
    });
  }

  it('refuses a class whose instances carry an own property hiding a field (what `size!: number` does under useDefineForClassFields), at its first instance', () => {
    class Shadowed extends VersionedObject {
      @field(f.integer()) declare size: number;
      constructor(init?: Record<string, unknown>) {
        super(init);
        // What TypeScript emits for `size!: number` with useDefineForClassFields: an own data property.
        Object.defineProperty(this, 'size', { value: undefined, writable: true, enumerable: true, configurable: true });
      }
    }
    // Decorating constructs nothing, so it cannot see the property yet.
    versionedObject({ name: 'Shadowed', version: '1.0', registry: new ObjectRegistry() })(Shadowed);
    for (const use of [() => Shadowed.create({ size: 1 }), () => new Shadowed().toPrimitive()]) {
      const err = refused(use);
      assert.equal(err.code, 'registration');
      assert.match(err.message, /Shadowed\.size: an instance property hides the field; declare it as `declare size: T`/);
    }
  });

  it('constructs no instance when decorating: a constructor with side effects does not run at import', () => {
    let constructed = 0;
    @versionedObject({ name: 'SideEffects', version: '1.0', registry: new ObjectRegistry() })
    class SideEffects extends VersionedObject {
      @field(f.integer()) declare size: number;
      constructor(init?: Record<string, unknown>) {
        super(init);
        constructed++;
      }
    }
    assert.equal(constructed, 0);
    SideEffects.create({ size: 1 });
    assert.equal(constructed, 1);
  });

  it('refuses `size!: number` as TypeScript really emits it with useDefineForClassFields, and accepts `declare size: number`', async () => {
    const compile = (declaration: string): string =>
      ts.transpileModule(
        `import { ObjectRegistry, VersionedObject, f, field, versionedObject } from ${JSON.stringify(new URL('../src/index.js', import.meta.url).href)};
         @versionedObject({ name: 'Compiled', version: '1.0', registry: new ObjectRegistry() })
         export class Compiled extends VersionedObject {
           @field(f.integer()) ${declaration};
         }`,
        {
          compilerOptions: {
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.ESNext,
            experimentalDecorators: true,
            useDefineForClassFields: true,
          },
        },
      ).outputText;
    const dir = mkdtempSync(join(tmpdir(), 'versioned-shadow-'));
    const load = (file: string, code: string): Promise<{ Compiled: new (init?: object) => { size: number } }> => {
      writeFileSync(join(dir, file), code);
      return import(pathToFileURL(join(dir, file)).href);
    };
    try {
      const shadowed = await load('shadowed.mjs', compile('size!: number'));
      assert.throws(() => (shadowed.Compiled as unknown as { create(init: object): unknown }).create({ size: 3 }), {
        code: 'registration',
        message: /^Compiled\.size: an instance property hides the field; declare it as `declare size: T`/,
      });
      const { Compiled } = await load('declared.mjs', compile('declare size: number'));
      assert.equal(new Compiled({ size: '3' }).size, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts own instance properties that are not fields', () => {
    @versionedObject({ name: 'WithCache', version: '1.0', registry: new ObjectRegistry() })
    class WithCache extends VersionedObject {
      @field(f.integer()) declare size: number;
      cache = new Map<string, number>();
    }
    const w = WithCache.partial({ size: 2 });
    assert.equal(w.size, 2);
    assert.deepEqual(Object.keys(w.toPrimitive()['versioned_object.data'] as object), ['size']);
  });
});

describe('@versionedObject: registration', () => {
  it('refuses a second class under the same name and version', () => {
    const registry = new ObjectRegistry();
    @versionedObject({ name: 'Dup', version: '1.0', registry })
    class Dup1 extends VersionedObject {}
    void Dup1;
    const err = refused(() => {
      @versionedObject({ name: 'Dup', version: '1.0', registry })
      class Dup2 extends VersionedObject {}
      void Dup2;
    });
    assert.equal(err.code, 'registration');
    assert.match(err.message, /Dup 1\.0 is already registered \(pass replace: true/);
  });

  it('replaces the registered class with replace: true', () => {
    const registry = new ObjectRegistry();
    @versionedObject({ name: 'Dup', version: '1.0', registry })
    class Dup1 extends VersionedObject {}
    @versionedObject({ name: 'Dup', version: '1.0', registry, replace: true })
    class Dup2 extends VersionedObject {}
    const decoded = registry.fromPrimitive(new Dup1().toPrimitive());
    assert.ok(decoded instanceof Dup2);
    assert.deepEqual(registry.versions('Dup'), ['1.0']);
  });

  it('keeps several versions of one name side by side', () => {
    const registry = new ObjectRegistry();
    @versionedObject({ name: 'Multi', version: '1.0', registry })
    class MultiV10 extends VersionedObject {}
    @versionedObject({ name: 'Multi', version: '1.1', registry })
    class MultiV11 extends VersionedObject {}
    void MultiV10;
    void MultiV11;
    assert.deepEqual(registry.versions('Multi'), ['1.1', '1.0']);
    assert.equal(registry.newest('Multi').version, '1.1');
  });

  it('says which class is not decorated when its metadata is asked for', () => {
    class Bare extends VersionedObject {}
    assert.throws(() => metaOf(Bare), { code: 'registration', message: /Bare is not decorated with @versionedObject\(\)/ });
    assert.throws(() => new Bare().toPrimitive(), { code: 'registration' });
  });
});
