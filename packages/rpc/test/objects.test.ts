import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVersionedError } from '@versioned/objects';
import {
  InMemoryTransport,
  isRpcError,
  OBJ_MANIFEST_CONTEXT_KEY,
  ObjectsRpcSerializer,
  RpcClient,
  RpcServer,
  type RequestContext,
  type RpcSerializer,
} from '../src/index.js';
import { RecordingTransport } from './helpers.js';
import { N, N1, VOLUME_ID, versionOf, volumeEncodings } from './fixtures/releases.js';

const PINS_N = { Volume: '1.2', Attachment: '1.0' };

const newVolume = () =>
  N1.Volume.create({
    id: VOLUME_ID,
    size: 10,
    bootable: true,
    attachments: [N1.Attachment.create({ host: 'h1', attached_at: '2026-01-02T03:04:05Z' })],
  });

async function serve(serializer: RpcSerializer, endpoint: object) {
  const transport = new InMemoryTransport();
  await new RpcServer({ transport, target: { topic: 'volume', server: 'v1' }, endpoints: [endpoint], serializer }).start();
  return transport;
}

test('a versioned object argument crosses as an oslo envelope', async () => {
  const transport = new RecordingTransport();
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry: N1.registry }) });
  await client.call({}, 'extend', { volume: newVolume(), size: 20 });
  const wire = transport.sent[0]?.message.args as Record<string, unknown>;
  assert.equal((wire['volume'] as Record<string, unknown>)['versioned_object.name'], 'Volume');
  assert.equal(versionOf(wire['volume']), '1.4');
  assert.equal(wire['size'], 20);
});

test('objects cross both ways: the endpoint gets an instance and the caller gets one back', async () => {
  const transport = await serve(new ObjectsRpcSerializer({ registry: N1.registry }), {
    extend: (_ctx: RequestContext, args: { volume: InstanceType<typeof N1.Volume>; size: number }) => {
      assert.ok(args.volume instanceof N1.Volume);
      assert.ok(args.volume.attachments[0] instanceof N1.Attachment);
      args.volume.size = args.size;
      return { volume: args.volume, list: [args.volume.attachments[0]] };
    },
  });
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry: N1.registry }) });
  const sent = newVolume();
  sent.resetChanges(undefined, { recursive: true });
  const result = (await client.call({}, 'extend', { volume: sent, size: 20 })) as {
    volume: InstanceType<typeof N1.Volume>;
    list: unknown[];
  };
  assert.ok(result.volume instanceof N1.Volume);
  assert.notEqual(result.volume, sent);
  assert.equal(result.volume.size, 20);
  assert.deepEqual([...result.volume.whatChanged()], ['size'], 'change tracking crosses with the object');
  assert.ok(result.list[0] instanceof N1.Attachment);
  assert.equal(sent.size, 10, "the caller's object is untouched");
  await transport.close();
});

test('a pinned N+1 client sends an N server objects backported to the pins, children included', async () => {
  let received: InstanceType<typeof N.Volume> | undefined;
  const transport = await serve(new ObjectsRpcSerializer({ registry: N.registry }), {
    extend: (_ctx: RequestContext, args: { volume: InstanceType<typeof N.Volume> }) => {
      received = args.volume;
      return 'ok';
    },
  });
  const client = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry, manifest: PINS_N }),
  });
  assert.equal(await client.call({}, 'extend', { volume: newVolume() }), 'ok');
  assert.ok(received instanceof N.Volume);
  assert.equal(received.objVersion, '1.2');
  assert.equal(received.size, 10);
  assert.equal(received.attachments[0]?.objVersion, '1.0');
  assert.equal(received.attachments[0]?.host, 'h1');
  await transport.close();
});

test('an unpinned N+1 client sending to an N server fails with the typed objects error from the server', async () => {
  const transport = await serve(new ObjectsRpcSerializer({ registry: N.registry }), { extend: () => 'unreachable' });
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry: N1.registry }) });
  await assert.rejects(
    client.call({}, 'extend', { volume: newVolume() }),
    (err: unknown) => isRpcError(err, 'remote') && isVersionedError(err.cause, 'incompatible_version') && /Volume 1\.4/.test(err.message),
  );
  await transport.close();
});

test('an N+1 server backports its reply to what the N caller reads, though neither side is pinned', async () => {
  const transport = await serve(new ObjectsRpcSerializer({ registry: N1.registry }), { fetch: () => newVolume() });
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry: N.registry }) });
  const volume = (await client.call({}, 'fetch')) as InstanceType<typeof N.Volume>;
  assert.ok(volume instanceof N.Volume);
  assert.equal(volume.objVersion, '1.2');
  assert.equal(volume.attachments[0]?.objVersion, '1.0');
  await transport.close();
});

test("with advertise: 'pins' an unpinned N caller gets N+1 objects it cannot read", async () => {
  const transport = await serve(new ObjectsRpcSerializer({ registry: N1.registry }), { fetch: () => newVolume() });
  const client = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N.registry, advertise: 'pins' }),
  });
  await assert.rejects(
    client.call({}, 'fetch'),
    (err: unknown) => isRpcError(err, 'invalid_message') && isVersionedError(err.cause, 'incompatible_version'),
  );
  await transport.close();
});

test("the client's pins travel in the context as obj_manifest; unpinned it advertises what it reads", async () => {
  const transport = new RecordingTransport();
  const pinned = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry, manifest: PINS_N }),
  });
  await pinned.call({ user: 'u' }, 'ping');
  assert.deepEqual(transport.sent[0]?.message.context, { user: 'u', [OBJ_MANIFEST_CONTEXT_KEY]: PINS_N });
  const unpinned = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry }),
  });
  await unpinned.call({ user: 'u' }, 'ping');
  assert.deepEqual(transport.sent[1]?.message.context, { user: 'u', [OBJ_MANIFEST_CONTEXT_KEY]: { Attachment: '1.1', Volume: '1.4' } });
  const quiet = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry, advertise: 'pins' }),
  });
  await quiet.call({ user: 'u' }, 'ping');
  assert.deepEqual(transport.sent[2]?.message.context, { user: 'u' });
});

