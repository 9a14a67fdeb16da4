import type { Target } from './target.js';

/**
 * A message as the RPC layer hands it to a transport: already serialized (JSON-safe).
 * On RabbitMQ it becomes oslo's inner message `{method, args, namespace, version, _context_<key>...}`.
 */
export interface RpcMessage {
  readonly method: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** null is the default namespace. */
  readonly namespace: string | null;
  /** The version the caller claims; a missing version means 1.0 on the server side. */
  readonly version: string | undefined;
  /** The serialized request context; `_context_<key>` entries on the oslo wire. */
  readonly context: Readonly<Record<string, unknown>>;
}

/** A remote error as oslo.messaging serializes it. */
export interface SerializedFailure {
  readonly class: string;
  readonly module: string;
  readonly message: string;
  readonly args?: readonly unknown[];
  readonly kwargs?: Readonly<Record<string, unknown>>;
  readonly tb?: readonly string[];
}

/** What a server answers to a call: a result or a failure. */
export type RpcReply =
  | { readonly result: unknown; readonly failure?: undefined }
  | { readonly result?: undefined; readonly failure: SerializedFailure };

/** How a listener hands an incoming message to the server; resolves with the reply (ignored for casts). */
export type MessageHandler = (message: RpcMessage, meta: { readonly expectsReply: boolean }) => Promise<RpcReply>;

/** What a transport's `listen()` returns: the handle to stop a server's subscription. */
export interface Listener {
  /** Stop receiving; messages in flight are finished. */
  stop(): Promise<void>;
}

/**
 * A transport moves messages between clients and servers. Both transports (in-memory and RabbitMQ)
 * have this shape and behave alike: a call to `topic` reaches one listener of the topic, to
 * `topic` + `server` that server's listener, a fanout cast every listener of the topic.
 */
export interface Transport {
  /** Send a call and await its reply. Rejects with RpcError 'timeout' or 'transport'. */
  call(target: Target, message: RpcMessage, options: { readonly timeoutMs: number }): Promise<RpcReply>;
  /** Send without waiting for a reply; resolves once the transport has accepted the message. */
  cast(target: Target, message: RpcMessage): Promise<void>;
  /** Receive messages for `target.topic`, `target.topic`+`target.server`, and the topic's fanout. */
  listen(target: Target, handler: MessageHandler): Promise<Listener>;
  /** Release connections; pending calls fail with RpcError 'transport'. */
  close(): Promise<void>;
}
