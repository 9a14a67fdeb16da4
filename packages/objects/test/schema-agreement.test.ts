// "Valid by the schema of version V" and "decodes at V" (strict) are the same set: a property over valid
// envelopes of every field type and of a class with a history, mutated at random spots with edge values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isVersionedError, type ObjectRegistry } from '../src/index.js';
import { SchemaValidator } from '../src/schema.js';
import { everythingArb, registry } from './support/model.js';
import { EDGE_NUMBERS, EDGE_STRINGS, TWEAKS, copy, historyRegistry, mutate, mutation, runSeed, treePrimitive } from './support/hostile.js';

const NS = 'versioned_object';
const everythingPrimitive = everythingArb.map((obj) => JSON.parse(JSON.stringify(obj.toPrimitive())) as Record<string, unknown>);

/** Whether strict decoding reads `input`; anything but a VersionedError fails the test. */
function decodes(reg: ObjectRegistry, input: unknown): { ok: boolean; why: string } {
  try {
    reg.fromPrimitive(input, { strict: true });
    return { ok: true, why: 'decodes' };
  } catch (err) {
    if (!isVersionedError(err)) throw new assert.AssertionError({ message: `the decoder threw ${(err as Error)?.stack ?? String(err)}` });
    return { ok: false, why: err.message };
  }
}

const verdicts = { valid: 0, invalid: 0 };

function agree(reg: ObjectRegistry, validator: SchemaValidator, input: unknown): void {
  const decoded = decodes(reg, input);
  verdicts[decoded.ok ? 'valid' : 'invalid']++;
  const result = validator.validate(input);
  const issues = result.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  assert.equal(
    result.valid,
    decoded.ok,
    `the validator says ${result.valid ? 'valid' : `invalid (${issues})`}, the decoder: ${decoded.why}\ninput: ${JSON.stringify(input)}`,
  );
}

const SEED = runSeed();
const check = (property: fc.IPropertyWithHooks<[unknown, ...unknown[]]> | fc.IProperty<never>, numRuns: number): void => {
  const details = fc.check(property as fc.IProperty<unknown[]>, { seed: SEED, numRuns });
  if (details.failed) {
    throw new assert.AssertionError({ message: `${fc.defaultReportMessage(details)}\n(replay with HOSTILE_SEED=${SEED})` });
  }
};

describe(`the schema and strict decoding accept the same inputs (seed ${SEED})`, () => {
  for (const [what, reg, arb] of [
    ['every field type', registry, everythingPrimitive],
    ['a class with a history, at every version', historyRegistry, treePrimitive],
  ] as const) {
    const validator = new SchemaValidator(reg);
    it(`${what}: valid envelopes are valid and decode`, () => {
      check(
        fc.property(arb, (p) => agree(reg, validator, p)),
        300,
      );
    });
    it(`${what}: every field, every edge value and every tweak of sampled valid values`, () => {
      let compared = 0;
      for (const p of fc.sample(arb, { seed: SEED, numRuns: 6 })) {
        const data = p[`${NS}.data`] as Record<string, unknown>;
        for (const [name, value] of Object.entries(data)) {
          const candidates: unknown[] = [...EDGE_STRINGS, ...EDGE_NUMBERS, null, [], {}];
          if (typeof value === 'string' || typeof value === 'number') candidates.push(...TWEAKS.map((t) => t(value)));
          if (Array.isArray(value) && value.length > 0) candidates.push([...value, value[0]], [value[0], null]);
          for (const candidate of candidates) {
            const input = copy(p);
            (input[`${NS}.data`] as Record<string, unknown>)[name] = candidate;
            agree(reg, validator, input);
            compared++;
          }
        }
      }
      assert.ok(compared > 1000, `${compared} comparisons`);
    });
    it(`${what}: one mutation`, () => {
      verdicts.valid = verdicts.invalid = 0;
      check(
        fc.property(arb, mutation, (p, m) => agree(reg, validator, mutate(p, m).root)),
        2000,
      );
      // Both verdicts must be common, or the agreement proves little.
      assert.ok(verdicts.valid > 300 && verdicts.invalid > 300, JSON.stringify(verdicts));
    });
    it(`${what}: several mutations`, () => {
      check(
        fc.property(arb, fc.array(mutation, { minLength: 2, maxLength: 5 }), (p, ms) => {
          let root: unknown = p;
          for (const m of ms) root = mutate(root, m).root;
          agree(reg, validator, root);
        }),
        1000,
      );
    });
  }
});

