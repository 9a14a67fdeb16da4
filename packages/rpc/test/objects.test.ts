import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectRegistry, VersionedObject, f, field, versionedObject, type ToPrimitiveOptions } from '@versioned/objects';
import { InMemoryTransport, OBJ_MANIFEST_CONTEXT_KEY, ObjectsRpcSerializer, RpcClient, RpcServer, isRpcError, type RequestContext } from '../src/index.js';
import { RecordingTransport } from './helpers.js';

const registry = new ObjectRegistry();
/** What each toPrimitive() was asked for, to see which versions the serializer targeted. */
const encodings: { name: string; targetVersion: string | undefined }[] = [];

@versionedObject({ name: 'Attachment', version: '1.1', registry })
class Attachment extends VersionedObject {
  @field(f.string()) declare host: string;
}

@versionedObject({ name: 'Volume', version: '1.4', registry })
class Volume extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.integer()) declare size: number;
  @field(f.listOfObjects('Attachment'), { default: [] }) declare attachments: Attachment[];

  override toPrimitive(options?: ToPrimitiveOptions): Record<string, unknown> {
    encodings.push({ name: 'Volume', targetVersion: options?.targetVersion });
    return super.toPrimitive(options);
  }
}

const VOLUME_ID = '6f1c3a4e-1d2b-4c5d-8e9f-0a1b2c3d4e5f';
const volume = (): Volume => Volume.create({ id: VOLUME_ID, size: 10, attachments: [Attachment.create({ host: 'h1' })] });

async function serve(endpoint: object, serverManifest?: Record<string, string>) {
  const transport = new InMemoryTransport();
  const serializer = new ObjectsRpcSerializer({ registry, ...(serverManifest ? { manifest: serverManifest } : {}) });
  await new RpcServer({ transport, target: { topic: 'volume', server: 'v1' }, endpoints: [endpoint], serializer }).start();
  return { transport, serializer };
}

test('a versioned object argument crosses as an oslo envelope and arrives as an instance', async () => {
  const transport = new RecordingTransport();
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry }) });
  await client.call({}, 'extend', { volume: volume(), size: 20 });
  const wire = transport.sent[0]?.message.args as Record<string, Record<string, unknown>>;
  assert.equal(wire['volume']?.['versioned_object.name'], 'Volume');
  assert.equal(wire['volume']?.['versioned_object.version'], '1.4');
  assert.equal(wire['size'], 20);
});

test('objects cross both ways: the endpoint gets an instance and the caller gets one back', async () => {
  const { transport } = await serve({
    extend: (_ctx: RequestContext, args: { volume: Volume; size: number }) => {
      assert.ok(args.volume instanceof Volume);
      assert.ok(args.volume.attachments[0] instanceof Attachment);
      args.volume.size = args.size;
      return { volume: args.volume, list: [args.volume.attachments[0]] };
    },
  });
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry }) });
  const sent = volume();
  sent.resetChanges(undefined, { recursive: true });
  const result = (await client.call({}, 'extend', { volume: sent, size: 20 })) as { volume: Volume; list: Attachment[] };
  assert.ok(result.volume instanceof Volume);
  assert.notEqual(result.volume, sent);
  assert.equal(result.volume.size, 20);
  assert.deepEqual([...result.volume.whatChanged()], ['size'], 'change tracking crosses with the object');
  assert.ok(result.list[0] instanceof Attachment);
  assert.equal(sent.size, 10, "the caller's object is untouched");
  await transport.close();
});

test("the client's manifest travels in the context as obj_manifest, and only when it has one", async () => {
  const transport = new RecordingTransport();
  const pinned = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry, manifest: { Volume: '1.2' } }) });
  await pinned.call({ user: 'u' }, 'ping');
  assert.deepEqual(transport.sent[0]?.message.context, { user: 'u', [OBJ_MANIFEST_CONTEXT_KEY]: { Volume: '1.2' } });
  const unpinned = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry }) });
  await unpinned.call({ user: 'u' }, 'ping');
  assert.deepEqual(transport.sent[1]?.message.context, { user: 'u' });
});

test('arguments are serialized at the versions of the manifest read on each call', async () => {
  let manifest: Record<string, string> | undefined = { Volume: '1.2' };
  const transport = new RecordingTransport();
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry, manifest: () => manifest }) });
  encodings.length = 0;
  await client.call({}, 'extend', { volume: volume() });
  manifest = { Volume: '1.3' };
  await client.call({}, 'extend', { volume: volume() });
  manifest = undefined;
  await client.call({}, 'extend', { volume: volume() });
  assert.deepEqual(encodings.map((e) => e.targetVersion), ['1.2', '1.3', undefined]);
});

