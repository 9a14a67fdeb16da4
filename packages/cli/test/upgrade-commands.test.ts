import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import pg from 'pg';
import { DEFAULT_DOWN_TIME_MS, DEFAULT_LATE_GRACE_MS, openServiceStore } from '@versioned/upgrade';
import { formatAge } from '../src/services-command.js';
import { DEFAULT_RULE } from '../src/upgrade-settings.js';
import type { TempProject } from './helpers.js';
import { DAY, DIALECTS, Fleet, SECOND, emptyDatabase, steadyAges, upgradeProject } from './upgrade-helpers.js';

const NO_STACK = /\n\s+at |Error: /;

for (const dialect of DIALECTS) {
  describe(`versioned services and upgrade commands on ${dialect}`, () => {
    let p: TempProject;
    let db: Awaited<ReturnType<typeof emptyDatabase>>;
    let fleet: Fleet;
    let shown: string;
    const config = (extra: Record<string, unknown> = {}) =>
      p.write(
        'versioned.config.json',
        JSON.stringify({ upgrade: { database: db.configUrl, releases: 'releases.mjs', ...extra } }, null, 2),
      );

    before(async () => {
      p = await upgradeProject();
      db = await emptyDatabase(dialect, p);
      shown = dialect === 'sqlite' ? 'sqlite:var/services.db' : db.url;
      await config();
      fleet = await Fleet.open(db.url);
      // Mid-upgrade: host-a upgraded to N+2, host-b still on N+1 and live, host-9 (release N) dead for three days.
      await fleet.volume('host-a', 'N+2', 2 * SECOND);
      await fleet.volume('host-b', 'N+1', 3 * SECOND);
      await fleet.volume('host-9', 'N', 3 * DAY);
      await fleet.store.register(
        { binary: 'scheduler', host: 'host-s', release: 'N+2', rpcVersions: { scheduler: '2.1' }, objects: 'N+2' },
        Date.now(),
      );
    });
    // The rows that run stay as young as the set-up made them: on a loaded machine this block outlasts the
    // down time (60 s), and host-b, meant to be live, would turn late halfway. Stopped, disabled, dead and
    // late rows are left as the tests made them.
    beforeEach(async () => {
      for (const host of ['host-a', 'host-b']) {
        const row = await fleet.store.row('volume', host);
        if (row && row.stoppedAt === null && !row.disabled && Date.now() - row.heartbeatAt < 30 * SECOND) {
          await fleet.store.heartbeat('volume', host, Date.now() - 2 * SECOND, 0);
        }
      }
    });
    after(async () => {
      await fleet.close();
      await db.drop();
      await p.remove();
    });

    test('services list: every row with its release, served versions, state and heartbeat age', async () => {
      const { code, stdout, stderr } = await p.run('services', 'list');
      assert.equal(code, 0, stderr);
      assert.equal(
        steadyAges(stdout),
        [
          'BINARY     HOST    RELEASE  RPC            OBJECTS  STATE  HEARTBEAT',
          'scheduler  host-s  N+2      scheduler 2.1  N+2      live   <n>s ago',
          'volume     host-9  N        volume 1.0     N        dead   3d 0h ago',
          'volume     host-a  N+2      volume 1.2     N+2      live   <n>s ago',
          'volume     host-b  N+1      volume 1.1     N+1      live   <n>s ago',
          '',
          `4 services in ${shown}: 3 live, 1 dead`,
          'a dead row no longer holds the pins; if its host is gone for good, clear it: versioned services forget <binary> <host>',
          '',
        ].join('\n'),
      );
    });

    test('services list --json: the documented shape', async () => {
      const { code, stdout } = await p.run('services', 'list', '--binary', 'volume', '--json');
      assert.equal(code, 0);
      const answer = JSON.parse(stdout);
      assert.deepEqual(Object.keys(answer), ['ok', 'database', 'services']);
      assert.equal(answer.database, shown);
      assert.deepEqual(
        answer.services.map((s: { host: string }) => s.host),
        ['host-9', 'host-a', 'host-b'],
      );
      const dead = answer.services[0];
      assert.deepEqual(Object.keys(dead), [
        'binary',
        'host',
        'release',
        'rpcVersions',
        'objects',
        'state',
        'holdsPins',
        'heartbeatAgeMs',
        'heartbeatAt',
        'createdAt',
        'stoppedAt',
        'disabled',
        'disabledReason',
      ]);
      assert.equal(dead.state, 'dead');
      assert.equal(dead.holdsPins, false);
      assert.deepEqual(dead.rpcVersions, { volume: '1.0' });
      assert.ok(Math.abs(dead.heartbeatAgeMs - 3 * DAY) < 60 * SECOND);
      assert.equal(new Date(dead.heartbeatAt).toISOString(), dead.heartbeatAt);
    });

    test('upgrade status mid-upgrade: what holds the pins, the dead row and the command that clears it; exit 1', async () => {
      const { code, stdout, stderr } = await p.run('upgrade', 'status');
      assert.equal(code, 1, stderr);
      assert.equal(
        steadyAges(stdout),
        [
          `versioned upgrade status: ${shown}`,
          '',
          'scheduler: at its newest release N+2, unpinned',
          '  pins       release N+2: rpc scheduler 2.1, objects N+2',
          '  from       the services table: oldest live scheduler service: host-s (release N+2)',
          '  newest     N+2: rpc scheduler 2.1, objects N+2',
          '  lift       auto',
          '  finalized  no',
          '',
          'volume: held below its newest release N+2',
          '  pins       release N+1: rpc volume 1.1, objects N+1',
          '  from       the services table: oldest live volume service: host-b (release N+1)',
          '  newest     N+2: rpc volume 1.2, objects N+2',
          '  lift       auto',
          '  finalized  no',
          '  rows of older releases:',
          '    HOST    RELEASE  STATE  HEARTBEAT',
          '    host-9  N        dead   3d 0h ago  does not hold the pins (dead); if the host is gone for good, clear it: versioned services forget volume host-9',
          '    host-b  N+1      live   <n>s ago holds the pins: upgrade it to N+2, or stop it',
          '  next: upgrade or stop host-b (release N+1)',
          '',
          'HELD: volume is pinned below its newest release (exit 1)',
          '',
        ].join('\n'),
      );
    });

    test('upgrade status --json: the documented shape, ok false while a pin is held', async () => {
      const { code, stdout } = await p.run('upgrade', 'status', '--json');
      assert.equal(code, 1);
      const answer = JSON.parse(stdout);
      assert.deepEqual(Object.keys(answer), ['ok', 'database', 'binaries', 'undeclaredBinaries']);
      assert.equal(answer.ok, false);
      const volume = answer.binaries.find((b: { binary: string }) => b.binary === 'volume');
      assert.deepEqual(Object.keys(volume), [
        'binary',
        'atNewest',
        'newest',
        'pins',
        'liftPolicy',
        'level',
        'finalized',
        'canFinalize',
        'olderRows',
        'unknownReleaseRows',
        'next',
      ]);
      assert.equal(volume.atNewest, false);
      assert.deepEqual(volume.newest, { release: 'N+2', rpc: { volume: '1.2' }, objects: 'N+2' });
      assert.deepEqual(
        { ...volume.pins, reason: undefined },
        {
          release: 'N+1',
          rpc: { volume: '1.1' },
          objects: 'N+1',
          source: 'services',
          reason: undefined,
          heldBy: [{ host: 'host-b', release: 'N+1', state: 'live' }],
        },
      );
      assert.deepEqual(
        volume.olderRows.map((r: { host: string; state: string; clear: string | null }) => [r.host, r.state, r.clear]),
        [
          ['host-9', 'dead', 'versioned services forget volume host-9'],
          ['host-b', 'live', null],
        ],
      );
      assert.equal(volume.canFinalize, false);
    });

    test('upgrade status <binary> checks only that binary: exit 0 for one at its newest', async () => {
      const { code, stdout } = await p.run('upgrade', 'status', 'scheduler');
      assert.equal(code, 0);
      assert.match(stdout, /OK: scheduler runs its newest release, unpinned\n$/);
      assert.doesNotMatch(stdout, /volume/);
    });

    test('a configuration override wins over the table, and status says where it comes from and what to remove', async () => {
      await config({ upgradeLevels: { volume: 'N' } });
      try {
        const { code, stdout } = await p.run('upgrade', 'status', 'volume');
        assert.equal(code, 1);
        const lines = steadyAges(stdout).split('\n');
        assert.ok(lines.includes('  pins       release N: rpc volume 1.0, objects N'), stdout);
        assert.ok(
          lines.includes(
            '  from       configuration (versioned.config.json): upgradeLevels.volume = "N", which wins over the services table',
          ),
          stdout,
        );
        assert.ok(lines.includes('  lift       auto (configured level N)'), stdout);
        assert.ok(
          lines.includes(
            '  next: remove "upgrade.upgradeLevels.volume" (N) from versioned.config.json and reload the services (SIGHUP), so that the services table decides',
          ),
          stdout,
        );
        const json = JSON.parse((await p.run('upgrade', 'status', 'volume', '--json')).stdout);
        assert.equal(json.binaries[0].pins.source, 'config');
        assert.equal(json.binaries[0].level, 'N');
        // A level naming no release is a configuration error naming the file and the key.
        await config({ upgradeLevels: { volume: 'antelope' } });
        const badLevel = await p.run('upgrade', 'status');
        assert.equal(badLevel.code, 2);
        assert.match(
          badLevel.stderr,
          /^versioned: versioned\.config\.json: "upgrade\.upgradeLevels\.volume": unknown release "antelope"; known: N, N\+1, N\+2/,
        );
      } finally {
        await config();
      }
    });

    test('services forget refuses a live row (exit 1) and deletes a dead one', async () => {
      const live = await p.run('services', 'forget', 'volume', 'host-b');
      assert.equal(live.code, 1);
      assert.match(
        live.stdout,
        /^refusing to forget volume on host-b: it is live \(heartbeat \d+s ago\) and holds the pins; .* Stop it first, or pass --force if the host is gone\n$/,
      );
      const unknown = await p.run('services', 'forget', 'volume', 'host-x');
      assert.equal(unknown.code, 2);
      assert.match(
        unknown.stderr,
        new RegExp(`no services row for volume on host-x in ${escapeRegExp(shown)} \\(its hosts: host-9, host-a, host-b\\)`),
      );
      const dead = await p.run('services', 'forget', 'volume', 'host-9', '--json');
      assert.equal(dead.code, 0);
      const answer = JSON.parse(dead.stdout);
      assert.equal(answer.forgotten, true);
      assert.equal(answer.service.host, 'host-9');
      const rows = await fleet.store.rows('volume');
      assert.deepEqual(
        rows.map((r) => r.host),
        ['host-a', 'host-b'],
      );
    });

    test('disable takes a row out of the pins, enable puts it back', async () => {
      const disabled = await p.run('services', 'disable', 'volume', 'host-b', '--reason', 'disk swap');
      assert.equal(disabled.code, 0);
      assert.equal(disabled.stdout, 'disabled volume on host-b: now disabled, no longer holding the pins\n');
      const list = await p.run('services', 'list', '--binary', 'volume');
      assert.match(list.stdout, /volume {2}host-b {2}N\+1 {6}volume 1\.1 {2}N\+1 {6}disabled {2}\d+s ago \(disabled: disk swap\)/);
      const lifted = await p.run('upgrade', 'status', 'volume');
      assert.equal(lifted.code, 0, lifted.stdout);
      assert.match(lifted.stdout, /^volume: at its newest release N\+2, unpinned$/m);
      assert.match(
        lifted.stdout,
        /host-b +N\+1 +disabled .*does not hold the pins \(disabled\); clear it: versioned services forget volume host-b/,
      );
      const enabled = await p.run('services', 'enable', 'volume', 'host-b');
      assert.equal(enabled.stdout, 'enabled volume on host-b: now live\n');
      assert.equal((await p.run('upgrade', 'status', 'volume')).code, 1);
    });

    test('a late old row holds the pins and is forgotten only with --force; a row of a release the module does not know is named', async () => {
      await fleet.volume('host-l', 'N+1', 90 * SECOND); // older than the 60 s down time, within the 60 s grace
      await fleet.store.register(
        { binary: 'volume', host: 'host-z', release: 'N+3', rpcVersions: { volume: '1.3' }, objects: 'N+3' },
        Date.now(),
      );
      try {
        const { code, stdout } = await p.run('upgrade', 'status', 'volume');
        assert.equal(code, 1);
        assert.match(
          stdout,
          /\n {4}host-l +N\+1 +late +1m \d\ds ago +holds the pins until it is dead in \d+s unless it beats again; if the host is gone: versioned services forget volume host-l --force\n/,
        );
        assert.match(
          stdout,
          /\n {2}next: host-l is late: wait for it to beat or turn dead, or forget it with --force if the host is gone\n/,
        );
        assert.match(
          stdout,
          /\n {2}next: host-z runs a release the releases module does not know \(N\+3\): point --releases at the newest code\n/,
        );
        const json = JSON.parse((await p.run('upgrade', 'status', 'volume', '--json')).stdout);
        assert.deepEqual(
          json.binaries[0].unknownReleaseRows.map((r: { host: string }) => r.host),
          ['host-z'],
        );
        const refused = await p.run('services', 'forget', 'volume', 'host-l');
        assert.equal(refused.code, 1);
        assert.match(refused.stdout, /it is late \(heartbeat 1m \d\ds ago\) and holds the pins/);
        const forced = await p.run('services', 'forget', 'volume', 'host-l', '--force');
        assert.equal(forced.code, 0);
        assert.match(forced.stdout, /^forgot volume on host-l \(release N\+1, late, heartbeat 1m \d\ds ago\)\n$/);
      } finally {
        await fleet.store.forget('volume', 'host-l');
        await fleet.store.forget('volume', 'host-z');
      }
    });

    test('lift policy finalize: finalize is refused naming the older host, then records the OS user and host; status shows it', async () => {
      await config({ liftPolicy: { volume: 'finalize' } });
      try {
        const refused = await p.run('upgrade', 'finalize', 'volume');
        assert.equal(refused.code, 1);
        assert.match(refused.stdout, /finalize volume at N\+2 refused: host-b \(release N\+1, live\) still runs an older release/);
        const refusedJson = JSON.parse((await p.run('upgrade', 'finalize', 'volume', '--json')).stdout);
        assert.equal(refusedJson.ok, false);
        assert.deepEqual(refusedJson.services, [{ host: 'host-b', release: 'N+1', state: 'live' }]);

        await fleet.volume('host-b', 'N+2', 0); // host-b upgraded
        const held = await p.run('upgrade', 'status', 'volume');
        assert.equal(held.code, 1, 'the finalize policy holds the pins after the last old service is gone');
        assert.match(
          held.stdout,
          /from {7}lift policy finalize: release N ran during this upgrade \(every live service is newer\); finalize volume to lift/,
        );
        assert.match(
          held.stdout,
          /next: every live volume service runs N\+2: watch it, then `versioned upgrade finalize volume` to lift the pins \(until then, a rollback to N is safe\)/,
        );

        const done = await p.run('upgrade', 'finalize', 'volume');
        assert.equal(done.code, 0, done.stdout);
        const by = `${userInfo().username}@${hostname()}`;
        assert.match(
          done.stdout,
          new RegExp(`^finalized volume at N\\+2 \\(by ${escapeRegExp(by)} at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)\\.\\n`),
        );
        const status = await p.run('upgrade', 'status', 'volume');
        assert.equal(status.code, 0, status.stdout);
        assert.match(status.stdout, new RegExp(`  finalized  N\\+2 by ${escapeRegExp(by)} at \\d{4}-`));
        const json = JSON.parse((await p.run('upgrade', 'status', 'volume', '--json')).stdout);
        assert.equal(json.binaries[0].finalized.by, by);
        assert.equal(json.binaries[0].finalized.release, 'N+2');
        const again = await p.run('upgrade', 'finalize', 'volume');
        assert.match(again.stdout, /^volume is finalized at N\+2 already \(by .*\): nothing to do\n$/);
        const back = await p.run('upgrade', 'finalize', 'volume', '--release', 'N+1');
        assert.equal(back.code, 1);
        assert.match(back.stdout, /a finalization never goes back/);
      } finally {
        await fleet.volume('host-b', 'N+1', 0);
        await config();
      }
    });

    test('upgrade finish is refused naming the live older host, then records every row as the newest release', async () => {
      const refused = await p.run('upgrade', 'finish', 'volume');
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /^refusing to finish: older services still run \(volume: host-b \(release N\+1, live\)\)/);
      await fleet.stop('host-b'); // the offline upgrade: everything stopped
      await fleet.stop('host-a');
      const done = await p.run('upgrade', 'finish', 'volume', '--json');
      assert.equal(done.code, 0, done.stdout);
      assert.deepEqual(JSON.parse(done.stdout), { ok: true, finished: [{ binary: 'volume', release: 'N+2', rows: 2 }], refused: [] });
      assert.deepEqual(
        (await fleet.store.rows('volume')).map((r) => [r.host, r.release]),
        [
          ['host-a', 'N+2'],
          ['host-b', 'N+2'],
        ],
      );
    });

    test('a database without the services table: exit 2 naming the URL and what to do; nothing is created', async () => {
      const other = await emptyDatabase(dialect, p);
      const url = dialect === 'sqlite' ? `sqlite:${p.path('var/other.db')}` : other.url;
      const otherShown = dialect === 'sqlite' ? 'sqlite:var/other.db' : other.url;
      try {
        if (dialect === 'sqlite') await writeFile(p.path('var/other.db'), ''); // an empty SQLite database
        for (const args of [
          ['services', 'list'],
          ['upgrade', 'status'],
          ['services', 'forget', 'volume', 'host-a'],
        ]) {
          const { code, stderr, stdout } = await p.run(...args, '--database', url);
          assert.equal(code, 2, stdout);
          assert.equal(
            stderr,
            `versioned: ${otherShown} has no services table (versioned_services): is this the database your services use? They create the table when they first start; check --database\n`,
          );
        }
        const json = JSON.parse((await p.run('upgrade', 'status', '--json', '--database', url)).stdout);
        assert.deepEqual(json, { ok: false, error: { code: 'database', message: json.error.message, file: null } });
        if (dialect === 'postgres') {
          const client = new pg.Client({ connectionString: other.url });
          await client.connect();
          const { rows } = await client.query("SELECT to_regclass('versioned_services') IS NULL AS absent");
          await client.end();
          assert.equal(rows[0].absent, true);
        }
      } finally {
        await other.drop();
      }
    });
  });
}

