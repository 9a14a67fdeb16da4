import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { f } from '@versioned/objects';
import { ObjectsRpcSerializer, RpcServer, defineRpcApi, isRpcError } from '../src/index.js';
import { PythonProcess, TransportPool, deleteQueues, uniqueName } from './rabbit-helpers.js';
import { RecordingTransport } from './helpers.js';
import { WIDGET_ID, Widget, registry } from './interop-widget.js';

// Declared APIs on the TypeScript side, the real oslo.messaging on the other, over the real broker: the wire
// is oslo's. The Python side is test/interop/{server,client}.py (WidgetAPI at 1.3).

/** interop_common's WidgetAPI, declared: what each version added. */
function widgetApi(topic: string) {
  return defineRpcApi({
    topic,
    history: [
      {
        version: '1.0',
        release: 'A',
        note: 'Initial version',
        methods: {
          echo: { args: { value: f.untyped() }, result: f.untyped() },
          whoami: { result: f.string() },
          context_value: { args: { key: f.string() }, result: f.nullable(f.string()) },
        },
      },
      {
        version: '1.1',
        release: 'A',
        note: 'Adds make_widget and resize',
        methods: {
          make_widget: { args: { id: f.uuid(), name: f.string() }, result: f.object<Widget>('Widget') },
          resize: { args: { widget: f.object<Widget>('Widget'), delta: f.integer() }, result: f.object<Widget>('Widget') },
        },
      },
      { version: '1.2', release: 'B', note: 'Adds record (a cast)', methods: { record: { args: { value: f.string() } } } },
      {
        version: '1.3',
        release: 'B',
        note: 'echo takes a label',
        args: { echo: { label: { type: f.string(), optional: true, ifCapped: 'drop' } } },
      },
      { version: '1.4', release: 'C', note: 'Adds frobnicate, which the Python server (1.3) does not have', methods: { frobnicate: {} } },
    ],
  });
}

const pool = new TransportPool();
const exchange = uniqueName('interop_declared');
const processes: PythonProcess[] = [];
const queuesToDelete: string[] = [];

after(async () => {
  await Promise.allSettled(processes.map((p) => p.stop()));
  await pool.closeAll();
  await deleteQueues(queuesToDelete);
});

describe('a declared TypeScript client calling a Python oslo.messaging server', () => {
  const topic = uniqueName('py_declared');
  const api = widgetApi(topic);
  let python: PythonProcess;
  let client: ReturnType<typeof api.client>;

  before(async () => {
    queuesToDelete.push(topic, `${topic}.py1`);
    python = PythonProcess.start('server.py', [exchange, topic, 'py1']);
    processes.push(python);
    assert.deepEqual(await python.nextJson(20_000), { ready: true }, python.diagnostics);
    const transport = await pool.connect({ exchange });
    client = api.client({ transport, serializer: new ObjectsRpcSerializer({ registry }), timeoutMs: 10_000 });
  });

  test('calls go at the lowest version having their method and arguments, and Python serves them', async () => {
    assert.deepEqual(client.plan('echo', { value: 1 }).version, '1.0');
    assert.deepEqual(await client.call({}, 'echo', { value: { a: [1, 'x'] } }), { a: [1, 'x'] });
    assert.equal(await client.call({ user_id: 'alice' }, 'context_value', { key: 'user_id' }), 'alice');
    const widget = Widget.create({ id: WIDGET_ID, name: 'sprocket', size: 3 });
    assert.equal(client.plan('resize', { widget, delta: 4 }).version, '1.1');
    const resized = await client.call({}, 'resize', { widget, delta: 4 });
    assert.ok(resized instanceof Widget);
    assert.deepEqual([resized.id, resized.name, resized.size], [WIDGET_ID, 'sprocket', 7]);
    const made = await client.call({}, 'make_widget', { id: WIDGET_ID, name: 'made in python' });
    assert.ok(made instanceof Widget);
    assert.equal(made.size, 7);
  });

  test('a declared method newer than the Python endpoint is sent at its version and refused by Python as UnsupportedVersion', async () => {
    assert.equal(client.plan('frobnicate').version, '1.4');
    await assert.rejects(client.call({}, 'frobnicate'), (e: unknown) => isRpcError(e, 'unsupported_version'));
  });

  test('under a cap: the declared degradation applies, and a method above the cap is refused before sending; Python receives only what fits', async () => {
    const capped = client.prepare({ versionCap: '1.1' });
    assert.equal(capped.plan('echo', { value: 'v', label: 'dropped' }).version, '1.0');
    assert.equal(await capped.call({}, 'echo', { value: 'v', label: 'dropped' }), 'v');
    await assert.rejects(
      capped.cast({}, 'record', { value: 'over the cap' }),
      (e: unknown) => isRpcError(e, 'version_cap') && e.details['method'] === 'record' && e.details['needed'] === '1.2',
    );
    await client.prepare({ versionCap: '1.2' }).cast({}, 'record', { value: 'under the cap' });
    assert.deepEqual(await python.nextJson(), { cast: 'under the cap', server: 'py1' });
  });
});

