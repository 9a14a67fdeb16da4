// The generated codecs are safe by construction: a hostile field name never runs code (register() refuses it,
// and the code generator escapes it anyway); a makeCompatible hook's error carries the hook's own path; under
// `--disallow-code-generation-from-strings` the interpreted codecs give what the compiled ones give.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  ObjectRegistry,
  VersionedError,
  VersionedObject,
  f,
  field,
  isVersionedError,
  metaOf,
  versionedObject,
  type ObjectMeta,
} from '../src/index.js';
import { decoderFor, encoderFor, setCodegen, type EncoderHost } from '../src/codegen.js';
import { makeFieldDef, type FieldDef } from '../src/meta.js';
import { runCodecs } from './support/codec-run.js';

const PWNED = '__versionedPwned';
const pwned = (): unknown => (globalThis as Record<string, unknown>)[PWNED];

/** Names that would run code if written into the source as they are. */
const INJECTIONS = [
  `x[globalThis.${PWNED}="field"]`,
  `x; globalThis.${PWNED} = "statement"; //`,
  `"]; globalThis.${PWNED} = "quote"; //`,
  `\`; globalThis.${PWNED} = "backtick"; //`,
  `\${globalThis.${PWNED} = "template"}`,
  `*/ globalThis.${PWNED} = "comment"; /*`,
  `\u2028globalThis.${PWNED} = "separator"`,
  `\\"); globalThis.${PWNED} = "escape"; ("`,
  'constructor',
  'toString',
  '0',
  '',
];

const hostileName = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'binary', maxLength: 20 }),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: `${` is one of the hostile characters under test
  fc.string({ unit: fc.constantFrom(...'x[]"\'`${}();=/*\\\n\u2028') }),
);

@versionedObject({ name: 'Base', version: '1.0', registry: false })
class Base extends VersionedObject {
  @field(f.integer()) declare n: number;
}

/** Base's metadata with other field names, as a hand-built meta would be: not through the decorator. */
function metaWithFields(names: readonly string[]): ObjectMeta {
  const base = metaOf(Base);
  const fields = names.map((name) => makeFieldDef(name, f.integer()) as FieldDef);
  return {
    ...base,
    fields,
    fieldMap: new Map(fields.map((d) => [d.name, d])),
    objectFields: [],
    compiled: { decoder: undefined, encoders: new Map() },
  };
}

const host: EncoderHost = {
  objectField: () => assert.fail('no object fields here'),
  lost: () => assert.fail('nothing is lost at the own version'),
};

describe('hostile field names', () => {
  it('register() refuses a hand-built meta whose field name is code, with a typed error, running none of it', () => {
    const registry = new ObjectRegistry();
    const meta = metaWithFields([`x[globalThis.${PWNED}="register"]`]);
    assert.throws(
      () => registry.register(meta),
      (err: unknown) => isVersionedError(err, 'registration') && /field name .* must match/.test(err.message),
    );
    assert.equal(registry.has('Base'), false);
    assert.equal(pwned(), undefined);
  });

  it('register() checks the rest of a hand-built meta with typed errors', () => {
    const registry = new ObjectRegistry();
    const good = metaOf(Base);
    const broken: [string, unknown, RegExp][] = [
      ['not an object', 42, /expected the metadata of a class/],
      ['no name', { ...good, name: '' }, /needs a name/],
      ['a bad version', { ...good, version: '1' }, /version must be/],
      ['no class', { ...good, cls: {} }, /cls must be the class/],
      ['no type', { ...good, fields: [{ name: 'n' }], fieldMap: new Map([['n', { name: 'n' }]]) }, /type must be a field type/],
      ['fields and fieldMap apart', { ...good, fieldMap: new Map() }, /fieldMap does not hold/],
      ['a method name', metaWithFields(['toPrimitive']), /taken by a method/],
      ['no history', { ...good, history: {} }, /history must be/],
      ['other envelope keys', { ...good, keys: { ...good.keys, data: 'x' } }, /keys must be/],
    ];
    for (const [what, meta, message] of broken) {
      assert.throws(
        () => registry.register(meta as ObjectMeta),
        (err: unknown) => isVersionedError(err, 'registration') && message.test(err.message),
        what,
      );
    }
    registry.register(good);
    assert.equal(registry.newest('Base'), good);
  });

  it('register() accepts identifier names and refuses every other name, randomized; no name runs code', () => {
    fc.assert(
      fc.property(hostileName, (name) => {
        const registry = new ObjectRegistry();
        let registered = true;
        try {
          registry.register(metaWithFields([name]));
        } catch (err) {
          assert.ok(isVersionedError(err, 'registration'), String(err));
          registered = false;
        }
        // An identifier not taken by the class or its prototypes (Object.prototype's toString...).
        const taken = name === 'prototype' || (name in Base.prototype && name !== 'n');
        assert.equal(registered, /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !taken, name);
        assert.equal(pwned(), undefined);
      }),
      { numRuns: 300 },
    );
  });

  for (const mode of ['compile', 'interpret'] as const) {
    it(`the codecs (${mode === 'compile' ? 'compiled' : 'interpreted'}) write any name as a key, never as code (randomized, register() bypassed)`, () => {
      setCodegen(mode);
      try {
        fc.assert(
          fc.property(
            fc.uniqueArray(hostileName, { minLength: 1, maxLength: 4 }),
            fc.array(fc.integer(), { minLength: 4, maxLength: 4 }),
            (names, numbers) => {
              const meta = metaWithFields(names);
              if (names.includes('__proto__')) {
                assert.throws(
                  () => decoderFor(meta),
                  (err: unknown) => isVersionedError(err, 'registration'),
                );
                assert.throws(
                  () => encoderFor(meta, meta.version, false),
                  (err: unknown) => isVersionedError(err, 'registration'),
                );
                return;
              }
              const values: Record<string, unknown> = {};
              for (const [i, name] of names.entries())
                Object.defineProperty(values, name, { value: numbers[i], enumerable: true, writable: true });
              const envelope = encoderFor(meta, meta.version, false)(values, host, { makeCompatible() {} });
              const data = envelope['versioned_object.data'] as Record<string, unknown>;
              assert.deepEqual(Object.keys(data), Object.keys(values));
              for (const name of names) assert.equal(data[name], values[name]);
              const decoded: Record<string, unknown> = {};
              decoderFor(meta)(data, decoded, {} as never);
              for (const name of names) assert.equal(decoded[name], values[name]);
              assert.equal(pwned(), undefined);
            },
          ),
          { numRuns: 200 },
        );
      } finally {
        setCodegen('compile');
      }
    });
  }
});

