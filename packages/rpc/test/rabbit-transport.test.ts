import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { RabbitTransport, RpcClient, RpcServer, isRpcError, type MessageHandler, type RpcMessage } from '../src/index.js';
import { decodeEnvelope, encodeEnvelope } from '../src/rabbit/wire.js';
import { deleteQueues, rawChannel, TransportPool, uniqueName } from './rabbit-helpers.js';
import { deferred, sleep } from './helpers.js';

const pool = new TransportPool();
const queuesToDelete: string[] = [];
after(async () => {
  await pool.closeAll();
  await deleteQueues(queuesToDelete);
});

function message(method: string, args: Record<string, unknown> = {}): RpcMessage {
  return { method, args, namespace: null, version: '1.0', context: {} };
}

/** A handler that records which server got what and answers with the server's name. */
function recorder(name: string, log: string[]): MessageHandler {
  return async (m) => {
    log.push(`${name}:${m.method}`);
    return { result: name };
  };
}

function topicFor(test: string, ...servers: string[]): string {
  const topic = uniqueName(test);
  queuesToDelete.push(topic, ...servers.map((s) => `${topic}.${s}`));
  return topic;
}

test('connecting to a broker that is not there fails loudly with a transport error', async () => {
  await assert.rejects(
    RabbitTransport.connect({ url: 'amqp://guest:guest@127.0.0.1:1/' }),
    (e: unknown) => isRpcError(e, 'transport') && /127\.0\.0\.1:1/.test(e.message),
  );
});

test('a call to the topic reaches one server of the topic, round robin', async () => {
  const [a, b, client] = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
  const topic = topicFor('rr', 'a', 'b');
  const log: string[] = [];
  await a.listen({ topic, server: 'a' }, recorder('a', log));
  await b.listen({ topic, server: 'b' }, recorder('b', log));
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push((await client.call({ topic }, message('ping'), { timeoutMs: 5000 })).result);
  assert.equal(log.length, 4, 'each call ran once');
  assert.deepEqual(new Set(answers), new Set(['a', 'b']));
});

test('a call to topic.server reaches that server only', async () => {
  const [a, b, client] = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
  const topic = topicFor('direct', 'a', 'b');
  const log: string[] = [];
  await a.listen({ topic, server: 'a' }, recorder('a', log));
  await b.listen({ topic, server: 'b' }, recorder('b', log));
  for (let i = 0; i < 3; i++) assert.equal((await client.call({ topic, server: 'b' }, message('ping'), { timeoutMs: 5000 })).result, 'b');
  assert.deepEqual(log, ['b:ping', 'b:ping', 'b:ping']);
});

test('a fanout cast reaches every server of the topic once', async () => {
  const [a, b, client] = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
  const topic = topicFor('fanout', 'a', 'b');
  const log: string[] = [];
  const both = deferred();
  const handler =
    (name: string): MessageHandler =>
    async (m) => {
      log.push(`${name}:${m.method}`);
      if (log.length === 2) both.resolve();
      return { result: null };
    };
  await a.listen({ topic, server: 'a' }, handler('a'));
  await b.listen({ topic, server: 'b' }, handler('b'));
  await client.cast({ topic, fanout: true }, message('refresh'));
  await both.promise;
  await sleep(100);
  assert.deepEqual(log.sort(), ['a:refresh', 'b:refresh']);
});

test('a call with fanout is refused before anything is sent', async () => {
  const client = await pool.connect();
  await assert.rejects(client.call({ topic: 'x', fanout: true }, message('m'), { timeoutMs: 1000 }), (e: unknown) =>
    isRpcError(e, 'invalid_target'),
  );
});

test('a request redelivered with the same _unique_id runs once', async () => {
  const server = await pool.connect();
  const topic = topicFor('dup', 's');
  const ran: unknown[] = [];
  const twice = deferred();
  await server.listen({ topic, server: 's' }, async (m) => {
    ran.push(m.args['n']);
    if (m.args['n'] === 'last') twice.resolve();
    return { result: null };
  });
  const { channel, close } = await rawChannel();
  const body = (n: string, uniqueId: string) => encodeEnvelope({ method: 'record', args: { n }, _unique_id: uniqueId });
  channel.publish('openstack', topic, body('first', 'f'.repeat(32)));
  channel.publish('openstack', topic, body('first', 'f'.repeat(32)));
  channel.publish('openstack', topic, body('last', 'e'.repeat(32)));
  await twice.promise;
  await close();
  assert.deepEqual(ran, ['first', 'last']);
});