test('arguments are serialized at the pins read on each call', async () => {
  let manifest: Record<string, string> | undefined = { Volume: '1.2' };
  const transport = new RecordingTransport();
  const client = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry, manifest: () => manifest }),
  });
  for (const next of [{ Volume: '1.3' }, undefined, undefined]) {
    await client.call({}, 'extend', { volume: newVolume() });
    manifest = next;
  }
  assert.deepEqual(
    transport.sent.map((s) => versionOf(s.message.args['volume'])),
    ['1.2', '1.3', '1.4'],
  );
});

test("the server serializes its result at the caller's pins, not its own", async () => {
  const serverSide = new ObjectsRpcSerializer({ registry: N1.registry, manifest: { Volume: '1.3' } });
  const transport = await serve(serverSide, {
    fetch: (ctx: RequestContext) => {
      assert.equal(OBJ_MANIFEST_CONTEXT_KEY in ctx, false, 'the endpoint sees the plain request context');
      assert.deepEqual(serverSide.callerManifest(ctx), { Volume: '1.1' });
      return newVolume();
    },
  });
  const client = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry, manifest: { Volume: '1.1' } }),
  });
  volumeEncodings.length = 0;
  const volume = (await client.call({}, 'fetch')) as InstanceType<typeof N1.Volume>;
  assert.deepEqual(volumeEncodings, ['1.1']);
  assert.equal(volume.objVersion, '1.1');
  assert.equal(volume.isSet('attachments'), false, 'attachments arrived in 1.2');
  await transport.close();
});

test('a server replying to a caller that advertised nothing uses its own pins', async () => {
  const transport = await serve(new ObjectsRpcSerializer({ registry: N1.registry, manifest: { Volume: '1.3' } }), {
    fetch: () => newVolume(),
  });
  const client = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry, advertise: 'pins' }),
  });
  volumeEncodings.length = 0;
  await client.call({}, 'fetch');
  assert.deepEqual(volumeEncodings, ['1.3']);
  await transport.close();
});

test('a caller pin newer than the server class is capped at the server version', async () => {
  const transport = await serve(new ObjectsRpcSerializer({ registry: N1.registry }), { fetch: () => newVolume() });
  const client = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry, manifest: { Volume: '1.9' } }),
  });
  const volume = await client.call({}, 'fetch');
  assert.ok(volume instanceof N1.Volume);
  assert.equal(volume.objVersion, '1.4');
  await transport.close();
});

test('a malformed obj_manifest from the wire is refused with invalid_message', async () => {
  const transport = await serve(new ObjectsRpcSerializer({ registry: N1.registry }), { ping: () => 'pong' });
  const reply = await transport.call(
    { topic: 'volume' },
    { method: 'ping', args: {}, namespace: null, version: '1.0', context: { obj_manifest: { Volume: 'new' } } },
    { timeoutMs: 500 },
  );
  assert.equal(reply.failure?.kwargs?.['code'], 'invalid_message');
  await transport.close();
});

test('an indirection API backports an incoming object this side cannot read', async () => {
  const asked: unknown[] = [];
  const newer = new ObjectsRpcSerializer({ registry: N1.registry });
  const indirection = {
    backportVersions(primitive: Record<string, unknown>, versions: Record<string, string>) {
      asked.push(versions);
      const obj = N1.registry.fromPrimitive(primitive);
      return obj.toPrimitive({ targetVersion: versions[obj.objName] as string, manifest: versions });
    },
  };
  let received: unknown;
  const transport = await serve(new ObjectsRpcSerializer({ registry: N.registry, indirection }), {
    extend: (_c: RequestContext, args: { volume: unknown }) => ((received = args.volume), 'ok'),
  });
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: newer });
  assert.equal(await client.call({}, 'extend', { volume: newVolume() }), 'ok');
  assert.ok(received instanceof N.Volume);
  assert.equal(asked.length, 1);
  await transport.close();
});

test('the request context passes through a custom context serializer', async () => {
  class UserContext {
    constructor(readonly user: string) {}
  }
  const contextSerializer: RpcSerializer = {
    serializeEntity: (_c, e) => e,
    deserializeEntity: (_c, p) => p,
    serializeContext: (c) => ({ user: (c as unknown as UserContext).user }),
    deserializeContext: (p) => new UserContext(String(p['user'])) as unknown as RequestContext,
  };
  const transport = await serve(new ObjectsRpcSerializer({ registry: N1.registry, contextSerializer }), {
    whoami: (ctx: RequestContext) => (ctx instanceof UserContext ? `user ${ctx.user}` : 'plain'),
  });
  const client = new RpcClient({
    transport,
    target: { topic: 'volume' },
    serializer: new ObjectsRpcSerializer({ registry: N1.registry, contextSerializer, manifest: PINS_N }),
  });
  assert.equal(await client.call(new UserContext('alice') as unknown as RequestContext, 'whoami'), 'user alice');
  await transport.close();
});

test('a capped call serializes no object at all', async () => {
  const client = new RpcClient({
    transport: new RecordingTransport(),
    target: { topic: 'volume', version: '2.0' },
    versionCap: '1.9',
    serializer: new ObjectsRpcSerializer({ registry: N1.registry }),
  });
  volumeEncodings.length = 0;
  await assert.rejects(client.call({}, 'extend', { volume: newVolume() }), { code: 'version_cap' });
  assert.equal(volumeEncodings.length, 0);
});
