import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ObjectSerializer,
  VersionedObject,
  f,
  field,
  formatPath,
  isVersionedError,
  versionedObject,
  type FromPrimitiveOptions,
  type VersionedError,
} from '../src/index.js';
import { everythingArb, everythingFields, hostileKey, ownRecord, registry } from './support/model.js';
import { mutate, type Mutation } from './support/hostile.js';

const NUM_RUNS = 300;
const NS = 'versioned_object';
const ENVELOPE_KEYS = new Set(['name', 'namespace', 'version', 'data', 'changes'].map((k) => `${NS}.${k}`));

@versionedObject({ name: 'Chain', version: '1.0', registry })
class Chain extends VersionedObject {
  @field(f.object('Chain'), { nullable: true }) declare next: Chain | null;
  @field(f.list(f.integer())) declare numbers: number[];
  @field(f.set(f.string())) declare words: Set<string>;
  @field(f.list(f.list(f.integer()))) declare grid: number[][];
  @field(f.dict(f.string())) declare labels: Record<string, string>;
  @field(f.listOfObjects('Chain')) declare links: Chain[];
}

const PROTOTYPE_KEYS = {
  object: Reflect.ownKeys(Object.prototype).map(String).sort(),
  array: Reflect.ownKeys(Array.prototype).map(String).sort(),
  function: Reflect.ownKeys(Function.prototype).map(String).sort(),
};

function assertPrototypesClean(): void {
  assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'Object.prototype.polluted appeared');
  assert.equal(([] as unknown as { polluted?: unknown }).polluted, undefined);
  assert.deepEqual(Reflect.ownKeys(Object.prototype).map(String).sort(), PROTOTYPE_KEYS.object);
  assert.deepEqual(Reflect.ownKeys(Array.prototype).map(String).sort(), PROTOTYPE_KEYS.array);
  assert.deepEqual(Reflect.ownKeys(Function.prototype).map(String).sort(), PROTOTYPE_KEYS.function);
}

afterEach(assertPrototypesClean);

type Outcome = { decoded: VersionedObject; error?: undefined } | { decoded?: undefined; error: VersionedError };

/**
 * Decode `input`: it must either decode to an object that encodes again to a stable primitive, or fail
 * with a VersionedError whose message starts with its path. Anything else (TypeError, RangeError...) fails.
 */
function decode(input: unknown, options: FromPrimitiveOptions = {}): Outcome {
  let decoded: VersionedObject;
  try {
    decoded = registry.fromPrimitive(input, options);
  } catch (err) {
    if (!isVersionedError(err))
      throw new assert.AssertionError({ message: `expected a VersionedError, got ${(err as Error)?.stack ?? String(err)}` });
    if (err.path.length > 0) assert.ok(err.message.startsWith(`${formatPath(err.path)}: `), `the message names the path: ${err.message}`);
    assert.ok(err.message.length > 0);
    return { error: err };
  }
  const primitive = decoded.toPrimitive();
  const again = registry.fromPrimitive(JSON.parse(JSON.stringify(primitive)));
  assert.deepStrictEqual(again.toPrimitive(), primitive, 'what decodes encodes again to the same primitive');
  return { decoded };
}

function envelope(name: string, data: unknown, version = '1.0'): Record<string, unknown> {
  return { [`${NS}.name`]: name, [`${NS}.namespace`]: 'versionedobjects', [`${NS}.version`]: version, [`${NS}.data`]: data };
}

/** JSON-ish values, with prototype-named keys at any level. */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map((entries) => ownRecord(entries)),
    fc.constantFrom(
      { polluted: true },
      JSON.parse('{"__proto__": {"polluted": true}}'),
      JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
    ),
  ),
})).value;

/** Envelopes with random names, versions, data and changes, keys sometimes missing. */
const randomEnvelope = fc
  .record(
    {
      name: fc.oneof(fc.constantFrom('Everything', 'Part', 'PartList', 'Chain', '__proto__', 'constructor'), hostileJson),
      namespace: fc.oneof(fc.constant('versionedobjects'), hostileJson),
      version: fc.oneof(fc.constantFrom('1.0', '1.2', '1.4', '1.10', '2.0', '1.2.3'), hostileJson),
      data: fc.oneof(
        fc
          .array(
            fc.tuple(
              fc.oneof(fc.constantFrom(...everythingFields, 'next', 'objects', 'numbers', 'labels', 'links'), hostileKey),
              hostileJson,
            ),
            { maxLength: 6 },
          )
          .map((e) => ownRecord(e)),
        hostileJson,
      ),
      changes: fc.oneof(fc.array(fc.oneof(fc.constantFrom(...everythingFields), hostileKey)), hostileJson),
    },
    { requiredKeys: [] },
  )
  .map((parts) => ownRecord(Object.entries(parts).map(([k, v]) => [`${NS}.${k}`, v] as const)));

