import { isRecord } from '@versioned/objects/internal';
import { RpcError, isRpcError } from './errors.js';
import { checkTimeoutMs } from './transport-contract.js';
import { fromFailure, type RemoteErrorClass } from './failure.js';
import { NoOpSerializer, type RequestContext, type RpcSerializer } from './serializer.js';
import { makeTarget, type Target } from './target.js';
import type { RpcMessage, RpcReply, SerializedFailure, Transport } from './transport.js';
import { DEFAULT_MESSAGE_VERSION, isVersion, parseVersion, requireVersion, versionIsCompatible } from './version.js';

/**
 * Where the client reads its version cap, on every call: a reload (SIGHUP, a new minimum service version)
 * takes effect on the next message without rebuilding the client. `undefined` means no cap.
 */
export type VersionCapSource =
  | (() => string | undefined)
  | {
      /** The cap now, or undefined for no cap. */
      current(): string | undefined;
    };

/** How long `call()` waits for a reply unless told otherwise: 60 s, as oslo.messaging. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** The options of RpcClient: the transport, the target, the version cap, the serializer, the timeout. */
export interface RpcClientOptions {
  transport: Transport;
  /** topic (+ server, namespace, version, fanout): where calls go and the version they claim. */
  target: Target;
  /** Calls above this version fail with RpcError 'version_cap' before anything is sent. */
  versionCap?: string | VersionCapSource | undefined;
  serializer?: RpcSerializer | undefined;
  /** How long a call waits for its reply, in milliseconds (default 60 s, oslo's rpc_response_timeout). */
  timeoutMs?: number | undefined;
  /** The same in seconds, as oslo's `timeout`; give one of `timeout` and `timeoutMs`. */
  timeout?: number | undefined;
  /** Remote error classes rebuilt as themselves; any other remote error is an RpcError 'remote'. */
  allowedRemoteErrors?: readonly RemoteErrorClass[] | undefined;
}

/** What `prepare()` may change. A key present with `undefined` (or `null` namespace) clears the setting. */
export interface PrepareOptions {
  version?: string | undefined;
  server?: string | undefined;
  fanout?: boolean | undefined;
  namespace?: string | null | undefined;
  topic?: string | undefined;
  /** How long calls wait for their reply, in milliseconds. */
  timeoutMs?: number | undefined;
  /** The same in seconds, as oslo's `prepare(timeout=...)`; give one of `timeout` and `timeoutMs`. */
  timeout?: number | undefined;
  versionCap?: string | VersionCapSource | undefined;
}

type Settings = {
  readonly transport: Transport;
  readonly target: Target;
  readonly versionCap: string | VersionCapSource | undefined;
  readonly serializer: RpcSerializer;
  readonly timeoutMs: number;
  readonly allowedRemoteErrors: readonly RemoteErrorClass[];
};

/**
 * The calling side of a versioned RPC API (oslo's RPCClient). Immutable: `prepare()` derives a new client
 * with another version, server, namespace, fanout or timeout and leaves this one as it was.
 */
export class RpcClient {
  readonly #settings: Settings;

