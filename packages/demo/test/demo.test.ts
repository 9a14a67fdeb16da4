import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runDemo, STEPS, type Step } from '../src/main.js';
import { expectRefusal } from '../src/steps.js';
import { upgradeHostA } from '../src/steps/after-upgrade.js';
import { buildVolume, createOnOldHost, refuseAboveCap } from '../src/steps/before-upgrade.js';

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) dir = dirname(dir);
  return dir;
}

/** The narration of one run, shared by the tests that only read it (every run prints the same). */
const narration = runDemo().then((log) => log.lines);

async function stepLines(title: string): Promise<string[]> {
  const lines = await narration;
  const start = lines.findIndex((l) => l.startsWith('== ') && l.endsWith(title));
  assert.ok(start >= 0, `no step titled ${title}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('== '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== '');
}

test('`pnpm demo` (scripts/demo.mjs) exits 0, narrates every step and prints what runDemo() narrates', async () => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['scripts/demo.mjs'], { cwd: repositoryRoot() });
  assert.equal(stderr, '');
  for (const [i, step] of STEPS.entries()) assert.ok(stdout.includes(`== ${i + 1}. ${step.title}`), `missing step ${i + 1}: ${step.title}`);
  assert.equal(stdout, (await narration).join('\n') + '\n');
});

test("the README's excerpt of the output is what the demo prints, in order", async () => {
  const readme = readFileSync(join(repositoryRoot(), 'README.md'), 'utf8');
  const block = /<!-- demo-excerpt:[^>]*-->\n```text\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(block, 'README.md has no demo excerpt');
  const lines = await narration;
  let at = 0;
  for (const line of block.split('\n').filter((l) => l !== '   ...')) {
    const found = lines.indexOf(line, at);
    assert.ok(found >= 0, `README excerpt line not printed (in this order): ${line}`);
    at = found + 1;
  }
});

test('every run prints the same narration', async () => {
  assert.deepEqual((await runDemo()).lines, await narration);
});

test('while host A runs release N, host B is capped at 1.0 and pinned to release N objects, by the services table', async () => {
  const lines = await stepLines('the services table says who is oldest');
  assert.deepEqual(lines.slice(0, 3), [
    '   the services table: @versioned/upgrade on SQLite, a file in a temporary directory',
    '   volume@host-a: release N, serves volume API 1.0, reads Volume 1.0, VolumeAttachment 1.0, live',
    '   volume@host-b: release N+1, serves volume API 1.1, reads Volume 1.1, VolumeAttachment 1.1, live',
  ]);
  assert.ok(lines.includes('   pins held in memory (oldest live volume service: host-a (release N))'), lines.join('\n'));
  assert.ok(lines.includes('   oldest release among the live volume services: N'), lines.join('\n'));
  assert.ok(lines.includes("   host B's client reads, on every call: version cap 1.0, pins Volume 1.0, VolumeAttachment 1.0"));
});

test('capped at 1.0, create_volume degrades: sent as 1.0 without its zone, the volume backported with its attachment', async () => {
  const lines = await stepLines('the client degrades to 1.0 and backports the volume to release N');
  assert.deepEqual(lines.slice(0, 5), [
    "   canSendVersion('1.1'): false, so create_volume goes out as 1.0, without its zone (new in 1.1)",
    '   → create_volume 1.0 to volume.host-a: volume=Volume 1.0 (attachments: VolumeAttachment 1.0)',
    '   host-a (release N) create_volume: got Volume 1.0 "db-data", stored it in zone az-1',
    '   ← Volume 1.0 (attachments: VolumeAttachment 1.0)',
    '   dropped by the backport: VolumeAttachment.attach_mode, Volume.tags',
  ]);
});

test("host A's reply (Volume 1.0) is read by host B's Volume 1.1 class; a client refusing data loss sends nothing", async () => {
  const lines = await stepLines('the client degrades to 1.0 and backports the volume to release N');
  assert.ok(lines.includes('   host B read the reply with its Volume 1.1 class: the object speaks 1.0, tags set? false'), lines.join('\n'));
  const refusal = lines.findIndex((l) => l.startsWith('   refused (data_loss): Volume.attachments[0].attach_mode:'));
  assert.ok(refusal >= 0, lines.join('\n'));
  assert.equal(lines[refusal + 1], "     (a client with onDataLoss: 'refuse': the call failed before anything was sent)");
});

test('the message shown is version 1.0, carries the pins in its context and the volume as an oslo envelope with second-precision times', async () => {
  const text = (await stepLines("oslo.versionedobjects' envelope")).join('\n');
  assert.match(text, /"versioned_object.name": "Volume",\n\s+"versioned_object.namespace": "versionedobjects",\n\s+"versioned_object.version": "1.0"/);
  assert.match(text, /"created_at": "2026-11-21T09:30:00Z"/);
  assert.match(text, /"attachments": \["<VolumeAttachment 1.0 envelope>"\]/);
  assert.match(text, /"version": "1.0",\n\s+"context": \{"request_id":"req-5d0c","obj_manifest":\{"Volume":"1.0","VolumeAttachment":"1.0"\}\}/);
  assert.doesNotMatch(text, /"zone"|"tags"|"attach_mode"/);
});

