/**
 * Seed 002's three-release walk (see ../major-bump.test.ts for the hand-written one), with the API declared:
 * no client picks a version, no server hand-writes the 1.x proxy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { f } from '@versioned/objects';
import { InMemoryTransport, RpcServer, defineRpcApi, isRpcError, type VersionCapSource } from '../../src/index.js';
import { RecordingTransport } from '../helpers.js';
import { HISTORY_N1, conductorN, conductorN1, conductorN2, type Built } from './conductor-api.js';

const SERVERS = {
  N: () => conductorN.endpoints({ build_instance: (_ctx, a) => ({ release: 'N', handledAs: '1.x', name: a.instance_name, host: a.host }) }),
  'N+1': () =>
    conductorN1.endpoints({
      build_instance: (_ctx, a, call) => ({
        release: 'N+1',
        handledAs: call.version.startsWith('1.') ? '1.x via proxy' : '2.0',
        name: a.name,
        host: a.host,
      }),
    }),
  'N+2': () =>
    conductorN2.endpoints({
      build_instance: (_ctx, a) => ({
        release: 'N+2',
        handledAs: a.flavor ? '2.1' : '2.0',
        name: a.name,
        host: a.host,
        ...(a.flavor ? { flavor: a.flavor } : {}),
      }),
    }),
} as const;
type ServerRelease = keyof typeof SERVERS;

const CLIENTS = {
  N: (transport: RecordingTransport | InMemoryTransport, cap: string | VersionCapSource | undefined) => {
    const client = conductorN.client({ transport, versionCap: cap, timeoutMs: 1000 });
    return (name: string, host: string) => client.call({}, 'build_instance', { instance_name: name, host });
  },
  'N+1': (transport: RecordingTransport | InMemoryTransport, cap: string | VersionCapSource | undefined) => {
    const client = conductorN1.client({ transport, versionCap: cap, timeoutMs: 1000 });
    return (name: string, host: string) => client.call({}, 'build_instance', { name, host });
  },
  'N+2': (transport: RecordingTransport | InMemoryTransport, cap: string | VersionCapSource | undefined) => {
    const client = conductorN2.client({ transport, versionCap: cap, timeoutMs: 1000 });
    return (name: string, host: string) => client.call({}, 'build_instance', { name, host, flavor: 'm1.small' });
  },
} as const;
type ClientRelease = keyof typeof CLIENTS;

type Expectation = { ok: string } | { error: 'unsupported_version' | 'version_cap' };
const MATRIX: [ClientRelease, string | undefined, ServerRelease, Expectation, string][] = [
  ['N', undefined, 'N', { ok: 'N 1.x' }, 'same release'],
  ['N', undefined, 'N+1', { ok: 'N+1 1.x via proxy' }, 'the generated proxy endpoint keeps old clients working'],
  ['N', undefined, 'N+2', { error: 'unsupported_version' }, 'skipping a release is not supported'],
  ['N+1', '1.1', 'N', { ok: 'N 1.x' }, 'capped at the old version, the new client downgrades to 1.x by the declaration'],
  ['N+1', undefined, 'N', { error: 'unsupported_version' }, 'uncapped too early: the reason for the cap'],
  ['N+1', '1.1', 'N+1', { ok: 'N+1 1.x via proxy' }, 'still capped after the server upgraded'],
  ['N+1', undefined, 'N+1', { ok: 'N+1 2.0' }, 'cap lifted once every service runs N+1'],
  ['N+1', '1.1', 'N+2', { error: 'unsupported_version' }, 'the cap must be lifted before N+2 arrives'],
  ['N+1', undefined, 'N+2', { ok: 'N+2 2.0' }, 'N+2 serves the 2.0 that N+1 speaks'],
  ['N+2', '2.0', 'N+1', { ok: 'N+1 2.0' }, 'capped at 2.0, the N+2 client drops the flavor argument (declared ifCapped: drop)'],
  ['N+2', undefined, 'N+1', { error: 'unsupported_version' }, 'uncapped too early again'],
  ['N+2', '2.0', 'N+2', { ok: 'N+2 2.0' }, 'still capped after the server upgraded'],
  ['N+2', undefined, 'N+2', { ok: 'N+2 2.1' }, 'cap lifted'],
  ['N+2', '1.1', 'N', { error: 'version_cap' }, 'an N+2 client cannot speak the retired 1.x: refused before sending'],
];

for (const [clientRelease, cap, serverRelease, expected, why] of MATRIX) {
  const capText = cap ? `capped at ${cap}` : 'uncapped';
  const outcome = 'ok' in expected ? `works (${expected.ok})` : `fails with ${expected.error}`;
  test(`declared major bump: ${clientRelease} client ${capText} -> ${serverRelease} server ${outcome}: ${why}`, async () => {
    const transport = new InMemoryTransport();
    const server = new RpcServer({ transport, target: { topic: 'conductor', server: 'c1' }, endpoints: SERVERS[serverRelease]() });
    await server.start();
    try {
      const build = CLIENTS[clientRelease](transport, cap);
      if ('ok' in expected) {
        const built = (await build('vm1', 'h1')) as Built;
        assert.equal(`${built['release']} ${built['handledAs']}`, expected.ok);
        assert.equal(built['name'], 'vm1');
        assert.equal(built['host'], 'h1');
      } else {
        await assert.rejects(build('vm1', 'h1'), { name: 'RpcError', code: expected.error });
      }
    } finally {
      await transport.close();
    }
  });
}

test('declared major bump: the refused N+2 -> N call names the method and the version it needs, and never reached the transport', async () => {
  const transport = new RecordingTransport();
  await assert.rejects(CLIENTS['N+2'](transport, '1.1')('vm1', 'h1'), (err: unknown) => {
    assert.ok(isRpcError(err, 'version_cap'));
    assert.deepEqual([err.details['method'], err.details['needed'], err.details['versionCap']], ['build_instance', '2.1', '1.1']);
    return true;
  });
  assert.equal(transport.sent.length, 0);
});

test('declared major bump: both steps in one release (2.0 opened and 1.x retired in N+1) is refused at declaration', () => {
  assert.throws(
    () =>
      defineRpcApi({
        topic: 'conductor',
        history: [...HISTORY_N1, { version: '2.1', release: 'N+1', note: 'drop 1.x', methods: { noop: {} }, retires: 1 }],
      }),
    (err: unknown) => isRpcError(err, 'invalid_api') && /served alongside for that whole release/.test(err.message),
  );
});

test('declared major bump: a 2.0 that loses a 1.x method without mapping it is refused (the proxy could not serve it)', () => {
  assert.throws(
    () =>
      defineRpcApi({
        topic: 'conductor',
        history: [
          { version: '1.0', release: 'N', note: 'Initial', methods: { a: {}, b: {} } },
          { version: '2.0', release: 'N+1', note: 'drops b', methods: { a: {} } },
        ],
      }),
    (err: unknown) => isRpcError(err, 'invalid_api') && /b of 1\.x has no 2\.0 counterpart/.test(err.message),
  );
});

test('declared major bump: the rolling walk N -> N+1 -> N+2 with the cap lifted at run time', async () => {
  const transport = new InMemoryTransport();
  let cap: string | undefined = '1.1';
  const capSource = () => cap;
  const serve = async (release: ServerRelease) => {
    const server = new RpcServer({ transport, target: { topic: 'conductor', server: 'c1' }, endpoints: SERVERS[release]() });
    await server.start();
    return server;
  };
  const seen: string[] = [];
  const record = (b: unknown) => seen.push(`${(b as Built)['release']} ${(b as Built)['handledAs']}`);
  let server = await serve('N');
  record(await CLIENTS['N+1'](transport, capSource)('vm', 'h'));
  await server.stop();
  server = await serve('N+1');
  record(await CLIENTS['N+1'](transport, capSource)('vm', 'h'));
  cap = undefined;
  record(await CLIENTS['N+1'](transport, capSource)('vm', 'h'));
  cap = '2.0';
  record(await CLIENTS['N+2'](transport, capSource)('vm', 'h'));
  await server.stop();
  server = await serve('N+2');
  record(await CLIENTS['N+2'](transport, capSource)('vm', 'h'));
  cap = undefined;
  record(await CLIENTS['N+2'](transport, capSource)('vm', 'h'));
  await transport.close();
  assert.deepEqual(seen, ['N 1.x', 'N+1 1.x via proxy', 'N+1 2.0', 'N+1 2.0', 'N+2 2.0', 'N+2 2.1']);
});

test('declared major bump: the release aliases come from the history', () => {
  assert.deepEqual(conductorN2.aliases(), { N: '1.1', 'N+1': '2.0', 'N+2': '2.1' });
  assert.equal(conductorN1.version, '2.0');
  void f;
});
