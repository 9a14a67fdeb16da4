// The SchemaValidator on pathological inputs, side by side with the strict decoder on the same input in the
// same run (the decoder is the peer: what the validator should cost at most a small multiple of). Each row
// prints the milliseconds of both, their ratio, and what each answered (valid, or the code/keyword of the
// first failure). The last row is the heap the validator keeps after 3,000 distinct version strings.
// Run: ./node_modules/.bin/tsc -b && node --expose-gc scripts/bench-validator.mjs
import { performance } from 'node:perf_hooks';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '../packages/objects/dist/src/index.js';
import { SchemaValidator } from '../packages/objects/dist/src/schema.js';

const registry = new ObjectRegistry();
class Part extends VersionedObject {}
field(f.string(), { nullable: true })(Part.prototype, 'label');
versionedObject({ name: 'Part', version: '1.0', registry })(Part);
class Holder extends VersionedObject {}
field(f.list(f.integer()))(Holder.prototype, 'numbers');
field(f.set(f.object('Part')))(Holder.prototype, 'partSet');
field(f.object('Holder'), { nullable: true })(Holder.prototype, 'next');
versionedObject({
  name: 'Holder',
  version: '1.1',
  registry,
  history: [
    { version: '1.0', note: 'Initial' },
    { version: '1.1', note: 'Nothing' },
  ],
})(Holder);

const NS = 'versioned_object';
const env = (name, data, version = '1.0') => ({
  [`${NS}.name`]: name,
  [`${NS}.namespace`]: 'versionedobjects',
  [`${NS}.version`]: version,
  [`${NS}.data`]: data,
});
const chain = (depth) => {
  let p = env('Holder', { next: null });
  for (let i = 1; i < depth; i++) p = env('Holder', { next: p });
  return p;
};
const cyclic = () => {
  const data = {};
  const p = env('Holder', data);
  data.next = p;
  return p;
};

const cases = [
  ['1,000,000 wrong items in a list', () => env('Holder', { numbers: new Array(1_000_000).fill('x') })],
  [
    'a Set of 4,000 distinct objects',
    () => env('Holder', { partSet: Array.from({ length: 4000 }, (_, i) => env('Part', { label: `p${i}` })) }),
  ],
  ['a Set of objects with valueOf keys', () => env('Holder', { partSet: [env('Part', {}), env('Part', { valueOf: {} })] })],
  ['{"partSet":[{},{"valueOf":{}}]}', () => env('Holder', { partSet: [{}, { valueOf: {} }] })],
  ['an envelope chain 20,000 deep', () => chain(20_000)],
  ['a cyclic envelope', cyclic],
];

const REPS = Number(process.env.BENCH_REPS ?? 5);

/** The median time of REPS calls, and what the last one answered. */
function run(fn) {
  const times = [];
  let answer;
  for (let i = 0; i < REPS; i++) {
    const start = performance.now();
    try {
      answer = fn();
    } catch (err) {
      answer = `THROWS ${err?.constructor?.name}: ${String(err?.message).slice(0, 50)}`;
    }
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], answer };
}

const validator = new SchemaValidator(registry);
const summary = (r) => (r.valid ? 'valid' : `invalid (${r.issues.length} issues, first: ${r.issues[0]?.keyword})`);
console.log(['case', 'validator ms', 'decoder ms', 'ratio', 'validator answer', 'decoder answer'].join(' | '));
for (const [what, make] of cases) {
  const input = make();
  validator.validate(env('Holder', {})); // compile outside the timing
  // Warm: the first call of a case compiles its schemas (once per class and version, kept in the cache).
  validator.validate(input);
  const v = run(() => summary(validator.validate(input)));
  const d = run(() => (registry.fromPrimitive(input, { strict: true }), 'decodes'));
  console.log([what, v.ms.toFixed(1), d.ms.toFixed(1), (v.ms / Math.max(d.ms, 0.01)).toFixed(1), v.answer, d.answer].join(' | '));
}

globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
const start = performance.now();
const fresh = new SchemaValidator(registry);
for (let i = 0; i < 3000; i++) fresh.validate(env('Holder', {}, `1.0.${i}`));
const ms = performance.now() - start;
globalThis.gc?.();
console.log(
  `3,000 version strings 1.0.0 ... 1.0.2999 | ${ms.toFixed(0)} ms | heap +${((process.memoryUsage().heapUsed - before) / 1e6).toFixed(1)} MB${globalThis.gc ? '' : ' (run with --expose-gc for a stable figure)'}`,
);
