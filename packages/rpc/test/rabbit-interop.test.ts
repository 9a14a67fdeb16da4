import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectsRpcSerializer, RpcClient, RpcServer, isRpcError } from '../src/index.js';
import { BROKER_URL, deleteQueues, PythonProcess, TransportPool, uniqueName } from './rabbit-helpers.js';
import { deferred, sleep } from './helpers.js';
import { WIDGET_ID, Widget, registry } from './interop-widget.js';

// The real oslo.messaging 14 (Debian's python3-oslo.messaging) on the real broker, both directions.
// The Python side is test/interop/{server,client}.py; the classes below mirror interop_common.py.

/** interop_common.WidgetNotFound: raised with kwargs, rebuilt typed when allowed. */
class WidgetNotFound extends Error {
  static readonly rpcModule = 'interop_common';
  declare widget_id: string;
  constructor(message: string, widgetId?: string) {
    super(message);
    this.name = 'WidgetNotFound';
    if (widgetId !== undefined) this.widget_id = widgetId;
  }
}

const pool = new TransportPool();
const exchange = uniqueName('interop');
const processes: PythonProcess[] = [];
const queuesToDelete: string[] = [];

after(async () => {
  await Promise.allSettled(processes.map((p) => p.stop()));
  await pool.closeAll();
  await deleteQueues(queuesToDelete);
});

describe('a TypeScript client calling a Python oslo.messaging server', () => {
  const topic = uniqueName('py_server');
  let python: PythonProcess;
  let client: RpcClient;

  before(async () => {
    queuesToDelete.push(topic, `${topic}.py1`);
    python = PythonProcess.start('server.py', [exchange, topic, 'py1']);
    processes.push(python);
    assert.deepEqual(await python.nextJson(20_000), { ready: true }, python.diagnostics);
    const transport = await pool.connect({ exchange });
    client = new RpcClient({
      transport,
      target: { topic, version: '1.0' },
      serializer: new ObjectsRpcSerializer({ registry }),
      timeoutMs: 10_000,
      allowedRemoteErrors: [WidgetNotFound],
    });
  });

  test('a call at a compatible version succeeds, and the request context reaches the Python method', async () => {
    assert.deepEqual(await client.prepare({ version: '1.3' }).call({}, 'echo', { value: { a: [1, 'x'] } }), { a: [1, 'x'] });
    assert.equal(await client.call({ user_id: 'alice' }, 'context_value', { key: 'user_id' }), 'alice');
  });

  test("a call at a version the Python endpoint does not implement fails with 'unsupported_version'", async () => {
    await assert.rejects(client.prepare({ version: '1.4' }).call({}, 'echo', { value: 1 }), (e: unknown) =>
      isRpcError(e, 'unsupported_version'),
    );
    await assert.rejects(client.prepare({ version: '2.0' }).call({}, 'echo', { value: 1 }), (e: unknown) =>
      isRpcError(e, 'unsupported_version'),
    );
  });

  test("a method the compatible Python endpoint lacks fails with 'no_such_method'", async () => {
    await assert.rejects(client.call({}, 'frobnicate'), (e: unknown) => isRpcError(e, 'no_such_method'));
  });

  test('a namespaced endpoint is reached by namespace and version', async () => {
    assert.equal(await client.prepare({ namespace: 'admin', version: '2.0' }).call({}, 'ping'), 'admin-pong');
  });

  test('a call to topic.server reaches the named Python server', async () => {
    assert.equal(await client.prepare({ server: 'py1' }).call({}, 'whoami'), 'py1');
  });

  test('a capped cast is refused before sending: Python receives only the cast under the cap', async () => {
    const capped = client.prepare({ versionCap: '1.2' });
    await assert.rejects(capped.prepare({ version: '1.3' }).cast({}, 'record', { value: 'over the cap' }), (e: unknown) =>
      isRpcError(e, 'version_cap'),
    );
    await capped.prepare({ version: '1.2' }).cast({}, 'record', { value: 'under the cap' });
    assert.deepEqual(await python.nextJson(), { cast: 'under the cap', server: 'py1' });
  });

  test('a versioned object goes to Python as an object and comes back as a Widget instance', async () => {
    const widget = Widget.create({ id: WIDGET_ID, name: 'sprocket', size: 3 });
    const resized = await client.prepare({ version: '1.3' }).call<Widget>({}, 'resize', { widget, delta: 4 });
    assert.ok(resized instanceof Widget);
    assert.deepEqual([resized.id, resized.name, resized.size], [WIDGET_ID, 'sprocket', 7]);
    const made = await client.call<Widget>({}, 'make_widget', { id: WIDGET_ID, name: 'made in python' });
    assert.ok(made instanceof Widget);
    assert.equal(made.size, 7);
  });

  test('an allow-listed Python exception is rebuilt as our typed error with its kwargs, the cause of an RpcError remote', async () => {
    await assert.rejects(client.call({}, 'find_widget', { widget_id: 'w-42' }), (outer: unknown) => {
      assert.ok(isRpcError(outer, 'remote'), String(outer));
      const e = outer.cause;
      assert.ok(e instanceof WidgetNotFound, String(e));
      assert.equal(e.widget_id, 'w-42');
      assert.equal(e.message, 'Widget w-42 could not be found.');
      return true;
    });
  });

  test("a Python exception not on the allow-list is an RpcError 'remote' naming its class", async () => {
    await assert.rejects(client.call({}, 'explode'), (e: unknown) => {
      assert.ok(isRpcError(e, 'remote'), String(e));
      assert.equal(e.details['class'], 'RuntimeError');
      assert.match(e.message, /the Python server exploded/);
      return true;
    });
  });

  test('a Python server and ours share one topic: the same queue declarations, calls spread over both', async () => {
    queuesToDelete.push(`${topic}.ts2`);
    const transport = await pool.connect({ exchange });
    const ours = new RpcServer({
      transport,
      target: { topic, server: 'ts2' },
      endpoints: [{ target: { version: '1.3' }, whoami: () => 'ts2' }],
    });
    await ours.start();
    const seen = new Set<unknown>();
    for (let i = 0; i < 20 && seen.size < 2; i++) seen.add(await client.call({}, 'whoami'));
    await ours.stop();
    assert.deepEqual([...seen].sort(), ['py1', 'ts2']);
  });

  test('a slow Python method outlives our call-monitor timeout thanks to its heartbeats', async () => {
    const monitored = await pool.connect({ exchange, callMonitorTimeoutMs: 2000 });
    const slowClient = new RpcClient({ transport: monitored, target: { topic }, timeoutMs: 15_000 });
    assert.equal(await slowClient.call({}, 'slow', { seconds: 3, value: 'done' }), 'done');
  });
});

