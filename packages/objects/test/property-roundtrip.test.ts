import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type VersionedObject, isVersionedObject, metaOf } from '../src/index.js';
import { Everything, everythingArb, fieldInputs, partArb, registry } from './support/model.js';

const NUM_RUNS = 150;

/** A field value in comparable form: child objects as their primitives, everything else as is. */
function comparable(value: unknown): unknown {
  if (isVersionedObject(value)) return (value as VersionedObject).toPrimitive();
  if (Array.isArray(value)) return value.map(comparable);
  if (value instanceof Set || value instanceof Date || value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    Object.defineProperty(out, key, { value: comparable((value as Record<string, unknown>)[key]), enumerable: true });
  return out;
}

function assertSameObject(decoded: VersionedObject, original: VersionedObject): void {
  assert.equal(decoded.constructor, original.constructor);
  const values = (o: VersionedObject) => o as unknown as Record<string, unknown>;
  for (const def of metaOf(original).fields) {
    assert.equal(decoded.isSet(def.name), original.isSet(def.name), `isSet(${def.name})`);
    if (original.isSet(def.name))
      assert.deepStrictEqual(comparable(values(decoded)[def.name]), comparable(values(original)[def.name]), def.name);
  }
  assert.deepStrictEqual(decoded.whatChanged(), original.whatChanged());
}

const throughJson = (obj: VersionedObject): VersionedObject => registry.fromPrimitive(JSON.parse(JSON.stringify(obj.toPrimitive())));

describe('round trip (property)', () => {
  it('every valid object survives toPrimitive -> JSON -> fromPrimitive with equal fields and changes', () => {
    fc.assert(
      fc.property(everythingArb, (obj) => {
        assertSameObject(throughJson(obj), obj);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('re-encoding a decoded object gives the same primitive', () => {
    fc.assert(
      fc.property(everythingArb, (obj) => {
        const primitive = JSON.parse(JSON.stringify(obj.toPrimitive()));
        assert.deepStrictEqual(registry.fromPrimitive(primitive).toPrimitive(), obj.toPrimitive());
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('assignment normalises once: assigning a field its own value changes nothing', () => {
    fc.assert(
      fc.property(everythingArb, (obj) => {
        const copy = obj.clone();
        const values = copy as unknown as Record<string, unknown>;
        for (const def of metaOf(copy).fields)
          if (copy.isSet(def.name as never) && def.type.kind !== 'StateMachine') values[def.name] = values[def.name];
        assert.deepStrictEqual(
          comparable(copy.toPrimitive()['versioned_object.data']),
          comparable(obj.toPrimitive()['versioned_object.data']),
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a clone encodes exactly as the original and shares no child object', () => {
    fc.assert(
      fc.property(everythingArb, (obj) => {
        const copy = obj.clone();
        assert.deepStrictEqual(copy.toPrimitive(), obj.toPrimitive());
        assertSameObject(copy, obj);
        if (obj.isSet('child') && obj.child) assert.notEqual(copy.child, obj.child);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('each field type alone round-trips its normalised value', () => {
    for (const [name, input] of Object.entries(fieldInputs)) {
      fc.assert(
        fc.property(input, (raw) => {
          const obj = new Everything();
          (obj as unknown as Record<string, unknown>)[name] = raw;
          assertSameObject(throughJson(obj), obj);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('children round-trip on their own too', () => {
    fc.assert(
      fc.property(partArb, (part) => {
        assertSameObject(throughJson(part), part);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
