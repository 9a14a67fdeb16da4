// The findings of issue 19 one by one: the validator bounded like the decoder, the silent changes, the setters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectRegistry, VersionedObject, f, field, isVersionedError, versionedObject } from '../src/index.js';
import { SchemaValidator } from '../src/schema.js';

const registry = new ObjectRegistry();
const NS = 'versioned_object';

@versionedObject({ name: 'Part', version: '1.0', registry })
class Part extends VersionedObject {
  @field(f.string(), { nullable: true }) declare label: string | null;
}

@versionedObject({
  name: 'Holder',
  version: '1.1',
  registry,
  history: [
    { version: '1.0', note: 'Initial version' },
    { version: '1.1', added: ['renamed'], note: 'Rename old' },
  ],
})
class Holder extends VersionedObject {
  @field(f.list(f.integer()), { default: [] }) declare numbers: number[];
  @field(f.set(f.object('Part')), { default: () => new Set() }) declare partSet: Set<Part>;
  @field(f.set(f.dateTime())) declare moments: Set<Date>;
  @field(f.string()) declare s: string;
  @field(f.integer()) declare i: number;
  @field(f.dateTime()) declare dt: Date;
  @field(f.string()) declare renamed: string;
  @field(f.object('Holder'), { nullable: true }) declare next: Holder | null;

  static override upgradePrimitive(data: Record<string, unknown>, fromVersion: string): void {
    if (fromVersion === '1.0' && Object.hasOwn(data, 's')) data['renamed'] = data['s'];
  }
}

const env = (name: string, data: unknown, version = '1.1'): Record<string, unknown> => ({
  [`${NS}.name`]: name,
  [`${NS}.namespace`]: 'versionedobjects',
  [`${NS}.version`]: version,
  [`${NS}.data`]: data,
});
const chain = (depth: number): Record<string, unknown> => {
  let p = env('Holder', { next: null });
  for (let i = 1; i < depth; i++) p = env('Holder', { next: p });
  return p;
};

/** validate() must answer, never throw. */
function verdict(validator: SchemaValidator, input: unknown) {
  return validator.validate(input);
}

