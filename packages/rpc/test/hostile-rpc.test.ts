import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { InMemoryBroker, InMemoryTransport, isRpcError, RpcClient, RpcServer, type RequestContext } from '../src/index.js';
import { decodeEnvelope, fromOsloReply } from '../src/rabbit/wire.js';
import { BROKER_URL, deleteQueues, rawChannel, uniqueName } from './rabbit-helpers.js';
import { hostileMessage, prng, type HostileMessage } from './hostile-messages.js';

// Garbage RPC requests on both transports (issue 19): every one that names a reply queue gets exactly one
// typed reply within BUDGET_MS; nothing throws untyped, nothing hangs, nothing crashes, no prototype is
// polluted. Seeded: HOSTILE_SEED=<n> replays a run; the seed is printed with every failure.

const SEED = Number(process.env['HOSTILE_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const BUDGET_MS = 2000;
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

interface Counts {
  sent: number;
  owed: number;
  answered: number;
  failedTyped: number;
  untyped: number;
  hung: number;
  duplicates: number;
  heartbeats: number;
  slowest: number;
}

/** Sends the messages in batches and checks the replies each batch owes. */
async function run(
  count: number,
  batch: number,
  replyQueue: string,
  send: (body: Buffer) => void | Promise<void>,
  subscribe: (receive: (body: Buffer) => void) => void,
): Promise<{ counts: Counts; samples: string[] }> {
  const rand = prng(SEED);
  const counts: Counts = { sent: 0, owed: 0, answered: 0, failedTyped: 0, untyped: 0, hung: 0, duplicates: 0, heartbeats: 0, slowest: 0 };
  const samples: string[] = [];
  const waiting = new Map<string, { message: HostileMessage; sentAt: number; done: () => void }>();
  const finished = new Set<string>();
  subscribe((body) => {
    let reply;
    try {
      reply = fromOsloReply(decodeEnvelope(body));
    } catch (error) {
      counts.untyped += 1;
      samples.push(`unreadable reply: ${String(error)}`);
      return;
    }
    if (reply.heartbeat) {
      counts.heartbeats += 1;
      return;
    }
    const entry = waiting.get(reply.msgId);
    if (!entry) {
      if (finished.has(reply.msgId)) counts.duplicates += 1;
      return;
    }
    waiting.delete(reply.msgId);
    finished.add(reply.msgId);
    counts.slowest = Math.max(counts.slowest, Date.now() - entry.sentAt);
    const failure = reply.reply.failure;
    if (failure === undefined) counts.answered += 1;
    else if (
      (failure.class === 'RpcError' && typeof failure.kwargs?.['code'] === 'string') ||
      failure.class === 'VersionedError' ||
      failure.class === 'NoSuchMethod' ||
      failure.class === 'UnsupportedVersion'
    )
      counts.failedTyped += 1;
    else {
      counts.untyped += 1;
      if (samples.length < 10) samples.push(`untyped ${failure.class}: ${failure.message.slice(0, 200)} <- ${entry.message.description}`);
    }
    entry.done();
  });
  for (let start = 0; start < count; start += batch) {
    const owedNow: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const message = hostileMessage(rand, i, replyQueue);
      counts.sent += 1;
      if (message.msgId !== undefined) {
        counts.owed += 1;
        const id = message.msgId;
        owedNow.push(
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              if (!waiting.delete(id)) return;
              counts.hung += 1;
              if (samples.length < 10) samples.push(`no reply within ${BUDGET_MS} ms <- ${message.description}`);
              resolve();
            }, BUDGET_MS);
            waiting.set(id, { message, sentAt: Date.now(), done: () => (clearTimeout(timer), resolve()) });
          }),
        );
      }
      await send(message.body);
    }
    await Promise.all(owedNow);
  }
  return { counts, samples };
}

function assertClean(name: string, result: { counts: Counts; samples: string[] }): void {
  const { counts, samples } = result;
  const report = `${name}, seed ${SEED} (HOSTILE_SEED=${SEED} replays it): ${JSON.stringify(counts)}\n${samples.join('\n')}`;
  console.log(`hostile ${name}: ${JSON.stringify(counts)} seed ${SEED}`);
  assert.equal(counts.untyped, 0, report);
  assert.equal(counts.hung, 0, report);
  assert.equal(counts.duplicates, 0, report);
  assert.equal(counts.heartbeats, 0, `a huge _timeout must not flood heartbeats: ${report}`);
  assert.equal(counts.answered + counts.failedTyped, counts.owed, report);
  assert.ok(counts.failedTyped > counts.owed / 4, `most messages are malformed: ${report}`);
  assert.equal(unhandled.length, 0, `unhandled rejections: ${unhandled.map(String).join('; ')} ${report}`);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined, `Object.prototype polluted: ${report}`);
}

