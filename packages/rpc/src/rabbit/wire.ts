import { randomUUID } from 'node:crypto';
import { isRecord } from '@versioned/objects/internal';
import { RpcError } from '../errors.js';
import type { RpcMessage, RpcReply, SerializedFailure } from '../transport.js';
import { failureFromOslo, failureToOslo } from './oslo-failures.js';

/** oslo.messaging's envelope keys and the only envelope version it writes (common.py). */
export const ENVELOPE_VERSION_KEY = 'oslo.version';
export const ENVELOPE_MESSAGE_KEY = 'oslo.message';
export const ENVELOPE_VERSION = '2.0';

/** The envelope as it travels in an AMQP body. */
export interface OsloEnvelope {
  readonly [ENVELOPE_VERSION_KEY]: string;
  readonly [ENVELOPE_MESSAGE_KEY]: string;
}

/** A request as oslo's amqpdriver writes it, before it is wrapped in the envelope. */
export interface OsloRequest {
  method: string;
  args: Record<string, unknown>;
  namespace?: string | null;
  version?: string;
  _msg_id?: string;
  _reply_q?: string;
  /** The caller's call-monitor timeout in seconds (oslo sends null when it has none). */
  _timeout?: number | null;
  _unique_id: string;
  [contextKey: `_context_${string}`]: unknown;
}

/** A reply: several may be sent for one call; the last has `ending: true`, earlier ones are heartbeats. */
export interface OsloReply {
  result: unknown;
  /** serialize_remote_exception's output: a JSON *string* of {class, module, message, tb, args, kwargs}. */
  failure: string | null;
  ending: boolean;
  _msg_id: string;
  _unique_id: string;
}

/** A request read off the wire, with the driver's bookkeeping split from the RPC message. */
export interface IncomingRequest {
  readonly message: RpcMessage;
  readonly uniqueId: string | undefined;
  /** Set on calls: where and under which id the reply goes. */
  readonly msgId: string | undefined;
  readonly replyQueue: string | undefined;
  /** The caller's call-monitor timeout in seconds, when it asked for heartbeats. */
  readonly callMonitorTimeoutS: number | undefined;
}

/** A reply read off the wire. `heartbeat` is a call-monitor keep-alive carrying nothing. */
export interface IncomingReply {
  readonly msgId: string;
  readonly uniqueId: string | undefined;
  readonly ending: boolean;
  readonly heartbeat: boolean;
  readonly reply: RpcReply;
}

const CONTEXT_PREFIX = '_context_';

/** oslo's ids are uuid4().hex: 32 lowercase hex digits, no dashes. */
export function newHexId(): string {
  return randomUUID().replaceAll('-', '');
}

