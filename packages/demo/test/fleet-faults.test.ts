// The process fleet (an OS process per host and for the API service, the Python host of release N among them)
// upgraded under load on a RabbitMQ node of this test's own and a PostgreSQL database of its own, with faults:
// a host SIGKILLed mid-upgrade and restarted, the broker closing every connection, a SIGHUP to every process,
// a release-N host back after the pins lifted. RabbitMQ, PostgreSQL or the Python packages missing: it fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RabbitNode } from '@versioned/rpc/testing';
import { exitCodeOf, summarize, writeTimeline } from '../src/fleet/index.js';
import { checkServices, DEFAULT_POSTGRES_URL } from '../src/process-fleet/main.js';
import { ProcessFleet } from '../src/process-fleet/supervisor.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TYPED_FAILURES } from './typed-codes.js';

const POSTGRES_URL = process.env['VERSIONED_POSTGRES_URL'] ?? DEFAULT_POSTGRES_URL;

let node: RabbitNode | undefined;
let fleet: ProcessFleet | undefined;

before(async () => {
  node = await RabbitNode.create();
  await node.start(90_000);
  await checkServices({ brokerUrl: node.url, postgresUrl: POSTGRES_URL });
});

after(async () => {
  await fleet?.close();
  await node?.destroy();
});

async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(25);
  }
}

