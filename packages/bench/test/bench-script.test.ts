import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OPERATIONS, PEERS, TARGETS } from '../src/index.js';

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
  for (const op of OPERATIONS.filter((o) => o.id !== 'backportOldest')) {
    const row = out.split('\n').find((line) => line.startsWith(op.label))!;
    const jsPeers = PEERS.length - 1;
    assert.equal(row.match(/\d[\d,]* ±\d+\.\d%/g)?.length, jsPeers, `expected figures from the ${jsPeers} JS peers: ${row}`);
  }
});

test('the bench script in smoke mode prints PASS or MISS for every target', async () => {
  const out = await smokeOutput();
  const verdicts = out.split('\n').filter((line) => /^\s+(PASS|MISS)\s/.test(line));
  assert.equal(verdicts.length, TARGETS.length, `expected ${TARGETS.length} verdicts in:\n${out}`);
});

test('the bench script refuses to write smoke figures into the docs', async () => {
  await assert.rejects(run(process.execPath, ['scripts/bench.mjs', '--smoke', '--write-docs'], { cwd: root }), (err: { code?: number; stderr?: string }) => {
    assert.equal(err.code, 2);
    assert.match(err.stderr ?? '', /refusing/);
    return true;
  });
});