  constructor(options: RpcClientOptions) {
    if (!options || typeof options.transport !== 'object' || options.transport === null) {
      throw new RpcError('invalid_target', 'RpcClient needs a transport');
    }
    const target = makeTarget(options.target);
    const versionCap = options.versionCap;
    if (typeof versionCap === 'string') requireVersion(versionCap, 'versionCap');
    else if (versionCap !== undefined && typeof versionCap !== 'function' && typeof versionCap?.current !== 'function') {
      throw new RpcError('invalid_target', 'versionCap must be a version string, a function or an object with current()');
    }
    this.#settings = Object.freeze({
      transport: options.transport,
      target,
      versionCap,
      serializer: options.serializer ?? new NoOpSerializer(),
      timeoutMs: resolveTimeout(options.timeoutMs, options.timeout) ?? DEFAULT_TIMEOUT_MS,
      allowedRemoteErrors: Object.freeze([...(options.allowedRemoteErrors ?? [])]),
    });
  }

  /** The target messages go to (topic, server, version, namespace, fanout), as prepared. */
  get target(): Target {
    return this.#settings.target;
  }

  /** How long `call()` waits for a reply, in milliseconds. */
  get timeoutMs(): number {
    return this.#settings.timeoutMs;
  }

  /** The serializer arguments, results and the context go through. */
  get serializer(): RpcSerializer {
    return this.#settings.serializer;
  }

  /** The cap in force right now (read from the source each time); undefined when uncapped. */
  get versionCap(): string | undefined {
    const source = this.#settings.versionCap;
    const cap = typeof source === 'function' ? source() : typeof source === 'object' ? source.current() : source;
    if (cap === undefined || cap === null) return undefined;
    return requireVersion(cap, 'the version cap');
  }

  /** A new client with some settings changed; this one is unchanged. */
  prepare(options: PrepareOptions = {}): RpcClient {
    const s = this.#settings;
    const target: { -readonly [K in keyof Target]: Target[K] } = { ...s.target };
    if ('version' in options) target.version = options.version;
    if ('server' in options) target.server = options.server;
    if ('fanout' in options) target.fanout = options.fanout;
    if ('topic' in options && options.topic !== undefined) target.topic = options.topic;
    if ('namespace' in options) target.namespace = options.namespace ?? undefined;
    const timeoutMs = resolveTimeout(options.timeoutMs, options.timeout) ?? s.timeoutMs;
    return new RpcClient({
      transport: s.transport,
      target,
      versionCap: 'versionCap' in options ? options.versionCap : s.versionCap,
      serializer: s.serializer,
      timeoutMs,
      allowedRemoteErrors: s.allowedRemoteErrors,
    });
  }

  /**
   * Whether a message of `version` (default: this client's version) may be sent under the current cap:
   * true without a cap. Callers degrade on false: drop a new argument, call the older method.
   */
  canSendVersion(version?: string): boolean {
    const cap = this.versionCap;
    if (cap === undefined) return true;
    const v = version === undefined ? (this.#settings.target.version ?? DEFAULT_MESSAGE_VERSION) : requireVersion(version, 'version');
    return versionIsCompatible(cap, v);
  }

  /**
   * Invoke `method` on one server and await its result. Rejects with RpcError only: a remote exception
   * rebuilt from the allow-list (or a remote VersionedError) is the `cause` of an RpcError 'remote'.
   */
  async call<T = unknown>(context: RequestContext, method: string, args: Readonly<Record<string, unknown>> = {}): Promise<T> {
    const s = this.#settings;
    if (s.target.fanout) {
      throw new RpcError('invalid_target', `a call cannot be fanned out (topic ${s.target.topic}, method ${method}); use cast`);
    }
    const message = this.#checkedMessage(context, method, args);
    let reply: RpcReply;
    try {
      reply = await s.transport.call(s.target, message, { timeoutMs: s.timeoutMs });
    } catch (error) {
      throw RpcError.from(error, 'transport');
    }
    if (reply.failure !== undefined) throw remoteError(fromFailure(reply.failure, s.allowedRemoteErrors), reply.failure);
    try {
      return (await s.serializer.deserializeEntity(context, reply.result)) as T;
    } catch (error) {
      throw RpcError.from(error, 'invalid_message');
    }
  }

  /** Send `method` without waiting for it to run (to every server of the topic when prepared with fanout). */
  async cast(context: RequestContext, method: string, args: Readonly<Record<string, unknown>> = {}): Promise<void> {
    const s = this.#settings;
    const message = this.#checkedMessage(context, method, args);
    try {
      await s.transport.cast(s.target, message);
    } catch (error) {
      throw RpcError.from(error, 'transport');
    }
  }

  /** The message, or an RpcError: a serializer's refusal (a VersionedError, say) is its cause. */
  #checkedMessage(context: RequestContext, method: string, args: Readonly<Record<string, unknown>>): RpcMessage {
    try {
      return this.#makeMessage(context, method, args);
    } catch (error) {
      throw RpcError.from(error, 'invalid_message');
    }
  }

  /** Check the cap, then serialize: a capped call never reaches the serializer or the transport. */
  #makeMessage(context: RequestContext, method: string, args: Readonly<Record<string, unknown>>): RpcMessage {
    const s = this.#settings;
    if (typeof method !== 'string' || method === '') {
      throw new RpcError('invalid_message', `the method name must be a non-empty string, got ${JSON.stringify(method)}`);
    }
    if (!isRecord(args)) {
      throw new RpcError('invalid_message', `the arguments of ${method} must be an object of name -> value`);
    }
    const version = s.target.version;
    this.#checkCap(version ?? DEFAULT_MESSAGE_VERSION, method);
    const serializedArgs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(args)) {
      Object.defineProperty(serializedArgs, name, {
        value: s.serializer.serializeEntity(context, value, 'argument'),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return {
      method,
      args: serializedArgs,
      namespace: s.target.namespace ?? null,
      version,
      context: s.serializer.serializeContext(context ?? {}),
    };
  }

  #checkCap(version: string, method: string): void {
    const cap = this.versionCap;
    if (cap === undefined || versionIsCompatible(cap, version)) return;
    const sameMajor = isVersion(version) && parseVersion(version)[0] === parseVersion(cap)[0];
    const why = sameMajor ? 'is above' : 'has another major than';
    throw new RpcError(
      'version_cap',
      `message version ${version} ${why} the version cap ${cap} (${this.#settings.target.topic}.${method})`,
      {
        details: { version, versionCap: cap, topic: this.#settings.target.topic, method },
      },
    );
  }
}

/**
 * The rule for timeouts: `timeoutMs` is milliseconds, `timeout` seconds (oslo's unit). Giving both is
 * refused unless they agree; so is anything but a positive number a timer can hold (at most ~24.8 days).
 */
function resolveTimeout(timeoutMs: unknown, timeoutS: unknown): number | undefined {
  const ms = timeoutMs === undefined ? undefined : checkTimeoutMs(timeoutMs, 'timeoutMs');
  const fromS =
    timeoutS === undefined
      ? undefined
      : checkTimeoutMs(typeof timeoutS === 'number' ? timeoutS * 1000 : timeoutS, 'timeout (seconds) * 1000');
  if (ms !== undefined && fromS !== undefined && ms !== fromS) {
    throw new RpcError(
      'invalid_target',
      `got timeoutMs ${ms} and timeout ${String(timeoutS)} s, which disagree; give one (timeout is in seconds, timeoutMs in milliseconds)`,
    );
  }
  return ms ?? fromS;
}

/** A remote failure as the one error type of `call`. */
function remoteError(error: Error, failure: SerializedFailure): RpcError {
  if (isRpcError(error)) return error;
  const where = failure.module ? `${failure.module}.${failure.class}` : failure.class;
  return new RpcError('remote', `remote error ${where}: ${failure.message}`, {
    cause: error,
    details: { class: failure.class, module: failure.module, message: failure.message, remote: true },
  });
}