test('extend_volume (1.1) above the 1.0 cap fails with version_cap and sends nothing', async () => {
  const lines = await stepLines('above the cap, the call fails before anything is sent');
  assert.deepEqual(lines, [
    '   refused (version_cap): volume.extend_volume needs version 1.1, above the version cap 1.0, and declares no degradation (nothing was sent)',
    '   messages host B has sent: 1, as before the call',
  ]);
});

test('a corrupt attachment is refused by the receiving server with the path of the bad value', async () => {
  const lines = await stepLines('refused by the receiving server, with the path of the bad value');
  assert.deepEqual(lines, [
    '   refused (invalid_argument): create_volume.volume.Volume.attachments[0].instance_uuid: expected a UUID, got "not-a-uuid"',
    "     (raised by host-b's server before its manager ran, naming the method and argument of the declared API)",
    '   refused (invalid_argument): create_volume.volume: no object named "Snapshot" is registered',
  ]);
});

test('an illegal status transition is refused by the state machine', async () => {
  const lines = await narration;
  assert.ok(lines.some((l) => l.includes('refused (invalid_value): Volume.status:') && l.includes('not allowed to transition from "in-use"')));
});

test('once host A runs release N+1, the same client lifts its cap and pins on its next read, not rebuilt', async () => {
  const lines = await stepLines('its server now serves 1.1, its row says N+1');
  assert.ok(lines.includes('   the same client as before, not rebuilt: version cap 1.0 -> 1.1, pins Volume 1.1, VolumeAttachment 1.1'), lines.join('\n'));
  assert.ok(lines.includes("   canSendVersion('1.1'): true"));
  // The lift happened once, when host A's release N process stopped, and the Upgrade logged why.
  assert.deepEqual(lines.filter((l) => l.startsWith('   log: ')), [
    '   log: volume pins lifted: rpc volume 1.0 -> 1.1, objects N -> N+1; host-a (release N) is stopped; now oldest live volume service: host-b (release N+1)',
  ]);
});

test('the services table is a SQLite file in a temporary directory, removed when the demo ends', async () => {
  const { Cluster, Narrator } = await import('../src/main.js');
  const cluster = await Cluster.start(new Narrator());
  const url = cluster.upgrade.store.url;
  assert.match(url, /^sqlite:.*versioned-demo-[^/]+\/services\.db$/);
  const file = url.slice('sqlite:'.length);
  assert.ok(existsSync(file));
  assert.deepEqual((await cluster.upgrade.services('volume')).map((r) => [r.host, r.release, r.state]), [['host-a', 'N', 'live'], ['host-b', 'N+1', 'live']]);
  await cluster.close();
  assert.equal(existsSync(dirname(file)), false);
});

test('after the upgrade, extend_volume works on the row release N wrote, read by the 1.1 class', async () => {
  const lines = await stepLines('extend_volume now works, on the volume host A stored while it ran release N');
  assert.deepEqual(lines, [
    '   → extend_volume 1.1 to volume.host-a: volume_id="7c4d3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d", new_size=20',
    '   host-a (release N+1) extend_volume: read the row of "db-data" (written by release N: tags unset) as Volume 1.1, now 20 GB',
    '   ← Volume 1.1 (attachments: VolumeAttachment 1.1)',
    '   host B read the reply: Volume 1.1 "db-data", 20 GB, tags set? false',
  ]);
});

test('after the upgrade, create_volume goes out as 1.1 with its zone and Volume 1.1 arrives whole', async () => {
  const lines = await narration;
  assert.ok(lines.includes('   → create_volume 1.1 to volume.host-a: volume=Volume 1.1 (attachments: VolumeAttachment 1.1), zone="az-2"'), lines.join('\n'));
  assert.ok(lines.includes('   host-a (release N+1) create_volume: got Volume 1.1 "logs", stored it in zone az-2'));
  assert.equal(lines.at(-1), '   host B read the reply: Volume 1.1, tags silver; attach_mode ro');
});

test('a step whose narrated refusal does not happen fails the demo', async () => {
  const lying: Step = { title: 'claims a refusal', run: ({ log }) => void expectRefusal(log, 'incompatible_version', () => 'accepted') };
  await assert.rejects(runDemo(() => {}, [lying]), /expected a refusal with code incompatible_version, but it succeeded/);
});

test('once every host runs release N+1, the version_cap step fails the demo: extend_volume is sent and succeeds', async () => {
  await assert.rejects(runDemo(() => {}, [buildVolume, createOnOldHost, upgradeHostA, refuseAboveCap]), /expected a refusal with code version_cap, but it succeeded/);
});