describe('a Python oslo.messaging client calling a TypeScript server', () => {
  const topic = uniqueName('ts_server');
  const casts: unknown[] = [];
  const castArrived = deferred();
  let python: PythonProcess;

  async function pythonCall(scenario: Record<string, unknown>): Promise<Record<string, unknown>> {
    python.send(scenario);
    return python.nextJson(20_000);
  }

  before(async () => {
    queuesToDelete.push(topic, `${topic}.ts1`);
    // oslo's own transport URL form, as a deployment's nova.conf would give it.
    const transport = await pool.connect({ exchange, url: BROKER_URL.replace(/^amqp:/, 'rabbit:') });
    const server = new RpcServer({
      transport,
      target: { topic, server: 'ts1' },
      serializer: new ObjectsRpcSerializer({ registry }),
      allowedErrors: [WidgetNotFound],
      endpoints: [
        {
          target: { version: '1.3' },
          echo: (_ctx: unknown, { value }: Record<string, unknown>) => value,
          contextValue: (ctx: Record<string, unknown>, { key }: Record<string, unknown>) => ctx[key as string],
          resize: (_ctx: unknown, { widget, delta }: Record<string, unknown>) => {
            assert.ok(widget instanceof Widget, 'the argument arrives as a Widget');
            widget.size += delta as number;
            return widget;
          },
          find_widget: (_ctx: unknown, { widget_id }: Record<string, unknown>) => {
            throw new WidgetNotFound(`Widget ${String(widget_id)} could not be found.`, widget_id as string);
          },
          explode: () => {
            throw new Error('the TypeScript server exploded');
          },
          explodeRange: () => {
            throw new RangeError('out of range');
          },
          explodeCustom: () => {
            throw new (class Boom extends Error {})('boom');
          },
          slow: async (_ctx: unknown, { value }: Record<string, unknown>) => {
            await sleep(3200);
            return value;
          },
          record: (_ctx: unknown, { value }: Record<string, unknown>) => {
            casts.push(value);
            castArrived.resolve();
          },
        },
      ],
    });
    await server.start();
    python = PythonProcess.start('client.py', [exchange, topic]);
    processes.push(python);
  });

  test('a call at a compatible version succeeds, with the request context', async () => {
    assert.deepEqual(await pythonCall({ method: 'echo', args: { value: [1, 'two'] }, version: '1.2' }), { ok: true, result: [1, 'two'] });
    assert.deepEqual(await pythonCall({ method: 'contextValue', args: { key: 'project_id' }, context: { project_id: 'p-9' } }), {
      ok: true,
      result: 'p-9',
    });
  });

  test("a call at an incompatible version reaches Python as oslo's UnsupportedVersion", async () => {
    const answer = await pythonCall({ method: 'echo', args: { value: 1 }, version: '1.4' });
    assert.equal(answer['ok'], false);
    assert.equal((answer['error'] as Record<string, unknown>)['remote_class'], 'UnsupportedVersion');
  });

  test("Python's own version cap refuses a call above it before sending", async () => {
    const answer = await pythonCall({ method: 'echo', args: { value: 1 }, version: '1.3', version_cap: '1.2' });
    assert.equal((answer['error'] as Record<string, unknown>)['class'], 'RPCVersionCapError');
  });

  test('a Python Widget arrives as our Widget instance and goes back to Python as a Widget', async () => {
    const answer = await pythonCall({
      method: 'resize',
      args: { widget: { $widget: { id: WIDGET_ID, name: 'py', size: 1 } }, delta: 5 },
      version: '1.3',
    });
    assert.deepEqual(answer, { ok: true, result: { $widget: { id: WIDGET_ID, name: 'py', size: 6 }, $version: '1.1' } });
  });

  test('a Python caller that puts obj_manifest in its context gets the reply backported to its pins', async () => {
    const widget = { $widget: { id: WIDGET_ID, name: 'py', size: 1 } };
    const answer = await pythonCall({
      method: 'resize',
      args: { widget, delta: 5 },
      version: '1.3',
      context: { obj_manifest: { Widget: '1.0' } },
    });
    assert.deepEqual(answer, { ok: true, result: { $widget: { id: WIDGET_ID, name: 'py' }, $version: '1.0' } });
  });

  test('our allow-listed error is rebuilt in Python as the typed exception, with its kwargs', async () => {
    const answer = await pythonCall({ method: 'find_widget', args: { widget_id: 'w-7' } });
    const error = answer['error'] as Record<string, unknown>;
    assert.equal(error['class'], 'WidgetNotFound_Remote');
    assert.equal(error['module'], 'interop_common_Remote');
    assert.deepEqual(error['kwargs'], { widget_id: 'w-7' });
    assert.equal(error['message'], 'Widget w-7 could not be found.');
  });

  test('a built-in JavaScript error is rebuilt by Python as the matching built-in exception, without a warning', async () => {
    const plain = (await pythonCall({ method: 'explode' }))['error'] as Record<string, unknown>;
    assert.deepEqual([plain['class'], plain['module'], plain['message']], ['Exception', 'builtins', 'the TypeScript server exploded']);
    const range = (await pythonCall({ method: 'explodeRange' }))['error'] as Record<string, unknown>;
    assert.deepEqual([range['class'], range['module'], range['message']], ['ValueError', 'builtins', 'out of range']);
    assert.doesNotMatch(python.diagnostics, /Failed to rebuild remote exception/);
  });

  test("any other error of ours reaches Python as oslo's RemoteError naming the class", async () => {
    const answer = await pythonCall({ method: 'explodeCustom' });
    const error = answer['error'] as Record<string, unknown>;
    assert.equal(error['class'], 'RemoteError');
    assert.equal(error['remote_class'], 'Boom');
    assert.doesNotMatch(python.diagnostics, /Failed to rebuild remote exception/);
  });

  test('a slow TypeScript method outlives the Python call-monitor timeout thanks to our heartbeats', async () => {
    assert.deepEqual(await pythonCall({ method: 'slow', args: { value: 'late' }, timeout: 15, call_monitor_timeout: 2 }), {
      ok: true,
      result: 'late',
    });
  });

  test('a fanout cast from Python reaches our server', async () => {
    assert.deepEqual(await pythonCall({ method: 'record', args: { value: 'to all' }, kind: 'cast', fanout: true }), {
      ok: true,
      result: null,
    });
    await castArrived.promise;
    assert.deepEqual(casts, ['to all']);
  });
});
