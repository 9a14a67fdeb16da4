import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRpcError } from '../src/index.js';
import { fromFailure } from '../src/failure.js';
import { RecentIds } from '../src/rabbit/recent-ids.js';
import { publishOptions } from '../src/rabbit/topology.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  fromOsloReply,
  fromOsloRequest,
  toOsloHeartbeat,
  toOsloReply,
  toOsloRequest,
} from '../src/rabbit/wire.js';
import { INTEROP_DIR } from './rabbit-helpers.js';

/** A message oslo.messaging 14 put on the wire, captured with a raw AMQP consumer (see test/interop/captured). */
interface Captured {
  fields: { exchange: string; routingKey: string };
  properties: Record<string, unknown>;
  content: string;
}
function captured(name: string): Captured {
  return JSON.parse(readFileSync(join(INTEROP_DIR, 'captured', name), 'utf8')) as Captured;
}
function innerOf(message: Captured): Record<string, unknown> {
  return decodeEnvelope(Buffer.from(message.content, 'utf8'));
}

test('a call captured from a Python client parses into method, args, namespace, version, context and reply routing', () => {
  const request = fromOsloRequest(innerOf(captured('python-call.json')));
  assert.equal(request.message.method, 'resize');
  assert.equal(request.message.namespace, 'widgets');
  assert.equal(request.message.version, '1.2');
  assert.deepEqual(request.message.context, { user_id: 'u1', project_id: 'p1' });
  assert.equal((request.message.args['widget'] as Record<string, unknown>)['versioned_object.name'], 'Widget');
  assert.equal(request.message.args['delta'], 2);
  assert.match(request.msgId!, /^[0-9a-f]{32}$/);
  assert.match(request.replyQueue!, /^reply_[0-9a-f]{32}$/);
  assert.match(request.uniqueId!, /^[0-9a-f]{32}$/);
  assert.equal(request.callMonitorTimeoutS, 10);
});

test('a cast captured from Python has no reply routing, and a missing namespace and version read as null and unset', () => {
  const request = fromOsloRequest(innerOf(captured('python-cast-server.json')));
  assert.equal(request.msgId, undefined);
  assert.equal(request.replyQueue, undefined);
  assert.equal(request.message.namespace, null);
  assert.equal(request.message.version, undefined);
  assert.deepEqual(request.message.args, { value: 2 });
});

test('our call envelope has exactly the keys and AMQP properties of the captured Python call', () => {
  const python = captured('python-call.json');
  const ours = toOsloRequest(
    { method: 'resize', args: { delta: 2 }, namespace: 'widgets', version: '1.2', context: { user_id: 'u1', project_id: 'p1' } },
    { msgId: 'a'.repeat(32), replyQueue: `reply_${'b'.repeat(32)}`, callMonitorTimeoutS: 10 },
  );
  const outer = JSON.parse(encodeEnvelope(ours).toString('utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(outer).sort(), Object.keys(JSON.parse(python.content) as object).sort());
  assert.equal(outer['oslo.version'], '2.0');
  assert.equal(typeof outer['oslo.message'], 'string');
  assert.deepEqual(Object.keys(innerOf({ ...python, content: JSON.stringify(outer) })).sort(), Object.keys(innerOf(python)).sort());
  assert.deepEqual(publishOptions(1000), python.properties);
});

test('our cast omits the reply keys, as Python does, and carries the same properties without expiration', () => {
  const python = captured('python-cast-server.json');
  const ours = toOsloRequest({ method: 'record', args: { value: 2 }, namespace: null, version: undefined, context: {} });
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(innerOf(python)).sort());
  assert.deepEqual(publishOptions(), python.properties);
});

test('a fanout cast from Python goes to the <topic>_fanout exchange', () => {
  const python = captured('python-cast-fanout.json');
  assert.equal(python.fields.exchange, 'captopic_fanout');
  assert.equal(fromOsloRequest(innerOf(python)).message.method, 'record');
});

test('a result reply from a Python server is final and carries the result', () => {
  const reply = fromOsloReply(innerOf(captured('python-reply-result.json')));
  assert.equal(reply.ending, true);
  assert.equal(reply.heartbeat, false);
  assert.deepEqual(reply.reply, { result: { n: 1 } });
});

test('a failure reply from Python (a JSON string inside the message) parses into class, module, message, kwargs and traceback', () => {
  const reply = fromOsloReply(innerOf(captured('python-reply-failure.json')));
  const failure = reply.reply.failure!;
  assert.equal(failure.class, 'WidgetNotFound');
  assert.equal(failure.module, 'interop_common');
  assert.equal(failure.message, 'Widget w1 could not be found.');
  assert.deepEqual(failure.kwargs, { widget_id: 'w1' });
  assert.ok(failure.tb!.join('').includes('Traceback'));
});

test('a call-monitor heartbeat from Python is recognised as a heartbeat, not a result', () => {
  const reply = fromOsloReply(innerOf(captured('python-reply-heartbeat.json')));
  assert.equal(reply.heartbeat, true);
  assert.equal(reply.ending, false);
});

test('our reply has the keys of a Python reply, with the failure as a JSON string', () => {
  const python = innerOf(captured('python-reply-failure.json'));
  const ours = toOsloReply('c'.repeat(32), {
    failure: { class: 'WidgetNotFound', module: 'interop_common', message: 'gone', kwargs: { widget_id: 'w1' } },
  });
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(python).sort());
  assert.equal(typeof ours.failure, 'string');
  assert.deepEqual(JSON.parse(ours.failure!), {
    class: 'WidgetNotFound',
    module: 'interop_common',
    message: 'gone',
    tb: [],
    args: ['gone'],
    kwargs: { widget_id: 'w1' },
  });
  assert.deepEqual(Object.keys(toOsloHeartbeat('d'.repeat(32))).sort(), Object.keys(python).sort());
});

