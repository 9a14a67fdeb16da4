// The hostile-input suite: more than 100,000 generated and mutated inputs per run (seeded; the seed is
// printed, and HOSTILE_SEED=<seed> replays a run) through the decoder (lenient and strict), the
// SchemaValidator, the RPC entity serializer and the setters of every field type. It counts what must never
// happen and prints the counts; every count must be zero.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { ObjectSerializer, isVersionedError, type ObjectRegistry, type VersionedObject } from '../src/index.js';
import { SchemaValidator } from '../src/schema.js';
import { type Everything, everythingArb, everythingFields, fieldInputs, registry } from './support/model.js';
import {
  EDGE_NUMBERS,
  EDGE_STRINGS,
  TWEAKS,
  historyRegistry,
  hostileValue,
  mutate,
  mutation,
  runSeed,
  treePrimitive,
} from './support/hostile.js';

const SEED = runSeed();
/** HOSTILE_SCALE=0.1 for a quick run while working (the count check then fails, as it should). */
const SCALE = Number(process.env['HOSTILE_SCALE'] ?? 1);
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));
/** An input slower than this counts as a hang (the decoder answers any of these in well under a millisecond). */
const HANG_MS = 3000;
const NS = 'versioned_object';

const counts = {
  inputs: 0,
  untypedThrows: 0,
  hangs: 0,
  pollutions: 0,
  silentChanges: 0,
  stackTraces: 0,
  disagreements: 0,
  oversizedMessages: 0,
};
type Count = Exclude<keyof typeof counts, 'inputs'>;
const examples: string[] = [];

function record(what: Count, detail: string): void {
  counts[what]++;
  if (examples.length < 10) examples.push(`${what}: ${detail.slice(0, Number(process.env['HOSTILE_EXAMPLE_CHARS'] ?? 600))}`);
}

const PROTO_KEYS = Reflect.ownKeys(Object.prototype).length;
const ARRAY_KEYS = Reflect.ownKeys(Array.prototype).length;
function checkPrototypes(context: string): void {
  const polluted =
    ({} as Record<string, unknown>)['polluted'] !== undefined ||
    Reflect.ownKeys(Object.prototype).length !== PROTO_KEYS ||
    Reflect.ownKeys(Array.prototype).length !== ARRAY_KEYS;
  if (!polluted) return;
  record('pollutions', context);
  for (const key of Reflect.ownKeys(Object.prototype)) if (key === 'polluted') delete (Object.prototype as Record<string, unknown>)[key];
}

/** Run one step: time it, and classify what it threw. Returns the value, or undefined after a typed error. */
function attempt<T>(what: string, input: unknown, fn: () => T): { value?: T; error?: unknown } {
  const start = performance.now();
  try {
    return { value: fn() };
  } catch (err) {
    if (!isVersionedError(err)) record('untypedThrows', `${what}: ${(err as Error)?.stack ?? String(err)} on ${safeJson(input)}`);
    else {
      if (/\n\s+at /.test(err.message)) record('stackTraces', `${what}: ${err.message}`);
      if (err.message.length > 2000) record('oversizedMessages', `${what}: ${err.message.length} characters`);
    }
    return { error: err };
  } finally {
    const ms = performance.now() - start;
    if (ms > HANG_MS) record('hangs', `${what}: ${ms.toFixed(0)} ms on ${safeJson(input)}`);
  }
}

/** A short printable form of any value (BigInts, null prototypes and cycles included). */
function safeJson(value: unknown): string {
  try {
    return (JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? typeof value).slice(
      0,
      Number(process.env['HOSTILE_EXAMPLE_CHARS'] ?? 400),
    );
  } catch {
    return `(${typeof value} that JSON cannot print)`;
  }
}

// CPU time per test, printed with the counts (the wall time depends on what else the machine runs).
const cpu: Record<string, number> = {};
afterEach((t) => {
  cpu[t.name.slice(0, 40)] = Math.round((process.cpuUsage().user - (cpuAtStart ?? 0)) / 1000);
  cpuAtStart = process.cpuUsage().user;
});
let cpuAtStart: number | undefined;

const validators = new Map<ObjectRegistry, SchemaValidator>([
  [registry, new SchemaValidator(registry)],
  [historyRegistry, new SchemaValidator(historyRegistry)],
]);

/** Decode (lenient and strict), validate, compare the verdicts, and re-encode what decoded. */
function decodeAll(reg: ObjectRegistry, input: unknown): void {
  counts.inputs++;
  const validator = validators.get(reg) as SchemaValidator;
  const lenient = attempt('fromPrimitive', input, () => reg.fromPrimitive(input));
  const strict = attempt('fromPrimitive strict', input, () => reg.fromPrimitive(input, { strict: true }));
  const verdict = attempt('validate', input, () => validator.validate(input));
  if (verdict.error !== undefined) record('untypedThrows', `validate threw ${String(verdict.error)}`);
  if (verdict.value && verdict.value.valid !== (strict.value !== undefined)) {
    record(
      'disagreements',
      `validator ${verdict.value.valid ? 'valid' : JSON.stringify(verdict.value.issues[0])}, strict decoder ${strict.value ? 'decodes' : String((strict.error as Error).message)} on ${safeJson(input)}`,
    );
  }
  if (lenient.value) roundTrip(reg, lenient.value, input, strict.value !== undefined);
  checkPrototypes(safeJson(input));
}