test('a call nobody answers fails with a timeout error after its timeout', async () => {
  const client = await pool.connect();
  const started = Date.now();
  await assert.rejects(client.call({ topic: uniqueName('nobody') }, message('m'), { timeoutMs: 300 }), (e: unknown) =>
    isRpcError(e, 'timeout'),
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 2000, `took ${elapsed}ms`);
});

test('a slow call outlives the call-monitor timeout while the server sends heartbeats', async () => {
  const server = await pool.connect();
  const client = await pool.connect({ callMonitorTimeoutMs: 2000 });
  const topic = topicFor('monitor', 's');
  await server.listen({ topic, server: 's' }, async () => {
    await sleep(3200);
    return { result: 'done' };
  });
  assert.deepEqual(await client.call({ topic }, message('slow'), { timeoutMs: 10_000 }), { result: 'done' });
});

test('a call to a server that stays silent fails at the call-monitor timeout, long before the call timeout', async () => {
  const client = await pool.connect({ callMonitorTimeoutMs: 2000 });
  const topic = topicFor('silent');
  const { channel, close } = await rawChannel();
  // A consumer that takes requests and never replies nor heartbeats (an old server, a hung one).
  await channel.assertExchange('openstack', 'topic', { durable: false, autoDelete: false });
  await channel.assertQueue(topic, { durable: false, autoDelete: false });
  await channel.bindQueue(topic, 'openstack', topic);
  await channel.consume(topic, () => undefined, { noAck: true });
  const started = Date.now();
  await assert.rejects(
    client.call({ topic }, message('hang'), { timeoutMs: 30_000 }),
    (e: unknown) => isRpcError(e, 'timeout') && /heartbeat/.test(e.message),
  );
  await close();
  assert.ok(Date.now() - started < 5000);
});

test('the queues we declare carry the flags oslo.messaging declares them with', async () => {
  const server = await pool.connect();
  const topic = topicFor('flags', 's');
  await server.listen({ topic, server: 's' }, async () => ({ result: null }));
  const { channel, close } = await rawChannel();
  const closed = deferred();
  channel.on('close', () => closed.resolve());
  // A redeclaration with other flags would close the channel with 406 PRECONDITION_FAILED.
  await channel.assertExchange('openstack', 'topic', { durable: false, autoDelete: false });
  await channel.assertQueue(topic, { durable: false, autoDelete: false, arguments: {} });
  await channel.assertQueue(`${topic}.s`, { durable: false, autoDelete: false, arguments: {} });
  await channel.assertExchange(`${topic}_fanout`, 'fanout', { durable: false, autoDelete: true });
  await channel.assertQueue(server.replyQueue, { durable: false, autoDelete: false, arguments: { 'x-expires': 1_800_000 } });
  await close();
});

test('a queue declared with different flags is reported, not crashed on', async () => {
  const topic = topicFor('clash', 's');
  const { channel, close } = await rawChannel();
  await channel.assertQueue(topic, { durable: true, autoDelete: false });
  await close();
  const server = await pool.connect();
  await assert.rejects(
    server.listen({ topic, server: 's' }, async () => ({ result: null })),
    (e: unknown) => isRpcError(e, 'transport') && /PRECONDITION_FAILED|inequivalent/.test(e.message),
  );
  // The transport still works after a refused declaration.
  const other = topicFor('clash_ok', 's');
  await server.listen({ topic: other, server: 's' }, async () => ({ result: 'fine' }));
  assert.deepEqual(await server.call({ topic: other }, message('m'), { timeoutMs: 5000 }), { result: 'fine' });
});

test('RpcClient and RpcServer work end to end over RabbitMQ, with a cast and a typed remote error', async () => {
  const [serverTransport, clientTransport] = await Promise.all([pool.connect(), pool.connect()]);
  const topic = topicFor('e2e', 'host1');
  const casts: unknown[] = [];
  const cast = deferred();
  const server = new RpcServer({
    transport: serverTransport,
    target: { topic, server: 'host1' },
    endpoints: [
      {
        target: { version: '1.2' },
        add: (_ctx: unknown, { a, b }: Record<string, unknown>) => (a as number) + (b as number),
        note: (_ctx: unknown, { text }: Record<string, unknown>) => {
          casts.push(text);
          cast.resolve();
        },
      },
    ],
  });
  await server.start();
  const client = new RpcClient({ transport: clientTransport, target: { topic, version: '1.1' }, timeoutMs: 5000 });
  assert.equal(await client.call({}, 'add', { a: 2, b: 3 }), 5);
  await client.cast({}, 'note', { text: 'hello' });
  await cast.promise;
  assert.deepEqual(casts, ['hello']);
  await assert.rejects(client.prepare({ version: '1.3' }).call({}, 'add', { a: 1, b: 1 }), (e: unknown) =>
    isRpcError(e, 'unsupported_version'),
  );
  await assert.rejects(client.call({}, 'missing'), (e: unknown) => isRpcError(e, 'no_such_method'));
  await server.stop();
});

