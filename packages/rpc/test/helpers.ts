import type { Listener, MessageHandler, RpcMessage, RpcReply, Target, Transport } from '../src/index.js';

/** A transport that records what reaches it and answers every call with a fixed reply. */
export class RecordingTransport implements Transport {
  readonly sent: { kind: 'call' | 'cast'; target: Target; message: RpcMessage; timeoutMs?: number }[] = [];
  constructor(private readonly reply: RpcReply = { result: 'ok' }) {}

  async call(target: Target, message: RpcMessage, options: { readonly timeoutMs: number }): Promise<RpcReply> {
    this.sent.push({ kind: 'call', target, message, timeoutMs: options.timeoutMs });
    return this.reply;
  }
  async cast(target: Target, message: RpcMessage): Promise<void> {
    this.sent.push({ kind: 'cast', target, message });
  }
  async listen(_target: Target, _handler: MessageHandler): Promise<Listener> {
    return { stop: async () => undefined };
  }
  async close(): Promise<void> {}
}

/** A promise that settles after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise plus the functions that settle it. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
