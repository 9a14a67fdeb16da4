import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryBroker, InMemoryTransport, RpcClient, RpcServer, isRpcError, type RpcMessage } from '../src/index.js';
import { deferred, sleep } from './helpers.js';

const msg = (method: string, args: Record<string, unknown> = {}): RpcMessage => ({
  method,
  args,
  namespace: null,
  version: '1.0',
  context: {},
});

async function echoServers(transport: InMemoryTransport, topic: string, names: string[]): Promise<RpcServer[]> {
  const servers = names.map(
    (name) =>
      new RpcServer({
        transport,
        target: { topic, server: name },
        endpoints: [{ whoami: () => name, record: (_c: unknown, args: { into: string }) => name + args.into }],
      }),
  );
  for (const s of servers) await s.start();
  return servers;
}

test('calls to a topic go round-robin to one listener each', async () => {
  const transport = new InMemoryTransport();
  await echoServers(transport, 'compute', ['a', 'b', 'c']);
  const client = new RpcClient({ transport, target: { topic: 'compute' } });
  const answers: unknown[] = [];
  for (let i = 0; i < 6; i++) answers.push(await client.call({}, 'whoami'));
  assert.deepEqual(answers, ['a', 'b', 'c', 'a', 'b', 'c']);
  await transport.close();
});

test('a call to topic + server reaches only that server', async () => {
  const transport = new InMemoryTransport();
  await echoServers(transport, 'compute', ['a', 'b', 'c']);
  const client = new RpcClient({ transport, target: { topic: 'compute', server: 'b' } });
  for (let i = 0; i < 3; i++) assert.equal(await client.call({}, 'whoami'), 'b');
  await transport.close();
});

test('a fanout cast reaches every listener of the topic and no other topic', async () => {
  const transport = new InMemoryTransport();
  const seen: string[] = [];
  const all = deferred();
  for (const [topic, name] of [
    ['compute', 'a'],
    ['compute', 'b'],
    ['volume', 'v'],
  ] as const) {
    await new RpcServer({
      transport,
      target: { topic, server: name },
      endpoints: [{ refresh: () => (seen.push(name), seen.length === 2 && all.resolve()) }],
    }).start();
  }
  await new RpcClient({ transport, target: { topic: 'compute' } }).prepare({ fanout: true }).cast({}, 'refresh');
  await all.promise;
  await sleep(5);
  assert.deepEqual(seen.sort(), ['a', 'b']);
  await transport.close();
});

test('a cast resolves before its handler runs', async () => {
  const transport = new InMemoryTransport();
  const release = deferred();
  let ran = false;
  await new RpcServer({
    transport,
    target: { topic: 't', server: 's' },
    endpoints: [
      {
        slow: async () => {
          await release.promise;
          ran = true;
        },
      },
    ],
  }).start();
  await new RpcClient({ transport, target: { topic: 't' } }).cast({}, 'slow');
  assert.equal(ran, false);
  release.resolve();
  await sleep(5);
  assert.equal(ran, true);
  await transport.close();
});

test('a failing cast does not reject the caller', async () => {
  const transport = new InMemoryTransport();
  const errors: unknown[] = [];
  await new RpcServer({
    transport,
    target: { topic: 't', server: 's' },
    endpoints: [
      {
        boom: () => {
          throw new Error('boom');
        },
      },
    ],
    onError: (e) => errors.push(e),
  }).start();
  await new RpcClient({ transport, target: { topic: 't' } }).cast({}, 'boom');
  await sleep(5);
  assert.equal(errors.length, 1);
  await transport.close();
});

test('a cast to a topic nobody listens on is dropped without error', async () => {
  const transport = new InMemoryTransport();
  await transport.cast({ topic: 'nobody' }, msg('x'));
  await transport.close();
});

test('a call to a server that is not listening times out', async () => {
  const transport = new InMemoryTransport();
  await echoServers(transport, 'compute', ['a']);
  await assert.rejects(
    transport.call({ topic: 'compute', server: 'zzz' }, msg('whoami'), { timeoutMs: 20 }),
    (err: unknown) => isRpcError(err, 'timeout') && /compute\.zzz/.test(err.message),
  );
  await transport.close();
});