type PathSegment = string | number;

/** Where a decoding error about a change at `jsonPath` should point: data keys vanish, the path stops at an envelope key. */
function expectedLocation(jsonPath: PathSegment[]): PathSegment[] {
  const out: PathSegment[] = [];
  for (const seg of jsonPath) {
    if (seg === `${NS}.data`) continue;
    if (typeof seg === 'string' && ENVELOPE_KEYS.has(seg)) break;
    out.push(seg);
  }
  return out;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'delete', 'add'),
  at: fc.nat(),
  key: fc.oneof(hostileKey, fc.constantFrom(`${NS}.name`, `${NS}.data`, `${NS}.changes`)),
  value: hostileJson,
  tweak: fc.constant(0),
});

const validPrimitive = everythingArb.map((obj) => JSON.parse(JSON.stringify(obj.toPrimitive())) as Record<string, unknown>);

describe('hostile input (property)', () => {
  it('arbitrary JSON values either decode or fail with a VersionedError', () => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        decode(value);
      }),
      { numRuns: 600 },
    );
  });

  it('arbitrary JS values (Maps, Sets, Dates, null prototypes, sparse arrays) either decode or fail with a VersionedError', () => {
    fc.assert(
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
        (value) => {
          decode(value);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('random envelopes either decode or fail with a VersionedError, strict or not', () => {
    fc.assert(
      fc.property(randomEnvelope, (value) => {
        decode(value);
        decode(value, { strict: true });
      }),
      { numRuns: 600 },
    );
  });

  it('a valid envelope with one mutation decodes or fails with an error on the path of the mutated spot (above it, at it or inside the new value)', () => {
    fc.assert(
      fc.property(validPrimitive, mutation, (primitive, m) => {
        const { root, path } = mutate(primitive, m);
        for (const strict of [false, true]) {
          const { error } = decode(root, { strict });
          if (!error || error.path.length === 0) continue;
          assert.equal(error.path[0], 'Everything', 'the path starts at the outer object');
          const where = error.path.slice(1);
          const expected = expectedLocation(path);
          const common = Math.min(where.length, expected.length);
          assert.deepEqual(
            where.slice(0, common),
            expected.slice(0, common),
            `error at ${formatPath(error.path)} for a mutation at ${JSON.stringify(path)}: ${error.message}`,
          );
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a valid envelope with several mutations decodes or fails with a VersionedError', () => {
    fc.assert(
      fc.property(validPrimitive, fc.array(mutation, { minLength: 2, maxLength: 6 }), (primitive, mutations) => {
        let root: unknown = primitive;
        for (const m of mutations) root = mutate(root, m).root;
        decode(root);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the RPC serializer either decodes mutated payloads or fails with a VersionedError', () => {
    const serializer = new ObjectSerializer({ registry });
    fc.assert(
      fc.property(validPrimitive, mutation, hostileJson, (primitive, m, extra) => {
        const payload = { args: [mutate(primitive, m).root, extra], ['__proto__' as string]: extra };
        try {
          serializer.deserializeEntity(JSON.parse(JSON.stringify(payload)));
        } catch (err) {
          if (!isVersionedError(err)) throw err;
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a cyclic input (not JSON, but a JS caller can pass one) fails with limit_exceeded', () => {
    const data: Record<string, unknown> = {};
    const cyclic = envelope('Chain', data);
    data.next = cyclic;
    data.links = [cyclic];
    assert.equal(decode(cyclic).error?.code, 'limit_exceeded');
  });

  it('prototype-named keys in data and in Dict fields stay plain data', () => {
    const hostile = JSON.parse(
      `{"${NS}.name": "Chain", "${NS}.namespace": "versionedobjects", "${NS}.version": "1.0", "${NS}.changes": ["__proto__", "labels"],
        "${NS}.data": {"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "prototype": 3,
                       "labels": {"__proto__": "x", "constructor": "y", "prototype": "z"}}}`,
    );
    const { decoded } = decode(hostile);
    const chain = decoded as Chain;
    assert.deepEqual(Object.keys(chain.labels), ['__proto__', 'constructor', 'prototype']);
    assert.equal(Object.getPrototypeOf(chain.labels), Object.prototype);
    assert.deepEqual([...chain.whatChanged()], ['labels']);
  });
});

describe('hostile input: size and depth', () => {
  const nested = (depth: number): Record<string, unknown> => {
    let p = envelope('Chain', { next: null });
    for (let i = 1; i < depth; i++) p = envelope('Chain', { next: p });
    return p;
  };

  it('10,000 nested envelopes fail with limit_exceeded at the depth limit, not a stack overflow', () => {
    const { error } = decode(nested(10_000));
    assert.equal(error?.code, 'limit_exceeded');
    assert.deepEqual(error?.path, ['Chain', ...Array(32).fill('next')]);
  });

  it('with a depth limit too large for the call stack, deep nesting still fails with limit_exceeded, not a RangeError', () => {
    const { error } = decode(nested(10_000), { limits: { maxDepth: 1_000_000 } });
    assert.equal(error?.code, 'limit_exceeded');
    assert.match(error?.message ?? '', /nest too deeply for the call stack/);
    assert.throws(() => new ObjectSerializer({ registry, limits: { maxDepth: 1_000_000 } }).deserializeEntity([nested(10_000)]), {
      code: 'limit_exceeded',
    });
  });

  it('10,000 nested envelopes in a list of objects fail the same way', () => {
    let p = envelope('Chain', {});
    for (let i = 0; i < 10_000; i++) p = envelope('Chain', { links: [p] });
    assert.equal(decode(p).error?.code, 'limit_exceeded');
  });

  it('10,000 nested arrays in a list-of-lists field fail at the third level', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const { error } = decode(envelope('Chain', { grid: deep }));
    assert.equal(error?.code, 'invalid_value');
    assert.equal(error?.message, 'Chain.grid[0][0]: expected an integer, got an array of 1');
  });

  it('10,000 nested objects under a Dict field and an unknown key are refused and ignored respectively', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    assert.equal(decode(envelope('Chain', { labels: deep })).error?.message, 'Chain.labels.a: expected a string, got an object');
    assert.ok(decode(envelope('Chain', { unknown: deep })).decoded);
  });

  it('the serializer refuses 10,000 nested payload levels with limit_exceeded', () => {
    let deep: unknown = envelope('Chain', {});
    for (let i = 0; i < 10_000; i++) deep = i % 2 ? [deep] : { k: deep };
    assert.throws(() => new ObjectSerializer({ registry }).deserializeEntity(deep), { code: 'limit_exceeded' });
  });

  it('a list of 1,000,000 integers decodes', () => {
    const numbers = Array.from({ length: 1_000_000 }, (_, i) => i);
    const chain = registry.fromPrimitive(envelope('Chain', { numbers })) as Chain;
    assert.equal(chain.numbers.length, 1_000_000);
  });

  it('a list of 1,000,001 items fails with limit_exceeded before decoding any item', () => {
    const numbers = new Array(1_000_001).fill('not a number');
    const { error } = decode(envelope('Chain', { numbers }));
    assert.equal(error?.code, 'limit_exceeded');
    assert.equal(error?.message, 'Chain.numbers: a list of 1000001 items exceeds the limit of 1000000');
  });

  it('a set of 1,000,000 strings decodes and a bad item among them is named by index', () => {
    const words = Array.from({ length: 1_000_000 }, (_, i) => `w${i % 1000}`);
    assert.equal((registry.fromPrimitive(envelope('Chain', { words })) as Chain).words.size, 1000);
    words[999_999] = 5 as never;
    words[999_998] = {} as never;
    assert.equal(decode(envelope('Chain', { words })).error?.message, 'Chain.words[999998]: expected a string, got an object');
  });

  it('1,000,000 garbage child envelopes fail at the first one', () => {
    const links = new Array(1_000_000).fill({ junk: true });
    assert.equal(decode(envelope('Chain', { links })).error?.path.join('/'), 'Chain/links/0');
  });

  it('a changes list of 1,000,000 names is read, keeping only real fields', () => {
    const changes = Array.from({ length: 1_000_000 }, (_, i) => (i === 500_000 ? 'numbers' : `f${i}`));
    const chain = registry.fromPrimitive({ ...envelope('Chain', { numbers: [1] }), [`${NS}.changes`]: changes });
    assert.deepEqual([...chain.whatChanged()], ['numbers']);
  });

  it('a dict with more keys than maxListLength fails with limit_exceeded', () => {
    const labels = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, 'v']));
    const { error } = decode(envelope('Chain', { labels }), { limits: { maxListLength: 1000 } });
    assert.equal(error?.code, 'limit_exceeded');
    assert.match(error?.message ?? '', /^Chain\.labels: /);
  });
});