describe('makeCompatible hooks', () => {
  for (const mode of ['compile', 'interpret'] as const) {
    it(`an error the hook throws carries the hook's own path, not the last field's (${mode === 'compile' ? 'compiled' : 'interpreted'})`, () => {
      setCodegen(mode);
      try {
        const registry = new ObjectRegistry();
        @versionedObject({
          name: 'Hook',
          version: '1.1',
          registry,
          history: [
            { version: '1.0', note: 'Initial version' },
            { version: '1.1', note: 'Added b', added: ['b'] },
          ],
        })
        class Hook extends VersionedObject {
          @field(f.integer()) declare a: number;
          @field(f.string()) declare b: string;
          @field(f.list(f.integer())) declare c: number[];
          override makeCompatible(data: Record<string, unknown>): void {
            if (data['b'] === 'reshape') throw new VersionedError('invalid_value', 'cannot be reshaped', { path: ['b_as_tag'] });
            if (data['b'] === 'plain') throw new VersionedError('invalid_value', 'has no old form');
          }
        }
        @versionedObject({
          name: 'Holder',
          version: '1.1',
          registry,
          history: [
            { version: '1.0', note: 'Initial version', children: { hook: '1.0' } },
            { version: '1.1', note: 'Hook 1.1', children: { hook: '1.1' } },
          ],
        })
        class Holder extends VersionedObject {
          @field(f.integer()) declare n: number;
          @field(f.object<Hook>('Hook')) declare hook: Hook;
        }
        const hook = Hook.create({ a: 1, b: 'reshape', c: [1] });
        assert.throws(
          () => hook.toPrimitive({ targetVersion: '1.0' }),
          (err: unknown) => isVersionedError(err, 'invalid_value') && err.path.join('.') === 'Hook.b_as_tag',
        );
        hook.b = 'plain';
        assert.throws(
          () => hook.toPrimitive({ targetVersion: '1.0' }),
          (err: unknown) => isVersionedError(err, 'invalid_value') && err.path.join('.') === 'Hook',
        );
        // In a tree: the child's field in the parent, then the hook's own path.
        hook.b = 'reshape';
        const holder = Holder.create({ n: 2, hook });
        assert.throws(
          () => holder.toPrimitive({ targetVersion: '1.0' }),
          (err: unknown) => isVersionedError(err, 'invalid_value') && err.path.join('.') === 'Holder.hook.b_as_tag',
        );
        // A field's own error still names the field.
        hook.b = 'fine';
        assert.deepEqual(hook.toPrimitive({ targetVersion: '1.0' })['versioned_object.data'], { a: 1, c: [1] });
      } finally {
        setCodegen('compile');
      }
    });
  }
});

describe('no code generation from strings', () => {
  it('under --disallow-code-generation-from-strings the codecs give what the compiled ones give (randomized)', () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const worlds = 8;
    const script = fileURLToPath(new URL('./support/codec-run.js', import.meta.url));
    const child = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', script, String(seed), String(worlds)], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    assert.equal(child.status, 0, `seed ${seed}: ${child.stderr}`);
    const interpreted = JSON.parse(child.stdout) as { codegen: boolean; outcomes: string[] };
    assert.equal(interpreted.codegen, false, 'the child could compile code: the flag did not take');
    const compiled = runCodecs(seed, worlds);
    assert.equal(interpreted.outcomes.length, compiled.length, `seed ${seed}`);
    for (let i = 0; i < compiled.length; i++) assert.equal(interpreted.outcomes[i], compiled[i], `seed ${seed}, outcome ${i}`);
    // The run exercised both paths: results and typed errors (the hook's, data loss, hostile data).
    assert.ok(compiled.some((o) => o.startsWith('{"ok"')) && compiled.some((o) => o.startsWith('{"error"')), `seed ${seed}`);
    assert.ok(!compiled.some((o) => o.startsWith('{"thrown"')), `seed ${seed}: an untyped error`);
  });
});
