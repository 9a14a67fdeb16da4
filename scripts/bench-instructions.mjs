// `pnpm bench:instructions`: instructions per call of Volume.fromPrimitive (decode), toPrimitive (encode) and a
// backport to 1.0, counted by valgrind's callgrind on a fixed loop (scripts/instructions-loop.mjs), against the
// committed baseline (packages/bench/instructions-baseline.json). Unlike a time, the count does not move with
// the machine's load. Flags: --check (exit 1 when decode or encode grew more than 10% over the baseline),
// --update (write the baseline), --json (the figures as JSON on stdout), --runs=<n> (repeat, print the spread).
// Exit codes: 0 fine, 1 a guarded count grew beyond the limit, 2 bad usage or valgrind missing/failing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// INSTRUCTIONS_BASELINE points elsewhere (to try --check against another baseline).
const BASELINE =
  process.env.INSTRUCTIONS_BASELINE ?? fileURLToPath(new URL('../packages/bench/instructions-baseline.json', import.meta.url));
const LOOP = fileURLToPath(new URL('./instructions-loop.mjs', import.meta.url));
/** Calls timed per operation, and warm-up calls of each operation before them. */
const CALLS = 200;
const WARMUP = 20;
/**
 * Node flags that make the count repeatable. --jitless: no compiler tier kicks in at a moment that depends on
 * timing (with the JIT, counts moved by several percent between runs); --single-threaded: no helper threads
 * (GC, compiler) whose work valgrind would interleave; a fixed semi-space and hash seed: the same GCs and the
 * same hash tables every run. The count is then the interpreter's, not the optimised code's: it shows a change
 * in the work done (a check added, a copy made), which is what a regression guard needs.
 */
const DEFAULT_FLAGS = ['--jitless', '--single-threaded', '--max-semi-space-size=16', '--hash-seed=1', '--random-seed=1'];
// INSTRUCTIONS_NODE_FLAGS replaces them, to compare settings (docs/performance.md says which were tried).
const NODE_FLAGS = [...(process.env.INSTRUCTIONS_NODE_FLAGS?.split(' ').filter(Boolean) ?? DEFAULT_FLAGS), '--expose-gc'];
const GUARDED = ['decode', 'encode'];
const LIMIT = 0.1;

function usage(message) {
  console.error(`bench:instructions: ${message}`);
  console.error('usage: pnpm bench:instructions [-- --check | --update] [--json] [--runs=<n>]');
  process.exit(2);
}

const args = process.argv.slice(2).filter((a) => a !== '--');
const unknown = args.filter((a) => !/^--(check|update|json|runs=\d+)$/.test(a));
if (unknown.length) usage(`unknown argument(s) ${unknown.join(' ')}`);
const check = args.includes('--check');
const update = args.includes('--update');
const json = args.includes('--json');
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 1);
if (check && update) usage('--check and --update do not go together');
if (runs < 1) usage('--runs must be at least 1');

function valgrindVersion() {
  try {
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    console.error('bench:instructions: valgrind is not installed (apt-get install valgrind)');
    process.exit(2);
  }
}