export function encodeEnvelope(inner: object): Buffer {
  let payload: string;
  try {
    payload = JSON.stringify(inner);
  } catch (cause) {
    // A BigInt or a cycle that the serializer let through.
    throw new RpcError('invalid_message', `message is not JSON-serializable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
  const envelope: OsloEnvelope = { [ENVELOPE_VERSION_KEY]: ENVELOPE_VERSION, [ENVELOPE_MESSAGE_KEY]: payload };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

/** Parse an AMQP body into oslo's inner message; bodies without an envelope are taken as they are (oslo does the same). */
export function decodeEnvelope(body: Buffer): Record<string, unknown> {
  let outer: unknown;
  try {
    outer = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new RpcError('invalid_message', 'message body is not JSON', { cause });
  }
  if (!isRecord(outer)) throw new RpcError('invalid_message', `message body must be a JSON object, got ${typeName(outer)}`);
  if (!(ENVELOPE_VERSION_KEY in outer) || !(ENVELOPE_MESSAGE_KEY in outer)) return outer;
  const version = outer[ENVELOPE_VERSION_KEY];
  if (typeof version !== 'string' || version.split('.')[0] !== ENVELOPE_VERSION.split('.')[0]) {
    throw new RpcError('invalid_message', `unsupported oslo envelope version ${JSON.stringify(version)}, expected ${ENVELOPE_VERSION}`);
  }
  const payload = outer[ENVELOPE_MESSAGE_KEY];
  if (typeof payload !== 'string')
    throw new RpcError('invalid_message', `envelope "${ENVELOPE_MESSAGE_KEY}" must be a JSON string, got ${typeName(payload)}`);
  let inner: unknown;
  try {
    inner = JSON.parse(payload);
  } catch (cause) {
    throw new RpcError('invalid_message', `envelope "${ENVELOPE_MESSAGE_KEY}" is not valid JSON`, { cause });
  }
  if (!isRecord(inner))
    throw new RpcError('invalid_message', `envelope "${ENVELOPE_MESSAGE_KEY}" must hold an object, got ${typeName(inner)}`);
  return inner;
}

/** Build oslo's inner request for a message; `call` adds the reply routing. */
export function toOsloRequest(
  message: RpcMessage,
  call?: { msgId: string; replyQueue: string; callMonitorTimeoutS: number | undefined },
): OsloRequest {
  const request: OsloRequest = { method: message.method, args: { ...message.args }, _unique_id: newHexId() };
  // oslo's client omits namespace and version when unset; the server then reads null and 1.0.
  if (message.namespace !== null) request.namespace = message.namespace;
  if (message.version !== undefined) request.version = message.version;
  if (call) {
    request._msg_id = call.msgId;
    request._reply_q = call.replyQueue;
    request._timeout = call.callMonitorTimeoutS ?? null;
  }
  for (const [key, value] of Object.entries(message.context)) request[`${CONTEXT_PREFIX}${key}`] = value;
  return request;
}

/** Read an inner request (oslo's unpack_context plus the dispatcher's defaults). */
export function fromOsloRequest(inner: Record<string, unknown>): IncomingRequest {
  const { method, args = {}, namespace = null, version } = inner;
  if (typeof method !== 'string' || method === '')
    throw new RpcError('invalid_message', `request "method" must be a non-empty string, got ${typeName(method)}`);
  if (!isRecord(args))
    throw new RpcError('invalid_message', `request "args" must be an object, got ${typeName(args)}`, { details: { method } });
  if (namespace !== null && typeof namespace !== 'string')
    throw new RpcError('invalid_message', `request "namespace" must be a string or null, got ${typeName(namespace)}`, {
      details: { method },
    });
  if (version !== undefined && version !== null && typeof version !== 'string')
    throw new RpcError('invalid_message', `request "version" must be a string, got ${typeName(version)}`, { details: { method } });
  const context: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inner)) if (key.startsWith(CONTEXT_PREFIX)) context[key.slice(CONTEXT_PREFIX.length)] = value;
  const msgId = optionalString(inner._msg_id);
  const replyQueue = optionalString(inner._reply_q);
  const timeout = inner._timeout;
  return {
    message: { method, args, namespace, version: version ?? undefined, context },
    uniqueId: optionalString(inner._unique_id),
    msgId,
    replyQueue,
    callMonitorTimeoutS: typeof timeout === 'number' && Number.isFinite(timeout) ? timeout : undefined,
  };
}

/** The final reply to a call. */
export function toOsloReply(msgId: string, reply: RpcReply): OsloReply {
  return {
    result: reply.failure === undefined ? (reply.result ?? null) : null,
    failure: reply.failure === undefined ? null : serializeFailure(failureToOslo(reply.failure)),
    ending: true,
    _msg_id: msgId,
    _unique_id: newHexId(),
  };
}

/** A call-monitor heartbeat: no result, no failure, not ending (oslo's AMQPIncomingMessage.heartbeat). */
export function toOsloHeartbeat(msgId: string): OsloReply {
  return { result: null, failure: null, ending: false, _msg_id: msgId, _unique_id: newHexId() };
}

export function fromOsloReply(inner: Record<string, unknown>): IncomingReply {
  const msgId = inner._msg_id;
  if (typeof msgId !== 'string') throw new RpcError('invalid_message', `reply "_msg_id" must be a string, got ${typeName(msgId)}`);
  const failure = inner.failure ?? null;
  const result = inner.result ?? null;
  // oslo reads a missing `ending` as false and waits for more (pre-N servers sent result, then ending).
  const ending = inner.ending === true;
  const base = { msgId, uniqueId: optionalString(inner._unique_id), ending };
  if (failure !== null) return { ...base, heartbeat: false, reply: { failure: failureFromOslo(parseFailure(failure, msgId)) } };
  return { ...base, heartbeat: !ending && result === null, reply: { result } };
}

export function serializeFailure(failure: SerializedFailure): string {
  return JSON.stringify({
    class: failure.class,
    module: failure.module,
    message: failure.message,
    tb: failure.tb ?? [],
    args: failure.args ?? [failure.message],
    kwargs: failure.kwargs ?? {},
  });
}

/** oslo sends the failure as a JSON string; accept an already-parsed object too. */
export function parseFailure(raw: unknown, msgId?: string): SerializedFailure {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new RpcError('invalid_message', 'reply "failure" is not valid JSON', { cause, details: { msgId } });
    }
  }
  if (!isRecord(value) || typeof value.class !== 'string') {
    throw new RpcError('invalid_message', `reply "failure" must describe an exception with a "class", got ${typeName(value)}`, {
      details: { msgId },
    });
  }
  const failure: { -readonly [K in keyof SerializedFailure]: SerializedFailure[K] } = {
    class: value.class,
    module: typeof value.module === 'string' ? value.module : '',
    message: typeof value.message === 'string' ? value.message : '',
  };
  if (Array.isArray(value.args)) failure.args = value.args;
  if (isRecord(value.kwargs)) failure.kwargs = value.kwargs;
  if (Array.isArray(value.tb)) failure.tb = value.tb.map(String);
  return failure;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
