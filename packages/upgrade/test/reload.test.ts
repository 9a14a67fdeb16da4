import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Upgrade } from '../src/index.js';
import pg from 'pg';
import { DIALECTS, MemoryLogger, PG_ADMIN_URL, VOLUME, freshDatabase, openUpgrade, sleep, waitFor, withDatabase } from './helpers.js';

const POLL_MS = 50;

for (const dialect of DIALECTS) {
  test(`${dialect}: a lift reaches another process's pins by itself (PostgreSQL: NOTIFY; SQLite: the data_version poll), logged once with its reason`, async () => {
    await withDatabase(dialect, async (url) => {
      const { upgrade: hosts } = await openUpgrade(url, { pollIntervalMs: POLL_MS });
      const { upgrade: caller, logger } = await openUpgrade(url, { pollIntervalMs: POLL_MS, refreshIntervalMs: 600_000 });
      try {
        const cap = caller.versionCap('volume');
        const old = await hosts.register('volume', 'host-a', { release: 'N' });
        await hosts.register('volume', 'host-b', { release: 'N+2' });
        await waitFor(() => caller.pins('volume').heldBy.some((h) => h.host === 'host-a'), 10_000, 'the caller to see host-a');
        await old.stop();
        // How fast is the benchmark's figure (pnpm bench:upgrade); here, that it arrives with no reload and no restart.
        await waitFor(() => cap.current() === '1.2', 10_000, 'the lift');
        await waitFor(() => logger.matching(/pins lifted/).length > 0, 5_000, 'the log line'); // logged just after the pins are set
        assert.equal(
          logger.matching(/pins lifted: rpc volume 1\.0 -> 1\.2, objects N -> N\+2; host-a \(release N\) is stopped/).length,
          1,
          logger.lines.join('\n'),
        );
      } finally {
        await hosts.close();
        await caller.close();
      }
    });
  });
}

test('SIGHUP reloads the configuration and the pins; a bad configuration is refused and logged, the previous one stays', async () => {
  await withDatabase('sqlite', async (url) => {
    let level = 'auto';
    const logger = new MemoryLogger();
    const upgrade = await Upgrade.open({ database: url, binaries: [VOLUME], logger, config: () => ({ upgradeLevels: { volume: level } }) });
    try {
      await upgrade.register('volume', 'host-a', { release: 'N+2' });
      assert.equal(upgrade.pins('volume').release, 'N+2');
      level = 'N+1';
      process.kill(process.pid, 'SIGHUP');
      await waitFor(() => upgrade.pins('volume').release === 'N+1', 10_000, 'the SIGHUP reload');
      level = '9.9';
      process.kill(process.pid, 'SIGHUP');
      await waitFor(() => logger.matching(/SIGHUP: reload refused/).length === 1, 10_000, 'the refusal');
      assert.match(
        logger.matching(/SIGHUP: reload refused/)[0] as string,
        /upgradeLevels\.volume: volume 9\.9 is newer than this process knows/,
      );
      assert.equal(upgrade.pins('volume').release, 'N+1');
    } finally {
      await upgrade.close();
    }
    assert.equal(process.listenerCount('SIGHUP'), 0, 'close() removes the handler');
  });
});

/** A child process running fixtures/pins-process.js; `next()` resolves with its next line of pins. */
function pinsProcess(url: string, configFile: string) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/pins-process.js', import.meta.url)), url, configFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: { release: string; reason: string }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, lines, latest: () => lines.at(-1)?.release, stop: async () => (child.stdin.end(), exited) };
}

for (const dialect of DIALECTS) {
  test(`${dialect}: in every process using the package, SIGHUP reloads configuration and a lift arrives without a restart`, async () => {
    const db = await freshDatabase(dialect);
    const configFile = fileURLToPath(new URL(`./fixtures/reload-${dialect}-${process.pid}.json`, import.meta.url));
    writeFileSync(configFile, JSON.stringify({}));
    const { upgrade: hosts } = await openUpgrade(db.url);
    const processes = [pinsProcess(db.url, configFile), pinsProcess(db.url, configFile)];
    try {
      const old = await hosts.register('volume', 'host-a', { release: 'N' });
      await hosts.register('volume', 'host-b', { release: 'N+2' });
      for (const p of processes) await waitFor(() => p.latest() === 'N', 10_000, 'each process to start pinned at N');
      writeFileSync(configFile, JSON.stringify({ upgradeLevels: { volume: 'N+1' } }));
      for (const p of processes) p.child.kill('SIGHUP');
      for (const p of processes) await waitFor(() => p.latest() === 'N+1', 10_000, 'the SIGHUP reload in each process');
      writeFileSync(configFile, JSON.stringify({}));
      for (const p of processes) p.child.kill('SIGHUP');
      for (const p of processes) await waitFor(() => p.latest() === 'N', 10_000, 'back to auto');
      await old.stop();
      for (const p of processes) await waitFor(() => p.latest() === 'N+2', 10_000, 'the lift in each process');
      for (const p of processes) assert.match(p.lines.at(-1)?.reason as string, /oldest live volume service: host-b \(release N\+2\)/);
    } finally {
      await Promise.all(processes.map((p) => p.stop()));
      await hosts.close();
      await db.drop();
      (await import('node:fs')).rmSync(configFile, { force: true });
    }
  });
}

test('postgres: after the server drops every connection, the stores reconnect, LISTEN again, and a lift still arrives', async () => {
  await withDatabase('postgres', async (url) => {
    const { upgrade: hosts } = await openUpgrade(url);
    const { upgrade: caller, logger } = await openUpgrade(url, { refreshIntervalMs: 600_000 });
    try {
      const old = await hosts.register('volume', 'host-a', { release: 'N' });
      await hosts.register('volume', 'host-b', { release: 'N+2' });
      await waitFor(() => caller.pins('volume').heldBy.some((h) => h.host === 'host-a'), 10_000, 'the caller to see host-a');
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      try {
        const { rows } = await admin.query(
          'SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [new URL(url).pathname.slice(1)],
        );
        assert.ok(rows.length >= 2, `terminated ${rows.length} connections`);
      } finally {
        await admin.end();
      }
      await sleep(200);
      assert.equal(caller.pins('volume').release, 'N', 'the pins stay as they were while the connection is down');
      await old.stop(); // its statement opens a new connection; the caller's store has listened again
      await waitFor(() => caller.pins('volume').release === 'N+2', 10_000, 'the lift after the reconnection');
      await waitFor(() => logger.matching(/pins lifted/).length > 0, 5_000, 'the log line');
      assert.equal(logger.matching(/pins lifted/).length, 1);
    } finally {
      await hosts.close();
      await caller.close();
    }
  });
});
