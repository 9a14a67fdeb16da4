import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryTransport, RpcClient, RpcDispatcher, RpcServer, isRpcError, type RequestContext, type RpcMessage } from '../src/index.js';

class ComputeV1 {
  readonly target = { version: '1.3' };
  ping(_ctx: RequestContext, args: { name?: string }): string {
    return `v1 pong ${args.name ?? ''}`.trim();
  }
  _reset(): string {
    return 'private';
  }
  get status(): string {
    return 'a getter is not a method';
  }
}

class ComputeV1Newer {
  readonly target = { version: '1.5' };
  ping(): string {
    return 'v1.5 pong';
  }
  resize(): string {
    return 'resized';
  }
}

function message(method: string, version: string | undefined, namespace: string | null = null): RpcMessage {
  return { method, args: {}, namespace, version, context: {} };
}

async function handle(server: RpcServer, msg: RpcMessage): Promise<unknown> {
  const reply = await server.handle(msg);
  if (reply.failure) return { failure: reply.failure.kwargs?.['code'] ?? reply.failure.class };
  return reply.result;
}

function serverOf(endpoints: object[]): RpcServer {
  return new RpcServer({ transport: new InMemoryTransport(), target: { topic: 'compute', server: 'h1' }, endpoints });
}

test('the first endpoint that is compatible and has the method wins', async () => {
  const server = serverOf([new ComputeV1(), new ComputeV1Newer()]);
  assert.equal(await handle(server, message('ping', '1.2')), 'v1 pong');
});

test('an endpoint that lacks the method is skipped for a later compatible one', async () => {
  const server = serverOf([new ComputeV1(), new ComputeV1Newer()]);
  assert.equal(await handle(server, message('resize', '1.0')), 'resized');
});

test('an endpoint too old for the message is skipped for a newer one', async () => {
  const server = serverOf([new ComputeV1(), new ComputeV1Newer()]);
  assert.equal(await handle(server, message('ping', '1.4')), 'v1.5 pong');
});

test('a compatible endpoint without the method gives no_such_method', async () => {
  const server = serverOf([new ComputeV1()]);
  const reply = await server.handle(message('reboot', '1.0'));
  assert.equal(reply.failure?.class, 'RpcError');
  assert.equal(reply.failure?.kwargs?.['code'], 'no_such_method');
  assert.match(reply.failure?.message ?? '', /"reboot"/);
});

test('no compatible endpoint gives unsupported_version naming the requested and served versions', () => {
  const dispatcher = new RpcDispatcher([new ComputeV1(), new ComputeV1Newer()]);
  assert.throws(
    () => dispatcher.resolve(null, '1.6', 'ping'),
    (err: unknown) => {
      assert.ok(isRpcError(err, 'unsupported_version'));
      assert.match(err.message, /version 1\.6/);
      assert.match(err.message, /versions served: 1\.3, 1\.5/);
      assert.deepEqual(err.details['served'], ['1.3', '1.5']);
      return true;
    },
  );
});

test('unsupported_version wins over a method that exists only at an incompatible version', () => {
  const dispatcher = new RpcDispatcher([new ComputeV1()]);
  assert.throws(() => dispatcher.resolve(null, '2.0', 'ping'), { code: 'unsupported_version' });
});

test('a message without a version is dispatched as 1.0', async () => {
  const dispatcher = new RpcDispatcher([
    { target: { version: '2.0' }, ping: () => 'v2' },
    { target: { version: '1.0' }, ping: () => 'v1' },
  ]);
  assert.equal(dispatcher.resolve(null, undefined, 'ping').endpointVersion, '1.0');
});

test('an endpoint without a target serves the default namespace at 1.0', () => {
  const dispatcher = new RpcDispatcher([{ ping: () => 'pong' }]);
  assert.equal(dispatcher.resolve(null, '1.0', 'ping').endpointVersion, '1.0');
  assert.throws(() => dispatcher.resolve(null, '1.1', 'ping'), { code: 'unsupported_version' });
});

for (const name of [
  '_reset',
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'status',
  'target',
]) {
  test(`${JSON.stringify(name)} is not callable over RPC (no_such_method)`, () => {
    const dispatcher = new RpcDispatcher([new ComputeV1()]);
    assert.throws(() => dispatcher.resolve(null, '1.0', name), { code: 'no_such_method' });
  });
}

test('a class that defines its own toString still cannot expose it over RPC', () => {
  const dispatcher = new RpcDispatcher([{ target: { version: '1.0' }, toString: () => 'mine' }]);
  assert.throws(() => dispatcher.resolve(null, '1.0', 'toString'), { code: 'no_such_method' });
});

test('methods inherited from a parent endpoint class are callable', () => {
  class Base {
    readonly target = { version: '1.1' };
    inherited(): string {
      return 'from base';
    }
  }
  class Child extends Base {}
  assert.ok(new RpcDispatcher([new Child()]).resolve(null, '1.0', 'inherited'));
});

