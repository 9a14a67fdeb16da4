import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryTransport, RpcClient, RpcError, isRpcError, type RpcSerializer } from '../src/index.js';
import { RecordingTransport } from './helpers.js';

const target = { topic: 'conductor', version: '2.0' };

test('a call above the cap fails with version_cap naming both versions, and nothing reaches the transport', async () => {
  const transport = new RecordingTransport();
  const client = new RpcClient({ transport, target, versionCap: '2.1' });
  await assert.rejects(client.prepare({ version: '2.3' }).call({}, 'build', {}), (err: unknown) => {
    assert.ok(isRpcError(err, 'version_cap'));
    assert.match(err.message, /message version 2\.3 is above the version cap 2\.1/);
    assert.deepEqual({ version: err.details['version'], versionCap: err.details['versionCap'] }, { version: '2.3', versionCap: '2.1' });
    return true;
  });
  assert.equal(transport.sent.length, 0);
});

test('a cast above the cap fails the same way before sending', async () => {
  const transport = new RecordingTransport();
  const client = new RpcClient({ transport, target, versionCap: '2.1' });
  await assert.rejects(client.prepare({ version: '2.2' }).cast({}, 'build', {}), { code: 'version_cap' });
  assert.equal(transport.sent.length, 0);
});

test('a capped call never reaches the serializer either', async () => {
  const touched: string[] = [];
  const serializer: RpcSerializer = {
    serializeEntity: (_c, e) => (touched.push('entity'), e),
    deserializeEntity: (_c, p) => p,
    serializeContext: (c) => (touched.push('context'), { ...c }),
    deserializeContext: (p) => ({ ...p }),
  };
  const client = new RpcClient({ transport: new RecordingTransport(), target, versionCap: '2.0', serializer });
  await assert.rejects(client.prepare({ version: '2.1' }).call({}, 'build', { x: 1 }), { code: 'version_cap' });
  assert.deepEqual(touched, []);
});

test('a message of another major than the cap is refused too', async () => {
  const transport = new RecordingTransport();
  const client = new RpcClient({ transport, target: { topic: 'conductor', version: '3.0' }, versionCap: '2.9' });
  await assert.rejects(
    client.call({}, 'build'),
    (err: unknown) => isRpcError(err, 'version_cap') && /3\.0 .* the version cap 2\.9/.test(err.message),
  );
  assert.equal(transport.sent.length, 0);
});

test('a call at or below the cap is sent with its version, namespace and serialized context', async () => {
  const transport = new RecordingTransport({ result: 42 });
  const client = new RpcClient({ transport, target: { topic: 'conductor', namespace: 'baseapi', version: '2.0' }, versionCap: '2.1' });
  assert.equal(await client.prepare({ version: '2.1' }).call({ request_id: 'req-1' }, 'build', { size: 3 }), 42);
  assert.deepEqual(transport.sent[0]?.message, {
    method: 'build',
    args: { size: 3 },
    namespace: 'baseapi',
    version: '2.1',
    context: { request_id: 'req-1' },
  });
});

test('a client without a version sends no version and is checked against the cap as 1.0', async () => {
  const transport = new RecordingTransport();
  await new RpcClient({ transport, target: { topic: 't' }, versionCap: '1.0' }).call({}, 'ping');
  assert.equal(transport.sent[0]?.message.version, undefined);
  await assert.rejects(new RpcClient({ transport, target: { topic: 't' }, versionCap: '2.0' }).call({}, 'ping'), { code: 'version_cap' });
});

test('a cap source function is read on every call, so a change applies to the next call', async () => {
  const transport = new RecordingTransport();
  let cap: string | undefined = '2.0';
  const client = new RpcClient({ transport, target: { topic: 'conductor', version: '2.1' }, versionCap: () => cap });
  await assert.rejects(client.call({}, 'build'), { code: 'version_cap' });
  cap = '2.1';
  await client.call({}, 'build');
  cap = undefined;
  await client.prepare({ version: '2.9' }).call({}, 'build');
  assert.deepEqual(
    transport.sent.map((s) => s.message.version),
    ['2.1', '2.9'],
  );
});