test('stopping a listener waits for the request in flight to be answered', async () => {
  const [serverTransport, client] = await Promise.all([pool.connect(), pool.connect()]);
  const topic = topicFor('drain', 's');
  const started = deferred();
  const listener = await serverTransport.listen({ topic, server: 's' }, async () => {
    started.resolve();
    await sleep(300);
    return { result: 'finished' };
  });
  const reply = client.call({ topic }, message('m'), { timeoutMs: 5000 });
  await started.promise;
  await listener.stop();
  assert.deepEqual(await reply, { result: 'finished' });
});

test('closing the transport fails its calls in flight with a transport error', async () => {
  const client = await RabbitTransport.connect({ onError: () => undefined });
  const outcome = client.call({ topic: uniqueName('closing') }, message('m'), { timeoutMs: 10_000 }).then(
    () => 'answered',
    (e: unknown) => e,
  );
  await sleep(50);
  await client.close();
  const error = await outcome;
  assert.ok(isRpcError(error, 'transport'), String(error));
});

/** Publish a call by hand whose reply goes to `replyQueue`, which need not exist yet. */
function rawCall(channel: import('amqplib').Channel, topic: string, replyQueue: string, msgId: string): void {
  const request = { method: 'm', args: {}, _msg_id: msgId, _reply_q: replyQueue, _timeout: null, _unique_id: msgId };
  channel.publish('openstack', topic, encodeEnvelope(request));
}

test("a reply whose caller's queue is missing is re-sent until the caller re-declares it", async () => {
  const server = await pool.connect();
  const topic = topicFor('late_queue', 's');
  await server.listen({ topic, server: 's' }, async () => ({ result: 'worth the wait' }));
  const { channel, close } = await rawChannel();
  const replyQueue = uniqueName('reply');
  rawCall(channel, topic, replyQueue, 'a'.repeat(32));
  await sleep(600); // the reply has bounced at least once by now
  const arrived = deferred<Buffer>();
  await channel.assertQueue(replyQueue, { durable: false, autoDelete: true });
  await channel.consume(replyQueue, (m) => m && arrived.resolve(m.content), { noAck: true });
  const body = await arrived.promise;
  await close();
  assert.match(body.toString(), /worth the wait/);
});

test('a reply to a queue that never comes back is given up after the retry window, and reported', async () => {
  const server = await pool.connect({ replyRetryMs: 500 });
  const topic = topicFor('gone_queue', 's');
  await server.listen({ topic, server: 's' }, async () => ({ result: null }));
  const { channel, close } = await rawChannel();
  const replyQueue = uniqueName('reply');
  rawCall(channel, topic, replyQueue, 'b'.repeat(32));
  const deadline = Date.now() + 5000;
  const reported = () => pool.errors.some((e) => isRpcError(e, 'transport') && e.message.includes(replyQueue));
  while (!reported() && Date.now() < deadline) await sleep(50);
  await close();
  assert.ok(reported(), 'the dropped reply is reported to onError');
});

test('a reply sent in two messages, the result and then the ending (older oslo servers), resolves with the result', async () => {
  const client = await pool.connect();
  const topic = topicFor('two_part');
  const { channel, close } = await rawChannel();
  await channel.assertExchange('openstack', 'topic', { durable: false, autoDelete: false });
  await channel.assertQueue(topic, { durable: false, autoDelete: false });
  await channel.bindQueue(topic, 'openstack', topic);
  await channel.consume(
    topic,
    (delivery) => {
      if (!delivery) return;
      const request = decodeEnvelope(delivery.content);
      const reply = (body: Record<string, unknown>) =>
        channel.sendToQueue(request['_reply_q'] as string, encodeEnvelope({ _msg_id: request['_msg_id'], ...body }));
      reply({ result: { answer: 42 }, failure: null, ending: false, _unique_id: '1'.repeat(32) });
      reply({ result: null, failure: null, ending: true, _unique_id: '2'.repeat(32) });
    },
    { noAck: true },
  );
  const reply = await client.call({ topic }, message('m'), { timeoutMs: 5000 });
  await close();
  assert.deepEqual(reply, { result: { answer: 42 } });
});