test('a message for a namespace reaches only the endpoints of that namespace', () => {
  const dispatcher = new RpcDispatcher([
    { target: { version: '1.0' }, ping: () => 'default' },
    { target: { namespace: 'baseapi', version: '1.1' }, ping: () => 'baseapi' },
  ]);
  assert.equal((dispatcher.resolve('baseapi', '1.1', 'ping').method as () => string)(), 'baseapi');
  assert.equal((dispatcher.resolve(null, '1.0', 'ping').method as () => string)(), 'default');
  assert.throws(() => dispatcher.resolve(null, '1.1', 'ping'), { code: 'unsupported_version' });
});

test('an unknown namespace is unsupported_version saying the namespace is not served', () => {
  const dispatcher = new RpcDispatcher([{ target: { namespace: 'baseapi', version: '1.0' }, ping: () => 1 }]);
  assert.throws(
    () => dispatcher.resolve('other', '1.0', 'ping'),
    (err: unknown) => isRpcError(err, 'unsupported_version') && /not served/.test(err.message),
  );
});

test('an endpoint answers to its legacy namespaces too', () => {
  const dispatcher = new RpcDispatcher([
    { target: { namespace: 'conductor_v2', legacyNamespaces: ['conductor'], version: '1.0' }, ping: () => 'pong' },
  ]);
  assert.ok(dispatcher.resolve('conductor', '1.0', 'ping'));
  assert.ok(dispatcher.resolve('conductor_v2', '1.0', 'ping'));
  assert.throws(() => dispatcher.resolve(null, '1.0', 'ping'), { code: 'unsupported_version' });
});

test('a malformed message version is invalid_message', () => {
  assert.throws(() => new RpcDispatcher([{ ping: () => 1 }]).resolve(null, 'one', 'ping'), { code: 'invalid_message' });
});

test('an endpoint with a malformed version is refused when the server is built', () => {
  assert.throws(() => serverOf([{ target: { version: 'v1' } }]), { code: 'invalid_target' });
  assert.throws(() => serverOf([]), { code: 'invalid_target' });
});

test('an endpoint method receives the request context and named arguments over a real transport', async () => {
  const transport = new InMemoryTransport();
  const seen: unknown[] = [];
  const server = new RpcServer({
    transport,
    target: { topic: 'compute', server: 'h1' },
    endpoints: [
      { target: { version: '1.2' }, resize: (ctx: RequestContext, args: Record<string, unknown>) => (seen.push(ctx, args), 'ok') },
    ],
  });
  await server.start();
  const client = new RpcClient({ transport, target: { topic: 'compute', version: '1.2' } });
  assert.equal(await client.call({ user: 'u1' }, 'resize', { flavor: 'm1.small', size: 2 }), 'ok');
  assert.deepEqual(seen, [{ user: 'u1' }, { flavor: 'm1.small', size: 2 }]);
  await transport.close();
});

test('dispatch errors reach the caller as typed RpcErrors', async () => {
  const transport = new InMemoryTransport();
  const server = new RpcServer({ transport, target: { topic: 'compute', server: 'h1' }, endpoints: [new ComputeV1()] });
  await server.start();
  const client = new RpcClient({ transport, target: { topic: 'compute', version: '1.0' } });
  await assert.rejects(client.call({}, 'reboot'), { name: 'RpcError', code: 'no_such_method' });
  await assert.rejects(client.prepare({ version: '1.4' }).call({}, 'ping'), { name: 'RpcError', code: 'unsupported_version' });
  await assert.rejects(client.call({}, '_reset'), { code: 'no_such_method' });
  await transport.close();
});

test('a method returning undefined replies null', async () => {
  const server = serverOf([{ target: { version: '1.0' }, nothing: () => undefined }]);
  assert.deepEqual(await server.handle(message('nothing', '1.0')), { result: null });
});

test('a client prepared with a namespace reaches the endpoint of that namespace, also by a legacy name', async () => {
  const transport = new InMemoryTransport();
  await new RpcServer({
    transport,
    target: { topic: 'conductor', server: 'c1' },
    endpoints: [
      { target: { version: '1.0' }, ping: () => 'default namespace' },
      { target: { namespace: 'baseapi', legacyNamespaces: ['base'], version: '1.1' }, ping: () => 'baseapi' },
    ],
  }).start();
  const client = new RpcClient({ transport, target: { topic: 'conductor', version: '1.0' } });
  assert.equal(await client.call({}, 'ping'), 'default namespace');
  assert.equal(await client.prepare({ namespace: 'baseapi', version: '1.1' }).call({}, 'ping'), 'baseapi');
  assert.equal(await client.prepare({ namespace: 'base' }).call({}, 'ping'), 'baseapi');
  assert.equal(await client.prepare({ namespace: 'baseapi' }).prepare({ namespace: null }).call({}, 'ping'), 'default namespace');
  await transport.close();
});

test('an argument named __proto__ from the wire reaches the method as a plain own argument, polluting nothing', async () => {
  let seen: Record<string, unknown> | undefined;
  const server = serverOf([
    { target: { version: '1.0' }, take: (_c: RequestContext, args: Record<string, unknown>) => ((seen = args), 'ok') },
  ]);
  const args = JSON.parse('{"__proto__": {"polluted": true}, "size": 1}') as Record<string, unknown>;
  assert.deepEqual(await server.handle({ method: 'take', args, namespace: null, version: '1.0', context: {} }), { result: 'ok' });
  assert.equal(Object.getPrototypeOf(seen), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(seen, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
