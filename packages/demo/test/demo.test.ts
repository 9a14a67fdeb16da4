import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runDemo, STEPS, type Step } from '../src/main.js';
import { expectRefusal } from '../src/steps.js';

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) dir = dirname(dir);
  return dir;
}

test('`pnpm demo` (scripts/demo.mjs) exits 0 and narrates every step', async () => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['scripts/demo.mjs'], { cwd: repositoryRoot() });
  assert.equal(stderr, '');
  for (const [i, step] of STEPS.entries()) assert.ok(stdout.includes(`== ${i + 1}. ${step.title}`), `missing step ${i + 1}: ${step.title}`);
});

test('release N refuses a Volume 1.1, naming the versions it reads', async () => {
  const { lines } = await runDemo();
  assert.ok(lines.includes('   refused (incompatible_version): Volume 1.1 cannot be read here: registered versions are 1.0'), lines.join('\n'));
});

test('release N+1 reads a Volume 1.0 with its 1.1 class and leaves the 1.1 field unset', async () => {
  const { lines } = await runDemo();
  assert.ok(lines.includes('   selected class: Volume 1.1 (same major, newer minor); the object speaks 1.0'));
  assert.ok(lines.includes('   tags set? false (1.0 has no tags); name: scratch, size: 1 GB'));
});

test('the wire form shown is the oslo envelope with second-precision times', async () => {
  const text = (await runDemo()).lines.join('\n');
  assert.match(text, /"versioned_object.name": "Volume",\n\s+"versioned_object.namespace": "versionedobjects",\n\s+"versioned_object.version": "1.1"/);
  assert.match(text, /"created_at": "2026-11-21T09:30:00Z"/);
});

test('pinned to release N, the volume is backported to 1.0 with its attachment, and the dropped fields are named', async () => {
  const { lines } = await runDemo();
  assert.ok(lines.includes('   host A read Volume 1.0 with VolumeAttachment 1.0: db-data, 10 GB, in-use, mounted at /dev/vdb'), lines.join('\n'));
  assert.ok(lines.includes('   dropped by the backport: VolumeAttachment.attach_mode, Volume.tags'));
  assert.ok(lines.some((l) => l.startsWith('   refused (data_loss): Volume.attachments[0].attach_mode:')));
});

test('once host A runs release N+1 and the pin moves, Volume 1.1 arrives whole', async () => {
  const { lines } = await runDemo();
  assert.equal(lines.at(-1), '   host A read Volume 1.1: tags gold, db; attach_mode ro');
});

test('a corrupt attachment is refused with the path of the bad value', async () => {
  const { lines } = await runDemo();
  assert.ok(lines.includes('   refused (invalid_value): Volume.attachments[0].instance_uuid: expected a UUID, got "not-a-uuid"'));
});

test('an illegal status transition is refused by the state machine', async () => {
  const { lines } = await runDemo();
  assert.ok(lines.some((l) => l.includes('refused (invalid_value): Volume.status:') && l.includes('not allowed to transition from "in-use"')));
});

test('every run prints the same narration', async () => {
  assert.deepEqual((await runDemo()).lines, (await runDemo()).lines);
});

test('a step whose narrated refusal does not happen fails the demo', async () => {
  const lying: Step = { title: 'claims a refusal', run: ({ log }) => void expectRefusal(log, 'incompatible_version', () => 'accepted') };
  await assert.rejects(runDemo(() => {}, [lying]), /expected a refusal with code incompatible_version, but it succeeded/);
});
