// `node scripts/bench-volume.mjs`: only @versioned/objects' Volume rows (create, toPrimitive, validated
// fromPrimitive, backport to 1.0), timed with tinybench in CPU time, 3 rounds interleaved; for comparing two
// builds of the core (run it on each, same machine, back to back). Flags: --time=<ms per task per round>.
// Run after `tsc -b`.
import { measure } from '../packages/bench/dist/src/measure.js';
import { VOLUME, versionedOperations } from '../packages/bench/dist/src/index.js';
import { buildVolume } from '../packages/bench/dist/src/peers/versioned.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const unknown = args.filter((a) => !/^--time=\d+$/.test(a));
if (unknown.length) {
  console.error(`bench-volume: unknown argument(s) ${unknown.join(' ')}; use --time=<ms>`);
  process.exit(2);
}
const time = Number(args.find((a) => a.startsWith('--time='))?.slice('--time='.length) ?? 1000);
const ops = versionedOperations(VOLUME);
const tasks = new Map([
  ['create (Volume.create + 2 attachments)', () => buildVolume(VOLUME)],
  ['toPrimitive', ops.encode],
  ['fromPrimitive (validated)', ops.decode],
  ['toPrimitive backported to 1.0', ops.backport],
]);
const rounds = 3;
const best = new Map();
for (let round = 0; round < rounds; round++) {
  const timings = await measure(tasks, { timeMs: time, warmupMs: 100, batch: 64, iterations: 10 });
  for (const [name, t] of timings) if (!best.has(name) || best.get(name).opsPerSecond < t.opsPerSecond) best.set(name, t);
}
console.log(`Volume rows, best of ${rounds} rounds, ${time} ms per task per round`);
for (const [name, t] of best)
  console.log(`${name.padEnd(40)} ${Math.round(t.opsPerSecond).toLocaleString('en-US').padStart(12)} ops/s  ±${t.rme.toFixed(1)}%`);
