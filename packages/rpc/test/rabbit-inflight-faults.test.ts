import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RabbitTransport, type RpcMessage, type Target } from '../src/index.js';
import { RabbitNode } from '../src/testing/rabbit-node.js';
import { sleep } from './helpers.js';
import { PythonProcess } from './rabbit-helpers.js';

// Calls and casts in flight while the broker closes connections, on a RabbitMQ node of this test's own.
// The promise (oslo.messaging's too): a lost connection fails nothing; a call keeps waiting (bounded by
// its timeout) while the transport reconnects and consumes the same reply queue again, and a request,
// cast or reply whose publish was not confirmed is published again with the same ids, so that every call
// is answered once with its own result, every cast delivered once, and nothing runs twice.

const CALL_TIMEOUT_MS = 20_000;

let node: RabbitNode;
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

before(async () => {
  node = await RabbitNode.create();
  await node.start();
});

after(async () => {
  await node?.destroy();
});

function message(method: string, args: Record<string, unknown>): RpcMessage {
  return { method, args, namespace: null, version: '1.0', context: {} };
}

/** Close the node's connections named `names` (all of them with `undefined`). */
async function closeConnections(names: readonly string[] | undefined): Promise<void> {
  if (names === undefined) {
    await node.closeAllConnections('inflight fault test');
    return;
  }
  const listing = await node.ctl('list_connections', 'pid', 'client_properties');
  for (const line of listing.split('\n')) {
    if (!names.some((name) => line.includes(`{"connection_name","${name}"}`))) continue;
    await node.ctl('close_connection', line.split('\t')[0]!, 'inflight fault test').catch(() => undefined);
  }
}

const side = fc.constantFrom<readonly string[] | undefined>(undefined, ['client'], ['server']);
const plan = fc.record({
  ops: fc.array(fc.record({ cast: fc.boolean(), ms: fc.integer({ min: 0, max: 200 }), gapMs: fc.integer({ min: 1, max: 15 }) }), {
    minLength: 20,
    maxLength: 60,
  }),
  faults: fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 600 }), who: side }), { minLength: 1, maxLength: 3 }),
});

type Plan = { ops: { cast: boolean; ms: number; gapMs: number }[]; faults: { atMs: number; who: readonly string[] | undefined }[] };

/**
 * Send `plan.ops` (again and again until the last fault is done, so that calls and casts are in flight at
 * each close: rabbitmqctl takes a second or more to act) while the faults close connections. Returns
 * the outcome of each ('answered', 'sent' or what went wrong), by id, and the ids of the casts.
 */
async function stream(
  client: RabbitTransport,
  target: Target,
  plan: Plan,
  send: { call: (id: string, ms: number) => RpcMessage; cast: (id: string) => RpcMessage; result: (id: string) => unknown },
): Promise<{ outcomes: Map<string, string>; casts: string[] }> {
  const faulting = (async () => {
    const start = Date.now();
    for (const fault of [...plan.faults].sort((a, b) => a.atMs - b.atMs)) {
      await sleep(Math.max(0, fault.atMs - (Date.now() - start)));
      await closeConnections(fault.who);
    }
  })();
  let faultsDone = false;
  void faulting.finally(() => (faultsDone = true));
  const pending: Promise<[string, string]>[] = [];
  const casts: string[] = [];
  for (let round = 0; round === 0 || !faultsDone; round++) {
    for (const [i, op] of plan.ops.entries()) {
      const id = `${op.cast ? 'cast' : 'call'}-${round}-${i}`;
      if (op.cast) {
        casts.push(id);
        pending.push(
          client.cast(target, send.cast(id)).then(
            () => [id, 'sent'],
            (e: unknown) => [id, `cast failed: ${String(e)}`],
          ),
        );
      } else {
        pending.push(
          client.call(target, send.call(id, op.ms), { timeoutMs: CALL_TIMEOUT_MS }).then(
            (reply) => [
              id,
              JSON.stringify(reply.result) === JSON.stringify(send.result(id)) ? 'answered' : `wrong answer ${JSON.stringify(reply)}`,
            ],
            (e: unknown) => [id, `call failed: ${String(e)}`],
          ),
        );
      }
      await sleep(op.gapMs);
    }
  }
  await faulting;
  return { outcomes: new Map(await Promise.all(pending)), casts };
}

