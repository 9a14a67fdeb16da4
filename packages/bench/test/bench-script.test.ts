import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TUNED_DATES, volumeCodec } from '../src/peers/hand-written.js';
import { BAD_INPUTS, JS_PEERS, OPERATIONS, PEERS, TARGETS, VALIDATING_PEERS, VOLUME } from '../src/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));

// Not a timed test: the smoke run proves `scripts/bench.mjs` runs every peer (Python included) and prints every row.
let smokeRun: Promise<string> | undefined;
function smokeOutput(): Promise<string> {
  smokeRun ??= run(process.execPath, ['scripts/bench.mjs', '--smoke'], { cwd: root, timeout: 60_000 }).then((r) => r.stdout);
  return smokeRun;
}

test('the bench script in smoke mode prints a row for every operation and a column for every peer, oslo included', async () => {
  const out = await smokeOutput();
  const header = out.split('\n').find((line) => line.startsWith('operation'));
  assert.ok(header, `no table header in:\n${out}`);
  for (const peer of PEERS) assert.ok(header.includes(peer.label), `no ${peer.label} column in:\n${out}`);
  for (const op of OPERATIONS) {
    const row = out.split('\n').find((line) => line.startsWith(op.label));
    assert.ok(row, `no row for ${op.label} in:\n${out}`);
    // the oslo column is last: every operation, the backport included, has a Python figure
    assert.match(row, /\d[\d,]*$/, `no oslo figure for ${op.label}: ${row}`);
  }
  // Each JS peer has a figure in the row of every operation it has: all of them decode.
  for (const op of OPERATIONS) {
    const row = out.split('\n').find((line) => line.startsWith(op.label))!;
    const expected = JS_PEERS.filter((p) => p.prepare(VOLUME).operations[op.id]).length;
    assert.equal(row.match(/\d[\d,]* ±\d+\.\d%/g)?.length, expected, `expected figures from ${expected} JS peers: ${row}`);
  }
  const decodeRow = out.split('\n').find((line) => line.startsWith('fromPrimitive'))!;
  assert.equal(decodeRow.match(/\d[\d,]* ±\d+\.\d%/g)?.length, JS_PEERS.length);
});

test('the bench script in smoke mode prints the growth tables with a FLAT or GROWS verdict for each', async () => {
  const out = await smokeOutput();
  for (const subject of ['list of volumes', 'tree', 'registry']) {
    assert.ok(
      out.split('\n').some((line) => line.startsWith(subject)),
      `no ${subject} row in:\n${out}`,
    );
    assert.ok(
      out.split('\n').some((line) => new RegExp(`^\\s+(FLAT|GROWS)\\s+${subject}, `).test(line)),
      `no verdict for ${subject} in:\n${out}`,
    );
  }
});

test('every validating peer decodes the envelope to what the hand-written copy builds, and refuses every bad input', () => {
  const byId = new Map(JS_PEERS.map((p) => [p.id, p.prepare(VOLUME)]));
  const envelope = JSON.parse(byId.get('versioned')!.wire!());
  const expected = byId.get('handWritten')!.operations.fromPrimitive!();
  for (const id of ['handWrittenValidating', ...VALIDATING_PEERS] as const) {
    const peer = byId.get(id)!;
    assert.deepEqual(peer.decode!(structuredClone(envelope)), expected, id);
    for (const [what, breakIt] of BAD_INPUTS) {
      const bad = structuredClone(envelope);
      breakIt(bad['versioned_object.data']);
      assert.throws(() => peer.decode!(bad), Error, `${id} accepted ${what}`);
    }
  }
  // The bad inputs discriminate: the plain hand-written copy, which checks nothing, takes them all.
  // (new Set(42) throws by itself, so the tags case is left out.)
  const plain = volumeCodec(TUNED_DATES);
  for (const [what, breakIt] of BAD_INPUTS.filter(([w]) => !w.includes('not a list'))) {
    const bad = structuredClone(envelope);
    breakIt(bad['versioned_object.data']);
    assert.doesNotThrow(() => plain.fromPrimitive(bad), what);
  }
});

test('the instruction-count script refuses unknown arguments with exit code 2, before running valgrind', async () => {
  await assert.rejects(
    run(process.execPath, ['scripts/bench-instructions.mjs', '--bogus'], { cwd: root }),
    (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr ?? '', /unknown argument/);
      return true;
    },
  );
});

test('the bench script in smoke mode prints PASS or MISS for every target', async () => {
  const out = await smokeOutput();
  const verdicts = out.split('\n').filter((line) => /^\s+(PASS|MISS)\s/.test(line));
  assert.equal(verdicts.length, TARGETS.length, `expected ${TARGETS.length} verdicts in:\n${out}`);
});

test('the bench script refuses to write smoke figures into the docs', async () => {
  await assert.rejects(
    run(process.execPath, ['scripts/bench.mjs', '--smoke', '--write-docs'], { cwd: root }),
    (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr ?? '', /refusing/);
      return true;
    },
  );
});
