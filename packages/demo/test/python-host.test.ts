// The Python volume host of release N (python/volume_host.py: oslo.messaging, oslo.versionedobjects, psycopg2)
// against the TypeScript release N: the same classes (one fingerprint on both sides), the same answers to the
// same calls over the shared RabbitMQ broker, and its services row written as @versioned/upgrade writes it
// (the TypeScript pins follow it through NOTIFY). Needs RabbitMQ, PostgreSQL and /usr/bin/python3 with the
// Debian packages: any of them missing fails the test, never skips it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { fingerprintRegistry } from '@versioned/cli';
import { ObjectsRpcSerializer, RabbitTransport, RpcClient, RpcServer, isRpcError } from '@versioned/rpc';
import { Upgrade, type PinsChange } from '@versioned/upgrade';
import { createDatabase } from '../src/process-fleet/database.js';
import { PYTHON, PYTHON_DIR, startPythonHost } from '../src/process-fleet/python-host.js';
import type { FleetChild } from '../src/process-fleet/child.js';
import * as releaseN from '../src/releases/release-n.js';
import { VOLUME_RELEASES } from '../src/releases/releases.js';
import { VolumeManagerN, volumeApiN } from '../src/releases/volume-manager-n.js';

const BROKER_URL = process.env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/';
const PG_ADMIN_URL = process.env['PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const suffix = randomUUID().replaceAll('-', '').slice(0, 10);
const EXCHANGE = `fleet_py_${suffix}`;
const TOPIC = `volume_py_${suffix}`;
const REPORT_MS = 200;
const DOWN_MS = 1000;
const GRACE_MS = 1000;

test('the Python classes of release N have the fingerprints and descriptions of the TypeScript ones', () => {
  const python = JSON.parse(execFileSync(PYTHON, ['volume_objects.py'], { cwd: PYTHON_DIR, encoding: 'utf8' })) as Record<
    string,
    { fingerprint: string; description: unknown }
  >;
  const ours = fingerprintRegistry(releaseN.registry);
  assert.deepEqual(Object.keys(python).sort(), [...ours.keys()].sort());
  for (const [name, mine] of ours) {
    assert.deepEqual(python[name]?.description, JSON.parse(JSON.stringify(mine.description)), `${name}: the descriptions differ`);
    assert.equal(python[name]?.fingerprint, mine.fingerprint, name);
  }
});

describe('the Python volume host beside a TypeScript one, both release N', () => {
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let upgrade: Upgrade;
  let transport: RabbitTransport;
  let server: RpcServer;
  let client: RpcClient;
  const pinChanges: PinsChange[] = [];
  const children: FleetChild[] = [];
  const tsRan: string[] = [];

  const python = (host: string): FleetChild => {
    const child = startPythonHost({
      host,
      brokerUrl: BROKER_URL,
      exchange: EXCHANGE,
      topic: TOPIC,
      database: db.url,
      reportIntervalMs: REPORT_MS,
      deadAfterMs: DOWN_MS + GRACE_MS,
    });
    children.push(child);
    return child;
  };

  before(async () => {
    db = await createDatabase(PG_ADMIN_URL, 'demo_python_host');
    upgrade = await Upgrade.open({
      database: db.url,
      binaries: [VOLUME_RELEASES],
      downTimeMs: DOWN_MS,
      lateGraceMs: GRACE_MS,
      reportIntervalMs: REPORT_MS,
      reloadOnSighup: false,
      logger: { info: () => undefined, warn: () => undefined },
      onPinsChange: (change) => pinChanges.push(change),
    });
    // A release-N+1 service already in the table: the pins are at N+1 until a release-N row shows up.
    await upgrade.register('volume', 'ts-n1', { release: 'N+1' });
    transport = await RabbitTransport.connect({ url: BROKER_URL, exchange: EXCHANGE, onError: () => undefined });
    const manager = new VolumeManagerN({ host: 'ts-n', zone: 'az-1', rows: new Map(), say: () => undefined });
    server = new RpcServer({
      transport,
      target: { topic: TOPIC, server: 'ts-n' },
      // The N manager, each delivery recorded by request id (as the fleet's hosts report them).
      endpoints: volumeApiN.endpoints({
        create_volume: (ctx, args) => (tsRan.push(String(ctx['request_id'])), manager.create_volume(ctx, args)),
        get_volume: (ctx, args) => (tsRan.push(String(ctx['request_id'])), manager.get_volume(ctx, args)),
        update_volume: (ctx, args) => (tsRan.push(String(ctx['request_id'])), manager.update_volume(ctx, args)),
      }),
      serializer: new ObjectsRpcSerializer({ registry: releaseN.registry }),
    });
    await server.start();
    client = new RpcClient({
      transport,
      target: { topic: TOPIC, version: '1.0' },
      serializer: new ObjectsRpcSerializer({ registry: releaseN.registry }),
      timeoutMs: 10_000,
    });
  });

  after(async () => {
    await Promise.allSettled(children.map((child) => child.stop(3000)));
    await server?.stop().catch(() => undefined);
    await transport?.close().catch(() => undefined);
    await upgrade?.close().catch(() => undefined);
    await db?.drop();
  });

  test('its row is written as @versioned/upgrade writes it, and the TypeScript pins follow it through NOTIFY', async () => {
    assert.equal(upgrade.pins('volume').rpc['volume'], '1.1', 'only N+1 in the table');
    const py = python('py-n');
    const ready = await py.waitFor('ready', 30_000);
    assert.deepEqual(
      ready['fingerprints'],
      Object.fromEntries([...fingerprintRegistry(releaseN.registry)].map(([name, fp]) => [name, fp.fingerprint])),
    );
    const row = (await upgrade.services('volume')).find((r) => r.host === 'py-n');
    assert.ok(row, 'the Python host wrote its row');
    assert.deepEqual([row.release, row.rpcVersions, row.objects, row.state, row.stoppedAt], ['N', { volume: '1.0' }, 'N', 'live', null]);
    // The NOTIFY of its registration moved this process's pins, with no read of ours in between.
    // (The pins move before onPinsChange is told: it waits for the rows that say why.)
    const lowered = () => pinChanges.some((change) => change.to.rpc['volume'] === '1.0');
    const deadline = Date.now() + 5000;
    while (!lowered() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(upgrade.pins('volume').rpc['volume'], '1.0');
    assert.equal(upgrade.pins('volume').objects, 'N');
    assert.ok(
      pinChanges.some((change) => change.to.rpc['volume'] === '1.0'),
      `an onPinsChange to 1.0: ${pinChanges.map((c) => c.message).join('; ')}`,
    );
    // It beats: the heartbeat moves on.
    await new Promise((r) => setTimeout(r, REPORT_MS * 3));
    const later = (await upgrade.services('volume')).find((r) => r.host === 'py-n');
    assert.ok(later && later.heartbeatAt > row.heartbeatAt, 'heartbeats advance');
  });

  test('random volumes: the Python host answers create_volume, get_volume and the cast update_volume as the TypeScript host does', async () => {
    const uuid = fc.uuid({ version: 4 });
    const date = fc.integer({ min: 946_684_800, max: 2_000_000_000 }).map((s) => new Date(s * 1000));
    const attachment = fc.record({
      id: uuid,
      instance_uuid: uuid,
      mountpoint: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: null }),
      attached_at: date,
    });
    const volume = fc.record({
      id: uuid,
      name: fc.string({ unit: 'grapheme', maxLength: 20 }),
      size: fc.nat({ max: 2 ** 31 - 1 }),
      status: fc.constantFrom('creating', 'available', 'in-use', 'error'),
      created_at: date,
      attachments: fc.array(attachment, { maxLength: 3 }),
    });
    const ids: string[] = [];
    const ctx = () => {
      const id = randomUUID();
      ids.push(id);
      return { request_id: id };
    };
    await fc.assert(
      fc.asyncProperty(volume, async (values) => {
        const make = () =>
          releaseN.Volume.create({ ...values, attachments: values.attachments.map((a) => releaseN.VolumeAttachment.create(a)) });
        const answers = [];
        for (const host of ['ts-n', 'py-n']) {
          const created = await client.prepare({ server: host }).call<releaseN.Volume>(ctx(), 'create_volume', { volume: make() });
          const got = await client.prepare({ server: host }).call<releaseN.Volume>(ctx(), 'get_volume', { volume_id: values.id });
          assert.ok(created instanceof releaseN.Volume && got instanceof releaseN.Volume);
          // update_volume is a cast: the host stores what it got; a get_volume then shows it.
          const renamed = make();
          renamed.name = `${values.name} (renamed)`;
          await client.prepare({ server: host }).cast(ctx(), 'update_volume', { volume: renamed });
          let updated = got;
          for (const end = Date.now() + 5000; updated.name !== renamed.name && Date.now() < end; ) {
            updated = await client.prepare({ server: host }).call<releaseN.Volume>(ctx(), 'get_volume', { volume_id: values.id });
          }
          answers.push([created.toPrimitive(), got.toPrimitive()['versioned_object.data'], updated.toPrimitive()['versioned_object.data']]);
        }
        assert.deepEqual(answers[1], answers[0], JSON.stringify(answers));
      }),
      { numRuns: 25 },
    );
    // Every call ran once, on the host it was addressed to.
    const pyRan = [...children[0]!.events].filter((e) => e.event === 'delivered').map((e) => String(e['requestId']));
    assert.equal(new Set(pyRan).size, pyRan.length, 'no call ran twice');
    assert.equal(new Set(tsRan).size, tsRan.length, 'no call ran twice');
    assert.deepEqual(new Set([...pyRan, ...tsRan]), new Set(ids));
    assert.equal(children[0]!.events.filter((e) => e.event === 'undecodable').length, 0);
  });

  test('a volume neither host has: the same remote error from both', async () => {
    const id = randomUUID();
    const failures = [];
    for (const host of ['ts-n', 'py-n']) {
      const error = await client
        .prepare({ server: host })
        .call({}, 'get_volume', { volume_id: id })
        .then(
          () => assert.fail('answered'),
          (e: unknown) => e,
        );
      assert.ok(isRpcError(error, 'remote'), String(error));
      const { class: cls, module, message } = error.details as Record<string, unknown>;
      failures.push({ cls, module, message: String(message).replace(host, '<host>') });
    }
    assert.deepEqual(failures[1], failures[0]);
    assert.deepEqual(failures[0], { cls: 'Exception', module: 'builtins', message: `no volume ${id} on <host>` });
  });

  test('a version it does not serve is refused, as oslo refuses it', async () => {
    await assert.rejects(
      client.prepare({ server: 'py-n', version: '1.1' }).call({}, 'get_volume', { volume_id: randomUUID() }),
      (e: unknown) => isRpcError(e, 'unsupported_version'),
    );
    await assert.rejects(
      client.prepare({ server: 'py-n' }).call({}, 'extend_volume', { volume_id: randomUUID(), new_size: 2 }),
      (e: unknown) => isRpcError(e, 'no_such_method'),
    );
  });

  test('SIGHUP: it beats at once and keeps serving; SIGTERM: it drains, marks its row stopped and exits 0', async () => {
    const py = children[0]!;
    py.signal('SIGHUP');
    await py.waitFor('sighup', 5000);
    const id = randomUUID();
    const v = releaseN.Volume.create({
      id,
      name: 'after hup',
      size: 1,
      status: 'available',
      created_at: new Date('2026-01-01T00:00:00Z'),
      attachments: [],
    });
    assert.equal((await client.prepare({ server: 'py-n' }).call<releaseN.Volume>({}, 'create_volume', { volume: v })).name, 'after hup');
    const before = pinChanges.length;
    const exit = await py.stop(10_000);
    assert.deepEqual(exit, { code: 0, signal: null }, py.diagnostics);
    assert.ok(py.events.some((e) => e.event === 'stopped'));
    const row = (await upgrade.services('volume')).find((r) => r.host === 'py-n');
    assert.equal(row?.state, 'stopped');
    // The stop's NOTIFY lifts the pins at once (no live N row remains).
    const deadline = Date.now() + 5000;
    while (upgrade.pins('volume').rpc['volume'] !== '1.1' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(upgrade.pins('volume').rpc['volume'], '1.1');
    assert.ok(pinChanges.length > before);
  });

  test('SIGKILL: the row is left as it was, then turns late and dead by heartbeat age', async () => {
    const py = python('py-killed');
    await py.waitFor('ready', 30_000);
    py.signal('SIGKILL');
    assert.equal((await py.exited).signal, 'SIGKILL');
    const killedAt = Date.now();
    const state = async () => (await upgrade.services('volume')).find((r) => r.host === 'py-killed');
    assert.equal((await state())?.stoppedAt, null, 'not marked stopped');
    while (Date.now() - killedAt < DOWN_MS + 300) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await state())?.state, 'late');
    while (Date.now() - killedAt < DOWN_MS + GRACE_MS + 300) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await state())?.state, 'dead');
  });

  test('finalized at N+1: it refuses to start, as Upgrade.register() does, unless forced; forced, it lowers the pins again', async () => {
    await upgrade.finalize('volume', { by: 'test' });
    const refused = python('py-late');
    await assert.rejects(
      refused.waitFor('ready', 30_000),
      /below_finalized: refusing to start volume on release N: the fleet was finalized at N\+1/,
    );
    assert.equal((await refused.exited).code, 2);
    assert.equal(
      (await upgrade.services('volume')).find((r) => r.host === 'py-late'),
      undefined,
      'no row written',
    );
    const forced = startPythonHost({
      host: 'py-late',
      brokerUrl: BROKER_URL,
      exchange: EXCHANGE,
      topic: TOPIC,
      database: db.url,
      reportIntervalMs: REPORT_MS,
      deadAfterMs: DOWN_MS + GRACE_MS,
      forceBelowFinalized: true,
    });
    children.push(forced);
    await forced.waitFor('ready', 30_000);
    const deadline = Date.now() + 5000;
    while (upgrade.pins('volume').rpc['volume'] !== '1.0' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(upgrade.pins('volume').rpc['volume'], '1.0');
  });
});
