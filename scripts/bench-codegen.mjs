// `pnpm bench:codegen`: the compiled codecs (straight-line code from `new Function`) against the interpreted ones
// (the same plan run by a loop, used where code generation from strings is disallowed), side by side in one
// process: the bench's Volume (ten fields, three attachments) decoded, encoded and backported to 1.0.
// Two copies of the same classes (the bench module loaded twice), one made with each codec; CPU time, tinybench.
// (The envelope reader, shared by serial namespace, is the compiled one in both.) One run on a loaded 2-core machine
// gave decode 1.4x, encode 3.1x, backport 2.6x: the compiled codecs are faster, not an order of magnitude faster.
import { setCodegen } from '../packages/objects/dist/src/codegen.js';
import { measure } from '../packages/bench/dist/src/measure.js';
import { VOLUME } from '../packages/bench/dist/src/volume-data.js';

const PEERS = '../packages/bench/dist/src/peers/versioned.js';
const timing = { timeMs: Number(process.env.BENCH_TIME_MS ?? 1000), warmupMs: 300, batch: 50, iterations: 20 };

/** The operations of a fresh copy of the bench's classes, their codecs made (by the first calls) in `mode`. */
async function operations(mode, copy) {
  setCodegen(mode);
  try {
    const { versionedOperations } = await import(`${PEERS}?${copy}`);
    const ops = versionedOperations(VOLUME);
    for (const fn of Object.values(ops)) fn();
    return ops;
  } finally {
    setCodegen('compile');
  }
}

const compiled = await operations('compile', 'compiled');
const interpreted = await operations('interpret', 'interpreted');
for (const op of Object.keys(compiled)) {
  const a = JSON.stringify(compiled[op]().toPrimitive?.() ?? compiled[op]());
  const b = JSON.stringify(interpreted[op]().toPrimitive?.() ?? interpreted[op]());
  if (a !== b) throw new Error(`bench:codegen: ${op} differs between the compiled and the interpreted codecs`);
}

const tasks = new Map();
for (const op of Object.keys(compiled)) {
  tasks.set(`${op} compiled`, compiled[op]);
  tasks.set(`${op} interpreted`, interpreted[op]);
}
const results = await measure(tasks, timing);
const rows = [['operation', 'compiled ops/s', 'interpreted ops/s', 'compiled / interpreted']];
for (const op of Object.keys(compiled)) {
  const c = results.get(`${op} compiled`);
  const i = results.get(`${op} interpreted`);
  rows.push([
    op,
    `${Math.round(c.opsPerSecond).toLocaleString('en')} ±${c.rme.toFixed(1)}%`,
    `${Math.round(i.opsPerSecond).toLocaleString('en')} ±${i.rme.toFixed(1)}%`,
    `${(c.opsPerSecond / i.opsPerSecond).toFixed(2)}x`,
  ]);
}
const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
console.log(`Compiled vs interpreted codecs (node ${process.version}, CPU time, ${timing.timeMs} ms a task)`);
for (const row of rows) console.log(row.map((cell, k) => (k ? cell.padStart(widths[k]) : cell.padEnd(widths[k]))).join('   '));
