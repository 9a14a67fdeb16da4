import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUpgradeError, openServiceStore } from '../src/index.js';
import { DIALECTS, ManualClock, openUpgrade, waitFor, withDatabase } from './helpers.js';

const RULE = { downTimeMs: 60_000, lateGraceMs: 30_000, reportIntervalMs: 1e9 } as const;

for (const dialect of DIALECTS) {
  test(`${dialect}: register upserts the row, a heartbeat refreshes it, stop marks it stopped, a new start clears that`, async () => {
    await withDatabase(dialect, async (url) => {
      const clock = new ManualClock();
      const { upgrade } = await openUpgrade(url, { clock: clock.read, ...RULE });
      try {
        const created = clock.now;
        const first = await upgrade.register('volume', 'host-a', { release: 'N' });
        clock.advance(5_000);
        await first.heartbeat();
        let [row] = await upgrade.services('volume');
        assert.deepEqual(
          [row?.release, row?.rpcVersions, row?.objects, row?.createdAt, row?.heartbeatAt, row?.state],
          ['N', { volume: '1.0' }, 'N', created, clock.now, 'live'],
        );
        await upgrade.disable('volume', 'host-a', 'maintenance');
        await first.stop();
        [row] = await upgrade.services('volume');
        assert.deepEqual([row?.stoppedAt, row?.state, row?.disabledReason], [clock.now, 'disabled', 'maintenance']);
        await upgrade.enable('volume', 'host-a');
        assert.equal((await upgrade.services('volume'))[0]?.state, 'stopped');
        clock.advance(1_000);
        const second = await upgrade.register('volume', 'host-a', { release: 'N+1' });
        [row] = await upgrade.services('volume');
        assert.deepEqual(
          [row?.release, row?.createdAt, row?.heartbeatAt, row?.stoppedAt, row?.state],
          ['N+1', created, clock.now, null, 'live'],
        );
        await second.stop();
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: a crashed service turns late (still holding the pins: no flap), then dead (the pins lift, logged once with the host)`, async () => {
    await withDatabase(dialect, async (url) => {
      const clock = new ManualClock();
      const { upgrade, logger } = await openUpgrade(url, { clock: clock.read, ...RULE });
      try {
        const old = await upgrade.register('volume', 'host-a', { release: 'N' });
        const current = await upgrade.register('volume', 'host-b', { release: 'N+1' });
        assert.equal(upgrade.pins('volume').rpc.volume, '1.0');
        old.abandon(); // a crash: no stop, no more beats
        for (const step of [30_000, 30_000, 25_000]) {
          clock.advance(step);
          await current.heartbeat();
          await upgrade.reload();
          assert.equal(upgrade.pins('volume').release, 'N', `still pinned at ${clock.now}`);
        }
        assert.equal((await upgrade.services('volume')).find((s) => s.host === 'host-a')?.state, 'late');
        clock.advance(5_000); // 90 s: down time + late grace
        await current.heartbeat();
        await upgrade.reload();
        await upgrade.reload();
        const pins = upgrade.pins('volume');
        assert.deepEqual([pins.release, pins.rpc.volume, pins.objects], ['N+1', '1.1', 'N+1']);
        assert.equal((await upgrade.services('volume')).find((s) => s.host === 'host-a')?.state, 'dead');
        const lifts = logger.matching(/pins lifted/);
        assert.equal(lifts.length, 1, logger.lines.join('\n'));
        assert.match(
          lifts[0] as string,
          /rpc volume 1\.0 -> 1\.1, objects N -> N\+1; host-a \(release N\) is dead; now oldest live volume service: host-b \(release N\+1\)/,
        );
        await current.stop();
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: a dead service of an older release that beats again lowers the pins at once, in every process`, async () => {
    await withDatabase(dialect, async (url) => {
      const clock = new ManualClock();
      const { upgrade: hostA } = await openUpgrade(url, { clock: clock.read, ...RULE, pollIntervalMs: 20 });
      const { upgrade: watcher, logger } = await openUpgrade(url, { clock: clock.read, ...RULE, pollIntervalMs: 20 });
      try {
        const old = await hostA.register('volume', 'host-a', { release: 'N' });
        const current = await hostA.register('volume', 'host-b', { release: 'N+1' });
        await waitFor(() => watcher.pins('volume').release === 'N', 10_000, 'the watcher to see host-a');
        clock.advance(95_000); // host-a partitioned away: dead
        await current.heartbeat();
        await watcher.reload();
        assert.equal(watcher.pins('volume').release, 'N+1');
        await old.heartbeat(); // the partition heals
        await waitFor(() => watcher.pins('volume').release === 'N', 10_000, 'the pins to drop again, with no reload');
        await waitFor(() => logger.matching(/pins lowered/).length > 0, 5_000, 'the log line'); // logged just after the pins are set
        assert.match(
          logger.matching(/pins lowered/).at(-1) as string,
          /rpc volume 1\.1 -> 1\.0.*oldest live volume service: host-a \(release N\)/,
        );
        await old.stop();
        await current.stop();
      } finally {
        await hostA.close();
        await watcher.close();
      }
    });
  });

  test(`${dialect}: forget deletes a row, disable takes it out of the pins; a row that does not exist is unknown_service`, async () => {
    await withDatabase(dialect, async (url) => {
      const clock = new ManualClock();
      const { upgrade } = await openUpgrade(url, { clock: clock.read, ...RULE });
      try {
        const old = await upgrade.register('volume', 'host-a', { release: 'N' });
        const current = await upgrade.register('volume', 'host-b', { release: 'N+1' });
        await upgrade.disable('volume', 'host-a', 'drained');
        assert.equal(upgrade.pins('volume').release, 'N+1');
        await upgrade.enable('volume', 'host-a');
        assert.equal(upgrade.pins('volume').release, 'N');
        old.abandon();
        await upgrade.forget('volume', 'host-a');
        assert.deepEqual(
          (await upgrade.services()).map((s) => s.host),
          ['host-b'],
        );
        assert.equal(upgrade.pins('volume').release, 'N+1');
        await assert.rejects(
          upgrade.forget('volume', 'host-a'),
          (e) => isUpgradeError(e, 'unknown_service') && /volume on host-a/.test((e as Error).message),
        );
        await assert.rejects(upgrade.disable('volume', 'nowhere'), (e) => isUpgradeError(e, 'unknown_service'));
        await current.stop();
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: a running service whose row was forgotten writes it again on its next beat`, async () => {
    await withDatabase(dialect, async (url) => {
      const { upgrade, logger } = await openUpgrade(url, RULE);
      try {
        const old = await upgrade.register('volume', 'host-a', { release: 'N' });
        await upgrade.forget('volume', 'host-a');
        await old.heartbeat();
        assert.deepEqual(
          (await upgrade.services()).map((s) => [s.host, s.release, s.state]),
          [['host-a', 'N', 'live']],
        );
        assert.equal(logger.matching(/forgotten or stopped while it runs/).length, 1);
        await old.stop();
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: the migrations are recorded once, even when many connections open a new database at once`, async () => {
    await withDatabase(dialect, async (url) => {
      const stores = await Promise.all(Array.from({ length: 6 }, () => openServiceStore(url)));
      try {
        assert.ok(stores.every((store) => store.dialect === dialect));
        await stores[0]?.register({ binary: 'volume', host: 'h', release: 'N', rpcVersions: { volume: '1.0' }, objects: 'N' }, 1);
        assert.deepEqual(
          (await stores[5]?.rows())?.map((r) => r.host),
          ['h'],
        );
        assert.equal(await stores[3]?.generation(), 1);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });
  });
}