test("the server serializes its result at the caller's manifest, not its own", async () => {
  const { transport, serializer } = await serve(
    {
      fetch: (ctx: RequestContext) => {
        assert.equal(OBJ_MANIFEST_CONTEXT_KEY in ctx, false, 'the endpoint sees the plain request context');
        assert.deepEqual(serializer.callerManifest(ctx), { Volume: '1.1' });
        return volume();
      },
    },
    { Volume: '1.3' },
  );
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry, manifest: { Volume: '1.1' } }) });
  encodings.length = 0;
  await client.call({}, 'fetch');
  assert.deepEqual(encodings, [{ name: 'Volume', targetVersion: '1.1' }]);
  await transport.close();
});

test('a server replying to a caller without a manifest uses its own', async () => {
  const { transport } = await serve({ fetch: () => volume() }, { Volume: '1.3' });
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry }) });
  encodings.length = 0;
  await client.call({}, 'fetch');
  assert.deepEqual(encodings, [{ name: 'Volume', targetVersion: '1.3' }]);
  await transport.close();
});

test('a manifest entry newer than the local class is capped at the local version', async () => {
  const { transport } = await serve({ fetch: () => volume() });
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry, manifest: { Volume: '1.9' } }) });
  encodings.length = 0;
  assert.ok((await client.call({}, 'fetch')) instanceof Volume);
  assert.deepEqual(encodings, [{ name: 'Volume', targetVersion: '1.4' }]);
  await transport.close();
});

test('an object the receiver cannot read fails the call with the typed objects error', async () => {
  const newer = new ObjectRegistry();
  @versionedObject({ name: 'Volume', version: '2.0', registry: newer })
  class VolumeV2 extends VersionedObject {
    @field(f.uuid()) declare id: string;
  }
  const { transport } = await serve({ extend: () => 'unreachable' });
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry: newer }) });
  await assert.rejects(client.call({}, 'extend', { volume: VolumeV2.create({ id: VOLUME_ID }) }), { name: 'VersionedError', code: 'incompatible_version' });
  await transport.close();
});

test('a malformed obj_manifest from the wire is refused with invalid_message', async () => {
  const { transport } = await serve({ ping: () => 'pong' });
  const reply = await transport.call({ topic: 'volume' }, { method: 'ping', args: {}, namespace: null, version: '1.0', context: { obj_manifest: { Volume: 'new' } } }, { timeoutMs: 500 });
  assert.equal(reply.failure?.kwargs?.['code'], 'invalid_message');
  await transport.close();
});

test('the request context passes through a custom context serializer', async () => {
  class UserContext {
    constructor(readonly user: string) {}
  }
  const contextSerializer = {
    serializeEntity: (_c: RequestContext, e: unknown) => e,
    deserializeEntity: (_c: RequestContext, p: unknown) => p,
    serializeContext: (c: RequestContext) => ({ user: (c as unknown as UserContext).user }),
    deserializeContext: (p: Readonly<Record<string, unknown>>) => new UserContext(String(p['user'])) as unknown as RequestContext,
  };
  const transport = new InMemoryTransport();
  await new RpcServer({
    transport,
    target: { topic: 'volume', server: 'v1' },
    serializer: new ObjectsRpcSerializer({ registry, contextSerializer }),
    endpoints: [{ whoami: (ctx: RequestContext) => (ctx instanceof UserContext ? `user ${ctx.user}` : 'plain') }],
  }).start();
  const client = new RpcClient({ transport, target: { topic: 'volume' }, serializer: new ObjectsRpcSerializer({ registry, contextSerializer, manifest: { Volume: '1.2' } }) });
  assert.equal(await client.call(new UserContext('alice') as unknown as RequestContext, 'whoami'), 'user alice');
  await transport.close();
});

test('a capped call serializes no object at all', async () => {
  const client = new RpcClient({ transport: new RecordingTransport(), target: { topic: 'volume', version: '2.0' }, versionCap: '1.9', serializer: new ObjectsRpcSerializer({ registry }) });
  encodings.length = 0;
  await assert.rejects(client.call({}, 'extend', { volume: volume() }), (err: unknown) => isRpcError(err, 'version_cap'));
  assert.equal(encodings.length, 0);
});
