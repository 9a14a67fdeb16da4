// How long `versioned fingerprint check` takes, as a whole process, for registries of 10, 100 and 1000
// classes (generated JS modules in a temp dir). Each class has a two-version history, so the tree and
// backport compatibility checks run too. The peer in the same run: a bare `node` start-up and the CLI
// doing nothing (`versioned --version`), to show what is fixed cost and what grows with the classes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/versioned.js');
const SIZES = [10, 100, 1000];
const REPS = Number(process.env.BENCH_REPS ?? 5);

/**
 * A module of `n` classes shaped like a real domain: ten leaf classes, and every other class holding a
 * list of one leaf and one other class (trees a few levels deep, as in Nova or Cinder).
 */
function moduleSource(n) {
  const lines = [`import { VersionedObject, versionedObject, field, f } from '@versioned/objects';`];
  for (let i = 0; i < n; i++) {
    const name = `Obj${i}`;
    lines.push(`export class ${name} extends VersionedObject {}`);
    lines.push(`field(f.uuid(), { readOnly: true })(${name}.prototype, 'id');`);
    lines.push(`field(f.string())(${name}.prototype, 'name');`);
    lines.push(`field(f.nonNegativeInteger(), { default: 0 })(${name}.prototype, 'size');`);
    lines.push(`field(f.enum(['a', 'b', 'c']), { default: 'a' })(${name}.prototype, 'kind');`);
    lines.push(`field(f.dateTime(), { nullable: true })(${name}.prototype, 'createdAt');`);
    lines.push(`field(f.dict(f.string()), { default: {} })(${name}.prototype, 'metadata');`);
    const leaf = i < 10;
    const children = leaf ? '' : i >= 20 ? `, children: { items: '1.1', parts: '1.1' }` : `, children: { items: '1.1' }`;
    if (!leaf) lines.push(`field(f.listOfObjects('Obj${i % 10}'), { default: [] })(${name}.prototype, 'items');`);
    // A second child one level up: Obj23 holds Obj12's, which hold Obj2's.
    if (i >= 20) lines.push(`field(f.object('Obj${10 + (i % 10)}'), { nullable: true })(${name}.prototype, 'parts');`);
    lines.push(
      `versionedObject({ name: '${name}', version: '1.1', history: [{ version: '1.0', note: 'Initial'${children} }, { version: '1.1', added: ['createdAt'], note: 'Add createdAt' }] })(${name});`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function time(args, cwd) {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'versioned-bench-'));
try {
  mkdirSync(join(dir, 'node_modules/@versioned'), { recursive: true });
  symlinkSync(join(root, 'packages/objects'), join(dir, 'node_modules/@versioned/objects'), 'dir');
  const commands = [
    { what: 'node -e ""', classes: 0, args: ['-e', ''], cwd: dir },
    { what: 'versioned --version', classes: 0, args: [cli, '--version'], cwd: dir },
  ];
  for (const n of SIZES) {
    const project = join(dir, `n${n}`);
    mkdirSync(project);
    writeFileSync(join(project, 'objects.mjs'), moduleSource(n));
    writeFileSync(join(project, 'versioned.config.json'), JSON.stringify({ modules: ['objects.mjs'] }));
    time([cli, 'fingerprint', 'update'], project);
    commands.push({ what: 'versioned fingerprint check', classes: n, args: [cli, 'fingerprint', 'check'], cwd: project });
  }
  // Round-robin, after one untimed warm-up each, so that a busy moment hits every command alike.
  for (const c of commands) time(c.args, c.cwd);
  const samples = commands.map(() => []);
  for (let rep = 0; rep < REPS; rep++) for (const [i, c] of commands.entries()) samples[i].push(time(c.args, c.cwd));
  const rows = commands.map((c, i) => {
    const sorted = samples[i].sort((a, b) => a - b);
    return { what: c.what, classes: c.classes, ms: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
  });
  const base = rows[1].ms;
  const bare = rows[0].ms;
  console.log(`versioned fingerprint check, whole process, median of ${REPS} runs (Node ${process.version})`);
  console.log(
    `${'command'.padEnd(30)} ${'classes'.padStart(7)} ${'median ms'.padStart(10)} ${'min-max ms'.padStart(14)} ${'vs node'.padStart(8)} ${'ms/class over --version'.padStart(24)}`,
  );
  for (const r of rows) {
    const perClass = r.classes ? ((r.ms - base) / r.classes).toFixed(3) : '';
    const spread = `${r.min.toFixed(0)}-${r.max.toFixed(0)}`;
    console.log(
      `${r.what.padEnd(30)} ${String(r.classes).padStart(7)} ${r.ms.toFixed(1).padStart(10)} ${spread.padStart(14)} ${`${(r.ms / bare).toFixed(2)}x`.padStart(8)} ${perClass.padStart(24)}`,
    );
  }
  const checks = rows.filter((r) => r.classes > 0);
  // Linear growth shows as a flat marginal cost per added class from one size to the next.
  for (let i = 1; i < checks.length; i++) {
    const [a, b] = [checks[i - 1], checks[i]];
    console.log(`marginal cost ${a.classes} -> ${b.classes} classes: ${((b.ms - a.ms) / (b.classes - a.classes)).toFixed(3)} ms/class`);
  }
  const large = checks[checks.length - 1];
  const limit = 2000;
  console.log(
    large.ms < limit
      ? `1000 classes: ${large.ms.toFixed(0)} ms, under the ${limit} ms budget`
      : `1000 classes: ${large.ms.toFixed(0)} ms, OVER the ${limit} ms budget`,
  );
  if (large.ms >= limit) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