describe('the validator is bounded like the decoder', () => {
  const validator = new SchemaValidator(registry);

  it('a Set of objects whose items carry valueOf or toString keys: issues, not a TypeError', () => {
    for (const partSet of [
      [{}, { valueOf: {} }],
      [env('Part', {}, '1.0'), env('Part', { valueOf: {} }, '1.0')],
      [{ toString: 1 }, { toString: 1 }],
    ]) {
      const result = verdict(validator, env('Holder', { partSet }));
      assert.equal(result.valid, false);
      assert.ok(
        result.issues.every((i) => i.path[0] === 'Holder' && i.path[1] === 'partSet'),
        JSON.stringify(result.issues),
      );
    }
  });

  it('a Set of 4,000 distinct objects is valid (no quadratic uniqueness check), as it decodes', () => {
    const input = env('Holder', { partSet: Array.from({ length: 4000 }, (_, i) => env('Part', { label: `p${i}` }, '1.0')) });
    assert.equal(verdict(validator, input).valid, true);
    assert.equal((registry.fromPrimitive(input, { strict: true }) as Holder).partSet.size, 4000);
  });

  it('an envelope chain 20,000 deep, and a cyclic one, stop at the depth limit with limit_exceeded', () => {
    const data: Record<string, unknown> = {};
    const cyclic = env('Holder', data);
    data['next'] = cyclic;
    for (const input of [chain(20_000), cyclic]) {
      const result = verdict(validator, input);
      assert.equal(result.valid, false);
      assert.equal(result.issues[0]?.keyword, 'limit_exceeded');
      assert.deepEqual(result.issues[0]?.path, ['Holder', ...Array(32).fill('next')]);
      assert.throws(
        () => validator.assertValid(input),
        (e) => isVersionedError(e, 'limit_exceeded') && e.path.length === 33,
      );
      assert.throws(
        () => registry.fromPrimitive(input),
        (e) => isVersionedError(e, 'limit_exceeded') && e.path.length === 33,
      );
    }
    assert.equal(verdict(validator, chain(32)).valid, true);
    assert.equal(verdict(validator, chain(33)).valid, false);
  });

  it("the limits are options, the decoder's: a lower maxDepth, and one beyond the call stack (typed, not a RangeError)", () => {
    assert.equal(verdict(new SchemaValidator(registry, { limits: { maxDepth: 3 } }), chain(4)).valid, false);
    assert.equal(verdict(new SchemaValidator(registry, { limits: { maxDepth: 3 } }), chain(3)).valid, true);
    const deep = verdict(new SchemaValidator(registry, { limits: { maxDepth: 1_000_000 } }), chain(20_000));
    assert.equal(deep.valid, false);
    assert.equal(deep.issues[0]?.keyword, 'limit_exceeded');
  });

  it('1,000,000 wrong items: the first issue, marked truncated (the decoder also stops at the first)', () => {
    const result = verdict(validator, env('Holder', { numbers: new Array(1_000_000).fill('x') }));
    assert.equal(result.valid, false);
    assert.deepEqual(
      result.issues.map((i) => i.path),
      [['Holder', 'numbers', 0]],
    );
    assert.equal(result.valid === false && result.truncated, true);
  });

  it('a list longer than maxListLength is refused as the decoder refuses it: limit_exceeded', () => {
    const input = env('Holder', { numbers: new Array(11).fill(1) });
    const small = new SchemaValidator(registry, { limits: { maxListLength: 10 } });
    assert.throws(
      () => small.assertValid(input),
      (e) => isVersionedError(e, 'limit_exceeded') && e.pathString === 'Holder.numbers',
    );
    assert.throws(() => registry.fromPrimitive(input, { limits: { maxListLength: 10 } }), { code: 'limit_exceeded' });
    assert.equal(small.validate(env('Holder', { numbers: new Array(10).fill(1) })).valid, true);
  });

  it('issues are capped at maxIssues', () => {
    const input = env('Holder', { numbers: new Array(500).fill('x') });
    const result = verdict(validator, input);
    assert.equal(result.issues.length, 100);
    assert.equal(result.valid === false && result.truncated, true);
    const few = new SchemaValidator(registry, { maxIssues: 3 }).validate(input);
    assert.equal(few.issues.length, 3);
    assert.throws(() => new SchemaValidator(registry, { maxIssues: 3 }).assertValid(input), /\(and 2\+ more\)/);
  });

  it("3,000 distinct version strings compile no more schemas than the cache holds, and each verdict is the decoder's", () => {
    const bounded = new SchemaValidator(registry, { cacheSize: 8 });
    for (let i = 0; i < 3000; i++) {
      const input = env('Holder', { s: 'x' }, `1.0.${i}`);
      assert.equal(bounded.validate(input).valid, true);
    }
    // Internal, but the point of the finding: the cache stays bounded (and 1.0.N all share the 1.0 schema).
    const cache = (bounded as unknown as { compiled: { map: Map<string, unknown> } }).compiled.map;
    assert.ok(cache.size <= 8, `${cache.size} compiled schemas kept`);
    assert.equal(bounded.validate(env('Holder', { renamed: 'x' }, '1.0.5')).valid, false);
    assert.throws(() => registry.fromPrimitive(env('Holder', { renamed: 'x' }, '1.0.5'), { strict: true }), { code: 'unknown_field' });
  });

  it('a getter that throws in a JavaScript input is an issue, not an exception', () => {
    const data = Object.defineProperty({}, 's', {
      enumerable: true,
      get: () => {
        throw new TypeError('boom');
      },
    });
    const result = verdict(validator, env('Holder', data));
    assert.equal(result.valid, false);
    assert.equal(result.issues[0]?.keyword, 'unreadable');
  });
});

