// RPC round trips: calls per second and latency percentiles for the in-memory transport and for
// RabbitMQ, ours (TypeScript client -> TypeScript server) side by side with Python oslo.messaging
// (Python client -> Python server) on the same broker, in one run. Bounded counts and time.
//
// The same measurement runs on both sides: WARMUP unmeasured calls, then CALLS calls of `echo` with a
// small dict argument from CONCURRENCY concurrent callers (threads in Python, pending promises here),
// stopping early at MAX_SECONDS; throughput = measured calls / wall time. tinybench is not used because
// the Python peer cannot run it: both sides use this one loop instead.
//
// usage: npm run bench:rpc   (needs RabbitMQ on 127.0.0.1:5672 and python3-oslo.messaging)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { InMemoryBroker, InMemoryTransport, RabbitTransport, RpcClient, RpcServer } from '../packages/rpc/dist/src/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const INTEROP = join(ROOT, 'packages/rpc/test/interop');
const URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const WARMUP = 200;
const MAX_SECONDS = 20;
const CONCURRENCIES = [1, 16];
const PAYLOAD = { value: { id: 42, name: 'bench', tags: ['a', 'b'] } };

const unique = (prefix) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarize(calls, seconds, latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { calls, perSecond: calls / seconds, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

/** Our side of the measurement: the loop bench_client.py runs, with promises instead of threads. */
async function measureTs(client, concurrency) {
  for (let i = 0; i < WARMUP; i++) await client.call({}, 'echo', PAYLOAD);
  const latencies = [];
  let remaining = CALLS;
  const deadline = performance.now() + MAX_SECONDS * 1000;
  const worker = async () => {
    while (remaining > 0 && performance.now() < deadline) {
      remaining -= 1;
      const started = performance.now();
      await client.call({}, 'echo', PAYLOAD);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summarize(latencies.length, (performance.now() - started) / 1000, latencies);
}

const echoEndpoint = { target: { version: '1.0' }, echo: (_ctx, { value }) => value };

async function tsPair(makeTransport) {
  const topic = unique('bench_ts');
  const serverTransport = await makeTransport();
  const clientTransport = await makeTransport();
  const server = new RpcServer({ transport: serverTransport, target: { topic, server: 'bench' }, endpoints: [echoEndpoint] });
  await server.start();
  const client = new RpcClient({ transport: clientTransport, target: { topic }, timeoutMs: 30_000 });
  return {
    topic,
    client,
    close: async () => {
      await server.stop();
      await clientTransport.close();
      await serverTransport.close();
    },
  };
}

function python(script, args) {
  const child = spawn('/usr/bin/python3', [join(INTEROP, script), ...args], { cwd: INTEROP, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const next = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script}: no output within ${MAX_SECONDS * 3}s\n${stderr}`)), MAX_SECONDS * 3000);
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code}\n${stderr}`));
      });
    });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.stdin.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await new Promise((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
  };
  return { next, stop };
}

async function measurePython(exchange, topic, concurrency) {
  const client = python('bench_client.py', [exchange, topic, String(CALLS), String(concurrency), String(WARMUP), String(MAX_SECONDS)]);
  try {
    const { calls, seconds, latencies_ms } = await client.next();
    return summarize(calls, seconds, latencies_ms);
  } finally {
    await client.stop();
  }
}

async function withPythonServer(exchange, run) {
  const topic = unique('bench_py');
  const server = python('server.py', [exchange, topic, 'bench']);
  try {
    await server.next();
    return await run(topic);
  } finally {
    await server.stop();
  }
}

/** Topic queues outlive their servers in oslo; remove the benchmark's own. */
async function cleanupQueues(topics) {
  const { default: amqp } = await import(join(ROOT, 'packages/rpc/node_modules/amqplib/channel_api.js'));
  const model = await amqp.connect(URL);
  const channel = await model.createChannel();
  for (const topic of topics) for (const name of [topic, `${topic}.bench`]) await channel.deleteQueue(name).catch(() => undefined);
  await model.close();
}

