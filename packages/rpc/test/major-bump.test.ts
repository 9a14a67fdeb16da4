/**
 * Seed 002 (Russell Bryant, "Live upgrades and major rpc versions"): a major bump is two steps that
 * straddle a release boundary. Release N serves 1.x; N+1 adds 2.0 and keeps 1.x through a proxy
 * endpoint; N+2 drops 1.x. Every N -> N+1 and N+1 -> N+2 rolling upgrade works, as long as clients are
 * capped at the old version until every service is upgraded. Each test is one client/server pair.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryTransport, RpcClient, RpcServer, type RequestContext, type Transport, type VersionCapSource } from '../src/index.js';
import { RecordingTransport } from './helpers.js';

type Built = { release: string; handledAs: string; name: string; host: string; flavor?: string };

// ---- Release N: the conductor API at 1.1 ----
class ConductorManagerN {
  readonly target = { version: '1.1' };
  build_instance(_ctx: RequestContext, args: { instance_name: string; host?: string }): Built {
    return { release: 'N', handledAs: '1.x', name: args.instance_name, host: args.host ?? 'any' };
  }
}

// ---- Release N+1, step 1: the manager moves to 2.0, a proxy keeps serving 1.x ----
class ConductorManagerN1 {
  readonly target = { version: '2.0' };
  build_instance(_ctx: RequestContext, args: { name: string; host: string }): Built {
    return { release: 'N+1', handledAs: '2.0', name: args.name, host: args.host };
  }
}

/** The 1.x signatures, mapped onto the 2.0 manager (Nova's `_ComputeV5Proxy` pattern). Dropped in N+2. */
class ConductorV1Proxy {
  readonly target = { version: '1.1' };
  constructor(private readonly manager: ConductorManagerN1) {}
  build_instance(ctx: RequestContext, args: { instance_name: string; host?: string }): Built {
    return { ...this.manager.build_instance(ctx, { name: args.instance_name, host: args.host ?? 'any' }), handledAs: '1.x via proxy' };
  }
}

// ---- Release N+2, step 2: 1.x is gone; 2.1 adds a flavor argument ----
class ConductorManagerN2 {
  readonly target = { version: '2.1' };
  build_instance(_ctx: RequestContext, args: { name: string; host: string; flavor?: string }): Built {
    return {
      release: 'N+2',
      handledAs: args.flavor ? '2.1' : '2.0',
      name: args.name,
      host: args.host,
      ...(args.flavor ? { flavor: args.flavor } : {}),
    };
  }
}

const SERVERS = {
  N: () => [new ConductorManagerN()],
  'N+1': () => {
    const manager = new ConductorManagerN1();
    return [manager, new ConductorV1Proxy(manager)];
  },
  'N+2': () => [new ConductorManagerN2()],
  /** The mistake the seed warns about: both steps in one release, no 1.x proxy. */
  'N+1 without proxy': () => [new ConductorManagerN1()],
} as const;
type ServerRelease = keyof typeof SERVERS;

/** Each release's client side (its rpcapi.py), with its version history. */
const CLIENTS = {
  /**
   * 1.0 - Initial version
   * 1.1 - build_instance() takes host
   */
  N: (client: RpcClient) => (name: string, host: string) =>
    client.prepare({ version: '1.1' }).call<Built>({}, 'build_instance', { instance_name: name, host }),
  /**
   * ... 1.x as in N
   * 2.0 - Drops 1.x compatibility; build_instance() takes `name` instead of `instance_name`
   */
  'N+1': (client: RpcClient) => (name: string, host: string) =>
    client.canSendVersion('2.0')
      ? client.prepare({ version: '2.0' }).call<Built>({}, 'build_instance', { name, host })
      : client.prepare({ version: '1.1' }).call<Built>({}, 'build_instance', { instance_name: name, host }),
  /**
   * 2.0 - as in N+1 (1.x code is gone from this release)
   * 2.1 - build_instance() takes flavor
   */
  'N+2':
    (client: RpcClient) =>
    (name: string, host: string, flavor = 'm1.small') =>
      client.canSendVersion('2.1')
        ? client.prepare({ version: '2.1' }).call<Built>({}, 'build_instance', { name, host, flavor })
        : client.prepare({ version: '2.0' }).call<Built>({}, 'build_instance', { name, host }),
} as const;
type ClientRelease = keyof typeof CLIENTS;

async function pair(
  clientRelease: ClientRelease,
  cap: string | VersionCapSource | undefined,
  serverRelease: ServerRelease,
  transport: Transport = new InMemoryTransport(),
) {
  const server = new RpcServer({ transport, target: { topic: 'conductor', server: 'c1' }, endpoints: SERVERS[serverRelease]() });
  await server.start();
  const client = new RpcClient({ transport, target: { topic: 'conductor', version: '1.0' }, versionCap: cap, timeoutMs: 1000 });
  return { build: CLIENTS[clientRelease](client), close: () => transport.close() };
}

