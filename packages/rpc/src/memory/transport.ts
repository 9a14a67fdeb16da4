import { makeTarget, type Target } from '../target.js';
import { checkCallTarget, checkTimeoutMs, closedError, describeCall } from '../transport-contract.js';
import type { Listener, MessageHandler, RpcMessage, RpcReply, Transport } from '../transport.js';
import { ReplyWaiter } from '../rabbit/reply-waiter.js';
import { RequestProcessor } from '../rabbit/request-processor.js';
import { DEFAULT_TOPOLOGY, replyQueueName } from '../rabbit/topology.js';
import { encodeEnvelope, newHexId, toOsloRequest } from '../rabbit/wire.js';
import { InMemoryBroker, type Subscription } from './broker.js';

/** The options of InMemoryTransport: a broker to share with other transports, a handler of background errors. */
export interface InMemoryTransportOptions {
  /** Share one broker between transports to simulate several processes; default: a private broker. */
  broker?: InMemoryBroker | undefined;
  /** Background failures that belong to no caller (a malformed message, say); default: ignored. */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * The embedded transport for tests and single-process use. It carries the very bytes the RabbitMQ
 * transport sends (oslo's envelope, request and reply formats) and runs them through the same request
 * processing, so what it accepts RabbitMQ accepts, and its errors are RabbitMQ's: casts return before
 * the handler runs, an unanswered call times out, close() fails the calls still waiting. A connection lost
 * (`broker.dropConnections({ forMs })`) is survived as the RabbitMQ transport reconnects: nothing fails because
 * of it, what was sent meanwhile is delivered once the connection is back.
 */
export class InMemoryTransport implements Transport {
  readonly broker: InMemoryBroker;
  private readonly replies: ReplyWaiter;
  private readonly listeners = new Set<InMemoryListener>();
  private readonly onError: (error: unknown) => void;
  private closed = false;

  constructor(options: InMemoryTransportOptions = {}) {
    this.broker = options.broker ?? new InMemoryBroker();
    this.onError = options.onError ?? (() => undefined);
    this.replies = new ReplyWaiter(replyQueueName(), DEFAULT_TOPOLOGY, 1024, this.onError);
    this.broker.bindReplyQueue(this.replies.queue, (body) => this.replies.receiveBody(body));
  }

  async call(target: Target, message: RpcMessage, options: { readonly timeoutMs: number }): Promise<RpcReply> {
    const checked = checkCallTarget(target);
    const timeoutMs = checkTimeoutMs(options?.timeoutMs);
    this.assertOpen(message?.method);
    const msgId = newHexId();
    const body = encodeEnvelope(toOsloRequest(message, { msgId, replyQueue: this.replies.queue, callMonitorTimeoutS: undefined }));
    const reply = this.replies.expect(msgId, {
      timeoutMs,
      callMonitorMs: undefined,
      describe: describeCall(checked, message.method),
      target: checked,
      method: message.method,
    });
    // Nobody listening: like a message published to an exchange with no queue bound, it is lost.
    this.broker.publish(checked.topic, checked.server, false, body);
    return reply;
  }

  async cast(target: Target, message: RpcMessage): Promise<void> {
    const checked = makeTarget(target);
    this.assertOpen(message?.method);
    this.broker.publish(checked.topic, checked.server, checked.fanout === true, encodeEnvelope(toOsloRequest(message)));
  }

  async listen(target: Target, handler: MessageHandler): Promise<Listener> {
    const checked = makeTarget(target);
    this.assertOpen();
    const processor = new RequestProcessor(handler, 1024, async (queue, body) => this.broker.reply(queue, body), this.onError);
    const listener = new InMemoryListener(checked.topic, checked.server, processor, (l) => {
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
    this.replies.failAll(closedError());
    this.broker.unbindReplyQueue(this.replies.queue);
    await Promise.all([...this.listeners].map((l) => l.stop()));
  }

  private assertOpen(method?: unknown): void {
    if (this.closed) throw closedError(typeof method === 'string' ? method : undefined);
  }
}

/** A listener: runs each request body through the shared request processing. */
class InMemoryListener implements Listener, Subscription {
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    readonly topic: string,
    readonly server: string | undefined,
    private readonly processor: RequestProcessor,
    private readonly onStop: (listener: InMemoryListener) => void,
  ) {}

  deliver(body: Buffer): void {
    // Stopped between routing and delivery: the message is lost and the caller times out.
    if (this.stopped) return;
    const work: Promise<void> = this.processor.process(body).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.onStop(this);
    await Promise.allSettled([...this.inFlight]);
  }
}
