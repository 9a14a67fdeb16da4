import { RpcError } from '../errors.js';
import type { Target } from '../target.js';
import type { Listener, MessageHandler, RpcMessage, RpcReply, Transport } from '../transport.js';
import { InMemoryBroker, type Subscription } from './broker.js';

export interface InMemoryTransportOptions {
  /** Share one broker between transports to simulate several processes; default: a private broker. */
  broker?: InMemoryBroker | undefined;
}

interface PendingCall {
  fail(err: RpcError): void;
}

/**
 * The embedded transport for tests and single-process use. It behaves like the RabbitMQ transport:
 * every message and reply crosses as JSON text (nothing is shared between caller and callee), casts
 * return before the handler runs, an unanswered call times out, close() fails the calls still waiting.
 */
export class InMemoryTransport implements Transport {
  readonly broker: InMemoryBroker;
  private readonly pending = new Set<PendingCall>();
  private readonly listeners = new Set<InMemoryListener>();
  private closed = false;

  constructor(options: InMemoryTransportOptions = {}) {
    this.broker = options.broker ?? new InMemoryBroker();
  }

  call(target: Target, message: RpcMessage, options: { readonly timeoutMs: number }): Promise<RpcReply> {
    return new Promise<RpcReply>((resolve, reject) => {
      this.assertOpen(message.method);
      const wire = toWire(message, 'message');
      const [receiver] = this.broker.route(target.topic, target.server, false);
      let done = false;
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(entry);
        settle();
      };
      const entry: PendingCall = { fail: (err) => finish(() => reject(err)) };
      const timer = setTimeout(() => {
        const where = target.server === undefined ? target.topic : `${target.topic}.${target.server}`;
        entry.fail(
          new RpcError('timeout', `no reply to ${message.method} from ${where} within ${options.timeoutMs} ms`, {
            details: { topic: target.topic, server: target.server, method: message.method, timeoutMs: options.timeoutMs },
          }),
        );
      }, options.timeoutMs);
      this.pending.add(entry);
      // Nobody listening: like a message published to an exchange with no queue bound, it is lost.
      if (!receiver) return;
      later(() => receiver.receive(wire, true)).then(
        (replyWire) => {
          if (replyWire !== undefined) finish(() => resolve(JSON.parse(replyWire) as RpcReply));
        },
        (err: unknown) => finish(() => reject(err)),
      );
    });
  }

  async cast(target: Target, message: RpcMessage): Promise<void> {
    this.assertOpen(message.method);
    const wire = toWire(message, 'message');
    for (const receiver of this.broker.route(target.topic, target.server, target.fanout === true)) {
      // A cast waits for no handler and hears of no failure.
      void later(() => receiver.receive(wire, false)).catch(() => undefined);
    }
  }

  async listen(target: Target, handler: MessageHandler): Promise<Listener> {
    this.assertOpen();
    const listener = new InMemoryListener(target.topic, target.server, handler, (l) => {
      this.broker.unsubscribe(l);
      this.listeners.delete(l);
    });
    this.listeners.add(listener);
    this.broker.subscribe(listener);
    return listener;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const call of [...this.pending]) call.fail(new RpcError('transport', 'the transport was closed while the call waited for its reply'));
    await Promise.all([...this.listeners].map((l) => l.stop()));
  }

  private assertOpen(method?: string): void {
    if (this.closed) throw new RpcError('transport', method ? `the transport is closed: cannot send ${method}` : 'the transport is closed');
  }
}

/** A listener: parses each message from JSON, runs the handler, answers in JSON. */
class InMemoryListener implements Listener, Subscription {
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    readonly topic: string,
    readonly server: string | undefined,
    private readonly handler: MessageHandler,
    private readonly onStop: (listener: InMemoryListener) => void,
  ) {}

  async receive(wire: string, expectsReply: boolean): Promise<string | undefined> {
    // Stopped between routing and delivery: the message is lost and the caller times out.
    if (this.stopped) return undefined;
    const work = this.handler(JSON.parse(wire) as RpcMessage, { expectsReply });
    this.inFlight.add(work);
    try {
      const reply = await work;
      return expectsReply ? toWire(reply, 'reply') : undefined;
    } finally {
      this.inFlight.delete(work);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.onStop(this);
    await Promise.allSettled([...this.inFlight]);
  }
}

/** Run on a later turn of the event loop, as a network would. */
function later<T>(fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => setImmediate(() => fn().then(resolve, reject)));
}

function toWire(value: unknown, what: 'message' | 'reply'): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new RpcError('invalid_message', `the ${what} cannot be sent as JSON: ${(err as Error).message}`, { cause: err });
  }
}