/**
 * What decoded must encode and decode again to the same envelope; when the input was valid (decoded
 * strictly), the re-encoding must be valid too.
 */
function roundTrip(reg: ObjectRegistry, obj: VersionedObject, input: unknown, valid = true): void {
  const encoded = attempt('toPrimitive', input, () => JSON.parse(JSON.stringify(obj.toPrimitive())));
  if (!encoded.value) {
    record('silentChanges', `decoded, then failed to encode: ${String((encoded.error as Error)?.message)} on ${safeJson(input)}`);
    return;
  }
  const own = (validators.get(reg) as SchemaValidator).validate(encoded.value);
  if (valid && !own.valid)
    record('silentChanges', `the re-encoding fails its own schema: ${JSON.stringify(own.issues[0])} on ${safeJson(input)}`);
  const again = attempt('fromPrimitive of the re-encoding', encoded.value, () =>
    reg.fromPrimitive(encoded.value, { strict: valid }).toPrimitive(),
  );
  if (!again.value || JSON.stringify(again.value) !== JSON.stringify(encoded.value)) {
    record('silentChanges', `the re-encoding does not decode to itself: ${safeJson(encoded.value)}`);
  }
}

const everythingPrimitive = everythingArb.map((obj) => JSON.parse(JSON.stringify(obj.toPrimitive())) as Record<string, unknown>);
const serializer = new ObjectSerializer({ registry });

function run(property: fc.IProperty<never> | fc.IProperty<[unknown, ...unknown[]]>, numRuns: number): void {
  // The property never fails: it counts. Shrinking is pointless here, the examples say what went wrong.
  const details = fc.check(property as fc.IProperty<unknown[]>, { seed: SEED, numRuns, endOnFailure: true });
  if (details.failed)
    throw new assert.AssertionError({ message: `${fc.defaultReportMessage(details)}\n(replay with HOSTILE_SEED=${SEED})` });
}

/**
 * One assignment of a hostile value to a valid Everything: refused (typed, the field and its change flag
 * untouched) or accepted (and the object still round-trips). Accepted values are valid, so the object stays
 * usable for the next assignment.
 */
function assignHostile(obj: Everything, name: string, value: unknown): void {
  counts.inputs++;
  const before = obj.$values[name];
  const wasChanged = obj.$changes.has(name);
  const assigned = attempt(`assign ${name}`, value, () => {
    (obj as unknown as Record<string, unknown>)[name] = value;
  });
  if (assigned.error !== undefined) {
    if (obj.$values[name] !== before || obj.$changes.has(name) !== wasChanged)
      record('silentChanges', `a refused assignment to ${name} changed the object`);
  } else if (counts.inputs % 5 === 0) roundTrip(registry, obj, value);
  checkPrototypes(`assign ${name} = ${safeJson(value)}`);
}

const scalarFields = everythingFields.filter((name) => name in fieldInputs);