describe('the findings of issue 19: validator and decoder agree', () => {
  const validator = new SchemaValidator(historyRegistry);
  const tree = (data: Record<string, unknown>, version = '1.3', extra: Record<string, unknown> = {}) => ({
    [`${NS}.name`]: 'Tree',
    [`${NS}.namespace`]: 'versionedobjects',
    [`${NS}.version`]: version,
    [`${NS}.data`]: data,
    ...extra,
  });
  const leaf = (version: string, data: Record<string, unknown> = {}) => ({
    [`${NS}.name`]: 'Leaf',
    [`${NS}.namespace`]: 'versionedobjects',
    [`${NS}.version`]: version,
    [`${NS}.data`]: data,
  });
  const cases: [string, unknown, boolean][] = [
    ['an integer above 2^53', tree({ count: 2 ** 53 + 2 }), false],
    ['the largest safe integer', tree({ count: 2 ** 53 - 1 }), true],
    ['a decimal string for an integer, as oslo reads it', tree({ count: '12' }), true],
    ['a negative decimal string for a non-negative integer', tree({ count: '-1' }), false],
    ['a urn:uuid: UUID', tree({ id: 'urn:uuid:0b8a1d6e-3c55-4c1e-9a47-5f0f6c1e2a01' }), false],
    ['an upper-case UUID', tree({ id: '0B8A1D6E-3C55-4C1E-9A47-5F0F6C1E2A01' }), true],
    ['a leap second', tree({ planted: '2016-12-31T23:59:60Z' }), false],
    ['a tab between date and time', tree({ planted: '2021-03-04\t05:06:07Z' }), false],
    ['year 0000', tree({ planted: '0000-01-01T00:00:00Z' }), false],
    ['an offset that pushes the year past 9999', tree({ planted: '9999-12-31T23:59:59-01:00' }), false],
    ['a date-time without an offset (UTC, as oslo reads it)', tree({ planted: '2021-03-04T05:06:07' }), true],
    ['an IPv6 network in an IPv4 network field', tree({ subnet: 'fe80::/10' }), false],
    ['an IPv4 prefix of 33', tree({ subnet: '1.2.3.4/33' }), false],
    ['an IPv4 address without a prefix (a /32)', tree({ subnet: '1.2.3.4' }), true],
    ['a removed field at a version that had it', tree({ legacy: { anything: [1] } }, '1.1'), true],
    ['a removed field after its removal', tree({ legacy: 1 }, '1.2'), false],
    ['a field from a later version', tree({ planted: '2021-03-04T05:06:07Z' }, '1.0'), false],
    ['duplicate changes', tree({ count: 1 }, '1.3', { [`${NS}.changes`]: ['count', 'count'] }), false],
    ['an unknown envelope key', tree({}, '1.3', { [`${NS}.extra`]: 1 }), false],
    ['a child at the version the relationships give', tree({ leaf: leaf('1.0') }, '1.1'), true],
    // A manifest moves a child independently of the relationships (oslo's obj_make_compatible_from_manifest):
    // the receiver reads any version its registry reads.
    ['a child at another version than the relationships give (a manifest moved it)', tree({ leaf: leaf('1.1') }, '1.1'), true],
    ['a child at a version the registry does not read', tree({ leaf: leaf('1.9') }, '1.1'), false],
    ['null for a list with a default (read as the default)', tree({ leaves: null }), true],
    [
      'a set with two equal instants (collapsed, as oslo collapses a set)',
      tree({ seasons: ['2021-03-04T05:06:07Z', '2021-03-04T05:06:07+00:00'] }),
      true,
    ],
    ['a revision of a declared version', tree({ count: 1 }, '1.2.7'), true],
    ['a version newer than the class', tree({}, '1.4'), false],
  ];
  for (const [what, input, valid] of cases) {
    it(`${what}: ${valid ? 'valid and decodes' : 'invalid and refused'}`, () => {
      assert.equal(decodes(historyRegistry, input).ok, valid, decodes(historyRegistry, input).why);
      assert.equal(validator.validate(input).valid, valid, JSON.stringify(validator.validate(input).issues));
    });
  }
});