/** Every outcome good, every id run exactly once (casts given 15 s to arrive), and nothing else run. */
async function assertExactlyOnce(
  { outcomes, casts }: { outcomes: Map<string, string>; casts: string[] },
  runs: Map<string, number>,
  report: string,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (casts.some((id) => !runs.has(id)) && Date.now() < deadline) await sleep(50);
  assert.deepEqual(
    [...outcomes].filter(([, r]) => r !== 'answered' && r !== 'sent'),
    [],
    report,
  );
  assert.deepEqual(
    [...outcomes.keys()].filter((id) => runs.get(id) !== 1).map((id) => `${id} ran ${runs.get(id) ?? 0} times`),
    [],
    report,
  );
  assert.equal(runs.size, outcomes.size, report);
}

const reconnect = { initialDelayMs: 50, maxDelayMs: 500 };

test('connections closed under streams of calls and casts: every call answered once and right, every cast delivered once, nothing run twice', {
  timeout: 300_000,
}, async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(plan, async (p) => {
      run += 1;
      const options = { url: node.url, reconnect, onError: () => undefined };
      const [server, client] = await Promise.all([
        RabbitTransport.connect({ ...options, connectionName: 'server' }),
        RabbitTransport.connect({ ...options, connectionName: 'client' }),
      ]);
      try {
        const topic = `inflight_${run}_${Date.now()}`;
        const runs = new Map<string, number>();
        await server.listen({ topic, server: 's' }, async (m) => {
          const id = String(m.args['id']);
          runs.set(id, (runs.get(id) ?? 0) + 1);
          await sleep(Number(m.args['ms']));
          return { result: `done:${id}` };
        });
        const sent = await stream(client, { topic, server: 's' }, p, {
          call: (id, ms) => message('work', { id, ms }),
          cast: (id) => message('note', { id, ms: 0 }),
          result: (id) => `done:${id}`,
        });
        const losses = client.connectionStats.losses + server.connectionStats.losses;
        const report = JSON.stringify({ faults: p.faults, ops: sent.outcomes.size, losses });
        console.log(`inflight run ${run}: ${report}`);
        await assertExactlyOnce(sent, runs, report);
        assert.ok(losses >= 1, `a connection was closed: ${report}`);
      } finally {
        await Promise.all([client.close(), server.close()]);
      }
    }),
    { numRuns: 4, endOnFailure: true },
  );
  assert.deepEqual(unhandled, []);
});

test('the same against a Python oslo.messaging server: its calls answered once, its casts delivered once, nothing run twice', {
  timeout: 240_000,
}, async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(plan, async (p) => {
      run += 1;
      const exchange = `inflight_py_${run}_${Date.now()}`;
      const topic = `${exchange}_topic`;
      const python = PythonProcess.start('server.py', [exchange, topic, 'py1'], {
        INTEROP_TRANSPORT_URL: `rabbit://guest:guest@127.0.0.1:${node.port}/`,
      });
      const client = await RabbitTransport.connect({
        url: node.url,
        exchange,
        reconnect,
        connectionName: 'client',
        onError: () => undefined,
      });
      try {
        assert.deepEqual(await python.nextJson(30_000), { ready: true }, python.diagnostics);
        const sent = await stream(client, { topic, server: 'py1' }, p, {
          call: (id) => message('tally', { value: id }),
          cast: (id) => message('record', { value: id }),
          result: (id) => id,
        });
        const runs = new Map<string, number>();
        const tallyLines = async (): Promise<void> => {
          for (;;) {
            const line = await python.nextJson(3000).catch(() => undefined);
            if (line === undefined) return;
            const id = String(line['ran'] ?? line['cast']);
            runs.set(id, (runs.get(id) ?? 0) + 1);
          }
        };
        await tallyLines();
        const report = JSON.stringify({ faults: p.faults, ops: sent.outcomes.size, losses: client.connectionStats.losses });
        console.log(`inflight python run ${run}: ${report}`);
        await assertExactlyOnce(sent, runs, report);
      } finally {
        await Promise.all([client.close(), python.stop()]);
      }
    }),
    { numRuns: 2, endOnFailure: true },
  );
  assert.deepEqual(unhandled, []);
});
