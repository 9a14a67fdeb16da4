// Where an object keeps its state: field values in null-prototype storage (a polluted Object.prototype is never
// a value), internal state in private fields (nothing enumerable but what the user set), `then` never a field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '../src/index.js';

const registry = new ObjectRegistry();

@versionedObject({ name: 'Stored', version: '1.0', registry })
class Stored extends VersionedObject {
  @field(f.integer()) declare size: number;
  @field(f.string()) declare name: string;
  @field(f.string(), { nullable: true }) declare status: string | null;
  @field(f.list(f.string())) declare tags: string[];
}
const FIELDS = ['size', 'name', 'status', 'tags'] as const;

/** Run `fn` with `Object.prototype` carrying `names` (as prototype pollution would leave it), then clean up. */
function polluted<T>(names: readonly string[], fn: () => T): T {
  const added = names.filter((n) => !Object.hasOwn(Object.prototype, n));
  for (const n of added) Object.defineProperty(Object.prototype, n, { value: 5, configurable: true, writable: true, enumerable: true });
  try {
    return fn();
  } finally {
    for (const n of added) delete (Object.prototype as Record<string, unknown>)[n];
  }
}

describe('field storage', () => {
  it('a polluted Object.prototype is not a value: isSet, the envelope, clone and decode see only what was set', () => {
    fc.assert(
      fc.property(fc.subarray([...FIELDS]), fc.subarray([...FIELDS]), (pollute, set) => {
        const init: Record<string, unknown> = {};
        for (const name of set) init[name] = name === 'size' ? 1 : name === 'tags' ? ['a'] : 'x';
        polluted(pollute, () => {
          const obj = Stored.create(init as never);
          for (const name of FIELDS) assert.equal(obj.isSet(name), set.includes(name), name);
          const envelope = obj.toPrimitive();
          const data = envelope['versioned_object.data'] as Record<string, unknown>;
          assert.deepEqual(Object.keys(data).sort(), [...set].sort());
          for (const copy of [obj.clone(), Stored.fromPrimitive(JSON.parse(JSON.stringify(envelope)), { registry })]) {
            for (const name of FIELDS) assert.equal(copy.isSet(name), set.includes(name), name);
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('internal state is not enumerable: Object.keys, a spread and for...in own keys show nothing the user did not set', () => {
    const obj = Stored.partial({ size: 1, name: 'n' });
    obj.resetChanges();
    obj.tags = ['t'];
    assert.deepEqual(Object.keys(obj), []);
    assert.deepEqual(Object.getOwnPropertyNames(obj), []);
    assert.deepEqual(Object.getOwnPropertySymbols(obj), []);
    assert.deepEqual({ ...obj }, {});
    assert.ok(!JSON.stringify(obj).includes('$'));
    // The state is still there, behind the accessors.
    assert.deepEqual([...obj.whatChanged()], ['tags']);
  });

  it('refuses a field named `then`, and awaiting an object gives the object', async () => {
    class Thenable extends VersionedObject {}
    field(f.string())(Thenable.prototype as never, 'then');
    assert.throws(() => versionedObject({ name: 'Thenable', version: '1.0', registry: new ObjectRegistry() })(Thenable), {
      code: 'registration',
      message: /field name "then" is reserved/,
    });
    const obj = Stored.partial({ size: 2 });
    assert.equal(await obj, obj);
    assert.equal(await Promise.resolve(obj), obj);
  });
});