const api = {
  target: { version: '1.2' },
  echo: (_c: RequestContext, args: Record<string, unknown>) => args['value'] ?? null,
  work: () => 'worked',
};

test('in memory: 30,000 garbage requests each get one typed reply within the budget; no untyped error, hang or crash', async () => {
  const broker = new InMemoryBroker();
  const background: unknown[] = [];
  const serverTransport = new InMemoryTransport({ broker, onError: (e) => background.push(e) });
  cleanup.push(() => serverTransport.close());
  await new RpcServer({
    transport: serverTransport,
    target: { topic: 'hostile', server: 's' },
    endpoints: [api],
    onError: () => undefined,
  }).start();
  const replyQueue = 'reply_hostile_memory';
  const result = await run(
    30_000,
    500,
    replyQueue,
    (body) => broker.publish('hostile', undefined, false, body),
    (receive) => broker.bindReplyQueue(replyQueue, receive),
  );
  assertClean('in-memory', result);
  const untypedBackground = background.filter((e) => !isRpcError(e));
  assert.deepEqual(untypedBackground.map(String), [], `seed ${SEED}`);
  // Still serving.
  const client = new RpcClient({ transport: new InMemoryTransport({ broker }), target: { topic: 'hostile' }, timeoutMs: 2000 });
  assert.equal(await client.call({}, 'echo', { value: 'still here' }), 'still here');
});

test('on RabbitMQ: 3,000 garbage requests to a server process each get one typed reply within the budget; the server never crashes', async () => {
  const topic = uniqueName('hostile');
  cleanup.push(() => deleteQueues([topic, `${topic}.s`]));
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', join(FIXTURES, 'fault-server.js'), BROKER_URL, topic, 's'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanup.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    wake?.();
  });
  const nextLine = async (prefix: string): Promise<string> => {
    for (;;) {
      const found = lines.find((l) => l.startsWith(prefix));
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${stderr}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  };
  await nextLine('ready');
  const { channel, close } = await rawChannel();
  cleanup.push(close);
  const replyQueue = uniqueName('reply_hostile');
  await channel.assertQueue(replyQueue, { exclusive: true, autoDelete: true });
  const result = await run(
    3000,
    250,
    replyQueue,
    (body) => {
      channel.publish('openstack', topic, body, { contentType: 'application/json' });
    },
    (receive) => void channel.consume(replyQueue, (delivery) => delivery && receive(delivery.content), { noAck: true }),
  );
  assert.equal(child.exitCode, null, `the server process died: ${stderr}`);
  assertClean('RabbitMQ', result);
  child.stdin.end();
  const [, typedErrors, untypedErrors] = (await nextLine('errors ')).split(' ');
  assert.equal(untypedErrors, '0', `background errors that are not RpcError, seed ${SEED}`);
  assert.ok(Number(typedErrors) > 0);
  assert.equal(await exited, 0, stderr);
});

test("a caller's _timeout is clamped: 1e12 s gives no heartbeat flood, 2 s still gives heartbeats every second", async () => {
  const broker = new InMemoryBroker();
  const transport = new InMemoryTransport({ broker });
  cleanup.push(() => transport.close());
  await transport.listen({ topic: 'beats' }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { result: 'done' };
  });
  const seen = new Map<string, number>();
  broker.bindReplyQueue('reply_beats', (body) => {
    const reply = fromOsloReply(decodeEnvelope(body));
    if (reply.heartbeat) seen.set(reply.msgId, (seen.get(reply.msgId) ?? 0) + 1);
    else seen.set(`${reply.msgId}:final`, 1);
  });
  const { encodeEnvelope } = await import('../src/rabbit/wire.js');
  for (const [id, timeout] of [
    ['huge', 1e12],
    ['max', Number.MAX_VALUE],
    ['two', 2],
  ] as const) {
    broker.publish(
      'beats',
      undefined,
      false,
      encodeEnvelope({ method: 'm', args: {}, _msg_id: id, _reply_q: 'reply_beats', _unique_id: id, _timeout: timeout }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 1800));
  assert.equal(seen.get('huge') ?? 0, 0);
  assert.equal(seen.get('max') ?? 0, 0);
  assert.equal(seen.get('two'), 1);
  for (const id of ['huge', 'max', 'two']) assert.equal(seen.get(`${id}:final`), 1);
});
