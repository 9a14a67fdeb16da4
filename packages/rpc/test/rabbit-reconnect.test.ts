import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RpcMessage } from '../src/index.js';
import { closeConnectionsNamed, deleteQueues, TransportPool, uniqueName } from './rabbit-helpers.js';
import { deferred, sleep } from './helpers.js';

// Connections are closed from the broker side (rabbitmqctl close_connection), one named connection at a
// time, so tests running in parallel on the same broker are not disturbed.

const pool = new TransportPool();
const queuesToDelete: string[] = [];
after(async () => {
  await pool.closeAll();
  await deleteQueues(queuesToDelete);
});

function message(method: string): RpcMessage {
  return { method, args: {}, namespace: null, version: '1.0', context: {} };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms`);
    await sleep(20);
  }
}

test('a call in flight survives its connection being dropped: the reply waits in its queue and is answered once', async () => {
  const clientName = uniqueName('client');
  const [server, client] = await Promise.all([pool.connect(), pool.connect({ connectionName: clientName })]);
  const topic = uniqueName('reconnect_client');
  queuesToDelete.push(topic, `${topic}.s`);
  const release = deferred();
  let runs = 0;
  await server.listen({ topic, server: 's' }, async (m) => {
    if (m.method === 'hang') {
      runs += 1;
      await release.promise;
    }
    return { result: m.method };
  });
  const inFlight = client.call({ topic }, message('hang'), { timeoutMs: 30_000 }).then(
    (reply) => reply,
    (e: unknown) => e,
  );
  try {
    await until(() => runs === 1, 5000);
    assert.equal(await closeConnectionsNamed(clientName), 1);
    await until(() => !client.connected, 5000);
    // The reply is sent while the caller is away: it waits in the caller's reply queue.
    release.resolve();
    assert.deepEqual(await inFlight, { result: 'hang' });
  } finally {
    // A handler left hanging would keep the server's stop() (and the after hook) waiting.
    release.resolve();
  }
  assert.equal(runs, 1);
  assert.equal(client.connectionStats.losses, 1);
  assert.deepEqual(await client.call({ topic }, message('after'), { timeoutMs: 10_000 }), { result: 'after' });
});

test('a listener whose connection the broker drops re-declares its queues and serves again', async () => {
  const serverName = uniqueName('server');
  const [server, client] = await Promise.all([pool.connect({ connectionName: serverName }), pool.connect()]);
  const topic = uniqueName('reconnect_server');
  queuesToDelete.push(topic, `${topic}.s`);
  const served: string[] = [];
  await server.listen({ topic, server: 's' }, async (m) => {
    served.push(m.method);
    return { result: m.method };
  });
  assert.deepEqual(await client.call({ topic, server: 's' }, message('before'), { timeoutMs: 5000 }), { result: 'before' });
  assert.equal(await closeConnectionsNamed(serverName), 1);
  await until(() => !server.connected, 5000);
  await until(() => server.connected, 10_000);
  assert.deepEqual(await client.call({ topic, server: 's' }, message('after'), { timeoutMs: 10_000 }), { result: 'after' });
  assert.deepEqual(served, ['before', 'after']);
});

test('a call made while the connection is down waits for the reconnection and is sent', async () => {
  const clientName = uniqueName('client');
  const [server, client] = await Promise.all([
    pool.connect(),
    pool.connect({ connectionName: clientName, reconnect: { initialDelayMs: 500 } }),
  ]);
  const topic = uniqueName('reconnect_wait');
  queuesToDelete.push(topic, `${topic}.s`);
  await server.listen({ topic, server: 's' }, async (m) => ({ result: m.method }));
  await closeConnectionsNamed(clientName);
  await until(() => !client.connected, 5000);
  assert.deepEqual(await client.call({ topic }, message('queued'), { timeoutMs: 10_000 }), { result: 'queued' });
});

test('a request whose server loses its connection mid-call is not run again, there or elsewhere (acked before dispatch)', async () => {
  const doomedName = uniqueName('doomed');
  const [doomed, healthy, client] = await Promise.all([pool.connect({ connectionName: doomedName }), pool.connect(), pool.connect()]);
  const topic = uniqueName('at_most_once');
  queuesToDelete.push(topic, `${topic}.doomed`, `${topic}.healthy`);
  const runs: string[] = [];
  const started = deferred();
  await doomed.listen({ topic, server: 'doomed' }, async (m) => {
    runs.push(`doomed:${m.method}`);
    started.resolve();
    await sleep(2000);
    return { result: m.method };
  });
  // Sent to the shared topic queue while only the doomed server consumes it.
  // A long timeout: the request's AMQP expiration must not be what keeps it from being redelivered.
  const call = client.call({ topic }, message('once'), { timeoutMs: 20_000 });
  await started.promise;
  await healthy.listen({ topic, server: 'healthy' }, async (m) => {
    runs.push(`healthy:${m.method}`);
    return { result: m.method };
  });
  await closeConnectionsNamed(doomedName);
  await until(() => doomed.connected, 10_000);
  await sleep(500);
  // An unacked request would have gone back to the queue, to the healthy server or to the doomed one again.
  assert.deepEqual(runs, ['doomed:once']);
  // The doomed server still answers: its reply waits for the reconnection.
  assert.deepEqual(await call, { result: 'once' });
});
