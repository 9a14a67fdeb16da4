import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isRpcError, RpcClient, RpcError, RpcServer, type RpcMessage, type Transport } from '../src/index.js';
import { deferred, sleep } from './helpers.js';

/** How a conformance run gets transports that reach each other (one per simulated process). */
export interface TransportFactory {
  /** A new transport; all transports of one factory share a broker. */
  open(): Promise<Transport>;
  /** Called after the suite with the topics it used (RabbitMQ deletes their queues). */
  cleanup(topics: readonly string[]): Promise<void>;
  /**
   * The broker closes every connection of this factory's transports for `forMs`, resolving once they are back;
   * given, the connection-loss case runs. The in-memory broker gives it; RabbitMQ does not on main (a call in
   * flight when its connection is cut fails with `transport` there, and the suite runs on the shared broker):
   * the reconnection that keeps calls waiting is tested in rabbit-reconnect.test.ts and on its own node.
   */
  dropConnections?(forMs: number): Promise<void>;
}

const msg = (method: string, args: Record<string, unknown> = {}): RpcMessage => ({
  method,
  args,
  namespace: null,
  version: '1.0',
  context: {},
});

class QuotaExceeded extends Error {
  declare resource: string;
  constructor(message: string, resource?: string) {
    super(message);
    if (resource !== undefined) this.resource = resource;
  }
}

/**
 * The transport contract, written once and run against every transport: whatever this suite asserts
 * holds identically on the in-memory transport and on RabbitMQ, messages and details included.
 */
