// The cost of pins at scale (issue 8, pain 4), on SQLite and PostgreSQL side by side, in one run:
// - 1,000 service rows of one binary (999 on release N+1, one on N) beating 100 times a second in all;
// - 100 processes' refreshers (100 Upgrade instances in this process; on PostgreSQL they share 10
//   connections, as the shared server allows 100 in all; each still runs its own queries and LISTEN handler);
// - database queries per second while idle (refreshers, and the heartbeats for comparison);
// - a pin read on the call path (the refresher's memory) against a read that queries the table each time
//   (snapshot + computePins: what an uncached lookup costs), with tinybench;
// - the time from the last release-N service stopping to every refresher having lifted its pins.
//
// usage: pnpm bench:upgrade   (needs PostgreSQL on 127.0.0.1:5432, database `test`; PG_URL overrides)
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Bench } from 'tinybench';
import { ManifestHistory } from '../packages/objects/dist/src/index.js';
import { Releases, Upgrade, computePins, openServiceStore, resolveConfig } from '../packages/upgrade/dist/src/index.js';

const pg = createRequire(new URL('../packages/upgrade/package.json', import.meta.url))('pg');
const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = 1000;
const REFRESHERS = 100;
const PG_CONNECTIONS = 10;
const HEARTBEATS_PER_SECOND = 100;
const POLL_MS = 500;
const WINDOW_MS = 5000;