test('a cap source object with current() is read on every call, also by prepared clients', async () => {
  const transport = new RecordingTransport();
  const source = {
    cap: '2.0' as string | undefined,
    current() {
      return this.cap;
    },
  };
  const prepared = new RpcClient({ transport, target, versionCap: source }).prepare({ version: '2.2' });
  assert.equal(prepared.canSendVersion(), false);
  source.cap = '2.5';
  assert.equal(prepared.canSendVersion(), true);
  await prepared.call({}, 'build');
  assert.equal(transport.sent.length, 1);
});

test('a cap source returning a malformed version fails with invalid_target naming it', async () => {
  const client = new RpcClient({ transport: new RecordingTransport(), target, versionCap: () => 'zed' });
  await assert.rejects(
    client.call({}, 'build'),
    (err: unknown) => isRpcError(err, 'invalid_target') && /version cap/.test(err.message) && /"zed"/.test(err.message),
  );
});

test('prepare returns a new client and leaves the original unchanged', () => {
  const base = new RpcClient({ transport: new RecordingTransport(), target: { topic: 'compute', version: '5.0' }, timeoutMs: 1000 });
  const derived = base.prepare({ version: '5.3', server: 'host-1', namespace: 'ns', timeoutMs: 50 });
  assert.notEqual(derived, base);
  assert.deepEqual({ ...base.target }, { topic: 'compute', version: '5.0', legacyNamespaces: undefined });
  assert.equal(base.timeoutMs, 1000);
  assert.equal(derived.target.version, '5.3');
  assert.equal(derived.target.server, 'host-1');
  assert.equal(derived.target.namespace, 'ns');
  assert.equal(derived.timeoutMs, 50);
});

test('a prepared target is frozen', () => {
  const derived = new RpcClient({ transport: new RecordingTransport(), target }).prepare({ server: 'h' });
  assert.ok(Object.isFrozen(derived.target));
  assert.throws(() => {
    (derived.target as { version: string }).version = '9.9';
  }, TypeError);
});

test('prepare with a key set to undefined clears that setting', () => {
  const pinned = new RpcClient({
    transport: new RecordingTransport(),
    target: { topic: 'compute', server: 'h1', version: '5.0' },
    versionCap: '5.0',
  });
  const anyServer = pinned.prepare({ server: undefined, versionCap: undefined });
  assert.equal(anyServer.target.server, undefined);
  assert.equal(anyServer.versionCap, undefined);
  assert.equal(pinned.target.server, 'h1');
  assert.equal(pinned.versionCap, '5.0');
});

test('prepare rejects a malformed version with invalid_target', () => {
  const client = new RpcClient({ transport: new RecordingTransport(), target });
  assert.throws(() => client.prepare({ version: '2' }), { code: 'invalid_target' });
});

test('canSendVersion is true without a cap and follows the version rule under one', () => {
  const uncapped = new RpcClient({ transport: new RecordingTransport(), target });
  assert.equal(uncapped.canSendVersion('99.0'), true);
  const capped = new RpcClient({ transport: new RecordingTransport(), target, versionCap: '2.10' });
  assert.equal(capped.canSendVersion('2.9'), true);
  assert.equal(capped.canSendVersion('2.10'), true);
  assert.equal(capped.canSendVersion('2.11'), false);
  assert.equal(capped.canSendVersion('1.0'), false);
  assert.equal(capped.canSendVersion(), true, "defaults to the client's own version, 2.0");
  assert.equal(capped.prepare({ version: '2.11' }).canSendVersion(), false);
});

test('a call with fanout is refused with invalid_target before sending', async () => {
  const transport = new RecordingTransport();
  const client = new RpcClient({ transport, target }).prepare({ fanout: true });
  await assert.rejects(client.call({}, 'build'), { code: 'invalid_target' });
  assert.equal(transport.sent.length, 0);
});