test('a call whose handler is slower than the timeout fails with timeout and the late reply is ignored', async () => {
  const transport = new InMemoryTransport();
  await new RpcServer({
    transport,
    target: { topic: 't', server: 's' },
    endpoints: [{ slow: () => sleep(60).then(() => 'late') }],
  }).start();
  await assert.rejects(new RpcClient({ transport, target: { topic: 't' }, timeoutMs: 15 }).call({}, 'slow'), { code: 'timeout' });
  await sleep(70);
  await transport.close();
});

test('close() fails pending calls with transport and later sends too', async () => {
  const transport = new InMemoryTransport();
  await new RpcServer({
    transport,
    target: { topic: 't', server: 's' },
    endpoints: [{ hang: () => new Promise(() => undefined) }],
  }).start();
  const pending = transport.call({ topic: 't' }, msg('hang'), { timeoutMs: 10_000 });
  await sleep(5);
  const closing = transport.close();
  await assert.rejects(pending, (err: unknown) => isRpcError(err, 'transport') && /closed/.test(err.message));
  await assert.rejects(transport.call({ topic: 't' }, msg('hang'), { timeoutMs: 10 }), { code: 'transport' });
  await assert.rejects(transport.cast({ topic: 't' }, msg('hang')), { code: 'transport' });
  void closing;
});

test('messages and replies cross as JSON copies: nothing is shared between caller and callee', async () => {
  const transport = new InMemoryTransport();
  const received: Record<string, unknown>[] = [];
  const reply = { nested: { n: 1 } };
  await new RpcServer({
    transport,
    target: { topic: 't', server: 's' },
    endpoints: [{ take: (_c: unknown, args: Record<string, unknown>) => (received.push(args), reply) }],
  }).start();
  const sent = { nested: { n: 1 }, when: new Date('2024-01-02T03:04:05Z'), gone: undefined };
  const result = (await new RpcClient({ transport, target: { topic: 't' } }).call({}, 'take', { payload: sent })) as typeof reply;
  const got = received[0]?.['payload'] as Record<string, unknown>;
  assert.notEqual(got, sent);
  assert.notEqual(got['nested'], sent.nested);
  assert.equal(got['when'], '2024-01-02T03:04:05.000Z', 'a Date arrives as its JSON text, as on the wire');
  assert.equal('gone' in got, false);
  assert.notEqual(result, reply);
  assert.deepEqual(result, reply);
  await transport.close();
});

test('a message that cannot be JSON is refused with invalid_message', async () => {
  const transport = new InMemoryTransport();
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  await assert.rejects(transport.cast({ topic: 't' }, msg('x', { cyclic })), { code: 'invalid_message' });
  await assert.rejects(transport.call({ topic: 't' }, msg('x', { big: 1n }), { timeoutMs: 10 }), { code: 'invalid_message' });
  await transport.close();
});

test('two transports on one broker reach each other, like two processes on one RabbitMQ', async () => {
  const broker = new InMemoryBroker();
  const serverSide = new InMemoryTransport({ broker });
  const clientSide = new InMemoryTransport({ broker });
  await echoServers(serverSide, 'compute', ['a']);
  assert.equal(await new RpcClient({ transport: clientSide, target: { topic: 'compute' } }).call({}, 'whoami'), 'a');
  await serverSide.close();
  assert.equal(broker.listenerCount('compute'), 0);
  await assert.rejects(new RpcClient({ transport: clientSide, target: { topic: 'compute' }, timeoutMs: 10 }).call({}, 'whoami'), {
    code: 'timeout',
  });
  await clientSide.close();
});

test('a stopped server receives nothing more and its in-flight call still completes', async () => {
  const transport = new InMemoryTransport();
  const release = deferred();
  const server = new RpcServer({
    transport,
    target: { topic: 't', server: 's' },
    endpoints: [
      {
        work: async () => {
          await release.promise;
          return 'done';
        },
      },
    ],
  });
  await server.start();
  const client = new RpcClient({ transport, target: { topic: 't' }, timeoutMs: 200 });
  const inFlight = client.call({}, 'work');
  await sleep(5);
  const stopping = server.stop();
  release.resolve();
  await stopping;
  assert.equal(await inFlight, 'done');
  await assert.rejects(client.prepare({ timeoutMs: 10 }).call({}, 'work'), { code: 'timeout' });
  await transport.close();
});