describe('versioned services and upgrade: databases that cannot be reached, bad settings', () => {
  let p: TempProject;
  before(async () => {
    p = await upgradeProject();
  });
  after(async () => p.remove());

  test('an unreachable PostgreSQL is exit 2 naming the URL (password hidden) and what to do, never a stack', async () => {
    await p.write(
      'versioned.config.json',
      JSON.stringify({ upgrade: { database: 'postgres://ops:s3cret@127.0.0.1:1/fleet', releases: 'releases.mjs' } }),
    );
    for (const args of [
      ['services', 'list'],
      ['upgrade', 'status'],
      ['upgrade', 'finalize', 'volume'],
      ['services', 'disable', 'volume', 'h'],
    ]) {
      const { code, stderr, stdout } = await p.run(...args);
      assert.equal(code, 2, stdout);
      assert.match(
        stderr,
        /^versioned: cannot reach the services database postgres:\/\/ops:\*\*\*@127\.0\.0\.1:1\/fleet: .*ECONNREFUSED.*\. Check that the database runs and accepts connections, and check "upgrade\.database" in versioned\.config\.json\n$/,
      );
      assert.doesNotMatch(stderr, /s3cret/);
      assert.doesNotMatch(stderr, NO_STACK);
    }
  });

  test('a missing SQLite file is exit 2 and is not created', async () => {
    const { code, stderr } = await p.run('services', 'list', '--database', 'sqlite:nowhere/services.db');
    assert.equal(code, 2);
    assert.equal(
      stderr,
      'versioned: cannot open the services database sqlite:nowhere/services.db: the file does not exist. Point --database at the file your services use (they create it when they first start)\n',
    );
    assert.equal(existsSync(p.path('nowhere')), false);
  });

  test('no database anywhere, no releases module, a bad URL or setting: exit 2 saying what to set', async () => {
    await p.write('versioned.config.json', JSON.stringify({ upgrade: { releases: 'releases.mjs' } }));
    const none = await p.run('services', 'list');
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^versioned: no services database: pass --database sqlite:<path> or --database postgres:\/\/\.\.\., or set "upgrade": \{ "database": \.\.\. \} in versioned\.config\.json\n$/,
    );
    const mysql = await p.run('services', 'list', '--database', 'mysql://db/fleet');
    assert.equal(mysql.code, 2);
    assert.match(
      mysql.stderr,
      /unsupported URL mysql:\/\/db\/fleet; expected sqlite:<path>, sqlite::memory: or postgres:\/\/\.\.\. \(--database\)/,
    );
    await p.write('versioned.config.json', JSON.stringify({ upgrade: { database: 'sqlite:x.db', downTimeMs: -1 } }));
    const bad = await p.run('services', 'list');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /versioned\.config\.json: "upgrade\.downTimeMs" must be a positive number of milliseconds/);
    await p.write('versioned.config.json', JSON.stringify({ upgrade: { database: 'sqlite:x.db', pins: {} } }));
    assert.match(
      (await p.run('services', 'list')).stderr,
      /unknown setting "upgrade\.pins" \(known: database, releases, upgradeLevels, liftPolicy, downTimeMs, lateGraceMs\)/,
    );
    await (await openServiceStore(`sqlite:${p.path('x.db')}`)).close();
    await p.write('versioned.config.json', JSON.stringify({ upgrade: { database: 'sqlite:x.db' } }));
    const noReleases = await p.run('upgrade', 'status');
    assert.equal(noReleases.code, 2);
    assert.equal(
      noReleases.stderr,
      'versioned: no release table: pass --releases <module.js> (a compiled module exporting the Releases of each binary), or set "upgrade": { "releases": "<module.js>" } in versioned.config.json\n',
    );
    assert.equal((await p.run('services', 'list')).code, 0, 'listing needs no release table');
    const missingModule = await p.run('upgrade', 'status', '--releases', 'gone.mjs');
    assert.equal(missingModule.code, 2);
    assert.equal(missingModule.stderr, 'versioned: cannot load the releases module gone.mjs: the file does not exist\n');
    await p.write('empty.mjs', 'export const nothing = 1;\n');
    assert.match(
      (await p.run('upgrade', 'status', '--releases', 'empty.mjs')).stderr,
      /the releases module empty\.mjs exports no Releases/,
    );
  });

  test('every command has its own --help; wrong arguments are usage errors', async () => {
    for (const [words, usage] of [
      [['services', 'list'], 'Usage: versioned services list [options]'],
      [['services', 'forget'], 'Usage: versioned services forget <binary> <host> [options]'],
      [['services', 'disable'], 'Usage: versioned services disable <binary> <host> [options]'],
      [['services', 'enable'], 'Usage: versioned services enable <binary> <host> [options]'],
      [['upgrade', 'status'], 'Usage: versioned upgrade status [<binary>] [options]'],
      [['upgrade', 'finish'], 'Usage: versioned upgrade finish [<binary>] [options]'],
      [['upgrade', 'finalize'], 'Usage: versioned upgrade finalize <binary> [options]'],
    ] as const) {
      const { code, stdout } = await p.run(...words, '--help');
      assert.equal(code, 0);
      assert.ok(stdout.startsWith(`${usage}\n`), stdout);
      assert.match(stdout, /--database <url> +The services database/);
      assert.match(stdout, /--json/);
    }
    const global = await p.run('--help');
    assert.match(global.stdout, /services list +List the services table/);
    assert.match(global.stdout, /upgrade finalize +Say the new release stays/);
    const missing = await p.run('services', 'forget', 'volume');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /`versioned services forget` needs a binary and a host: versioned services forget <binary> <host>/);
    assert.equal((await p.run('upgrade', 'finalize')).code, 2);
    assert.equal((await p.run('upgrade', 'status', 'a', 'b')).code, 2);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('formatting', () => {
  test('heartbeat ages: seconds, minutes, hours, days', () => {
    assert.deepEqual([0, 59_999, 60_000, 3_599_000, 3_600_000, 86_399_000, 86_400_000, 12 * DAY + 3_600_000 * 5].map(formatAge), [
      '0s',
      '59s',
      '1m 0s',
      '59m 59s',
      '1h 0m',
      '23h 59m',
      '1d 0h',
      '12d 5h',
    ]);
  });

  test("the CLI's liveness defaults are @versioned/upgrade's", () => {
    assert.deepEqual(DEFAULT_RULE, { downTimeMs: DEFAULT_DOWN_TIME_MS, lateGraceMs: DEFAULT_LATE_GRACE_MS });
  });
});
