import { OPERATIONS, PEERS, type OperationId, type PeerId } from './operations.js';
import { GROWTH_OPERATIONS, WHY_GROWS, growthVerdicts, type GrowthReport } from './growth.js';
import { speedup, whyMissed, type Figures, type TargetResult } from './targets.js';

export interface Machine {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly os: string;
  readonly node: string;
  readonly python: string;
  readonly oslo: string;
  readonly classTransformer: string;
  /** The validating peers and their versions, `zod 4.1.0, valibot 1.1.0, ...`. */
  readonly validators: string;
  readonly tinybench: string;
  /** 1-minute load average when the run started: above the core count, neighbours were competing for the CPUs. */
  readonly loadAverage: number;
  /** 1-minute load average when the run ended. */
  readonly loadAverageEnd?: number;
}

export interface BenchReport {
  readonly date: string;
  readonly machine: Machine;
  readonly mode: 'full' | 'smoke';
  /** Total time per task, over all rounds. */
  readonly timeMsPerTask: number;
  /** Each peer was timed once per round; the best round counts. */
  readonly rounds: number;
  readonly figures: Figures;
  /** Relative margin of error (percent) of the JS figures. */
  readonly rme: Partial<Record<OperationId, Partial<Record<PeerId, number>>>>;
  readonly notes: readonly string[];
  readonly targets: readonly TargetResult[];
  /** The instruction-count baseline, quoted in the docs (absent when there is none). */
  readonly instructions?: InstructionsBaseline;
  /** Time per object as the work grows (absent when the run skipped it). */
  readonly growth?: GrowthReport;
}

const PEER_LABEL = Object.fromEntries(PEERS.map((p) => [p.id, p.label])) as Record<PeerId, string>;
const OTHERS = PEERS.filter((p) => p.id !== 'versioned');

function ops(n: number | undefined): string {
  return n === undefined ? '—' : Math.round(n).toLocaleString('en-US');
}

function times(n: number | undefined): string {
  if (n === undefined) return '—';
  return `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)}x`;
}

export function describeTarget(t: TargetResult): { text: string; measured: string } {
  const peer = PEER_LABEL[t.peer];
  if (t.kind === 'costs') {
    const cost = t.speedup === undefined ? undefined : 1 / t.speedup;
    return {
      text: `${t.operation} costs at most ${t.factor}x ${t.baseline}`,
      measured: `${t.operation} ÷ ${t.baseline} time = ${times(cost)} (limit ${t.factor}x)`,
    };
  }
  if (t.kind === 'within') {
    const slower = t.speedup === undefined ? undefined : 1 / t.speedup;
    return { text: `${t.operation} within ${t.factor}x of ${peer}`, measured: `${peer} ÷ ours = ${times(slower)} (limit ${t.factor}x)` };
  }
  const ceiling = t.ceiling === undefined ? '' : `; ${PEER_LABEL[t.ceilingPeer ?? 'handWritten']}: ${times(t.ceiling)}`;
  const goal = t.factor === 1 ? 'faster than' : `at least ${t.factor}x faster than`;
  return { text: `${t.operation} ${goal} ${peer}`, measured: `ours ÷ ${peer} = ${times(t.speedup)} (needs ${t.factor}x${ceiling})` };
}

function rows(report: BenchReport): string[][] {
  return OPERATIONS.map((op) => [
    op.label,
    ...PEERS.map((p) => {
      const value = report.figures[op.id]?.[p.id];
      const rme = report.rme[op.id]?.[p.id];
      return value === undefined ? '—' : rme === undefined ? ops(value) : `${ops(value)} ±${rme.toFixed(1)}%`;
    }),
  ]);
}

function ratioRows(report: BenchReport): string[][] {
  return OPERATIONS.map((op) => [op.label, ...OTHERS.map((p) => times(speedup(report.figures, op.id, p.id)))]);
}

function textTable(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('   '), ...body.map(line)];
}