/** One callgrind run: instructions per call of each operation. */
function countOnce() {
  const dir = mkdtempSync(join(tmpdir(), 'versioned-callgrind-'));
  try {
    const out = join(dir, 'cg.out');
    const result = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--dump-before=uv_os_getpriority',
        '--dump-instr=no',
        `--callgrind-out-file=${out}`,
        process.execPath,
        ...NODE_FLAGS,
        LOOP,
        String(CALLS),
        String(WARMUP),
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) {
      console.error(
        `bench:instructions: the callgrind run failed (exit ${result.status})\n${result.stderr.split('\n').slice(-15).join('\n')}`,
      );
      process.exit(2);
    }
    const phases = JSON.parse(result.stdout.trim().split('\n').pop());
    // cg.out.1 is the set-up and warm-up, cg.out.<k+1> the k-th phase; cg.out is what ran after the last marker.
    const totals = (n) => Number(/^totals:\s*(\d+)/m.exec(readFileSync(`${out}.${n}`, 'utf8'))?.[1] ?? NaN);
    const dumps = readdirSync(dir).filter((f) => /^cg\.out\.\d+$/.test(f)).length;
    if (dumps !== phases.length + 1) {
      console.error(
        `bench:instructions: expected ${phases.length + 1} callgrind dumps, found ${dumps}: is something else calling uv_os_getpriority?`,
      );
      process.exit(2);
    }
    return Object.fromEntries(phases.flatMap((name, k) => (name === 'gc' ? [] : [[name, Math.round(totals(k + 2) / CALLS)]])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const valgrind = valgrindVersion();
const started = Date.now();
const samples = [];
for (let i = 0; i < runs; i++) samples.push(countOnce());
const ops = Object.keys(samples[0]);
const perCall = Object.fromEntries(ops.map((op) => [op, Math.min(...samples.map((s) => s[op]))]));
const spread = Object.fromEntries(
  ops.map((op) => [op, Math.max(...samples.map((s) => s[op])) / Math.min(...samples.map((s) => s[op])) - 1]),
);
const current = { node: process.versions.node, valgrind, nodeFlags: NODE_FLAGS, calls: CALLS, warmup: WARMUP, perCall };

let baseline;
try {
  baseline = JSON.parse(readFileSync(BASELINE, 'utf8'));
} catch {
  baseline = undefined;
}
const comparable =
  baseline &&
  baseline.node === current.node &&
  baseline.calls === CALLS &&
  baseline.warmup === WARMUP &&
  baseline.nodeFlags.join(' ') === NODE_FLAGS.join(' ');

const rows = ops.map((op) => {
  const base = baseline?.perCall?.[op];
  const change = base ? perCall[op] / base - 1 : undefined;
  const guarded = GUARDED.includes(op);
  const verdict = !comparable || change === undefined ? '—' : !guarded ? 'not guarded' : change > LIMIT ? 'FAIL' : 'ok';
  return { op, perCall: perCall[op], baseline: base, change, spread: runs > 1 ? spread[op] : undefined, guarded, verdict };
});
const failed = check && comparable && rows.some((r) => r.verdict === 'FAIL');

if (json) {
  console.log(JSON.stringify({ ...current, runs, baseline: baseline ?? null, comparable: Boolean(comparable), rows, failed }, null, 2));
} else {
  const pct = (x) => (x === undefined ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
  const num = (x) => (x === undefined ? '—' : x.toLocaleString('en-US'));
  const header = [
    'operation',
    'instructions/call',
    'baseline',
    'change',
    ...(runs > 1 ? [`spread over ${runs} runs`] : []),
    `verdict (limit +${LIMIT * 100}%)`,
  ];
  const body = rows.map((r) => [r.op, num(r.perCall), num(r.baseline), pct(r.change), ...(runs > 1 ? [pct(r.spread)] : []), r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  console.log(
    `Instructions per call (callgrind; node ${NODE_FLAGS.join(' ')}; ${CALLS} calls after ${WARMUP} warm-up calls; ${valgrind}; Node ${current.node})`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('   '));
  for (const b of body) console.log(line(b));
  if (!baseline) console.log('No baseline yet: write one with --update.');
  else if (!comparable)
    console.log(
      `The baseline was counted with Node ${baseline.node} (${baseline.nodeFlags.join(' ')}, ${baseline.calls} calls): not comparable, nothing judged; write a new one with --update.`,
    );
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

if (update) {
  writeFileSync(BASELINE, `${JSON.stringify(current, null, 2)}\n`);
  console.error(`bench:instructions: wrote ${BASELINE}`);
}
if (check && !comparable) {
  console.error('bench:instructions: --check needs a baseline counted with this Node and these settings');
  process.exit(2);
}
if (failed) {
  console.error(
    `bench:instructions: ${rows
      .filter((r) => r.verdict === 'FAIL')
      .map((r) => `${r.op} grew ${pct2(r.change)}`)
      .join(', ')} over the baseline (limit +${LIMIT * 100}%)`,
  );
  process.exit(1);
}
function pct2(x) {
  return `${(x * 100).toFixed(1)}%`;
}
