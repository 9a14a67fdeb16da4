import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import { isRpcError, RabbitTransport, type RpcMessage } from '../src/index.js';
import { BROKER_URL, deleteQueues, rawChannel, uniqueName } from './rabbit-helpers.js';
import { TcpProxy } from './tcp-proxy.js';
import { sleep } from './helpers.js';

// The three crashes of issue 10, on the shared broker: only our own connections (through a proxy of the
// test, or of a child process of the test) are cut or killed; the broker itself is never touched.

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const execFileAsync = promisify(execFile);
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

function message(method: string, args: Record<string, unknown> = {}): RpcMessage {
  return { method, args, namespace: null, version: '1.0', context: {} };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(10);
  }
}

test('a call that times out while its request is still being published never crashes the process (--unhandled-rejections=strict)', async () => {
  const proxy = await TcpProxy.start(Number(new URL(BROKER_URL).port || 5672));
  cleanup.push(() => proxy.close());
  // Direct, then through a slow network: the exchange declaration on each fresh transport outlasts the timeouts.
  proxy.delayMs = 30;
  for (const [url, rounds] of [
    [BROKER_URL, 20],
    [proxy.url, 5],
  ] as const) {
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--unhandled-rejections=strict', join(FIXTURES, 'timeout-crash.js'), url, String(rounds)],
      { timeout: 60_000 },
    );
    const codes = JSON.parse(stdout.trim()) as Record<string, number>;
    assert.deepEqual(codes, { timeout: rounds * 4 }, stdout);
  }
});

test('a transport whose new connection is cut while it re-attaches keeps reconnecting, says so truthfully, and serves again', async () => {
  const proxy = await TcpProxy.start(Number(new URL(BROKER_URL).port || 5672));
  cleanup.push(() => proxy.close());
  const topic = uniqueName('reattach');
  cleanup.push(() => deleteQueues([topic, `${topic}.s`]));
  const states: string[] = [];
  const server = await RabbitTransport.connect({
    url: proxy.url,
    reconnect: { initialDelayMs: 50, maxDelayMs: 400, attemptTimeoutMs: 8000 },
    onError: () => undefined,
  });
  cleanup.push(() => server.close());
  const client = await RabbitTransport.connect({ url: BROKER_URL, onError: () => undefined });
  cleanup.push(() => client.close());
  await server.listen({ topic, server: 's' }, async (m) => ({ result: m.method }));
  assert.deepEqual(await client.call({ topic, server: 's' }, message('before'), { timeoutMs: 5000 }), { result: 'before' });
  const sampler = setInterval(() => {
    if (states.at(-1) !== server.state) states.push(server.state);
  }, 2);
  cleanup.push(async () => clearInterval(sampler));
  for (let round = 0; round < 3; round++) {
    // Slow enough that re-declaring the queues takes a while, then cut in the middle of it.
    proxy.delayMs = 60;
    proxy.cut();
    await until(() => server.state === 'attaching', 10_000, 'attaching');
    assert.equal(server.connected, false, 'not connected while attaching');
    await sleep(100);
    proxy.cut();
    await until(() => server.state !== 'attaching', 10_000, 'the cut attempt failed');
    assert.equal(server.connected, server.state === 'up');
    proxy.delayMs = 0;
    await until(() => server.state === 'up', 10_000, 'up again');
    assert.deepEqual(await client.call({ topic, server: 's' }, message(`after ${round}`), { timeoutMs: 5000 }), {
      result: `after ${round}`,
    });
  }
  clearInterval(sampler);
  assert.ok(states.includes('waiting') && states.includes('attaching'), states.join(' '));
  assert.ok(server.connectionStats.failedAttempts >= 3, JSON.stringify(server.connectionStats));
});

test('a transport that cannot reach the broker keeps trying with backoff, within its stated bound, and comes back', async () => {
  const proxy = await TcpProxy.start(Number(new URL(BROKER_URL).port || 5672));
  cleanup.push(() => proxy.close());
  const transport = await RabbitTransport.connect({
    url: proxy.url,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500, attemptTimeoutMs: 2000 },
    onError: () => undefined,
  });
  cleanup.push(() => transport.close());
  proxy.refusing = true;
  proxy.cut();
  await sleep(2500);
  assert.equal(transport.connected, false);
  assert.ok(transport.connectionStats.failedAttempts >= 4, JSON.stringify(transport.connectionStats));
  const healed = Date.now();
  proxy.refusing = false;
  await until(() => transport.connected, 500 + 2000 + 1000, 'reconnected within maxDelayMs + attemptTimeoutMs');
  assert.ok(Date.now() - healed <= 3500);
});

/** A server child process (fixtures/fault-server.js); resolves when it is listening. */
async function startServer(
  url: string,
  topic: string,
  name: string,
  confirmAcks: boolean,
): Promise<{ runs: string[]; kill: () => void; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    ['--unhandled-rejections=strict', join(FIXTURES, 'fault-server.js'), url, topic, name, String(confirmAcks)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const runs: string[] = [];
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') ready();
    else if (line.startsWith('run ')) runs.push(line.slice(4));
  });
  cleanup.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  await Promise.race([isReady, exited.then(() => Promise.reject(new Error('the server process exited before it was ready')))]);
  return { runs, kill: () => child.kill('SIGKILL'), exited };
}

for (const confirmAcks of [true, false]) {
  test(`a server killed during a CPU-bound method ${confirmAcks ? 'never gets the request again (acks confirmed)' : 'may get the request again (confirmAcks: false only queues the ack)'}`, async () => {
    const topic = uniqueName('killed');
    cleanup.push(() => deleteQueues([topic, `${topic}.a`]));
    const client = await RabbitTransport.connect({ url: BROKER_URL, onError: () => undefined });
    cleanup.push(() => client.close());
    const first = await startServer(BROKER_URL, topic, 'a', confirmAcks);
    const call = client.call({ topic }, message('work', { id: 'once', ms: 3000, cpu: true }), { timeoutMs: 8000 }).then(
      () => 'answered',
      (e: unknown) => (isRpcError(e) ? e.code : 'untyped'),
    );
    await until(() => first.runs.length > 0, 10_000, 'the method started');
    first.kill();
    await first.exited;
    const second = await startServer(BROKER_URL, topic, 'a', confirmAcks);
    await sleep(1000);
    const runsAfterRestart = second.runs.length;
    const outcome = await call;
    if (confirmAcks) {
      assert.equal(runsAfterRestart, 0, 'the request was run again after the restart');
      assert.equal(outcome, 'timeout');
    } else {
      // Without the confirmation the ack never left the blocked process: the broker redelivers.
      assert.equal(runsAfterRestart, 1);
      assert.equal(outcome, 'answered');
    }
  });
}

test('a reply consumer cancelled by the broker (its queue deleted) brings the transport back with a new consumer', async () => {
  const transport = await RabbitTransport.connect({
    url: BROKER_URL,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    onError: () => undefined,
  });
  cleanup.push(() => transport.close());
  const topic = uniqueName('cancelled');
  cleanup.push(() => deleteQueues([topic, `${topic}.s`]));
  await transport.listen({ topic, server: 's' }, async (m) => ({ result: m.method }));
  const { channel, close } = await rawChannel();
  await channel.deleteQueue(transport.replyQueue);
  await close();
  await until(() => transport.connectionStats.losses >= 1 && transport.connected, 10_000, 'reconnected');
  assert.deepEqual(await transport.call({ topic }, message('back'), { timeoutMs: 5000 }), { result: 'back' });
});