function markdownTable(header: string[], body: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function growthRows(growth: GrowthReport): string[][] {
  const ns = (n: number | undefined): string => (n === undefined ? '—' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  return growth.rows.map((r) => [
    r.subject,
    r.size.toLocaleString('en-US'),
    ...GROWTH_OPERATIONS.map((op) => ns(r.nsPerObject[op])),
    ns(r.referenceNsPerObject?.toPrimitive),
    ns(r.referenceNsPerObject?.fromPrimitive),
  ]);
}

const GROWTH_HEADER = ['subject', 'size', ...GROWTH_OPERATIONS, 'hand-written toPrimitive', 'hand-written, validating fromPrimitive'];

function growthVerdictLines(growth: GrowthReport): { verdict: string; text: string; why: string | undefined }[] {
  return growthVerdicts(growth).map((v) => ({
    verdict: v.flat ? 'FLAT' : 'GROWS',
    why: v.flat ? undefined : WHY_GROWS[`${v.subject}:${v.operation}`],
    text:
      v.marginalGrowth === undefined
        ? `${v.subject}, ${v.operation}: time per object grows ${times(v.growth)} at most from a size to a larger one (limit ${growth.flatWithin}x)`
        : `${v.subject}, ${v.operation}: time per object grows ${times(v.growth)}; the marginal cost per object ${times(v.marginalGrowth)}` +
          (v.growthOverReference === undefined ? '' : `, divided by the hand-written code's ${times(v.growthOverReference)}`) +
          ` (limit ${growth.flatWithin}x)`,
  }));
}

/** One line per distinct explanation of the missed targets, naming the targets it explains. */
function missNotes(report: BenchReport): string[] {
  const byWhy = new Map<string, string[]>();
  for (const t of report.targets) {
    const why = t.met ? undefined : whyMissed(t);
    if (why) byWhy.set(why, [...(byWhy.get(why) ?? []), describeTarget(t).text]);
  }
  return [...byWhy].map(([why, targets]) => `Missed: ${targets.join('; ')}. ${why}`);
}

function machineLine(m: Machine): string {
  return `${m.cpus} × ${m.cpuModel} (load average ${m.loadAverage.toFixed(1)} at the start${m.loadAverageEnd === undefined ? '' : `, ${m.loadAverageEnd.toFixed(1)} at the end`}${m.loadAverage > m.cpus || (m.loadAverageEnd ?? 0) > m.cpus ? ': shared with other jobs, more runnable tasks than cores' : ''}), ${m.os}; Node ${m.node}; Python ${m.python} with oslo.versionedobjects ${m.oslo}; class-transformer ${m.classTransformer}; ${m.validators}; tinybench ${m.tinybench}`;
}

export function formatText(report: BenchReport): string {
  const out: string[] = [];
  out.push(
    `Volume (10 fields, 3 nested Attachments): ops/s, higher is better (${report.mode} run, ${report.timeMsPerTask} ms per task over ${report.rounds} round${report.rounds === 1 ? '' : 's'}, best round)`,
  );
  out.push(`Machine: ${machineLine(report.machine)}`);
  out.push('');
  out.push(...textTable(['operation', ...PEERS.map((p) => p.label)], rows(report)));
  out.push('');
  out.push('Speed of @versioned/objects relative to each peer (ours ÷ theirs; above 1x we are faster)');
  out.push(...textTable(['operation', ...OTHERS.map((p) => `vs ${p.label}`)], ratioRows(report)));
  out.push('');
  out.push('Targets (issue 17 item 2; issue 2 item 9)');
  for (const t of report.targets) {
    const d = describeTarget(t);
    out.push(`  ${t.met ? 'PASS' : 'MISS'}  ${d.text.padEnd(60)} ${d.measured}`);
  }
  for (const note of missNotes(report)) out.push(`  ${note}`);
  if (report.growth) {
    out.push('');
    out.push(
      "Growth: CPU time per object in ns (the list's volumes, the tree's nodes; the registry rows decode one Volume), median round;",
    );
    out.push("the hand-written columns do the same work by hand, so growth that is the size's own (GC, caches) shows there too");
    out.push(...textTable(GROWTH_HEADER, growthRows(report.growth)));
    for (const v of growthVerdictLines(report.growth)) out.push(`  ${v.verdict.padEnd(5)} ${v.text}`);
    for (const why of new Set(
      growthVerdictLines(report.growth)
        .map((v) => v.why)
        .filter(Boolean),
    ))
      out.push(`  Grows: ${why}`);
  }
  if (report.notes.length) {
    out.push('');
    for (const note of report.notes) out.push(`Note: ${note}`);
  }
  return out.join('\n');
}

/** The committed baseline of `pnpm bench:instructions` (packages/bench/instructions-baseline.json). */
export interface InstructionsBaseline {
  readonly node: string;
  readonly valgrind: string;
  readonly nodeFlags: readonly string[];
  readonly calls: number;
  readonly warmup: number;
  readonly perCall: Readonly<Record<string, number>>;
}

function instructionsSection(b: InstructionsBaseline): string[] {
  return [
    '## Instruction counts (the figure machine noise does not move)',
    '',
    '`pnpm bench:instructions` runs a fixed loop (scripts/instructions-loop.mjs: set up, warm up, then each operation',
    `${b.calls} times) under \`valgrind --tool=callgrind\` and prints the instructions per call against the committed baseline,`,
    'packages/bench/instructions-baseline.json; `-- --check` exits 1 when decode or encode grew more than 10% over it, and',
    '`-- --update` rewrites it after a deliberate change. One process counts every phase: callgrind dumps its counters each',
    'time `os.getPriority()` (`--dump-before=uv_os_getpriority`, which nothing else calls) marks the end of one.',
    '',
    ...markdownTable(
      ['operation', 'instructions per call (baseline)'],
      Object.entries(b.perCall).map(([op, n]) => [op, n.toLocaleString('en-US')]),
    ),
    '',
    `Counted on Node ${b.node}, ${b.valgrind}, with \`node ${b.nodeFlags.join(' ')}\`. The flags are what makes the count`,
    'repeatable. Measured here, two runs each: with the JIT (`--single-threaded` and the rest, without `--jitless`) decode',
    'moved by 1.2% between runs and the backport counted its own optimisation (261,042 per call against 102,345 interpreted),',
    'because the tier-up falls inside or outside a phase depending on timing; without `--expose-gc` and a GC between phases the',
    'backport moved by 2.6% (a scavenge fell inside the phase in one run only). With these flags four runs gave decode',
    '219,780 to 219,797 and encode 85,978 in each: a spread under 0.01%, so the 10% limit catches real regressions only. The',
    "count is the interpreter's, not the optimised code's: it follows the work done (a check added, a copy made, a loop",
    "over the tree), not the JIT's luck; it is compared only with a baseline from the same Node and flags.",
    'One run takes about 20 s of CPU (valgrind runs node about 50 times slower): about 20 s of wall time on an idle machine, 2 to 2.5 minutes on this one at load 13 to 18.',
  ];
}

export function formatMarkdown(report: BenchReport): string {
  const out: string[] = [];
  out.push('# Performance');
  out.push('');
  out.push('<!-- Generated by `pnpm bench --write-docs` (scripts/bench.mjs); edit the script, not this file. -->');
  out.push('');
  out.push(`Measured at ${report.date} on ${machineLine(report.machine)}.`);
  out.push(
    `Every peer is timed in each of ${report.rounds} rounds (${Math.round(report.timeMsPerTask / report.rounds)} ms per task per round) and the best round counts, so that a`,
  );
  out.push('busy neighbour on a shared machine shows up as a slower round rather than a wrong ratio. Time is CPU time of the');
  out.push('measuring process (`process.cpuUsage()`, `time.process_time()`), for the same reason; for this single-threaded work it');
  out.push("equals wall time on an idle machine. A JS figure is tinybench's mean over batches of 64 calls (± is its relative");
  out.push('margin of error); the oslo figures are timed inside the Python process (a loop of the same fixed duration), in the same run.');
  out.push('');
  out.push('The object is a Volume with 10 fields (uuid, string, nullable string, integer, enum, boolean, date-time,');
  out.push('dict of strings, set of strings, list of objects) holding 3 nested Attachments (uuid, uuid, string, date-time).');
  out.push('');
  out.push('- **@versioned/objects**: `volume.toPrimitive()`, `Volume.fromPrimitive(envelope)` (every value checked and coerced).');
  out.push('- **hand-written**: functions written for this one shape over plain TS objects, producing and reading the same envelope,');
  out.push('  with no checks at all: the practical limit of encoding, and the reference of the toPrimitive target. Its dates use the');
  out.push("  library's own tricks (a two-digit table out, char codes in), so the ratios measure per-field work, not a date formatter.");
  out.push('- **hand-written, validating**: a decoder written for this one shape that checks what the library checks (envelope name,');
  out.push("  namespace and version, every field's type, UUIDs, date-times in range, integers, the enum) and throws a typed error with");
  out.push('  the path; it builds paths only on failure. The practical limit of validated decoding, and the reference of the 2x target.');
  out.push('- **zod**, **valibot**, **typia**, **ajv**: what users pick to decode untrusted input. Each checks the same things (UUIDs and');
  out.push('  date-times by format) and builds the same typed object as the hand-written copy (Dates, a Set, three attachments):');
  out.push('  zod 4 with codecs (`z.decode`, and `z.encode` for the encode row), valibot with `v.parse` and transforms, typia with');
  out.push('  `typia.createAssert<VolumeEnvelope>()` and ajv with a compiled JSON Schema (ajv-formats for `uuid` and `date-time`),');
  out.push('  both followed by the plain build with `new Date(text)`. Before timing, the run checks that every validating peer builds');
  out.push('  the same object and refuses the same seven bad inputs (a bad nested UUID, month 13, a float size, ...).');
  out.push(
    '- **typia** needs its types read at compile time. typia 13 and 14 transform only through ttsc, the plugin host of TypeScript 7 (the Go',
  );
  out.push('  compiler), not TypeScript 6; typia 12.2 (peer `typescript <7`) works here in its generated-code mode: `typia generate`');
  out.push('  (`pnpm --filter @versioned/bench typia:generate`) turns packages/bench/typia-templates/ into the committed');
  out.push('  src/peers/typia-generated/, which `tsc -b` compiles like any other file; no ts-patch, no compiler plugin.');
  out.push(
    '- **hand-written, idiomatic dates**: the plain copy with `toISOString()` and `new Date(text)`, as most people write it; for context.',
  );
  out.push('- **class-transformer**: `instanceToPlain` / `plainToInstance` on equivalent classes with `@Type` for the nested objects');
  out.push('  and dates. It checks nothing either (that would be class-validator on top).');
  out.push("- **oslo (Python)**: `obj_to_primitive()`, `Volume.obj_from_primitive()` and `json.dumps`/`json.loads`, on Debian's package.");
  out.push('- **JSON round trip**: toPrimitive → `JSON.stringify` → `JSON.parse` → fromPrimitive.');
  out.push("- **toPrimitive backported to 1.0**: `toPrimitive({ targetVersion: '1.0' })` vs `obj_to_primitive(target_version='1.0')`");
  out.push('  (Volume 1.1 added `tags`; the backport drops it).');
  out.push('');
  out.push('## ops/s (higher is better)');
  out.push('');
  out.push(...markdownTable(['operation', ...PEERS.map((p) => p.label)], rows(report)));
  out.push('');
  out.push('## @versioned/objects relative to each peer (ours ÷ theirs; above 1x we are faster)');
  out.push('');
  out.push(...markdownTable(['operation', ...OTHERS.map((p) => `vs ${p.label}`)], ratioRows(report)));
  out.push('');
  out.push('## Targets (issue 17 item 2; issue 2 item 9)');
  out.push('');
  out.push(
    '"hand-written: N x" is the hand-written copy\'s own speed-up over the same peer (the validating one against a validating peer):',
  );
  out.push('a bound on what any generic library reaches here.');
  out.push('');
  out.push(
    ...markdownTable(
      ['target', 'measured', 'result'],
      report.targets.map((t) => {
        const d = describeTarget(t);
        return [d.text, d.measured, t.met ? 'PASS' : '**MISS**'];
      }),
    ),
  );
  if (report.notes.length) {
    out.push('');
    for (const note of [...missNotes(report), ...report.notes]) out.push(`- ${note}`);
  }
  if (report.growth) {
    out.push('');
    out.push('## Growth: time per object');
    out.push('');
    out.push("A list of volumes (a `VolumeList`, oslo's ObjectListBase), a tree of `TreeNode`s one `child` deep per level, and one Volume");
    out.push('decoded through a registry holding 10 or 1,000 classes. CPU time per object in nanoseconds, the median of rounds of');
    out.push("about 10 ms within the budget; the backport is `toPrimitive({ targetVersion: '1.0' })` of the list or the root node.");
    out.push('The hand-written columns do the same work with code written for the shape (the plain encoder; the validating decoder):');
    out.push('what a large input costs anyway (allocation, garbage collection, caches: at 100,000 volumes the whole result survives');
    out.push('young-generation GCs, and the hand-written code slows down as much). A list or a tree counts as flat when its marginal');
    out.push('cost per object, (T(n₂) − T(n₁)) / (n₂ − n₁) from whole-call times T between two sizes, rises by at most the limit from');
    out.push("one step of sizes to a later one, divided by the hand-written code's rise between the same steps; the registry when its");
    out.push('time per call does. A fixed cost per call cancels out of the marginal cost, on both sides: dividing times per object');
    out.push("(as before issue 17's growth fix) did not cancel it, and the hand-written tree's per-call set-up made its one-node");
    out.push('figure its dearest per node, so the library seemed to grow from one level to ten. The rounds are also sized on warm');
    out.push('code, and their median counts rather than the best: sized from one interpreted first call, the rounds of the smallest');
    out.push("sizes lasted ~0.1 ms, and the process's CPU clock can stand still for a moment, so their best came out 2-3x below the");
    out.push('steady time per call (a one-node tree: 15 ns per node, against 50 in a plain loop; once even 0).');
    out.push('');
    out.push(...markdownTable(GROWTH_HEADER, growthRows(report.growth)));
    out.push('');
    for (const v of growthVerdictLines(report.growth))
      out.push(`- ${v.verdict === 'FLAT' ? 'FLAT' : '**GROWS**'}: ${v.text}${v.why ? `. Why: ${v.why}` : ''}`);
  }
  if (report.instructions) out.push('', ...instructionsSection(report.instructions));
  out.push('');
  out.push(
    'Regenerate with `pnpm bench --write-docs` (about a minute on an idle machine, six on this loaded one); figures from another machine are not comparable, and on a loaded one read the ratios, not the ops/s.',
  );
  out.push('');
  return out.join('\n');
}