const history = new ManifestHistory().add('N', { Volume: '1.0' }).add('N+1', { Volume: '1.1' });
const volume = new Releases(
  'volume',
  [
    { name: 'N', rpc: { volume: '1.0' }, objects: 'N' },
    { name: 'N+1', rpc: { volume: '1.1' }, objects: 'N+1' },
  ],
  { objects: history },
);
const quiet = {
  info() {},
  warn(message) {
    console.error(`  warn: ${message}`);
  },
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshDatabase(dialect) {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bench-upgrade-'));
    return { url: `sqlite:${join(dir, 'services.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `bench_upgrade_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function measureDialect(dialect) {
  const db = await freshDatabase(dialect);
  const seed = await openServiceStore(db.url);
  const stores = [];
  const upgrades = [];
  let beating = true;
  try {
    const n1 = volume.get('N+1');
    for (let i = 0; i < ROWS - 1; i++)
      await seed.register({ binary: 'volume', host: `host-${i}`, release: 'N+1', rpcVersions: n1.rpc, objects: n1.objects }, Date.now());
    const old = await Upgrade.open({ database: db.url, binaries: [volume], logger: quiet, reloadOnSighup: false }); // its own connection, as a process has
    const oldService = await old.register('volume', 'host-old', { release: 'N' });

    const lifted = new Array(REFRESHERS).fill(undefined);
    if (dialect === 'postgres') for (let i = 0; i < PG_CONNECTIONS; i++) stores.push(await openServiceStore(db.url));
    for (let i = 0; i < REFRESHERS; i++) {
      const database = dialect === 'postgres' ? stores[i % PG_CONNECTIONS] : db.url;
      upgrades.push(
        await Upgrade.open({
          database,
          binaries: [volume],
          logger: quiet,
          reloadOnSighup: false,
          pollIntervalMs: POLL_MS,
          onPinsChange: ({ to }) => {
            if (to.release === 'N+1') lifted[i] ??= performance.now();
          },
        }),
      );
    }
    if (!upgrades.every((u) => u.pins('volume').release === 'N')) throw new Error('a refresher did not start pinned at N');

    // 1,000 services beating every 10 s: 100 heartbeats a second, round robin, sent on schedule without
    // waiting for the previous one (they queue on the seeding connection as they would on 1,000 connections).
    let beat = 0;
    const pending = new Set();
    const beatStart = performance.now();
    const heartbeats = (async () => {
      while (beating) {
        const due = Math.floor(((performance.now() - beatStart) / 1000) * HEARTBEATS_PER_SECOND);
        for (; beat < due; beat++) {
          const host = beat % ROWS === ROWS - 1 ? 'host-old' : `host-${beat % (ROWS - 1)}`;
          const now = Date.now();
          const sent = seed.heartbeat('volume', host, now, now - 120_000).finally(() => pending.delete(sent));
          pending.add(sent);
        }
        await sleep(5);
      }
      await Promise.all(pending);
    })();

    const refresherQueries = () =>
      (dialect === 'postgres' ? stores : upgrades.map((u) => u.store)).reduce((sum, store) => sum + store.queries, 0);
    const q0 = refresherQueries();
    const s0 = seed.queries;
    const b0 = beat;
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const seconds = (performance.now() - t0) / 1000;
    const idle = {
      refresherQps: (refresherQueries() - q0) / seconds,
      heartbeatQps: (seed.queries - s0) / seconds,
      beatsPerSecond: (beat - b0) / seconds,
    };

    const cap = upgrades[0].versionCap('volume');
    const config = resolveConfig({}, new Map([['volume', volume]])).get('volume');
    const reader = dialect === 'postgres' ? stores[0] : upgrades[0].store;
    const bench = new Bench({ time: 1000, warmupTime: 200 });
    bench.add('cached', () => cap.current());
    bench.add(
      'table',
      async () =>
        computePins(volume, config, await reader.pinSnapshot('volume', Date.now() - 120_000), Date.now(), upgrades[0].rule).rpc.volume,
    );
    await bench.run();
    const [cached, table] = bench.tasks.map((task) => task.result.latency.mean * 1e6); // ns

    const stoppedAt = performance.now();
    await oldService.stop();
    const deadline = stoppedAt + 10_000;
    while (lifted.some((t) => t === undefined) && performance.now() < deadline) await sleep(2);
    const delays = lifted.map((t) => (t === undefined ? Infinity : t - stoppedAt)).sort((a, b) => a - b);
    beating = false;
    await heartbeats;
    await old.close();
    return { idle, cachedNs: cached, tableNs: table, liftMedianMs: delays[Math.floor(delays.length / 2)], liftMaxMs: delays.at(-1) };
  } finally {
    beating = false;
    await Promise.allSettled(upgrades.map((u) => u.close()));
    await Promise.allSettled([...stores, seed].map((s) => s.close()));
    await db.drop();
  }
}

const results = {};
for (const dialect of ['sqlite', 'postgres']) {
  process.stderr.write(`measuring ${dialect}...\n`);
  results[dialect] = await measureDialect(dialect);
}

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const rows = [
  ['queries/s, 100 refreshers, idle', (r) => fmt(r.idle.refresherQps)],
  ['queries/s, 1,000 services beating', (r) => `${fmt(r.idle.heartbeatQps)} (${fmt(r.idle.beatsPerSecond, 0)} beats/s)`],
  ['pin read on the call path (cached)', (r) => `${fmt(r.cachedNs, 0)} ns`],
  ['pin read querying the table', (r) => `${fmt(r.tableNs / 1000, 0)} µs`],
  ['  ratio table / cached', (r) => `${fmt(r.tableNs / r.cachedNs, 0)}x`],
  ['lift after the last N stops, median', (r) => `${fmt(r.liftMedianMs)} ms`],
  ['lift after the last N stops, all 100', (r) => `${fmt(r.liftMaxMs)} ms`],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(
  `\n${ROWS} service rows, ${REFRESHERS} refreshers (SQLite poll every ${POLL_MS} ms; PostgreSQL LISTEN/NOTIFY over ${PG_CONNECTIONS} connections)\n`,
);
console.log(`${''.padEnd(width)}  ${'SQLite'.padEnd(24)}PostgreSQL`);
for (const [label, cell] of rows) console.log(`${label.padEnd(width)}  ${cell(results.sqlite).padEnd(24)}${cell(results.postgres)}`);
console.log(
  `\ntargets: cached read >= 1000x cheaper than a table read; lift within 1 s on PostgreSQL, within two polls (${2 * POLL_MS} ms) on SQLite`,
);