describe('silent changes', () => {
  it('a Set<DateTime> keeps one member per instant, so its encoding passes its own schema and decodes to itself', () => {
    const holder = new Holder({
      moments: ['2021-03-04T05:06:07Z', '2021-03-04T05:06:07.250Z', '2021-03-04T05:06:07+00:00', new Date('2021-03-04T05:06:07Z')],
    });
    assert.equal(holder.moments.size, 1);
    const decoded = registry.fromPrimitive(env('Holder', { moments: ['2021-03-04T05:06:07Z', '2021-03-04T07:06:07+02:00'] })) as Holder;
    assert.deepEqual(
      [...decoded.moments].map((d) => d.toISOString()),
      ['2021-03-04T05:06:07.000Z'],
    );
    const p = decoded.toPrimitive();
    assert.equal(new SchemaValidator(registry).validate(p).valid, true);
    assert.deepEqual(registry.fromPrimitive(p, { strict: true }).toPrimitive(), p);
  });

  it('upgradePrimitive sees non-enumerable own keys, which the decoder reads', () => {
    const data = Object.defineProperty({}, 's', { value: 'hidden', enumerable: false });
    const decoded = registry.fromPrimitive(env('Holder', data, '1.0')) as Holder;
    assert.equal(decoded.s, 'hidden');
    assert.equal(decoded.renamed, 'hidden');
  });

  it('a 10 MB object name or key gives a short message (the start of the input, quoted)', () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const messages: string[] = [];
    for (const input of [env(huge, {}), env('Holder', { [huge]: 1 }), { ...env('Holder', {}), [`${NS}.namespace`]: huge }]) {
      try {
        registry.fromPrimitive(input, { strict: true });
        assert.fail('decoded');
      } catch (err) {
        assert.ok(isVersionedError(err));
        messages.push(err.message);
      }
      const result = new SchemaValidator(registry).validate(input);
      assert.equal(result.valid, false);
      messages.push(...result.issues.map((i) => i.message));
      assert.throws(
        () => new SchemaValidator(registry).assertValid(input),
        (e) => isVersionedError(e) && e.message.length < 1000 && (e.details['issues'] as string[]).every((i) => i.length < 1000),
      );
    }
    for (const message of messages) assert.ok(message.length < 1000, `${message.length} characters: ${message.slice(0, 100)}`);
  });
});

describe('setters', () => {
  it('update() is atomic: a bad value anywhere changes nothing', () => {
    const holder = new Holder({ s: 'before', i: 1 });
    holder.resetChanges();
    assert.throws(
      // @ts-expect-error a wrong type: refused at compile time too
      () => holder.update({ s: 'ok', i: 'not an int' }),
      (e) => isVersionedError(e, 'invalid_value') && e.pathString === 'Holder.i',
    );
    assert.equal(holder.s, 'before');
    assert.equal(holder.i, 1);
    assert.deepEqual([...holder.whatChanged()], []);
    // @ts-expect-error a wrong type, an unknown field: refused at compile time too
    assert.throws(() => holder.update({ s: 'ok', nope: 1 }), { code: 'unknown_field' });
    assert.equal(holder.s, 'before');
    holder.update({ s: 'after', i: '2' as unknown as number }); // coerced, as an assignment is
    assert.deepEqual([holder.s, holder.i, [...holder.whatChanged()].sort()], ['after', 2, ['i', 's']]);
  });

  it('a held Date changed in place to NaN or past year 9999 is refused at encode with its path, never "+275760-..."', () => {
    for (const time of [NaN, 8.64e15, Date.parse('+010000-01-01T00:00:00Z'), Date.parse('-000001-01-01T00:00:00Z')]) {
      const holder = new Holder({ dt: '2021-03-04T05:06:07Z' });
      holder.dt.setTime(time);
      assert.throws(
        () => holder.toPrimitive(),
        (e) => isVersionedError(e, 'invalid_value') && e.pathString === 'Holder.dt' && /year must be 1 to 9999/.test(e.message),
      );
      holder.moments = new Set([new Date('2021-03-04T05:06:07Z')]);
      holder.dt = new Date('2021-03-04T05:06:07Z');
      [...holder.moments][0]?.setTime(time);
      assert.throws(
        () => holder.toPrimitive(),
        (e) => isVersionedError(e, 'invalid_value') && e.path[0] === 'Holder' && e.path[1] === 'moments',
      );
    }
    assert.throws(
      () => new Holder({ dt: new Date(8.64e15) }),
      (e) => isVersionedError(e, 'invalid_value') && e.pathString === 'Holder.dt',
    );
  });
});

describe('construction', () => {
  it('refuses anything but a registry as its first argument, with a typed error saying what to pass', () => {
    for (const wrong of [{ registry: new ObjectRegistry() }, null, 'registry', 42, []]) {
      assert.throws(
        () => new SchemaValidator(wrong as never),
        (err: unknown) => isVersionedError(err) && err.code === 'invalid_value' && /must be an ObjectRegistry/.test(err.message),
      );
    }
    assert.ok(new SchemaValidator(undefined) instanceof SchemaValidator);
  });
});