async function main() {
  const results = [];
  const topics = [];
  const record = (transport, pair, concurrency, summary) => {
    results.push({ transport, pair, concurrency, ...summary });
    const r = results.at(-1);
    console.error(`  ${transport} ${pair} c=${concurrency}: ${r.perSecond.toFixed(0)} calls/s`);
  };

  const broker = new InMemoryBroker();
  const memory = await tsPair(async () => new InMemoryTransport({ broker }));
  for (const c of CONCURRENCIES) record('in-memory', 'ts -> ts', c, await measureTs(memory.client, c));
  await memory.close();

  const rabbit =
    (exchange, confirmAcks = true) =>
    () =>
      RabbitTransport.connect({ url: URL, exchange, confirmAcks });
  const exchange = unique('bench');
  const ours = await tsPair(rabbit(exchange));
  topics.push(ours.topic);
  for (const c of CONCURRENCIES) record('rabbitmq', 'ts -> ts', c, await measureTs(ours.client, c));
  await ours.close();
  // The cost of at most once: the same pair with the ack only queued (confirmAcks: false), not confirmed.
  const unconfirmed = await tsPair(rabbit(exchange, false));
  topics.push(unconfirmed.topic);
  for (const c of CONCURRENCIES) record('rabbitmq', 'ts -> ts, acks not confirmed', c, await measureTs(unconfirmed.client, c));
  await unconfirmed.close();

  await withPythonServer(exchange, async (topic) => {
    topics.push(topic);
    for (const c of CONCURRENCIES) record('rabbitmq', 'py -> py (oslo.messaging)', c, await measurePython(exchange, topic, c));
    // Cross-language pairs, for information: where does the time go?
    const transport = await RabbitTransport.connect({ url: URL, exchange });
    const client = new RpcClient({ transport, target: { topic }, timeoutMs: 30_000 });
    for (const c of CONCURRENCIES) record('rabbitmq', 'ts -> py', c, await measureTs(client, c));
    await transport.close();
  });
  const tsServer = await tsPair(rabbit(exchange));
  topics.push(tsServer.topic);
  for (const c of CONCURRENCIES) record('rabbitmq', 'py -> ts', c, await measurePython(exchange, tsServer.topic, c));
  await tsServer.close();
  await cleanupQueues(topics);

  printTable(results);
}

function printTable(results) {
  const header = ['transport', 'client -> server', 'concurrency', 'calls', 'calls/s', 'p50 ms', 'p95 ms', 'p99 ms'];
  const rows = results.map((r) => [
    r.transport,
    r.pair,
    String(r.concurrency),
    String(r.calls),
    r.perSecond.toFixed(0),
    r.p50.toFixed(3),
    r.p95.toFixed(3),
    r.p99.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`\nRPC round trips (${CALLS} calls per row after ${WARMUP} warm-up calls, echo of a small dict)\n`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));

  console.log('\nThe cost of confirming each ack before the method runs (at most once), ts -> ts on RabbitMQ:');
  for (const c of CONCURRENCIES) {
    const confirmed = results.find((r) => r.pair === 'ts -> ts' && r.transport === 'rabbitmq' && r.concurrency === c);
    const queued = results.find((r) => r.pair === 'ts -> ts, acks not confirmed' && r.concurrency === c);
    console.log(
      `  concurrency ${String(c).padStart(2)}: throughput x${(confirmed.perSecond / queued.perSecond).toFixed(2)} of unconfirmed, ` +
        `p50 +${(confirmed.p50 - queued.p50).toFixed(3)} ms, p99 +${(confirmed.p99 - queued.p99).toFixed(3)} ms`,
    );
  }

  console.log('\nRatios on the same broker, ours (ts -> ts) against oslo.messaging (py -> py):');
  for (const c of CONCURRENCIES) {
    const ours = results.find((r) => r.pair === 'ts -> ts' && r.transport === 'rabbitmq' && r.concurrency === c);
    const theirs = results.find((r) => r.pair.startsWith('py -> py') && r.concurrency === c);
    const memory = results.find((r) => r.transport === 'in-memory' && r.concurrency === c);
    console.log(
      `  concurrency ${String(c).padStart(2)}: throughput x${(ours.perSecond / theirs.perSecond).toFixed(2)}, ` +
        `p50 latency x${(theirs.p50 / ours.p50).toFixed(2)} lower, p99 latency x${(theirs.p99 / ours.p99).toFixed(2)} lower` +
        `   (in-memory is x${(memory.perSecond / ours.perSecond).toFixed(1)} the RabbitMQ throughput)`,
    );
  }
  const target = CONCURRENCIES.every((c) => {
    const ours = results.find((r) => r.pair === 'ts -> ts' && r.transport === 'rabbitmq' && r.concurrency === c);
    const theirs = results.find((r) => r.pair.startsWith('py -> py') && r.concurrency === c);
    return ours.perSecond >= 2 * theirs.perSecond;
  });
  console.log(`\nTarget (at least 2x oslo.messaging's throughput at every concurrency): ${target ? 'met' : 'MISSED'}`);
}

await main();