export function transportConformance(name: string, factory: TransportFactory): void {
  const topics: string[] = [];
  const opened: Transport[] = [];
  const topic = (label: string): string => {
    const t = `conf_${label}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    topics.push(t);
    return t;
  };
  const open = async (): Promise<Transport> => {
    const t = await factory.open();
    opened.push(t);
    return t;
  };
  after(async () => {
    await Promise.allSettled(opened.map((t) => t.close()));
    await factory.cleanup(topics);
  });

  async function serve(
    t: string,
    server: string,
    endpoint: object,
    options: Partial<ConstructorParameters<typeof RpcServer>[0]> = {},
  ): Promise<RpcServer> {
    const s = new RpcServer({ transport: await open(), target: { topic: t, server }, endpoints: [endpoint], ...options });
    await s.start();
    return s;
  }

  describe(`transport contract: ${name}`, () => {
    test('a call returns the JSON result, unicode and nesting intact', async () => {
      const t = topic('echo');
      await serve(t, 's', { echo: (_c: unknown, a: Record<string, unknown>) => a['value'] });
      const client = new RpcClient({ transport: await open(), target: { topic: t }, timeoutMs: 5000 });
      const value = { s: 'héllo ☃ \u0000 "q"', n: [1, -2.5, 1e300, null, true], o: { nested: { deep: [{}] } } };
      assert.deepEqual(await client.call({}, 'echo', { value }), value);
      assert.equal(await client.call({}, 'echo', {}), null, 'undefined comes back as null');
    });

    test('a large payload (1 MiB each way) crosses intact', async () => {
      const t = topic('large');
      await serve(t, 's', { twice: (_c: unknown, a: Record<string, unknown>) => String(a['text']) + String(a['text']) });
      const client = new RpcClient({ transport: await open(), target: { topic: t }, timeoutMs: 20_000 });
      const text = `${'x'.repeat(512 * 1024)}é`;
      assert.equal(await client.call({}, 'twice', { text }), text + text);
    });

    test('a call to the topic reaches one server of it; topic + server reaches that server only', async () => {
      const t = topic('route');
      for (const s of ['a', 'b', 'c']) await serve(t, s, { whoami: () => s });
      const client = new RpcClient({ transport: await open(), target: { topic: t }, timeoutMs: 5000 });
      const answers = new Set<unknown>();
      for (let i = 0; i < 9; i++) answers.add(await client.call({}, 'whoami'));
      assert.deepEqual([...answers].sort(), ['a', 'b', 'c']);
      for (let i = 0; i < 3; i++) assert.equal(await client.prepare({ server: 'b' }).call({}, 'whoami'), 'b');
    });

    test('a call nobody answers fails with the same timeout error on every transport', async () => {
      const t = topic('nobody');
      const transport = await open();
      const started = Date.now();
      await assert.rejects(transport.call({ topic: t, server: 'x' }, msg('ping'), { timeoutMs: 150 }), (e: unknown) => {
        assert.ok(isRpcError(e, 'timeout'));
        assert.equal(e.message, `timeout: no reply to ping on ${t}.x within 150 ms`);
        assert.deepEqual(e.details, { topic: t, server: 'x', method: 'ping', timeoutMs: 150 });
        return true;
      });
      assert.ok(Date.now() - started >= 145);
      const client = new RpcClient({ transport, target: { topic: t }, timeout: 0.1 });
      await assert.rejects(
        client.call({}, 'ping'),
        (e: unknown) => isRpcError(e, 'timeout') && e.message === `timeout: no reply to ping on ${t} within 100 ms`,
      );
    });

    test('a handler slower than the timeout: timeout, and the late reply is dropped', async () => {
      const t = topic('slow');
      await serve(t, 's', { slow: () => sleep(300).then(() => 'late'), fast: () => 'fast' });
      const client = new RpcClient({ transport: await open(), target: { topic: t }, timeoutMs: 100 });
      await assert.rejects(client.call({}, 'slow'), (e: unknown) => isRpcError(e, 'timeout'));
      await sleep(300);
      assert.equal(await client.prepare({ timeoutMs: 5000 }).call({}, 'fast'), 'fast');
    });

    test('close() fails the calls in flight and refuses later ones, with the same errors everywhere', async () => {
      const t = topic('close');
      const release = deferred();
      await serve(t, 's', { hang: () => release.promise });
      const transport = await open();
      const pending = transport.call({ topic: t }, msg('hang'), { timeoutMs: 10_000 }).then(
        () => 'answered',
        (e: unknown) => e,
      );
      await sleep(100);
      await transport.close();
      await assert.rejects(
        pending.then((e) => Promise.reject(e)),
        (e: unknown) => {
          assert.ok(isRpcError(e, 'transport'));
          assert.equal(e.message, `transport: the transport is closed; hang on ${t} may or may not have run`);
          return true;
        },
      );
      await assert.rejects(
        transport.call({ topic: t }, msg('again'), { timeoutMs: 1000 }),
        (e: unknown) => isRpcError(e, 'transport') && e.message === 'transport: the transport is closed: again has no reply',
      );
      await assert.rejects(
        transport.cast({ topic: t }, msg('again')),
        (e: unknown) => isRpcError(e, 'transport') && e.message === 'transport: the transport is closed: again has no reply',
      );
      release.resolve(undefined);
    });

    test('a call with fanout is refused, on the transport and on the client, before anything is sent', async () => {
      const t = topic('fanout_call');
      let ran = 0;
      await serve(t, 's', { m: () => ++ran });
      const transport = await open();
      await assert.rejects(
        transport.call({ topic: t, fanout: true }, msg('m'), { timeoutMs: 1000 }),
        (e: unknown) => isRpcError(e, 'invalid_target') && /cannot be fanned out/.test(e.message),
      );
      await assert.rejects(
        new RpcClient({ transport, target: { topic: t } }).prepare({ fanout: true }).call({}, 'm'),
        (e: unknown) => isRpcError(e, 'invalid_target') && /cannot be fanned out/.test(e.message),
      );
      await sleep(100);
      assert.equal(ran, 0);
    });

    test('an empty or malformed topic, and a malformed timeout, are refused with invalid_target', async () => {
      const transport = await open();
      for (const bad of ['', ' ', 'a b', '.x']) {
        await assert.rejects(
          transport.call({ topic: bad }, msg('m'), { timeoutMs: 1000 }),
          (e: unknown) => isRpcError(e, 'invalid_target') && /target\.topic/.test(e.message),
        );
        await assert.rejects(transport.cast({ topic: bad }, msg('m')), (e: unknown) => isRpcError(e, 'invalid_target'));
        await assert.rejects(
          transport.listen({ topic: bad }, async () => ({ result: null })),
          (e: unknown) => isRpcError(e, 'invalid_target'),
        );
      }
      for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '5' as unknown as number]) {
        await assert.rejects(
          transport.call({ topic: 'x' }, msg('m'), { timeoutMs }),
          (e: unknown) => isRpcError(e, 'invalid_target') && /timeoutMs/.test(e.message),
        );
      }
    });

    test("a handler's thrown error reaches the caller as a failure, never as the server's own object", async () => {
      const t = topic('throws');
      await serve(
        t,
        's',
        {
          plain: () => {
            throw Object.assign(new Error('plain failure'), { secret: 'db password' });
          },
          quota: () => {
            throw new QuotaExceeded('over quota', 'cores');
          },
          range: () => {
            throw new RangeError('bad range');
          },
          rpc: () => {
            throw new RpcError('unsupported_version', 'thrown by the method', { details: { why: 'test' } });
          },
        },
        { allowedErrors: [QuotaExceeded] },
      );
      const transport = await open();
      const plain = await transport.call({ topic: t }, msg('plain'), { timeoutMs: 5000 });
      assert.deepEqual(plain, {
        failure: { class: 'Exception', module: 'builtins', message: 'plain failure', args: ['plain failure'], kwargs: {}, tb: [] },
      });
      const quota = await transport.call({ topic: t }, msg('quota'), { timeoutMs: 5000 });
      assert.deepEqual(quota.failure, {
        class: 'QuotaExceeded',
        module: '',
        message: 'over quota',
        args: ['over quota'],
        kwargs: { resource: 'cores' },
        tb: [],
      });
      const client = new RpcClient({ transport, target: { topic: t }, timeoutMs: 5000, allowedRemoteErrors: [QuotaExceeded] });
      await assert.rejects(client.call({}, 'plain'), (e: unknown) => {
        assert.ok(isRpcError(e, 'remote'));
        assert.equal(e.message, 'remote: remote error builtins.Exception: plain failure');
        assert.doesNotMatch(JSON.stringify(e.details), /db password/);
        return true;
      });
      await assert.rejects(client.call({}, 'range'), (e: unknown) => isRpcError(e, 'remote') && e.details['class'] === 'ValueError');
      await assert.rejects(
        client.call({}, 'quota'),
        (e: unknown) => isRpcError(e, 'remote') && e.cause instanceof QuotaExceeded && e.cause.resource === 'cores',
      );
      await assert.rejects(
        client.call({}, 'rpc'),
        (e: unknown) =>
          isRpcError(e, 'unsupported_version') && e.details['remote'] === true && e.message === 'unsupported_version: thrown by the method',
      );
    });

    test('dispatch errors are typed: no such method, unsupported version, private names', async () => {
      const t = topic('dispatch');
      await serve(t, 's', { target: { version: '1.2' }, ping: () => 'pong', _private: () => 'no' });
      const client = new RpcClient({ transport: await open(), target: { topic: t }, timeoutMs: 5000 });
      assert.equal(await client.prepare({ version: '1.1' }).call({}, 'ping'), 'pong');
      await assert.rejects(client.call({}, 'nope'), (e: unknown) => isRpcError(e, 'no_such_method'));
      await assert.rejects(client.call({}, '_private'), (e: unknown) => isRpcError(e, 'no_such_method'));
      await assert.rejects(client.call({}, 'constructor'), (e: unknown) => isRpcError(e, 'no_such_method'));
      await assert.rejects(client.prepare({ version: '1.3' }).call({}, 'ping'), (e: unknown) => isRpcError(e, 'unsupported_version'));
      await assert.rejects(client.prepare({ version: '2.0' }).call({}, 'ping'), (e: unknown) => isRpcError(e, 'unsupported_version'));
    });

    test('a result JSON cannot carry (a BigInt, a cycle) fails the call at once with invalid_message, not a timeout', async () => {
      const t = topic('bigint');
      const cycle: Record<string, unknown> = {};
      cycle['self'] = cycle;
      await serve(t, 's', { big: () => 10n, cyclic: () => cycle });
      const client = new RpcClient({ transport: await open(), target: { topic: t }, timeoutMs: 10_000 });
      for (const method of ['big', 'cyclic']) {
        const started = Date.now();
        await assert.rejects(
          client.call({}, method),
          (e: unknown) =>
            isRpcError(e, 'invalid_message') &&
            e.details['remote'] === true &&
            new RegExp(`the result of ${method} cannot be sent as JSON`).test(e.message),
        );
        assert.ok(Date.now() - started < 2000);
      }
      // An argument JSON cannot carry is refused before sending.
      await assert.rejects(client.call({}, 'big', { n: 1n }), (e: unknown) => isRpcError(e, 'invalid_message'));
    });

    test('a handler that resolves with something other than a reply answers with invalid_message', async () => {
      const t = topic('garbage_reply');
      const transport = await open();
      await transport.listen({ topic: t }, (async () => 42) as never);
      const reply = await (await open()).call({ topic: t }, msg('m'), { timeoutMs: 5000 });
      assert.equal(reply.failure?.class, 'RpcError');
      assert.equal(reply.failure?.kwargs?.['code'], 'invalid_message');
    });

    test('a cast resolves before its handler runs; a failing cast rejects nobody; a fanout cast reaches every server once', async () => {
      const t = topic('cast');
      const seen: string[] = [];
      const release = deferred();
      const all = deferred();
      for (const s of ['a', 'b']) {
        await serve(
          t,
          s,
          {
            slow: async () => {
              await release.promise;
              seen.push(`slow:${s}`);
            },
            fail: () => {
              throw new Error('cast failure');
            },
            refresh: () => {
              seen.push(`refresh:${s}`);
              if (seen.filter((x) => x.startsWith('refresh')).length === 2) all.resolve();
            },
          },
          { onError: () => undefined },
        );
      }
      const client = new RpcClient({ transport: await open(), target: { topic: t } });
      await client.prepare({ server: 'a' }).cast({}, 'slow');
      assert.deepEqual(seen, []);
      release.resolve();
      await client.cast({}, 'fail');
      await client.prepare({ fanout: true }).cast({}, 'refresh');
      await all.promise;
      await sleep(200);
      assert.deepEqual(seen.sort(), ['refresh:a', 'refresh:b', 'slow:a']);
    });

    test('a stopped server receives nothing more and its call in flight still completes', async () => {
      const t = topic('stop');
      const release = deferred();
      const server = await serve(t, 's', { hang: () => release.promise.then(() => 'finished'), ping: () => 'pong' });
      const client = new RpcClient({ transport: await open(), target: { topic: t }, timeoutMs: 5000 });
      const inFlight = client.call({}, 'hang');
      await sleep(200);
      const stopping = server.stop();
      release.resolve();
      await stopping;
      assert.equal(await inFlight, 'finished');
      await assert.rejects(client.prepare({ timeoutMs: 300 }).call({}, 'ping'), (e: unknown) => isRpcError(e, 'timeout'));
    });

    // Registered only for a transport whose factory can cut its connections (see TransportFactory).
    const drop = factory.dropConnections?.bind(factory);
    if (drop)
      test('the broker closing every connection: calls in flight and sent meanwhile are answered once, casts delivered once', async () => {
        const t = topic('drop');
        const ran = new Map<string, number>();
        const count = (id: string) => ran.set(id, (ran.get(id) ?? 0) + 1);
        const casts = deferred();
        // Two servers of the topic: a message delivered twice would reach both (each drops its own duplicates).
        for (const s of ['s', 's2'])
          await serve(t, s, {
            twice: async (_c: unknown, a: { id: string; n: number }) => {
              count(a.id);
              await sleep(20);
              return a.n * 2;
            },
            note: (_c: unknown, a: { id: string }) => {
              count(a.id);
              if (ran.get('c1') && ran.get('c2')) casts.resolve();
            },
          });
        const client = new RpcClient({ transport: await open(), target: { topic: t }, timeoutMs: 10_000 });
        const before = client.call({}, 'twice', { id: 'a', n: 1 });
        const inFlight = sleep(5).then(() => client.call({}, 'twice', { id: 'b', n: 2 }));
        await sleep(10);
        const dropped = Date.now();
        const back = drop(400);
        await client.cast({}, 'note', { id: 'c1' });
        const meanwhile = client.call({}, 'twice', { id: 'd', n: 4 });
        await assert.rejects(client.prepare({ timeoutMs: 150 }).call({}, 'twice', { id: 'e', n: 5 }), (e: unknown) =>
          isRpcError(e, 'timeout'),
        );
        await client.cast({}, 'note', { id: 'c2' });
        assert.equal(ran.get('d'), undefined, 'nothing is delivered while the connections are down');
        await back;
        assert.deepEqual(await Promise.all([before, inFlight, meanwhile]), [2, 4, 8]);
        assert.ok(Date.now() - dropped >= 395);
        await casts.promise;
        assert.equal(await client.call({}, 'twice', { id: 'f', n: 6 }), 12);
        await sleep(100);
        // The call that timed out during the drop still ran once, when the connection came back (its reply dropped).
        assert.deepEqual(Object.fromEntries([...ran].sort()), { a: 1, b: 1, c1: 1, c2: 1, d: 1, e: 1, f: 1 });
      });

    test('the request context reaches the method, and a malformed version is refused typed', async () => {
      const t = topic('context');
      await serve(t, 's', { who: (c: Record<string, unknown>) => c['user_id'] });
      const transport = await open();
      const client = new RpcClient({ transport, target: { topic: t }, timeoutMs: 5000 });
      assert.equal(await client.call({ user_id: 'alice' }, 'who'), 'alice');
      const reply = await transport.call({ topic: t }, { ...msg('who'), version: 'one' }, { timeoutMs: 5000 });
      assert.equal(reply.failure?.kwargs?.['code'], 'invalid_message');
    });
  });
}