test("Python's UnsupportedVersion reaches our client as RpcError 'unsupported_version'", () => {
  const python = innerOf(captured('python-reply-failure.json'));
  const failure = JSON.stringify({
    class: 'UnsupportedVersion',
    module: 'oslo_messaging.rpc.dispatcher',
    message: 'Endpoint does not support RPC version 2.0',
    args: [],
    kwargs: {},
  });
  const reply = fromOsloReply({ ...python, failure });
  const error = fromFailure(reply.reply.failure!);
  assert.ok(isRpcError(error, 'unsupported_version'), String(error));
});

test("our RpcError 'no_such_method' goes out as oslo's NoSuchMethod so a Python caller recognises it", () => {
  const ours = toOsloReply('e'.repeat(32), {
    failure: { class: 'RpcError', module: '@versioned/rpc', message: 'no method frob', kwargs: { code: 'no_such_method' } },
  });
  const sent = JSON.parse(ours.failure!) as Record<string, unknown>;
  assert.deepEqual([sent['class'], sent['module'], sent['kwargs']], ['NoSuchMethod', 'oslo_messaging.rpc.dispatcher', {}]);
  assert.ok(isRpcError(fromFailure(fromOsloReply(ours as unknown as Record<string, unknown>).reply.failure!), 'no_such_method'));
});

test('a body that is not JSON is an invalid_message error, not a SyntaxError', () => {
  assert.throws(
    () => decodeEnvelope(Buffer.from('{nope')),
    (e: unknown) => isRpcError(e, 'invalid_message'),
  );
});

test('an envelope of another major version is refused, naming the version', () => {
  const body = Buffer.from(JSON.stringify({ 'oslo.version': '3.0', 'oslo.message': '{}' }));
  assert.throws(
    () => decodeEnvelope(body),
    (e: unknown) => isRpcError(e, 'invalid_message') && /3\.0/.test(e.message),
  );
});

test('a message that cannot become JSON is an invalid_message error, not a TypeError', () => {
  assert.throws(
    () => encodeEnvelope({ method: 'm', args: { n: 1n } }),
    (e: unknown) => isRpcError(e, 'invalid_message'),
  );
});

test('a request without a method is refused, naming the field', () => {
  assert.throws(
    () => fromOsloRequest({ args: {} }),
    (e: unknown) => isRpcError(e, 'invalid_message') && /"method"/.test(e.message),
  );
});

test('the duplicate window remembers only the most recent ids', () => {
  const recent = new RecentIds(2);
  assert.equal(recent.seen('a'), false);
  assert.equal(recent.seen('a'), true);
  recent.seen('b');
  recent.seen('c');
  assert.equal(recent.size, 2);
  assert.equal(recent.seen('a'), false, 'a was forgotten when c arrived');
});
