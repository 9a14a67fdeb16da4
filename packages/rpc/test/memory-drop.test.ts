import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InMemoryBroker, InMemoryTransport, RpcClient, RpcServer, isRpcError } from '../src/index.js';
import { sleep } from './helpers.js';

const SERVERS = ['a', 'b', 'c'];

type Op =
  | { readonly kind: 'call'; readonly server: string | undefined; readonly n: number; readonly work: number }
  | { readonly kind: 'cast'; readonly server: string | undefined; readonly fanout: boolean }
  | { readonly kind: 'drop'; readonly forMs: number }
  | { readonly kind: 'pause'; readonly ms: number };

const server = fc.option(fc.constantFrom(...SERVERS), { nil: undefined });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('call' as const), server, n: fc.integer(), work: fc.nat(15) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cast' as const), server, fanout: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), forMs: fc.integer({ min: 0, max: 120 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.nat(15) }) },
);

test('random connection drops during streams of calls and casts: each call answered once with its result, each cast delivered once, nothing run twice', {
  timeout: 120_000,
}, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
      const broker = new InMemoryBroker();
      const transports = [0, 1, 2].map(() => new InMemoryTransport({ broker }));
      const [serverTransport, clientA, clientB] = transports as [InMemoryTransport, InMemoryTransport, InMemoryTransport];
      // Each execution, by request id and by the server that ran it.
      const ran = new Map<string, string[]>();
      const record = (id: string, by: string) => ran.set(id, [...(ran.get(id) ?? []), by]);
      for (const name of SERVERS)
        await new RpcServer({
          transport: serverTransport,
          target: { topic: 'work', server: name },
          endpoints: [
            {
              square: async (_c: unknown, a: { id: string; n: number; work: number }) => {
                record(a.id, name);
                await sleep(a.work);
                return [a.n * a.n, name];
              },
              note: (_c: unknown, a: { id: string }) => record(a.id, name),
            },
          ],
        }).start();
      try {
        const clients = [clientA, clientB].map((t) => new RpcClient({ transport: t, target: { topic: 'work' }, timeoutMs: 20_000 }));
        const calls: Promise<void>[] = [];
        const drops: Promise<void>[] = [];
        const casts = new Map<string, number>();
        for (const [i, o] of ops.entries()) {
          const id = `r${i}`;
          const client = (clients[i % 2] as RpcClient).prepare(o.kind === 'call' || o.kind === 'cast' ? { server: o.server } : {});
          if (o.kind === 'call')
            calls.push(
              client.call({}, 'square', { id, n: o.n, work: o.work }).then((answer) => {
                const [square, by] = answer as [number, string];
                assert.equal(square, o.n * o.n, `${id}: the result of its own call`);
                if (o.server !== undefined) assert.equal(by, o.server, `${id}: answered by the server addressed`);
              }),
            );
          else if (o.kind === 'cast') {
            await client.prepare({ fanout: o.fanout }).cast({}, 'note', { id });
            casts.set(id, o.fanout ? SERVERS.length : 1);
          } else if (o.kind === 'drop') drops.push(broker.dropConnections({ forMs: o.forMs }));
          else await sleep(o.ms);
        }
        await Promise.all(calls);
        await Promise.all(drops);
        assert.ok(broker.connected);
        const end = Date.now() + 2000;
        while ([...casts].some(([id, n]) => (ran.get(id)?.length ?? 0) < n) && Date.now() < end) await sleep(5);
        await sleep(20);
        for (const [i, o] of ops.entries()) {
          const by = ran.get(`r${i}`) ?? [];
          if (o.kind === 'call') assert.equal(by.length, 1, `call r${i} ran ${by.length} times`);
          else if (o.kind === 'cast' && o.fanout) assert.deepEqual([...by].sort(), SERVERS, `fanout cast r${i}: once per server`);
          else if (o.kind === 'cast') {
            assert.equal(by.length, 1, `cast r${i} delivered ${by.length} times`);
            if (o.server !== undefined) assert.deepEqual(by, [o.server]);
          } else assert.deepEqual(by, []);
        }
      } finally {
        await Promise.all(transports.map((t) => t.close()));
      }
    }),
    { numRuns: 40 },
  );
});

test('a call whose timeout ends during a drop fails with timeout and runs once after the reconnect; a closed transport still fails its calls', async () => {
  const broker = new InMemoryBroker();
  const server = new InMemoryTransport({ broker });
  const client = new InMemoryTransport({ broker });
  let ran = 0;
  await new RpcServer({ transport: server, target: { topic: 't', server: 's' }, endpoints: [{ m: () => ++ran }] }).start();
  const rpc = new RpcClient({ transport: client, target: { topic: 't' }, timeoutMs: 100 });
  const back = broker.dropConnections({ forMs: 300 });
  assert.equal(broker.connected, false);
  await assert.rejects(rpc.call({}, 'm'), (e: unknown) => isRpcError(e, 'timeout'));
  assert.equal(ran, 0);
  const waiting = rpc.prepare({ timeoutMs: 5000 }).call({}, 'm');
  await back;
  assert.equal(await waiting, 2, 'the call sent during the drop runs after the one sent before it');
  assert.equal(ran, 2);

  const again = broker.dropConnections({ forMs: 200 });
  const pending = rpc.prepare({ timeoutMs: 5000 }).call({}, 'm');
  await client.close();
  await assert.rejects(pending, (e: unknown) => isRpcError(e, 'transport'));
  await again;
  await server.close();
  for (const forMs of [-1, 1.5, Number.NaN, 2 ** 31, '5' as unknown as number])
    await assert.rejects(
      broker.dropConnections({ forMs }),
      (e: unknown) => e instanceof RangeError && /forMs must be a whole number/.test(e.message),
    );
});
