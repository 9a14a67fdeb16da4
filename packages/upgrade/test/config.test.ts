import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Releases, Upgrade, isUpgradeError, openServiceStore, type UpgradeConfig } from '../src/index.js';
import { HISTORY, VOLUME, VOLUME_UP_TO_N1, withDatabase } from './helpers.js';

const openWith = (database: string, config: UpgradeConfig) =>
  Upgrade.open({ database, binaries: [VOLUME_UP_TO_N1], config, reloadOnSighup: false, logger: { info() {}, warn() {} } });
const refusal = (code: string, pattern: RegExp) => (error: unknown) =>
  isUpgradeError(error) && error.code === code && pattern.test(error.message);

test('bad configuration is a typed error at start-up naming the option', async () => {
  await withDatabase('sqlite', async (url) => {
    await assert.rejects(
      openWith(url, { upgradeLevels: { volume: 'zed' } }),
      refusal('invalid_config', /^upgradeLevels\.volume: unknown release "zed"; known: N, N\+1/),
    );
    await assert.rejects(
      openWith(url, { upgradeLevels: { volume: '1.x' } }),
      refusal('invalid_config', /^upgradeLevels\.volume: malformed version "1\.x"/),
    );
    await assert.rejects(
      openWith(url, { upgradeLevels: { volume: '1.2' } }),
      refusal(
        'invalid_config',
        /^upgradeLevels\.volume: volume 1\.2 is newer than this process knows \(its newest release N\+1 serves 1\.1\)/,
      ),
    );
    await assert.rejects(openWith(url, { upgradeLevels: { volume: '0.9' } }), refusal('invalid_config', /older than the oldest release/));
    await assert.rejects(
      openWith(url, { upgradeLevels: { backup: 'auto' } }),
      refusal('invalid_config', /^upgradeLevels\.backup: no releases are declared for binary "backup"/),
    );
    await assert.rejects(
      openWith(url, { liftPolicy: { volume: 'later' as never } }),
      refusal('invalid_config', /^liftPolicy\.volume: expected "auto" or "finalize", got "later"/),
    );
    const api = new Releases('api', [{ name: 'a', rpc: { volume: '1.0', scheduler: '2.0' }, objects: 'N' }], { objects: HISTORY });
    await assert.rejects(
      Upgrade.open({ database: url, binaries: [api], config: { upgradeLevels: { api: '1.0' } } }),
      refusal('invalid_config', /^upgradeLevels\.api: api serves several APIs \(volume, scheduler\): give a release name, not a version/),
    );
    const broken = () => JSON.parse('{ not json');
    await assert.rejects(
      Upgrade.open({ database: url, binaries: [VOLUME], config: broken }),
      refusal('invalid_config', /^config: reading the configuration failed: /),
    );
    await assert.rejects(
      Upgrade.open({ database: url, binaries: [VOLUME], downTimeMs: -1 }),
      refusal('invalid_config', /^downTimeMs: expected a positive number/),
    );
  });
});

test('a version level applies to the only API and pins objects to the release serving it', async () => {
  await withDatabase('sqlite', async (url) => {
    const upgrade = await Upgrade.open({
      database: url,
      binaries: [VOLUME],
      config: { upgradeLevels: { volume: '1.1' } },
      reloadOnSighup: false,
      logger: { info() {}, warn() {} },
    });
    try {
      const pins = upgrade.pins('volume');
      assert.deepEqual([pins.rpc, pins.objects, pins.source], [{ volume: '1.1' }, 'N+1', 'config']);
      assert.match(pins.reason, /upgradeLevels\.volume = "1\.1" in configuration/);
    } finally {
      await upgrade.close();
    }
  });
});

test('an unreachable or malformed database URL is a typed error at start-up naming the URL (password hidden)', async () => {
  await assert.rejects(
    openServiceStore('postgres://root:s3cret@127.0.0.1:1/test'),
    (error: unknown) =>
      isUpgradeError(error, 'database') &&
      /cannot connect to postgres:\/\/root:\*\*\*@127\.0\.0\.1:1\/test/.test((error as Error).message) &&
      !/s3cret/.test((error as Error).message),
  );
  await assert.rejects(
    openServiceStore('postgres://postgres@127.0.0.1:5432/no_such_database_here'),
    refusal('database', /no_such_database_here.*does not exist/),
  );
  await assert.rejects(
    openServiceStore('sqlite:/no/such/dir/services.db'),
    refusal('database', /cannot open sqlite:\/no\/such\/dir\/services\.db/),
  );
  await assert.rejects(
    openServiceStore('mysql://localhost/x'),
    refusal('invalid_config', /^database: unsupported URL mysql:\/\/localhost\/x/),
  );
  await assert.rejects(openServiceStore('sqlite:'), refusal('invalid_config', /names no file/));
  await assert.rejects(
    Upgrade.open({ database: 'postgres://127.0.0.1:1/test', binaries: [VOLUME] }),
    refusal('database', /127\.0\.0\.1:1/),
  );
});

test('a SQLite file is created with its tables on first open; reopening applies nothing twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'versioned-upgrade-'));
  try {
    const url = `sqlite:${join(dir, 'new.db')}`;
    const first = await openServiceStore(url);
    assert.equal(first.dialect, 'sqlite');
    assert.deepEqual(await first.rows(), []);
    await first.close();
    const again = await openServiceStore(url);
    assert.equal(await again.generation(), 0);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite::memory: works for a single process', async () => {
  const upgrade = await Upgrade.open({
    database: 'sqlite::memory:',
    binaries: [VOLUME],
    reloadOnSighup: false,
    logger: { info() {}, warn() {} },
  });
  try {
    const service = await upgrade.register('volume', 'host-a', { release: 'N+1' });
    assert.equal(upgrade.pins('volume').release, 'N+1');
    await service.stop();
  } finally {
    await upgrade.close();
  }
});
