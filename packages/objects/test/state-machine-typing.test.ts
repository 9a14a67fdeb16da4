import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '../src/index.js';

// Compiling this file is the test: the states are inferred from the keys of the transitions, even when
// some state (`creating`) has no transition into it, so the decorator accepts the property's union type.
const TRANSITIONS = { creating: ['available'], available: ['deleting'], deleting: [] } as const;
type Status = keyof typeof TRANSITIONS;

@versionedObject({ name: 'Typed', version: '1.0', registry: new ObjectRegistry() })
class Typed extends VersionedObject {
  @field(f.stateMachine(TRANSITIONS)) declare status: Status;
}

test('a state machine typed from `as const` transitions accepts its states and enforces its moves', () => {
  const t = Typed.create({ status: 'creating' });
  t.status = 'available';
  assert.throws(() => (t.status = 'creating'), { code: 'invalid_value' });
});