test('the default timeout is 60 seconds; timeout is seconds as in oslo, timeoutMs milliseconds, and both reach the transport in ms', async () => {
  const transport = new RecordingTransport();
  const client = new RpcClient({ transport, target });
  await client.call({}, 'ping');
  await client.prepare({ timeout: 5 }).call({}, 'ping');
  await client.prepare({ timeoutMs: 250 }).call({}, 'ping');
  await client.prepare({ timeout: 0.25, timeoutMs: 250 }).call({}, 'ping');
  await new RpcClient({ transport, target, timeout: 2 }).call({}, 'ping');
  assert.deepEqual(
    transport.sent.map((s) => s.timeoutMs),
    [60_000, 5000, 250, 250, 2000],
  );
});

test('timeout and timeoutMs that disagree, and timeouts a timer cannot hold, are refused with invalid_target', () => {
  const client = new RpcClient({ transport: new RecordingTransport(), target });
  assert.throws(
    () => client.prepare({ timeout: 5, timeoutMs: 5 }),
    (e: unknown) => isRpcError(e, 'invalid_target') && /seconds/.test(e.message),
  );
  assert.throws(() => client.prepare({ timeoutMs: 2 ** 31 }), { code: 'invalid_target' });
  assert.throws(() => client.prepare({ timeout: 1e12 }), { code: 'invalid_target' });
  assert.throws(() => client.prepare({ timeout: -1 }), { code: 'invalid_target' });
  assert.throws(() => new RpcClient({ transport: new RecordingTransport(), target, timeout: 1, timeoutMs: 2 }), { code: 'invalid_target' });
});

test('a call nobody answers fails with timeout after timeoutMs', async () => {
  const transport = new InMemoryTransport();
  const client = new RpcClient({ transport, target, timeoutMs: 30 });
  const started = Date.now();
  await assert.rejects(
    client.call({}, 'ping'),
    (err: unknown) => isRpcError(err, 'timeout') && /ping/.test(err.message) && /30 ms/.test(err.message),
  );
  assert.ok(Date.now() - started >= 25);
  await transport.close();
});

test('a malformed timeout is refused with invalid_target', () => {
  assert.throws(() => new RpcClient({ transport: new RecordingTransport(), target, timeoutMs: 0 }), { code: 'invalid_target' });
  assert.throws(() => new RpcClient({ transport: new RecordingTransport(), target, timeoutMs: Number.NaN }), { code: 'invalid_target' });
});

test('an empty method name is refused with invalid_message', async () => {
  await assert.rejects(new RpcClient({ transport: new RecordingTransport(), target }).call({}, ''), { code: 'invalid_message' });
});

test('call and cast reject with RpcError only: a transport that throws something else is wrapped as transport, a serializer refusal as invalid_message', async () => {
  const broken = new RecordingTransport();
  const boom = new Error('socket exploded');
  broken.call = async () => {
    throw boom;
  };
  broken.cast = async () => {
    throw 'not even an Error';
  };
  const client = new RpcClient({ transport: broken, target });
  await assert.rejects(
    client.call({}, 'ping'),
    (e: unknown) => isRpcError(e, 'transport') && e.cause === boom && e.message === 'transport: Error: socket exploded',
  );
  await assert.rejects(
    client.cast({}, 'ping'),
    (e: unknown) => isRpcError(e, 'transport') && /a non-Error value was thrown: "not even an Error"/.test(e.message),
  );
  const refusing: RpcSerializer = {
    serializeEntity: () => {
      throw new TypeError('cannot serialize');
    },
    deserializeEntity: (_c, p) => p,
    serializeContext: (c) => ({ ...c }),
    deserializeContext: (p) => ({ ...p }),
  };
  const strict = new RpcClient({ transport: new RecordingTransport(), target, serializer: refusing });
  await assert.rejects(strict.call({}, 'ping', { x: 1 }), (e: unknown) => isRpcError(e, 'invalid_message') && e.cause instanceof TypeError);
  await assert.rejects(strict.cast({}, 'ping', { x: 1 }), (e: unknown) => isRpcError(e, 'invalid_message') && e.cause instanceof TypeError);
  assert.equal(RpcError.from(new RpcError('timeout', 'x')).code, 'timeout');
  assert.equal(RpcError.from(42).code, 'remote');
});