test('the process fleet upgraded under load through a SIGKILL, a broker closing every connection, SIGHUPs and a release-N host back after the lift', {
  timeout: 170_000,
}, async () => {
  const sentAt = new Map<string, number>();
  const f = (fleet = await ProcessFleet.open({
    onOutcome: (outcome, id) => sentAt.set(id, outcome.sentAt),
    brokerUrl: node!.url,
    postgresUrl: POSTGRES_URL,
    hosts: [{ name: 'volume-1' }, { name: 'volume-2' }, { name: 'volume-3', python: true }],
    ratePerSecond: 24,
  }));
  const answered = () => f.load.stats().answered;
  await sleep(1000);
  await f.restartHost('volume-1', 'N+1');

  // volume-2 (release N) is SIGKILLed mid-upgrade; it comes back on N+1 once its row turned late.
  await sleep(500);
  await f.killHost('volume-2');
  // Killed, not stopped: its row still says it runs, until its heartbeat is too old.
  const row = (await f.operator.services('volume')).find((r) => r.host === 'volume-2');
  assert.deepEqual([row?.stoppedAt, row?.release, row?.state === 'live' || row?.state === 'late'], [null, 'N', true]);
  await sleep(f.timings.downTimeMs + 300);
  assert.equal((await f.operator.services('volume')).find((r) => r.host === 'volume-2')?.holdsPins, true, 'late: it still holds the pins');
  await f.startHost('volume-2', 'N+1');

  // The broker closes every connection (each process's, the Python host's included); they all reconnect.
  let before = answered();
  const python = () => f.ledger.deliveredTo('volume-3', 'N');
  const pythonBefore = python();
  await f.brokerFault('the broker closed every connection', () => node!.closeAllConnections('fleet fault test'));
  await until(() => answered() > before + 40, 20_000, 'calls answered after the broker closed the connections');
  await until(() => python() > pythonBefore + 5, 10_000, 'the Python host served again after the broker closed its connection');

  // SIGHUP to every process: the TypeScript ones reload their Upgrade, the Python one beats at once.
  await f.reloadAll();
  await f.restartHost('volume-3', 'N+1'); // the Python host of release N replaced by a TypeScript N+1 one
  await f.replaceApi('N+1');
  await f.finalize();
  await until(() => f.api.pins.volume === 'N+1', 5_000, 'the pins lift after finalize');
  before = answered();
  await until(() => answered() > before + 20, 10_000, 'calls answered with the pins lifted');

  // A release-N host (the Python one) comes back after the lift: the pins come down, nothing fails; then it
  // stops and the operator finalizes again (the finalize policy remembers that N ran): the pins lift again.
  await f.startHost('volume-4', 'N', { python: true, forceBelowFinalized: true });
  await until(() => f.api.pins.volume === 'N', 5_000, 'the pins come down for the release-N host');
  await until(() => f.ledger.deliveredTo('volume-4', 'N') > 5, 10_000, 'calls delivered to the release-N host with the pins down');
  await f.reloadAll();
  await f.stopHost('volume-4');
  await f.finalize();
  await until(() => f.api.pins.volume === 'N+1', 5_000, 'the pins lift again');
  await sleep(1000);

  const stats = await f.stopLoad();
  // Calls sent to volume-2 while it was down that waited in its queue and were answered by its next process.
  const kill = f.downtimes.find((d) => d.how === 'killed');
  const held = f.members
    .get('volume-2')!
    .child.events.filter((e) => e.event === 'delivered' && (sentAt.get(String(e['requestId'])) ?? Infinity) < (kill?.to ?? 0)).length;
  const lost = f.lostCasts();
  const failures = f.load.failures;
  const recording = f.recorder.recording();
  const summary = summarize(
    stats,
    f.ledger,
    lost.length,
    f.pinChanges,
    (recording.samples.at(-1)?.t ?? 0) / 1000,
    writeTimeline(join(tmpdir(), 'versioned-fleet-faults.svg'), recording),
  );
  console.log(
    `process fleet faults: made ${stats.made}, answered ${stats.answered}, failed ${stats.failed} ${JSON.stringify(stats.failedByCode)}, ` +
      `casts lost ${lost.length}, run twice ${summary.duplicates}, undecodable ${summary.undecodable}, cap errors ${stats.capErrors}, ` +
      `degraded ${stats.degraded}, backported ${stats.backported}, pin changes ${f.pinChanges.length}; sent to volume-2 while it was down and answered by its next process ${held}; delivered to the Python hosts ` +
      `${f.ledger.deliveredTo('volume-3', 'N')} + ${f.ledger.deliveredTo('volume-4', 'N')}`,
  );

  assert.equal(stats.answered + stats.failed, stats.made);
  assert.equal(stats.inFlight, 0);
  assert.ok(stats.answered > 300, `answered ${stats.answered}`);
  // A failure only with a typed error, and only for a call addressed to the killed host while it was down. The
  // broker closing every connection fails nothing: calls in flight wait for the reconnection (their reply waits in
  // their reply queue) and what was not confirmed is published again.
  const killed = f.downtimes.filter((d) => d.how === 'killed');
  assert.deepEqual(
    killed.map((d) => d.host),
    ['volume-2'],
  );
  for (const failure of failures) {
    assert.ok(TYPED_FAILURES.has(failure.code), `untyped failure: ${JSON.stringify(failure)}`);
    assert.ok(
      killed.some((d) => d.host === failure.host && failure.at >= d.from && failure.sentAt <= (d.to ?? Infinity)),
      `a failure outside its host's downtime: ${JSON.stringify(failure)} (downtimes ${JSON.stringify(f.downtimes)})`,
    );
  }
  console.log(`process fleet faults: of the ${failures.length} failed, all were addressed to volume-2 while it was down`);
  for (const cast of lost)
    assert.ok(
      killed.some((d) => d.host === cast.host && cast.sentAt <= (d.to ?? Infinity)),
      `a cast lost outside its host's downtime: ${JSON.stringify(cast)}`,
    );
  assert.deepEqual(f.ledger.duplicates(), [], 'requests run twice');
  assert.equal(summary.undecodable, 0);
  assert.equal(stats.capErrors, 0);
  assert.ok(stats.degraded > 0 && stats.backported > 0, 'release N was served while pinned');
  // Both Python hosts served, each on release N.
  assert.ok(f.ledger.deliveredTo('volume-3', 'N') > 0 && f.ledger.deliveredTo('volume-4', 'N') > 0);
  // The caller's volume pins: lifted, lowered for the Python host of release N, lifted again.
  const volumePins = f.pinChanges.filter((c) => / volume pins /.test(` ${c.message.split(': ').slice(1).join(': ')}`));
  assert.deepEqual(
    volumePins.map((c) => c.message.match(/volume pins (\w+)/)?.[1]),
    ['lifted', 'lowered', 'lifted'],
    JSON.stringify(f.pinChanges),
  );
  assert.match(volumePins[1]!.message, /volume-4 \(release N\)/);
  assert.equal(exitCodeOf(summary), failures.length === 0 && lost.length === 0 ? 0 : 1);
});