type Expectation = { ok: string } | { error: 'unsupported_version' | 'version_cap' };
const MATRIX: [ClientRelease, string | undefined, ServerRelease, Expectation, string][] = [
  ['N', undefined, 'N', { ok: 'N 1.x' }, 'same release'],
  ['N', undefined, 'N+1', { ok: 'N+1 1.x via proxy' }, 'the proxy endpoint keeps old clients working'],
  ['N', undefined, 'N+2', { error: 'unsupported_version' }, 'skipping a release is not supported'],
  ['N+1', '1.1', 'N', { ok: 'N 1.x' }, 'capped at the old version, the new client degrades to 1.x'],
  ['N+1', undefined, 'N', { error: 'unsupported_version' }, 'uncapped too early: the reason for the cap'],
  ['N+1', '1.1', 'N+1', { ok: 'N+1 1.x via proxy' }, 'still capped after the server upgraded'],
  ['N+1', undefined, 'N+1', { ok: 'N+1 2.0' }, 'cap lifted once every service runs N+1'],
  ['N+1', '1.1', 'N+2', { error: 'unsupported_version' }, 'the cap must be lifted before N+2 arrives'],
  ['N+1', undefined, 'N+2', { ok: 'N+2 2.0' }, 'N+2 serves the 2.0 that N+1 speaks'],
  ['N+2', '2.0', 'N+1', { ok: 'N+1 2.0' }, 'capped at 2.0, the N+2 client drops the flavor argument'],
  ['N+2', undefined, 'N+1', { error: 'unsupported_version' }, 'uncapped too early again'],
  ['N+2', '2.0', 'N+2', { ok: 'N+2 2.0' }, 'still capped after the server upgraded'],
  ['N+2', undefined, 'N+2', { ok: 'N+2 2.1' }, 'cap lifted'],
  ['N+2', '1.1', 'N', { error: 'version_cap' }, 'an N+2 client cannot speak 1.x at all: refused before sending'],
  ['N', undefined, 'N+1 without proxy', { error: 'unsupported_version' }, 'both steps in one release break N -> N+1'],
];

for (const [clientRelease, cap, serverRelease, expected, why] of MATRIX) {
  const capText = cap ? `capped at ${cap}` : 'uncapped';
  const outcome = 'ok' in expected ? `works (${expected.ok})` : `fails with ${expected.error}`;
  test(`major bump: ${clientRelease} client ${capText} -> ${serverRelease} server ${outcome}: ${why}`, async () => {
    const { build, close } = await pair(clientRelease, cap, serverRelease);
    try {
      if ('ok' in expected) {
        const built = await build('vm1', 'h1');
        assert.equal(`${built.release} ${built.handledAs}`, expected.ok);
        assert.equal(built.name, 'vm1');
        assert.equal(built.host, 'h1');
      } else {
        await assert.rejects(build('vm1', 'h1'), { name: 'RpcError', code: expected.error });
      }
    } finally {
      await close();
    }
  });
}

test('major bump: the refused N+2 -> N call never reached the transport', async () => {
  const transport = new RecordingTransport();
  const build = CLIENTS['N+2'](new RpcClient({ transport, target: { topic: 'conductor' }, versionCap: '1.1' }));
  await assert.rejects(build('vm1', 'h1'), (err: unknown) =>
    (err as Error).message.includes('message version 2.0 has another major than the version cap 1.1'),
  );
  assert.equal(transport.sent.length, 0);
});

test('major bump: a rolling walk N -> N+1 -> N+2 with the cap lifted at run time, no client rebuilt', async () => {
  const transport = new InMemoryTransport();
  let cap: string | undefined = '1.1';
  const capSource = () => cap;
  const client = new RpcClient({ transport, target: { topic: 'conductor', version: '1.0' }, versionCap: capSource, timeoutMs: 1000 });
  const serve = async (release: ServerRelease) => {
    const server = new RpcServer({ transport, target: { topic: 'conductor', server: 'c1' }, endpoints: SERVERS[release]() });
    await server.start();
    return server;
  };
  const seen: string[] = [];
  const record = (b: Built) => seen.push(`${b.release} ${b.handledAs}`);

  // N+1 clients, capped at 1.1, still talk to the N server.
  let server = await serve('N');
  record(await CLIENTS['N+1'](client)('vm', 'h'));
  // The server is upgraded to N+1 (the old one stops first).
  await server.stop();
  server = await serve('N+1');
  record(await CLIENTS['N+1'](client)('vm', 'h'));
  // Every service runs N+1: the cap is lifted and the next call speaks 2.0.
  cap = undefined;
  record(await CLIENTS['N+1'](client)('vm', 'h'));
  // N+2 clients start capped at 2.0 while the server still runs N+1.
  cap = '2.0';
  record(await CLIENTS['N+2'](client)('vm', 'h'));
  await server.stop();
  server = await serve('N+2');
  record(await CLIENTS['N+2'](client)('vm', 'h'));
  cap = undefined;
  record(await CLIENTS['N+2'](client)('vm', 'h'));
  await transport.close();

  assert.deepEqual(seen, ['N 1.x', 'N+1 1.x via proxy', 'N+1 2.0', 'N+1 2.0', 'N+2 2.0', 'N+2 2.1']);
});
