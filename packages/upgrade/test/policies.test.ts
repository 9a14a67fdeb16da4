import assert from 'node:assert/strict';
import { hostname, userInfo } from 'node:os';
import { test } from 'node:test';
import { Releases, isUpgradeError, type PinsChange, type UpgradeConfig } from '../src/index.js';
import { DIALECTS, HISTORY, VOLUME, VOLUME_UP_TO_N1, openUpgrade, withDatabase } from './helpers.js';

const FINALIZE: UpgradeConfig = { liftPolicy: { volume: 'finalize' } };

for (const dialect of DIALECTS) {
  test(`${dialect}: configuration wins over the table, and reload() switches back to auto`, async () => {
    await withDatabase(dialect, async (url) => {
      let config: UpgradeConfig = { upgradeLevels: { volume: 'N' } };
      const { upgrade } = await openUpgrade(url, { config: () => config });
      try {
        const service = await upgrade.register('volume', 'host-a', { release: 'N+2' });
        assert.deepEqual([upgrade.pins('volume').release, upgrade.pins('volume').source], ['N', 'config']);
        config = {};
        await upgrade.reload();
        assert.deepEqual([upgrade.pins('volume').release, upgrade.pins('volume').source], ['N+2', 'services']);
        config = { upgradeLevels: { volume: 'zed' } };
        await assert.rejects(
          upgrade.reload(),
          (e) => isUpgradeError(e, 'invalid_config') && /upgradeLevels\.volume: unknown release "zed"/.test((e as Error).message),
        );
        assert.equal(upgrade.pins('volume').release, 'N+2', 'a refused reload keeps the previous configuration');
        await service.stop();
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: no live service pins to the oldest known release and says so; a newer unknown release counts as the newest known`, async () => {
    await withDatabase(dialect, async (url) => {
      const { upgrade: newer } = await openUpgrade(url);
      const { upgrade: older } = await openUpgrade(url, { binaries: [VOLUME_UP_TO_N1] });
      try {
        assert.deepEqual([older.pins('volume').release, older.pins('volume').source], ['N', 'no-live-service']);
        assert.match(older.pins('volume').reason, /no live volume service: pinned to N, the oldest release this process knows/);
        const service = await newer.register('volume', 'host-a', { release: 'N+2' });
        await older.reload();
        assert.deepEqual([older.pins('volume').release, older.pins('volume').rpc], ['N+1', { volume: '1.1' }]);
        await service.stop();
      } finally {
        await newer.close();
        await older.close();
      }
    });
  });

  test(`${dialect}: lift policy finalize holds the pins at N after every service runs N+1, until finalize`, async () => {
    await withDatabase(dialect, async (url) => {
      const { upgrade, logger } = await openUpgrade(url, { config: FINALIZE });
      try {
        const a = await upgrade.register('volume', 'host-a', { release: 'N' });
        const b = await upgrade.register('volume', 'host-b', { release: 'N' });
        await upgrade.register('volume', 'host-b', { release: 'N+1' });
        assert.equal(b.stopped, true, 'a restart in the same process retires the previous handle');
        await assert.rejects(
          upgrade.finalize('volume', { release: 'N+1' }),
          (e) =>
            isUpgradeError(e, 'older_service_live') &&
            /finalize volume at N\+1 refused: host-a \(release N, live\) still runs an older release/.test((e as Error).message),
        );
        await a.stop();
        const a1 = await upgrade.register('volume', 'host-a', { release: 'N+1' });
        const held = upgrade.pins('volume');
        assert.deepEqual([held.release, held.source], ['N', 'finalize-hold']);
        assert.match(
          held.reason,
          /lift policy finalize: release N ran during this upgrade \(every live service is newer\); finalize volume to lift/,
        );
        const before = await upgrade.status('volume');
        assert.deepEqual(
          [before.canFinalize, before.finalized, before.liftPolicy, before.level],
          [false, null, 'finalize', 'auto'],
          'N+2 is the newest known: N+1 rows are older',
        );
        const state = await upgrade.finalize('volume', { release: 'N+1' });
        assert.deepEqual([state.release, state.by], ['N+1', `${userInfo().username}@${hostname()}`]);
        assert.deepEqual([upgrade.pins('volume').release, upgrade.pins('volume').source], ['N+1', 'services']);
        const after = await upgrade.status('volume');
        assert.deepEqual(after.finalized, state);
        assert.equal(logger.matching(/volume finalized at N\+1 by /).length, 1);
        assert.equal(logger.matching(/pins lifted: rpc volume 1\.0 -> 1\.1/).length, 1);
        await a1.stop();
        await b.stop();
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: once finalized, the pins stay at the finalized release while the next upgrade runs`, async () => {
    await withDatabase(dialect, async (url) => {
      const { upgrade } = await openUpgrade(url, { config: FINALIZE });
      try {
        const a = await upgrade.register('volume', 'host-a', { release: 'N+1' });
        await upgrade.finalize('volume', { release: 'N+1', by: 'ops@bastion' });
        await upgrade.register('volume', 'host-a', { release: 'N+2' });
        assert.deepEqual([upgrade.pins('volume').release, upgrade.pins('volume').source], ['N+1', 'finalize-hold']);
        assert.match(upgrade.pins('volume').reason, /the fleet is finalized at N\+1/);
        await upgrade.finalize('volume');
        assert.equal(upgrade.pins('volume').release, 'N+2');
        await a.stop();
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: a rollback before finalization: a host rolled forward to N+1 and back to N never moves the pins off N`, async () => {
    await withDatabase(dialect, async (url) => {
      const changes: PinsChange[] = [];
      const { upgrade } = await openUpgrade(url, { config: FINALIZE, onPinsChange: (change) => changes.push(change) });
      try {
        await upgrade.register('volume', 'host-a', { release: 'N' });
        await upgrade.register('volume', 'host-b', { release: 'N' });
        for (const release of ['N+1', 'N', 'N+1', 'N']) {
          await upgrade.register('volume', 'host-b', { release });
          await upgrade.register('volume', 'host-a', { release });
          assert.equal(upgrade.pins('volume').release, 'N', `after both hosts went to ${release}`);
        }
        assert.deepEqual(changes, []);
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: a service older than the finalized release refuses to start, saying why and how to force it`, async () => {
    await withDatabase(dialect, async (url) => {
      const { upgrade } = await openUpgrade(url, { config: FINALIZE });
      try {
        await upgrade.register('volume', 'host-a', { release: 'N+1' });
        await upgrade.finalize('volume', { release: 'N+1', by: 'ops@bastion' });
        await assert.rejects(upgrade.register('volume', 'host-b', { release: 'N' }), (e) => {
          assert.ok(isUpgradeError(e, 'below_finalized'));
          assert.match(
            e.message,
            /refusing to start volume on release N: the fleet was finalized at N\+1 by ops@bastion at \d{4}-.*rollback past finalization is not safe; pass forceBelowFinalized/,
          );
          return true;
        });
        assert.deepEqual(
          (await upgrade.services()).map((s) => s.host),
          ['host-a'],
          'nothing was written',
        );
        await upgrade.register('volume', 'host-b', { release: 'N', forceBelowFinalized: true });
        assert.equal(upgrade.pins('volume').release, 'N', 'a forced rollback lowers the pins again');
      } finally {
        await upgrade.close();
      }
    });
  });

  test(`${dialect}: a service refuses to start while a live service is older than any release it can talk to, naming it; the override lets it`, async () => {
    await withDatabase(dialect, async (url) => {
      const { upgrade: old } = await openUpgrade(url);
      const n2only = new Releases('volume', VOLUME.list.slice(1), { objects: HISTORY });
      const { upgrade: fresh } = await openUpgrade(url, { binaries: [n2only] });
      try {
        const ancient = await old.register('volume', 'host-a', { release: 'N' });
        await assert.rejects(fresh.register('volume', 'host-b'), (e) => {
          assert.ok(isUpgradeError(e, 'too_old'));
          assert.match(
            e.message,
            /refusing to start: volume on host-a \(release N, live\) is older than the oldest release this code can talk to \(volume: N\+1\)/,
          );
          assert.match(e.message, /allowOlderServices/);
          assert.deepEqual(e.details.services, [{ binary: 'volume', host: 'host-a', release: 'N' }]);
          return true;
        });
        const skip = await fresh.register('volume', 'host-b', { allowOlderServices: true });
        await ancient.stop();
        await skip.stop();
        const again = await fresh.register('volume', 'host-b');
        await again.stop();
      } finally {
        await old.close();
        await fresh.close();
      }
    });
  });

  test(`${dialect}: finish (offline upgrade) rewrites every row as the newest release, refused while an older service is live`, async () => {
    await withDatabase(dialect, async (url) => {
      const { upgrade } = await openUpgrade(url);
      try {
        const a = await upgrade.register('volume', 'host-a', { release: 'N' });
        const b = await upgrade.register('volume', 'host-b', { release: 'N+1' });
        await assert.rejects(
          upgrade.finish('volume'),
          (e) =>
            isUpgradeError(e, 'older_service_live') &&
            /host-a \(release N, live\), host-b \(release N\+1, live\) still run/.test((e as Error).message),
        );
        await a.stop();
        await b.stop();
        assert.equal(await upgrade.finish('volume'), 2);
        assert.deepEqual(
          (await upgrade.services()).map((s) => [s.host, s.release, s.rpcVersions.volume, s.objects, s.state]),
          [
            ['host-a', 'N+2', '1.2', 'N+2', 'stopped'],
            ['host-b', 'N+2', '1.2', 'N+2', 'stopped'],
          ],
        );
      } finally {
        await upgrade.close();
      }
    });
  });
}