describe('a Python oslo.messaging client calling a declared TypeScript server', () => {
  const topic = uniqueName('ts_declared');
  const api = widgetApi(topic);
  let python: PythonProcess;
  const ran: string[] = [];

  async function pythonCall(scenario: Record<string, unknown>): Promise<Record<string, unknown>> {
    python.send(scenario);
    return python.nextJson(20_000);
  }

  before(async () => {
    queuesToDelete.push(topic, `${topic}.ts1`);
    const transport = await pool.connect({ exchange });
    const server = new RpcServer({
      transport,
      target: { topic, server: 'ts1' },
      serializer: new ObjectsRpcSerializer({ registry }),
      endpoints: api.endpoints({
        echo: (_ctx, { value, label }) => (label === undefined ? value : { label, value }),
        whoami: () => 'ts1',
        context_value: (ctx, { key }) => (ctx[key] as string | undefined) ?? null,
        make_widget: (_ctx, { id, name }) => Widget.create({ id, name, size: 1 }),
        resize: (_ctx, { widget, delta }) => {
          ran.push('resize');
          widget.size += delta;
          return widget;
        },
        record: () => undefined,
        frobnicate: () => undefined,
      }),
    });
    await server.start();
    python = PythonProcess.start('client.py', [exchange, topic]);
    processes.push(python);
  });

  test('the endpoint serves the newest declared version: Python calls at 1.0 and 1.3 succeed, above fails as UnsupportedVersion', async () => {
    assert.deepEqual(await pythonCall({ method: 'echo', args: { value: [1, 'two'] }, version: '1.0' }), { ok: true, result: [1, 'two'] });
    assert.deepEqual(await pythonCall({ method: 'echo', args: { value: 1, label: 'l' }, version: '1.3' }), {
      ok: true,
      result: { label: 'l', value: 1 },
    });
    const answer = await pythonCall({ method: 'echo', args: { value: 1 }, version: '1.5' });
    assert.equal((answer['error'] as Record<string, unknown>)['remote_class'], 'UnsupportedVersion');
  });

  test('a Python Widget argument is decoded by its declared type and goes back to Python as a Widget', async () => {
    const answer = await pythonCall({
      method: 'resize',
      args: { widget: { $widget: { id: WIDGET_ID, name: 'py', size: 1 } }, delta: 5 },
      version: '1.1',
    });
    assert.deepEqual(answer, { ok: true, result: { $widget: { id: WIDGET_ID, name: 'py', size: 6 }, $version: '1.1' } });
  });

  test('a bad argument from Python is answered with the typed error naming method.argument, and the method never runs', async () => {
    ran.length = 0;
    const answer = await pythonCall({
      method: 'resize',
      args: { widget: { $widget: { id: WIDGET_ID, name: 'py', size: 1 } }, delta: 'lots' },
      version: '1.1',
    });
    const error = answer['error'] as Record<string, unknown>;
    assert.equal(answer['ok'], false);
    assert.equal(error['remote_class'], 'RpcError');
    assert.match(String(error['message']), /invalid_argument: resize\.delta: expected an integer, got "lots"/);
    assert.deepEqual(ran, []);
  });

  test('an argument the called version does not have is refused; a method newer than the call is NoSuchMethod', async () => {
    const tooNew = await pythonCall({ method: 'echo', args: { value: 1, label: 'l' }, version: '1.2' });
    assert.match(String((tooNew['error'] as Record<string, unknown>)['message']), /echo\.label: new in 1\.3, but the call is at 1\.2/);
    const method = await pythonCall({
      method: 'resize',
      args: { widget: { $widget: { id: WIDGET_ID, name: 'py', size: 1 } }, delta: 1 },
      version: '1.0',
    });
    assert.equal((method['error'] as Record<string, unknown>)['remote_class'], 'NoSuchMethod');
    assert.deepEqual(ran, []);
  });

  test('no declared client would have sent those: the same calls are refused on our side before sending', async () => {
    const local = api.client({ transport: new RecordingTransport() });
    await assert.rejects(
      local.call({}, 'resize', { widget: Widget.create({ id: WIDGET_ID, name: 'x', size: 1 }), delta: 'lots' as unknown as number }),
      (e: unknown) => isRpcError(e, 'invalid_argument') && e.details['path'] === 'resize.delta',
    );
  });
});
