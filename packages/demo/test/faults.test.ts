import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemoryFleet, exitCodeOf, summarize } from '../src/fleet/index.js';
import { TYPED_FAILURES } from './typed-codes.js';

/** Wait until `predicate` holds (checked every 20 ms), at most `ms`. */
async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

test('faults during the rolling upgrade: a crash, the broker dropping every connection, a release-N host back after the lift, reloads; failures only at the crashed host while it is down', {
  timeout: 60_000,
}, async () => {
  const fleet = await InMemoryFleet.open({ hosts: ['volume-1', 'volume-2', 'volume-3', 'volume-4'], ratePerSecond: 45 });
  try {
    await sleep(800);
    // volume-4 (release N) is switched off before the upgrade, its volumes (written by N) on its disk.
    await fleet.host('volume-4').stop();
    await fleet.restartHost('volume-1', 'N+1');
    await sleep(500);

    // volume-2 (release N) crashes: dropped, its row left live; it comes back on N+1 after its row turned late.
    const crashedAt = Date.now();
    fleet.recorder.event('fault', 'volume-2 crashes');
    await fleet.host('volume-2').crash();
    await sleep(fleet.timings.downTimeMs + 300);
    await fleet.startHost('volume-2', 'N+1');
    const backAt = Date.now();
    fleet.recorder.event('fault', 'volume-2 restarted on N+1');

    // The broker closes every connection for 600 ms (no host starting or stopping): nothing is delivered meanwhile,
    // the load keeps sending, and what it sent is delivered when the connections are back; nothing fails of it.
    const dropMs = 600;
    const droppedAt = Date.now();
    const back = fleet.dropBrokerConnections(dropMs);
    await sleep(50);
    const deliveredEarly = fleet.ledger.callsDelivered + fleet.ledger.castsDelivered;
    const madeEarly = fleet.load.stats().made;
    await sleep(dropMs - 150);
    const deliveredLate = fleet.ledger.callsDelivered + fleet.ledger.castsDelivered;
    const madeLate = fleet.load.stats().made;
    await back;
    const reconnectedAt = Date.now();
    assert.equal(deliveredLate, deliveredEarly, 'nothing reaches a host while the connections are down');
    assert.ok(madeLate > madeEarly + 5, `the load kept sending during the drop (${madeLate - madeEarly})`);

    // Every process reloads (the SIGHUP path) in the middle of the upgrade.
    await fleet.reloadAll();
    await fleet.restartHost('volume-3', 'N+1');
    await fleet.replaceApi('N+1');
    await sleep(300);
    await fleet.finalize();
    await fleet.reloadAll();
    await until(() => fleet.api.pins().release === 'N+1', 2_000, 'the pins lift after finalize');
    await sleep(500);
    const liftedCalls = fleet.load.stats().answered;

    // volume-4 comes back on release N after the lift (the operator forces it past finalization): the pins come
    // down, nothing fails. (Not volume-3 back on N: N cannot read the rows N+1 wrote, which is why it is refused.)
    await fleet.startHost('volume-4', 'N', { forceBelowFinalized: true });
    await until(() => fleet.api.pins().release === 'N', 2_000, 'the pins come down for a release-N host');
    await until(() => fleet.load.stats().answered > liftedCalls + 30, 3_000, 'calls answered while the pins are down');
    const deliveredToOld = fleet.ledger.deliveredTo('volume-4', 'N');
    await sleep(600);
    await fleet.reloadAll();
    // ... and it is upgraded; finalize once more to lift (the finalize policy remembers that N ran).
    await fleet.restartHost('volume-4', 'N+1');
    await fleet.finalize();
    await until(() => fleet.api.pins().release === 'N+1', 2_000, 'the pins lift again');
    await sleep(500);

    const stats = await fleet.stopLoad();
    const failures = fleet.load.failures;
    const lost = fleet.lostCasts();
    console.log(
      `faults: made ${stats.made}, answered ${stats.answered}, failed ${stats.failed} ${JSON.stringify(stats.failedByCode)}, ` +
        `casts lost ${lost.length}, run twice ${fleet.ledger.duplicates().length}, undecodable ${stats.undecodable + fleet.ledger.undecodable.length}, ` +
        `cap errors ${stats.capErrors}, degraded ${stats.degraded}, backported ${stats.backported}, pin changes ${fleet.pinChanges.length}`,
    );

    assert.ok(stats.answered > 200, `answered ${stats.answered}`);
    assert.equal(stats.answered + stats.failed, stats.made);
    assert.equal(stats.inFlight, 0);
    // Failed only with a typed error, only for calls sent to volume-2, and only while it was down: sent after the
    // crash and before the restart, or sent just before it and still in transit (never delivered) when it came.
    const duringDowntime = (m: { requestId: string; sentAt: number }) =>
      m.sentAt <= backAt && (m.sentAt >= crashedAt || fleet.ledger.delivered(m.requestId) === 0);
    for (const failure of failures) {
      assert.ok(TYPED_FAILURES.has(failure.code), `untyped failure: ${JSON.stringify(failure)}`);
      assert.equal(failure.host, 'volume-2', JSON.stringify(failure));
      assert.ok(duringDowntime(failure), `failure outside volume-2's downtime: ${JSON.stringify(failure)}`);
    }
    // The crash was seen: calls addressed to volume-2 before its row turned late timed out.
    assert.ok(failures.length > 0 && failures.every((f) => f.code === 'timeout'), JSON.stringify(stats.failedByCode));
    for (const cast of lost) {
      assert.equal(cast.host, 'volume-2');
      assert.ok(duringDowntime(cast), JSON.stringify(cast));
    }
    assert.ok(fleet.recorder.events.some((e) => e.kind === 'host' && e.text === 'volume-2 crashed (release N)'));
    // No call failed because of the dropped connections: none sent during the drop (and, by the rule above, none
    // in flight across it but those to volume-2, sent while it was down).
    assert.deepEqual(
      failures.filter((f) => f.sentAt >= droppedAt && f.sentAt <= reconnectedAt),
      [],
    );
    assert.deepEqual(fleet.ledger.duplicates(), []);
    assert.equal(stats.undecodable, 0);
    assert.deepEqual(fleet.ledger.undecodable, []);
    assert.equal(stats.capErrors, 0);
    assert.ok(stats.degraded > 0 && stats.backported > 0);
    // Calls reached volume-4 while it ran N again, with the pins down.
    assert.ok(deliveredToOld > 0);
    // The pins as the API service saw them: lifted, lowered for volume-4 (release N), lifted again.
    const volumeChanges = fleet.pinChanges.filter((c) => c.message.startsWith('volume pins'));
    assert.deepEqual(
      volumeChanges.map((c) => `${c.from}->${c.to}`),
      ['N->N+1', 'N+1->N', 'N->N+1'],
    );
    assert.match(volumeChanges[1]?.message ?? '', /^volume pins lowered: .*volume-4 \(release N\)/);
    // `pnpm demo` would exit 1 on such a run.
    assert.equal(exitCodeOf(summarize(stats, fleet.ledger, lost.length, fleet.pinChanges, 1)), 1);
  } finally {
    await fleet.close();
  }
});
