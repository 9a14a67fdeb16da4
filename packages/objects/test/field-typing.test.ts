// The typing of field names and of create(): each `@ts-expect-error` below is a form tsc -b must refuse (the
// build fails if it compiles), and the lines without one are forms it must accept. At run time the refused
// forms are refused too, so the compile-time check promises nothing the library does not keep.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ObjectRegistry,
  OptionalFields,
  VersionedObject,
  extraField,
  f,
  field,
  versionedObject,
  type CreateFields,
  type FieldName,
} from '../src/index.js';

const registry = new ObjectRegistry();

@versionedObject({ name: 'TypedVolume', version: '1.0', registry })
class TypedVolume extends VersionedObject {
  /** Fields with a default: create() may leave them out. */
  declare [OptionalFields]?: 'status';
  @field(f.uuid()) declare id: string;
  @field(f.integer()) declare size: number;
  @field(f.string(), { nullable: true }) declare description: string | null;
  @field(f.string(), { default: 'available' }) declare status: string;
  @field(f.list(f.string())) declare tags?: string[];

  @extraField()
  get label(): string {
    return `${this.id}:${this.size}`;
  }

  describe(): string {
    // Inside the class, `this` is generic: its own fields are accepted by name.
    return this.isSet('description') ? `${this.description}` : '-';
  }
}

const ID = '7b0a0f5e-8d4c-4a55-9a3e-2c1f0e9d8b7a';

/** Type-level equality, for the field-name set. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const namesAreTheFields: Equal<FieldName<TypedVolume>, 'id' | 'size' | 'description' | 'status' | 'tags' | 'label'> = true;
const requiredAreIdAndSize: Equal<
  keyof { [K in keyof CreateFields<TypedVolume> as {} extends Pick<CreateFields<TypedVolume>, K> ? never : K]: 1 },
  'id' | 'size'
> = true;

describe('field-name typing', () => {
  it('create() requires the required fields: not the nullable, optional, defaulted or read-only ones', () => {
    assert.ok(namesAreTheFields && requiredAreIdAndSize);
    const v = TypedVolume.create({ id: ID, size: 1 });
    TypedVolume.create({ id: ID, size: 1, description: null, status: 'in-use', tags: ['a'] });
    // @ts-expect-error size is required
    assert.ok(TypedVolume.create({ id: ID }));
    // @ts-expect-error id and size are required
    assert.ok(TypedVolume.create({}));
    // @ts-expect-error an argument is required
    assert.ok(TypedVolume.create());
    // @ts-expect-error a typo
    assert.throws(() => TypedVolume.create({ id: ID, size: 1, sise: 2 }), { code: 'unknown_field' });
    // @ts-expect-error the wrong type
    assert.throws(() => TypedVolume.create({ id: ID, size: 'x' }), { code: 'invalid_value' });
    // partial() leaves any field unset, and still checks the names.
    assert.equal(TypedVolume.partial({ size: 2 }).isSet('id'), false);
    // @ts-expect-error a typo
    assert.throws(() => TypedVolume.partial({ sise: 2 }), { code: 'unknown_field' });
    assert.equal(v.describe(), '-');
  });

  it('isSet, unset, update, resetChanges and setDefaults take field names', () => {
    const v = TypedVolume.create({ id: ID, size: 1 });
    assert.equal(v.isSet('size'), true);
    // @ts-expect-error a typo
    assert.throws(() => v.isSet('sise'), { code: 'unknown_field' });
    v.update({ size: 3, description: 'd' });
    // @ts-expect-error a typo
    assert.throws(() => v.update({ sise: 3 }), { code: 'unknown_field' });
    // @ts-expect-error the wrong type
    assert.throws(() => v.update({ size: 'big' }), { code: 'invalid_value' });
    v.resetChanges(['size']);
    // @ts-expect-error a typo
    assert.throws(() => v.resetChanges(['sise']), { code: 'unknown_field' });
    v.setDefaults('status');
    // @ts-expect-error a typo
    assert.throws(() => v.setDefaults('statsu'), { code: 'unknown_field' });
    v.unset('description');
    // @ts-expect-error a typo
    assert.throws(() => v.unset('descripton'), { code: 'unknown_field' });
    assert.deepEqual([...v.whatChanged()].sort(), ['id', 'status']);
  });

  it('code that holds any VersionedObject may pass any name', () => {
    const any: VersionedObject = TypedVolume.create({ id: ID, size: 1 });
    const name: string = 'size';
    assert.equal(any.isSet(name), true);
    any.resetChanges([name]);
    assert.equal(any.whatChanged().has('size'), false);
  });
});
