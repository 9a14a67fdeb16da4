import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '../src/index.js';

const registry = new ObjectRegistry();

@versionedObject({ name: 'Scalars', version: '1.0', registry })
class Scalars extends VersionedObject {
  @field(f.string()) declare text: string;
  @field(f.sensitiveString()) declare secret: string;
  @field(f.integer()) declare int: number;
  @field(f.nonNegativeInteger()) declare count: number;
  @field(f.float()) declare ratio: number;
  @field(f.nonNegativeFloat()) declare weight: number;
  @field(f.boolean()) declare flag: boolean;
  @field(f.flexibleBoolean()) declare flexible: boolean;
  @field(f.uuid()) declare id: string;
  @field(f.dateTime()) declare at: Date;
  @field(f.dateTime({ precision: 'millisecond' })) declare atMs: Date;
  @field(f.enum(['raw', 'qcow2'])) declare format: 'raw' | 'qcow2';
  @field(
    f.stateMachine({
      creating: ['available', 'error'],
      available: ['in-use', 'deleting'],
      'in-use': ['available'],
      error: ['deleting'],
      deleting: [],
    }),
  )
  declare status: 'creating' | 'available' | 'in-use' | 'error' | 'deleting';
}

type Key = Exclude<keyof Scalars, keyof VersionedObject>;

/** Assign `value` to a fresh object's field and return what the field then holds. */
function coerced(key: Key, value: unknown): unknown {
  const obj = new Scalars();
  (obj as unknown as Record<string, unknown>)[key] = value;
  return obj[key];
}

