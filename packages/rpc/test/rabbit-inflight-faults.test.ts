import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RabbitTransport, type RpcMessage } from '../src/index.js';
import { RabbitNode } from '../src/testing/rabbit-node.js';
import { sleep } from './helpers.js';

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

test('connections closed under streams of calls and casts: every call answered once and right, every cast delivered once, nothing run twice', {
  timeout: 300_000,
}, async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(plan, async ({ ops, faults }) => {
      run += 1;
      const errors: unknown[] = [];
      const options = { url: node.url, reconnect: { initialDelayMs: 50, maxDelayMs: 500 }, onError: (e: unknown) => errors.push(e) };
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
        const target = { topic, server: 's' };
        const faulting = (async () => {
          const start = Date.now();
          for (const fault of [...faults].sort((a, b) => a.atMs - b.atMs)) {
            await sleep(Math.max(0, fault.atMs - (Date.now() - start)));
            await closeConnections(fault.who);
          }
        })();
        let faultsDone = false;
        void faulting.finally(() => (faultsDone = true));
        const outcomes: Promise<string>[] = [];
        const ids: string[] = [];
        const casts: string[] = [];
        // The stream goes on until the last fault (rabbitmqctl takes a second or more to act), so calls
        // and casts are in flight at each close.
        for (let round = 0; round === 0 || !faultsDone; round++) {
          for (const [i, op] of ops.entries()) {
            const id = `${op.cast ? 'cast' : 'call'}-${round}-${i}`;
            ids.push(id);
            if (op.cast) {
              casts.push(id);
              outcomes.push(
                client.cast(target, message('note', { id, ms: 0 })).then(
                  () => 'sent',
                  (e: unknown) => `cast failed: ${String(e)}`,
                ),
              );
            } else {
              outcomes.push(
                client.call(target, message('work', { id, ms: op.ms }), { timeoutMs: CALL_TIMEOUT_MS }).then(
                  (reply) => (reply.result === `done:${id}` ? 'answered' : `wrong answer ${JSON.stringify(reply)}`),
                  (e: unknown) => `call failed: ${String(e)}`,
                ),
              );
            }
            await sleep(op.gapMs);
          }
        }
        await faulting;
        const results = await Promise.all(outcomes);
        // Casts are confirmed by the broker once sent; give the server a moment to run the last ones.
        const deadline = Date.now() + 15_000;
        while (casts.some((id) => !runs.has(id)) && Date.now() < deadline) await sleep(50);
        const report = JSON.stringify({ faults, ops: ids.length, losses: client.connectionStats.losses + server.connectionStats.losses });
        console.log(`inflight run ${run}: ${report}`);
        assert.deepEqual(
          results.filter((r) => r !== 'answered' && r !== 'sent'),
          [],
          report,
        );
        assert.deepEqual(
          ids.filter((id) => runs.get(id) !== 1).map((id) => `${id} ran ${runs.get(id) ?? 0} times`),
          [],
          report,
        );
        assert.equal(runs.size, ids.length);
        assert.ok(client.connectionStats.losses + server.connectionStats.losses >= 1, `a connection was closed: ${report}`);
      } finally {
        await Promise.all([client.close(), server.close()]);
      }
    }),
    { numRuns: 4, endOnFailure: true },
  );
  assert.deepEqual(unhandled, []);
});
