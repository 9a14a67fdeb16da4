// Legacy (experimentalDecorators) and standard (TC39) decorators on the same classes: the same metadata, the
// same envelopes, each mode decoding the other's. This file and ./twins.ts are compiled with standard
// decorators and without emitDecoratorMetadata (./tsconfig.json); ../fixtures/twins.ts with the package's
// legacy settings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ObjectRegistry, VersionedObject, f, field, metaOf, versionedObject, type ObjectMeta } from '../../src/index.js';
import * as legacy from '../fixtures/twins.js';
import * as standard from './twins.js';

const UUID = fc.uuid({ version: 4 });
const DATE = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));

/** Everything the decorators decide about a class, in a comparable form. */
function described(meta: ObjectMeta): unknown {
  return {
    name: meta.name,
    version: meta.version,
    fields: meta.fields.map((d) => ({
      name: d.name,
      expected: d.type.expected,
      nullable: d.nullable,
      readOnly: d.readOnly,
      hasDefault: d.hasDefault,
      default: d.hasDefault ? d.makeDefault() : undefined,
      objectTarget: d.objectTarget,
    })),
    extraFields: meta.extraFields,
    // Standard decorators apply static members first: the order is not part of a class (the fingerprint sorts).
    remotables: [...meta.remotables].sort((a, b) => a.name.localeCompare(b.name)),
    history: JSON.parse(JSON.stringify(meta.history, (_k, v) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v))),
  };
}

const attachment = fc.record({ id: UUID, mountpoint: fc.string({ maxLength: 8 }), attached_at: fc.option(DATE) }, { requiredKeys: ['id'] });
const volume = fc.record(
  {
    id: UUID,
    name: fc.string({ maxLength: 8 }),
    description: fc.option(fc.string({ maxLength: 8 })),
    size: fc.integer({ min: -5, max: 1 << 20 }),
    status: fc.constantFrom('available', 'in-use', 'error'),
    metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
    tags: fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 3 }),
    bootable: fc.boolean(),
    attachments: fc.array(attachment, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
type VolumeInit = typeof volume extends fc.Arbitrary<infer V> ? V : never;

function build(mod: typeof legacy | typeof standard, init: VolumeInit, reset: boolean): VersionedObject {
  const { attachments, tags, ...rest } = init;
  const values: Record<string, unknown> = { ...rest };
  if (tags) values.tags = new Set(tags);
  if (attachments) values.attachments = attachments.map((a) => mod.TwinAttachment.create(a as never));
  const v = mod.TwinVolume.create(values as never);
  if (reset) v.resetChanges(['size', 'name']);
  return v;
}

describe('decorator modes: legacy and standard side by side', () => {
  it('give the same metadata: fields, defaults, extra fields, remotables, history', () => {
    const pairs = [
      ['TwinAttachment', standard.TwinAttachment, legacy.TwinAttachment],
      ['TwinVolume', standard.TwinVolume, legacy.TwinVolume],
      ['TwinVolumeList', standard.TwinVolumeList, legacy.TwinVolumeList],
    ] as const;
    for (const [name, ours, theirs] of pairs) assert.deepEqual(described(metaOf(ours)), described(metaOf(theirs)), name);
  });

  it('give identical envelopes at every version, and each decodes the other', () => {
    fc.assert(
      fc.property(volume, fc.boolean(), fc.constantFrom(undefined, '1.0', '1.1', '1.2'), (init, reset, targetVersion) => {
        const a = build(legacy, init, reset);
        const b = build(standard, init, reset);
        const options = targetVersion ? { targetVersion } : {};
        const envelope = a.toPrimitive(options);
        assert.deepEqual(b.toPrimitive(options), envelope);
        const list = (mod: typeof legacy | typeof standard, v: VersionedObject) =>
          mod.TwinVolumeList.create({ objects: [v] } as never).toPrimitive();
        assert.deepEqual(list(standard, b), list(legacy, a));
        const wire = JSON.parse(JSON.stringify(envelope));
        const intoStandard = standard.TwinVolume.fromPrimitive(wire, { registry: standard.standardRegistry });
        const intoLegacy = legacy.TwinVolume.fromPrimitive(wire, { registry: legacy.legacyRegistry });
        assert.ok(intoStandard instanceof standard.TwinVolume && intoLegacy instanceof legacy.TwinVolume);
        assert.deepEqual(intoStandard.toPrimitive(), intoLegacy.toPrimitive());
        assert.deepEqual([...intoStandard.whatChanged()].sort(), [...intoLegacy.whatChanged()].sort());
      }),
      { numRuns: 150 },
    );
  });

  it('standard accessors coerce and check on assignment as the legacy ones do', () => {
    for (const mod of [legacy, standard]) {
      const v = mod.TwinVolume.create({ size: '3' } as never);
      assert.equal(v.size, 3);
      assert.throws(() => ((v as { size: unknown }).size = 'x'), { code: 'invalid_value', message: /^TwinVolume\.size: / });
      assert.throws(() => v.name, { code: 'not_lazy_loadable' });
      v.name = 'n';
      assert.equal(v.label, 'n (3 GB)');
    }
  });
});

describe('standard decorators: what the class decorator refuses, and what it does not do', () => {
  it('a plain field is refused with what to write instead (either mode)', () => {
    assert.throws(
      () => {
        @versionedObject({ name: 'PlainField', version: '1.0', registry: new ObjectRegistry() })
        class PlainField extends VersionedObject {
          @(field(f.string()) as unknown as (value: undefined, context: ClassFieldDecoratorContext) => void) name!: string;
        }
        return PlainField;
      },
      {
        code: 'registration',
        message:
          /^@field\(\) on name: standard decorators apply to `accessor name: T`, not to a plain field \(`name`\); with experimentalDecorators: true, decorate `declare name: T`/,
      },
    );
  });

  it('fields on a class without @versionedObject() are refused when the next class is decorated', () => {
    class Undecorated extends VersionedObject {
      @field(f.string()) accessor name!: string;
    }
    assert.throws(
      () => {
        @versionedObject({ name: 'After', version: '1.0', registry: new ObjectRegistry() })
        class After extends VersionedObject {}
        return After;
      },
      {
        code: 'registration',
        message: /@field\(\) on name: the accessor is not a member of After: every class that declares fields needs @versionedObject\(\)/,
      },
    );
    assert.ok(Undecorated);
  });

  it('decorating constructs no instance: a constructor with side effects runs only for the objects the program makes', () => {
    let constructed = 0;
    @versionedObject({ name: 'Counted', version: '1.0', registry: new ObjectRegistry() })
    class Counted extends VersionedObject {
      @field(f.integer()) accessor size!: number;
      constructor(init?: Record<string, unknown>) {
        super(init);
        constructed++;
      }
    }
    assert.equal(constructed, 0);
    assert.equal(Counted.create({ size: 2 }).toPrimitive()['versioned_object.data'] instanceof Object, true);
    assert.equal(constructed, 1);
  });
});