/** Assigning `value` must fail with invalid_value at Scalars.<key>, the message naming what was expected and what came. */
function rejects(key: Key, value: unknown, message: RegExp | string): void {
  const obj = new Scalars();
  assert.throws(
    () => {
      (obj as unknown as Record<string, unknown>)[key] = value;
    },
    (err: unknown) => {
      const e = err as { code: string; path: unknown[]; message: string };
      assert.equal(e.code, 'invalid_value');
      assert.deepEqual(e.path, ['Scalars', key]);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
  assert.equal(obj.isSet(key), false, 'a refused value leaves the field unset');
}

/** The value a field gets after encoding and decoding. */
function wire(key: Key, value: unknown): { primitive: unknown; decoded: unknown } {
  const obj = new Scalars();
  (obj as unknown as Record<string, unknown>)[key] = value;
  const envelope = JSON.parse(JSON.stringify(obj.toPrimitive()));
  const primitive = envelope['versioned_object.data'][key];
  const decoded = (registry.fromPrimitive(envelope) as Scalars)[key];
  return { primitive, decoded };
}

describe('String', () => {
  it('keeps strings, including the empty string', () => {
    assert.equal(coerced('text', 'héllo'), 'héllo');
    assert.equal(coerced('text', ''), '');
  });
  it('stringifies finite numbers, as oslo does, and refuses booleans (Python would hold "True")', () => {
    assert.equal(coerced('text', 12), '12');
    assert.equal(coerced('text', 1.5), '1.5');
    rejects('text', false, 'Scalars.text: expected a string, got false (a boolean is not a string)');
  });
  it('rejects objects, arrays and non-finite numbers', () => {
    rejects('text', {}, 'Scalars.text: expected a string, got an object');
    rejects('text', ['a'], 'Scalars.text: expected a string, got an array of 1');
    rejects('text', NaN, 'Scalars.text: expected a string, got NaN');
    rejects('text', Infinity, /expected a string, got Infinity/);
  });
  it('refuses undefined, pointing to unset()', () => {
    rejects('text', undefined, /got undefined \(use unset\(\) to clear a field\)/);
  });
  it('refuses null on a non-nullable field without a default', () => {
    rejects('text', null, 'Scalars.text: expected a string, got null (the field is not nullable)');
  });
});

describe('SensitiveString', () => {
  const obj = Scalars.partial({ secret: 'hunter2', text: 'visible' });
  it('is masked by util.inspect', () => {
    const shown = inspect(obj);
    assert.doesNotMatch(shown, /hunter2/);
    assert.match(shown, /secret: '\*\*\*'/);
    assert.match(shown, /visible/);
  });
  it('is masked by String(obj) and template literals', () => {
    assert.doesNotMatch(String(obj), /hunter2/);
    assert.doesNotMatch(`${obj}`, /hunter2/);
    assert.match(String(obj), /^Scalars@1\.0 /);
  });
  it('crosses the wire in clear', () => {
    assert.equal((obj.toPrimitive()['versioned_object.data'] as Record<string, unknown>).secret, 'hunter2');
    assert.match(JSON.stringify(obj), /"secret":"hunter2"/);
    assert.deepEqual(wire('secret', 'hunter2'), { primitive: 'hunter2', decoded: 'hunter2' });
  });
  it('reads back in clear from the object', () => {
    assert.equal(obj.secret, 'hunter2');
  });
});

@versionedObject({ name: 'Credentials', version: '1.0', registry })
class Credentials extends VersionedObject {
  @field(f.list(f.sensitiveString())) declare passwords: string[];
  @field(f.dict(f.sensitiveString())) declare tokens: Record<string, string>;
  @field(f.set(f.sensitiveString())) declare keys: Set<string>;
  @field(f.object('Scalars'), { nullable: true }) declare inner: Scalars | null;
}

describe('SensitiveString inside containers and children', () => {
  const creds = Credentials.create({
    passwords: ['hunter2', 'letmein'],
    tokens: { admin: 's3cr3t' },
    keys: new Set(['k3y']),
    inner: Scalars.partial({ secret: 'n3sted' }),
  });
  it('masks every element of a list, dict or set of sensitive strings when printed, as oslo does', () => {
    for (const shown of [inspect(creds), String(creds), inspect(creds, { depth: Infinity })]) {
      for (const secret of ['hunter2', 'letmein', 's3cr3t', 'k3y', 'n3sted']) assert.doesNotMatch(shown, new RegExp(secret), shown);
    }
    assert.match(inspect(creds), /admin: '\*\*\*'/);
  });
  it('sends them in clear', () => {
    const json = JSON.stringify(creds);
    for (const secret of ['hunter2', 'letmein', 's3cr3t', 'k3y', 'n3sted']) assert.match(json, new RegExp(secret));
  });
});

describe('Integer', () => {
  it('accepts integers and integer strings', () => {
    assert.equal(coerced('int', 12), 12);
    assert.equal(coerced('int', -7), -7);
    assert.equal(coerced('int', '12'), 12);
    assert.equal(coerced('int', '-3'), -3);
    assert.equal(coerced('int', '+4'), 4);
  });
  it('rejects 1.9 rather than truncating it as oslo does', () => {
    rejects('int', 1.9, 'Scalars.int: expected an integer, got 1.9');
    rejects('int', '1.9', 'Scalars.int: expected an integer, got "1.9"');
  });
  it('rejects integers outside the safe range, saying so', () => {
    rejects('int', 2 ** 53, /expected an integer, got 9007199254740992 \(outside the safe integer range\)/);
  });
  it('rejects booleans, padded or empty strings and non-finite numbers', () => {
    for (const bad of [true, ' 12', '12abc', '', '0x10', NaN, -Infinity, [1], {}]) rejects('int', bad, /expected an integer/);
  });
  it('crosses the wire as a JSON number', () => {
    assert.deepEqual(wire('int', '42'), { primitive: 42, decoded: 42 });
  });
});

describe('NonNegativeInteger', () => {
  it('accepts zero and positive integers', () => {
    assert.equal(coerced('count', 0), 0);
    assert.equal(coerced('count', '5'), 5);
  });
  it('rejects negative integers', () => {
    rejects('count', -1, 'Scalars.count: expected a non-negative integer, got -1');
    rejects('count', '-1', /non-negative integer, got "-1"/);
  });
});

describe('Float', () => {
  it('accepts numbers and numeric strings', () => {
    assert.equal(coerced('ratio', 1.5), 1.5);
    assert.equal(coerced('ratio', -2), -2);
    assert.equal(coerced('ratio', '1e3'), 1000);
    assert.equal(coerced('ratio', '.5'), 0.5);
    assert.equal(coerced('ratio', '-2.25'), -2.25);
  });
  it('rejects NaN and infinities, which JSON cannot carry', () => {
    rejects('ratio', NaN, 'Scalars.ratio: expected a finite number, got NaN');
    rejects('ratio', Infinity, /finite number, got Infinity/);
    rejects('ratio', '1e400', /finite number, got "1e400"/);
  });
  it('rejects booleans and non-numeric strings', () => {
    for (const bad of [true, 'abc', '', '1,5', 'Infinity']) rejects('ratio', bad, /expected a finite number/);
  });
  it('crosses the wire as a JSON number', () => {
    assert.deepEqual(wire('ratio', 0.1), { primitive: 0.1, decoded: 0.1 });
  });
});

describe('negative zero', () => {
  it('Float and Integer hold -0 as 0, since JSON cannot carry the sign and the object must hold what crosses the wire', () => {
    for (const [key, value] of [
      ['ratio', -0],
      ['ratio', '-0'],
      ['ratio', '-0.0'],
      ['int', -0],
      ['int', '-0'],
      ['weight', -0],
      ['count', '-0'],
    ] as const) {
      assert.ok(Object.is(coerced(key, value), 0), `${key} = ${String(value)}`);
    }
    assert.ok(Object.is(wire('ratio', -0).decoded, 0));
  });
});

describe('NonNegativeFloat', () => {
  it('accepts zero and positive numbers', () => {
    assert.equal(coerced('weight', 0), 0);
    assert.equal(coerced('weight', '2.5'), 2.5);
  });
  it('rejects negative numbers', () => {
    rejects('weight', -0.1, 'Scalars.weight: expected a non-negative finite number, got -0.1');
  });
});

describe('Boolean', () => {
  it('accepts true and false', () => {
    assert.equal(coerced('flag', true), true);
    assert.equal(coerced('flag', false), false);
  });
  it('rejects "no", which oslo would read as true by truthiness', () => {
    rejects('flag', 'no', 'Scalars.flag: expected a boolean, got "no"');
  });
  it('rejects strings and numbers alike', () => {
    for (const bad of ['true', 'false', 1, 0, '']) rejects('flag', bad, /expected a boolean/);
  });
});

describe('FlexibleBoolean', () => {
  it('reads true from true, 1 and the yes-words, case and padding aside', () => {
    for (const yes of [true, 1, '1', 't', 'true', 'TRUE', 'on', 'y', 'Yes', ' yes '])
      assert.equal(coerced('flexible', yes), true, String(yes));
  });
  it('reads false from false, 0 and the no-words', () => {
    for (const no of [false, 0, '0', 'f', 'false', 'Off', 'n', 'NO']) assert.equal(coerced('flexible', no), false, String(no));
  });
  it('rejects unrecognised strings and numbers instead of reading them as false', () => {
    for (const bad of ['maybe', '', '2', 2, -1, {}]) rejects('flexible', bad, /expected a boolean or one of/);
  });
  it('crosses the wire as a JSON boolean', () => {
    assert.deepEqual(wire('flexible', 'yes'), { primitive: true, decoded: true });
  });
});

describe('UUID', () => {
  it('validates and lower-cases UUIDs', () => {
    assert.equal(coerced('id', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
  });
  it('rejects strings that are not UUIDs, which oslo lets through', () => {
    rejects('id', 'abc', 'Scalars.id: expected a UUID, got "abc"');
    for (const bad of [
      'a0eebc999c0b4ef8bb6d6bb9bd380a11',
      '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g',
      ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      42,
    ]) {
      rejects('id', bad, /expected a UUID/);
    }
  });
  it('accepts exactly what the pattern accepts, normalising upper case (randomized near-UUIDs)', () => {
    const pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const uuid = f.uuid();
    // A UUID with a few characters replaced, inserted or removed, from an alphabet around the hex digits' edges.
    const nearUuid = fc
      .tuple(
        fc.uuid(),
        fc.array(
          fc.tuple(
            fc.nat(37),
            fc.constantFrom('', '-', 'g', 'G', 'A', 'f', '0', '9', '/', ':', '@', '`', ' ', '\u0130', '\uff10', '\u0000'),
            fc.boolean(),
          ),
          { maxLength: 3 },
        ),
      )
      .map(([text, edits]) => edits.reduce((t, [at, c, replace]) => t.slice(0, at) + c + t.slice(replace ? at + 1 : at), text));
    fc.assert(
      fc.property(fc.oneof(nearUuid, fc.uuid()), (text) => {
        const lower = text.toLowerCase();
        const expected = pattern.test(text) ? text : pattern.test(lower) ? lower : undefined;
        let got: string | undefined;
        try {
          got = uuid.fromPrimitive(text);
        } catch {
          got = undefined;
        }
        assert.equal(got, expected, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
  });
  it('decodes an upper-case UUID from the wire to lower case', () => {
    const env = {
      'versioned_object.name': 'Scalars',
      'versioned_object.namespace': 'versionedobjects',
      'versioned_object.version': '1.0',
      'versioned_object.data': { id: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' },
    };
    assert.equal((registry.fromPrimitive(env) as Scalars).id, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
  });
});

describe('DateTime', () => {
  it('reads the canonical wire form exactly when its fields make a real instant (randomized, against Date.UTC)', () => {
    const at = f.dateTime();
    // Mostly around each field's range (month 13, day 31 of a 30-day month, 29 February, hour 24...), sometimes not digits.
    const digits = (n: number, max: number) =>
      fc.oneof(
        { arbitrary: fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0')), weight: 8 },
        { arbitrary: fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0')), weight: 1 },
        { arbitrary: fc.string({ minLength: n, maxLength: n }), weight: 1 },
      );
    const year = fc.oneof(digits(4, 9999), fc.constantFrom('0000', '0001', '0099', '0100', '1900', '2000', '2024', '2100', '9999'));
    fc.assert(
      fc.property(
        year,
        digits(2, 13),
        digits(2, 32),
        digits(2, 24),
        digits(2, 60),
        digits(2, 60),
        fc.constantFrom('', '.000', '.123', '.9x9'),
        (y, mo, d, h, mi, s, frac) => {
          const text = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}Z`;
          let got: number | undefined;
          try {
            got = at.fromPrimitive(text).getTime();
          } catch {
            got = undefined;
          }
          // The oracle: all-digit fields, and Date.UTC giving back the same fields (no roll-over), year 1 to 9999.
          const parts = [y, mo, d, h, mi, s];
          let expected: number | undefined;
          if (parts.every((p) => /^\d+$/.test(p)) && /^(\.\d{3})?$/.test(frac)) {
            const [Y, M, D, H, I, S] = parts.map(Number) as [number, number, number, number, number, number];
            const date = new Date(Date.UTC(2000, M - 1, D, H, I, S));
            date.setUTCFullYear(Y);
            const same =
              date.getUTCFullYear() === Y &&
              date.getUTCMonth() === M - 1 &&
              date.getUTCDate() === D &&
              date.getUTCHours() === H &&
              date.getUTCMinutes() === I &&
              date.getUTCSeconds() === S;
            if (same && Y >= 1 && M >= 1 && M <= 12) expected = date.getTime();
          }
          assert.equal(got, expected, text);
        },
      ),
      { numRuns: 3000 },
    );
  });
  it('goes out in the oslo wire form YYYY-MM-DDTHH:MM:SSZ', () => {
    assert.equal(wire('at', new Date('2024-02-29T13:14:15.678Z')).primitive, '2024-02-29T13:14:15Z');
  });
  it('truncates to the second on assignment, so the object holds what crosses the wire', () => {
    assert.deepEqual(coerced('at', new Date('2024-02-29T13:14:15.678Z')), new Date('2024-02-29T13:14:15.000Z'));
    assert.deepEqual(coerced('at', new Date('1969-12-31T23:59:59.500Z')), new Date('1969-12-31T23:59:59.000Z'));
  });
  it('keeps milliseconds with precision: millisecond', () => {
    const { primitive, decoded } = wire('atMs', new Date('2024-02-29T13:14:15.678Z'));
    assert.equal(primitive, '2024-02-29T13:14:15.678Z');
    assert.deepEqual(decoded, new Date('2024-02-29T13:14:15.678Z'));
  });
  it('parses ISO strings with Z, with offsets in every form, and with fractions', () => {
    const expected = new Date('2021-03-04T03:06:07Z');
    for (const text of [
      '2021-03-04T03:06:07Z',
      '2021-03-04T05:06:07+02:00',
      '2021-03-04T05:06:07+0200',
      '2021-03-04T05:06:07+02',
      '2021-03-03T22:36:07-04:30',
      '2021-03-04T03:06:07.999999Z',
      '2021-03-04t03:06:07z',
    ]) {
      assert.deepEqual(coerced('at', text), expected, text);
    }
  });
  it('reads a date-time without an offset as UTC', () => {
    assert.deepEqual(coerced('at', '2021-03-04T05:06:07'), new Date('2021-03-04T05:06:07Z'));
    assert.deepEqual(coerced('at', '2021-03-04 05:06'), new Date('2021-03-04T05:06:00Z'));
  });
  it('keeps sub-second digits from strings with precision: millisecond', () => {
    assert.deepEqual(coerced('atMs', '2021-03-04T05:06:07.123456+00:00'), new Date('2021-03-04T05:06:07.123Z'));
    assert.deepEqual(coerced('atMs', '2021-03-04T05:06:07.5Z'), new Date('2021-03-04T05:06:07.500Z'));
  });
  it('rejects impossible dates instead of rolling them over', () => {
    for (const bad of [
      '2021-02-29T00:00:00Z',
      '2021-02-30T00:00:00Z',
      '2021-04-31T00:00:00Z',
      '2021-13-01T00:00:00Z',
      '2021-00-10T00:00:00Z',
      '2021-01-01T24:00:00Z',
      '2021-01-01T23:60:00Z',
      '2021-01-01T23:59:60Z',
    ]) {
      rejects('at', bad, /expected a date-time/);
    }
  });
  it('accepts 29 February in a leap year', () => {
    assert.deepEqual(coerced('at', '2024-02-29T00:00:00Z'), new Date('2024-02-29T00:00:00Z'));
  });
  it('rejects dates without a time, other formats, invalid Dates and numbers', () => {
    rejects('at', '2021-03-04', 'Scalars.at: expected a date-time (a Date or an ISO 8601 string), got "2021-03-04"');
    rejects('at', new Date('nope'), /got a Date \(invalid\)/);
    for (const bad of ['March 4 2021', '2021-03-04T05:06:07+25:00', '', 1614834367000, {}]) rejects('at', bad, /expected a date-time/);
  });
  it('decodes the oslo wire form to the same instant', () => {
    const { decoded } = wire('at', '2000-01-01T00:00:00Z');
    assert.ok(decoded instanceof Date);
    assert.equal((decoded as Date).toISOString(), '2000-01-01T00:00:00.000Z');
  });
  it('rejects instants outside the years 0001-9999, which the wire form cannot write and Python cannot read', () => {
    rejects(
      'at',
      new Date('+010000-01-01T00:00:00Z'),
      /expected a date-time .*got a Date \(\+010000-01-01T00:00:00\.000Z\) \(the year must be 1 to 9999\)/,
    );
    rejects('at', new Date('-000001-06-01T00:00:00Z'), /the year must be 1 to 9999/);
    rejects('at', '0000-12-31T23:59:59Z', /the year must be 1 to 9999/);
  });
  it('accepts the first and last instants of the years 0001-9999 and writes them with four-digit years', () => {
    assert.equal(wire('at', '0001-01-01T00:00:00Z').primitive, '0001-01-01T00:00:00Z');
    assert.equal(wire('at', '9999-12-31T23:59:59Z').primitive, '9999-12-31T23:59:59Z');
    assert.equal(wire('atMs', '9999-12-31T23:59:59.999Z').primitive, '9999-12-31T23:59:59.999Z');
    assert.equal(wire('at', '0050-02-03T04:05:06Z').primitive, '0050-02-03T04:05:06Z');
  });
  it('copies an assigned Date, so mutating the original does not change the object', () => {
    const d = new Date('2021-03-04T05:06:07Z');
    const obj = Scalars.partial({ at: d });
    d.setUTCFullYear(1999);
    assert.equal(obj.at.getUTCFullYear(), 2021);
  });
});

describe('Enum', () => {
  it('accepts its values', () => {
    assert.equal(coerced('format', 'qcow2'), 'qcow2');
  });
  it('rejects anything else, listing the valid values', () => {
    rejects('format', 'vmdk', 'Scalars.format: expected one of "raw", "qcow2", got "vmdk"');
    rejects('format', 'RAW', /one of "raw", "qcow2"/);
  });
  it('cannot be declared without values', () => {
    assert.throws(() => f.enum([]), TypeError);
  });
});

describe('StateMachine', () => {
  it('accepts any state as the first value', () => {
    assert.equal(coerced('status', 'deleting'), 'deleting');
  });
  it('allows the declared transitions', () => {
    const obj = Scalars.partial({ status: 'creating' });
    obj.status = 'available';
    obj.status = 'in-use';
    obj.status = 'available';
    obj.status = 'deleting';
    assert.equal(obj.status, 'deleting');
  });
  it('allows staying in the same state', () => {
    const obj = Scalars.partial({ status: 'available' });
    obj.status = 'available';
    assert.equal(obj.status, 'available');
  });
  it('refuses an undeclared transition, naming the allowed ones, and keeps the old state', () => {
    const obj = Scalars.partial({ status: 'creating' });
    assert.throws(() => (obj.status = 'in-use'), {
      code: 'invalid_value',
      message:
        'Scalars.status: expected one of "creating", "available", "in-use", "error", "deleting", got "in-use" (not allowed to transition from "creating"; allowed: "available", "error")',
    });
    assert.equal(obj.status, 'creating');
  });
  it('says a terminal state allows no transition', () => {
    const obj = Scalars.partial({ status: 'deleting' });
    assert.throws(() => (obj.status = 'available'), {
      message: /not allowed to transition from "deleting"; allowed: none \(terminal state\)/,
    });
  });
  it('rejects values that are not states', () => {
    rejects('status', 'gone', /expected one of "creating"/);
  });
  it('decodes an object in any state, then enforces transitions from it', () => {
    const env = {
      'versioned_object.name': 'Scalars',
      'versioned_object.namespace': 'versionedobjects',
      'versioned_object.version': '1.0',
      'versioned_object.data': { status: 'error' },
    };
    const obj = registry.fromPrimitive(env) as Scalars;
    assert.equal(obj.status, 'error');
    assert.throws(() => (obj.status = 'available'), { code: 'invalid_value' });
    obj.status = 'deleting';
  });
  it('cannot be declared with a transition to an unknown state', () => {
    assert.throws(() => f.stateMachine({ a: ['b'] } as Record<string, string[]>), /a -> b: b is not a state/);
  });
});
