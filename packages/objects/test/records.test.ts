// The record checks every package shares: a record is any non-null, non-array object; a plain object is a
// record JSON could have made (its prototype Object.prototype or null).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defineOwn, isPlainObject, isRecord } from '../src/internal.js';

it('isRecord and isPlainObject tell JSON objects, class instances, arrays and scalars apart (randomized)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const parsed = JSON.parse(JSON.stringify(value)) as unknown;
      const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
      assert.equal(isRecord(parsed), isObject);
      assert.equal(isPlainObject(parsed), isObject);
    }),
  );
  for (const instance of [new Date(0), new Map(), new (class Thing {})(), /x/]) {
    assert.equal(isRecord(instance), true);
    assert.equal(isPlainObject(instance), false);
  }
  assert.equal(isPlainObject(Object.create(null)), true);
  for (const other of [null, undefined, [], [1], 'x', 1, true, () => 1]) {
    assert.equal(isRecord(other), false);
    assert.equal(isPlainObject(other), false);
  }
});

it('defineOwn makes `__proto__` an own key, never the prototype', () => {
  const out: Record<string, unknown> = {};
  defineOwn(out, '__proto__', { polluted: true });
  defineOwn(out, 'a', 1);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