describe(`hostile input: more than 100,000 inputs, every count zero (seed ${SEED}; replay with HOSTILE_SEED=${SEED})`, () => {
  it('mutated envelopes of every field type, through both decoders and the validator', () => {
    run(
      fc.property(everythingPrimitive, fc.array(mutation, { minLength: 1, maxLength: 3 }), (p, ms) => {
        let root: unknown = p;
        for (const m of ms) root = mutate(root, m).root;
        decodeAll(registry, root);
      }),
      runs(1_000),
    );
  });

  it('mutated envelopes of a class with a history, at every version', () => {
    run(
      fc.property(treePrimitive, fc.array(mutation, { minLength: 1, maxLength: 3 }), (p, ms) => {
        let root: unknown = p;
        for (const m of ms) root = mutate(root, m).root;
        decodeAll(historyRegistry, root);
      }),
      runs(7_000),
    );
  });

  it('every field set to every edge value and every tweak of its value', () => {
    for (const p of fc.sample(everythingPrimitive, { seed: SEED, numRuns: 1 })) {
      const data = p[`${NS}.data`] as Record<string, unknown>;
      for (const name of everythingFields) {
        const value = data[name];
        const candidates: unknown[] = [...EDGE_STRINGS, ...EDGE_NUMBERS, null, [], {}, [null], { a: null }];
        if (typeof value === 'string' || typeof value === 'number') candidates.push(...TWEAKS.map((t) => t(value)));
        for (const candidate of candidates) {
          const input = JSON.parse(JSON.stringify(p)) as Record<string, Record<string, unknown>>;
          (input[`${NS}.data`] as Record<string, unknown>)[name] = candidate;
          decodeAll(registry, input);
        }
      }
    }
  });

  it('arbitrary JSON and JavaScript values as envelopes', () => {
    run(
      fc.property(hostileValue, (v) => decodeAll(registry, v)),
      runs(35_000),
    );
    run(
      fc.property(
        fc.anything({
          withMap: true,
          withSet: true,
          withDate: true,
          withNullPrototype: true,
          withSparseArray: true,
          withBoxedValues: true,
          withBigInt: true,
          withTypedArray: true,
        }),
        (v) => decodeAll(registry, v),
      ),
      runs(5_000),
    );
  });

  it('the entity serializer on mutated payloads', () => {
    run(
      fc.property(everythingPrimitive, mutation, hostileValue, (p, m, extra) => {
        counts.inputs++;
        const payload = JSON.parse(JSON.stringify({ args: [mutate(p, m).root, extra], kwargs: { obj: p, nested: [[extra]] } }));
        const decoded = attempt('deserializeEntity', payload, () => serializer.deserializeEntity(payload));
        if (decoded.value !== undefined) {
          const out = attempt('serializeEntity', payload, () => JSON.parse(JSON.stringify(serializer.serializeEntity(decoded.value))));
          const again =
            out.value === undefined
              ? undefined
              : attempt('deserializeEntity again', out.value, () => serializer.serializeEntity(serializer.deserializeEntity(out.value)));
          if (!again?.value || JSON.stringify(again.value) !== JSON.stringify(out.value))
            record('silentChanges', `the serializer round trip changed ${safeJson(payload)}`);
        }
        checkPrototypes(safeJson(payload));
      }),
      runs(1_000),
    );
  });

  it('the setters of every field type, with edge values, tweaks and arbitrary values', () => {
    const bases = fc.sample(everythingArb, { seed: SEED, numRuns: 20 });
    run(
      fc.property(
        fc.nat(bases.length - 1),
        fc.constantFrom(...scalarFields, 'child', 'children', 'childrenByName', 'partList'),
        fc.oneof(
          fc.constantFrom<unknown>(...EDGE_STRINGS, ...EDGE_NUMBERS),
          hostileValue,
          fc.anything({ withMap: true, withSet: true, withDate: true, withBigInt: true }),
        ),
        (i, name, value) => assignHostile(bases[i] as Everything, name, value),
      ),
      runs(60_000),
    );
  });

  it('update() with a bad value among good ones changes nothing', () => {
    const base = fc.sample(everythingArb, { seed: SEED, numRuns: 1 })[0] as Everything;
    run(
      fc.property(fc.record(fieldInputs, { requiredKeys: [] }), fc.constantFrom(...scalarFields), hostileValue, (good, badName, bad) => {
        counts.inputs++;
        const obj = base.clone();
        const before = safeJson(obj.toPrimitive());
        const changes = [...obj.whatChanged()].sort().join();
        const result = attempt('update', bad, () => obj.update({ ...good, [badName]: bad } as never));
        if (result.error !== undefined && (safeJson(obj.toPrimitive()) !== before || [...obj.whatChanged()].sort().join() !== changes)) {
          record('silentChanges', `a refused update() changed the object (bad ${badName} = ${safeJson(bad)})`);
        }
        checkPrototypes(`update ${badName}`);
      }),
      runs(1_000),
    );
  });

  it('a held Date changed in place to no wire form is refused when encoded, with its path', () => {
    const base = fc.sample(
      everythingArb.filter((o) => o.isSet('dateTime')),
      { seed: SEED, numRuns: 1 },
    )[0] as Everything;
    for (const time of [NaN, 8.64e15, -8.64e15, Date.parse('+010000-01-01T00:00:00Z'), Date.parse('0000-12-31T23:59:59Z')]) {
      counts.inputs++;
      const obj = base.clone();
      obj.dateTime.setTime(time);
      const out = attempt('toPrimitive of a changed Date', time, () => obj.toPrimitive());
      assert.ok(isVersionedError(out.error, 'invalid_value'), `setTime(${time}): ${String(out.error ?? 'encoded')}`);
      assert.deepEqual(out.error.path, ['Everything', 'dateTime']);
    }
  });

  it('prints the counts: all zero', () => {
    console.log(`hostile input (seed ${SEED}): ${JSON.stringify(counts)}`);
    console.log(`CPU ms per part: ${JSON.stringify(cpu)}`);
    assert.ok(counts.inputs >= 100_000, `${counts.inputs} inputs`);
    const bad = Object.entries(counts).filter(([k, v]) => k !== 'inputs' && v > 0);
    assert.deepEqual(bad, [], `${examples.join('\n')}\n(replay with HOSTILE_SEED=${SEED})`);
  });
});
