// The fixed loop `pnpm bench:instructions` runs under callgrind (scripts/bench-instructions.mjs): set up and warm
// up, then each operation N times, with `os.getPriority()` between the phases. Callgrind is started with
// `--dump-before=uv_os_getpriority` (which nothing else calls), so each phase's instructions land in a file of their own.
// Usage: node --expose-gc scripts/instructions-loop.mjs <N> <warm-up calls of each operation>
import { getPriority } from 'node:os';
// Only the modules it needs: the bench's index also loads every peer (ajv compiles its schema at import).
import { versionedOperations } from '../packages/bench/dist/src/peers/versioned.js';
import { VOLUME } from '../packages/bench/dist/src/volume-data.js';

const count = Number(process.argv[2] ?? 100);
const warmup = Number(process.argv[3] ?? 100);
const ops = versionedOperations(VOLUME);
let sink;
for (let i = 0; i < warmup; i++) for (const fn of Object.values(ops)) sink = fn();
// A full GC in a phase of its own before each operation (node runs with --expose-gc): each operation starts on an
// empty young generation, and its calls allocate less than the fixed semi-space, so no GC falls inside a phase.
const phases = [];
for (const [name, fn] of Object.entries(ops)) {
  getPriority(); // the end of the previous phase
  globalThis.gc();
  phases.push('gc');
  getPriority();
  for (let i = 0; i < count; i++) sink = fn();
  if (sink === undefined) throw new Error(`instructions-loop: ${name} returned nothing`);
  phases.push(name);
}
getPriority(); // the end of the last phase
// The order of the phases, for the script that reads the dumps.
console.log(JSON.stringify(phases));
