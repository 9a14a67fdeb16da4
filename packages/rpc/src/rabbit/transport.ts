import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { RpcError } from '../errors.js';
import { makeTarget, type Target } from '../target.js';
import type { Listener, MessageHandler, RpcMessage, RpcReply, Transport } from '../transport.js';
import { BrokerConnection, DEFAULT_RECONNECT, type ConnectionState, type ReconnectPolicy } from './connection.js';
import { brokerUrls } from './url.js';
import { RabbitListener, type ListenerHost } from './listener.js';
import { ReplyRetries } from './reply-retry.js';
import { ReplyWaiter } from './reply-waiter.js';
import {
  DEFAULT_TOPOLOGY,
  FANOUT_EXCHANGE,
  fanoutExchangeName,
  publishOptions,
  replyQueueName,
  routingKey,
  topicExchange,
  type TopologyOptions,
} from './topology.js';
import { encodeEnvelope, newHexId, toOsloRequest } from './wire.js';
import { checkCallTarget, checkTimeoutMs, closedError, describeCall, MAX_TIMER_MS } from '../transport-contract.js';

/** The options of RabbitTransport: the broker URL(s), the exchange and queue options, timeouts and the reconnection policy. */
export interface RabbitTransportOptions {
  /** AMQP URL; default `amqp://guest:guest@127.0.0.1:5672/`. */
  readonly url?: string;
  /** oslo's control_exchange, used when a target names no exchange; default `openstack`. */
  readonly exchange?: string;
  /** Queue flags; the defaults match oslo.messaging's, so Python and TypeScript services can share a topic. */
  readonly topology?: Partial<TopologyOptions>;
  /** Backoff between reconnection attempts after a lost connection. */
  readonly reconnect?: Partial<ReconnectPolicy>;
  /**
   * oslo's call_monitor_timeout: ask the server for heartbeats and fail a call that gets none for this
   * long, even before its timeout. Whole seconds of at least 2 on the wire; unset means no heartbeats.
   */
  readonly callMonitorTimeoutMs?: number;
  /** How long a cast or a reply waits for a lost connection to come back; default 10 s. */
  readonly sendTimeoutMs?: number;
  /**
   * How long a server keeps re-sending a reply whose caller's reply queue is missing (the caller may be
   * reconnecting); oslo's kombu_missing_consumer_retry_timeout, default 60 s.
   */
  readonly replyRetryMs?: number;
  /** How many recent `_unique_id`s each consumer remembers to drop duplicates; default 1024. */
  readonly duplicateWindow?: number;
  /**
   * Run a method only once the broker has confirmed its request's ack (default true): a server that dies
   * mid-call never gets the request again. false only queues the ack (faster, but a server killed just
   * after receiving a request may see it again after its restart).
   */
  readonly confirmAcks?: boolean;
  /** AMQP heartbeat in seconds (oslo's heartbeat_timeout_threshold); default 60. */
  readonly heartbeatS?: number;
  /** Shown in the broker's connection list. */
  readonly connectionName?: string;
  /** Background failures that belong to no caller (malformed message, undeliverable reply, reconnect attempt). */
  readonly onError?: (error: unknown) => void;
}

/**
 * The RabbitMQ transport, wire-compatible with oslo.messaging's rabbit driver (amqpdriver + impl_rabbit).
 * Use `RabbitTransport.connect(options)`: it fails loudly when the broker is unreachable.
 */
export class RabbitTransport implements Transport {
  private readonly connection: BrokerConnection;
  private readonly replies: ReplyWaiter;
  private readonly replyRetries: ReplyRetries;
  private readonly listeners = new Set<RabbitListener>();
  private readonly exchange: string;
  private readonly topology: TopologyOptions;
  private readonly callMonitorS: number | undefined;
  private readonly sendTimeoutMs: number;
  private readonly duplicateWindow: number;
  private readonly confirmAcks: boolean;
  private readonly onError: (error: unknown) => void;
  private publisher: ConfirmChannel | undefined;
  /** Exchanges declared on the current publishing channel (oslo declares on first publish). */
  private declaredExchanges = new Set<string>();
  private closed = false;

  private constructor(options: RabbitTransportOptions) {
    this.exchange = options.exchange ?? 'openstack';
    this.topology = { ...DEFAULT_TOPOLOGY, ...options.topology };
    this.sendTimeoutMs = options.sendTimeoutMs ?? 10_000;
    this.duplicateWindow = options.duplicateWindow ?? 1024;
    this.confirmAcks = options.confirmAcks ?? true;
    this.onError = options.onError ?? ((error) => console.warn('[@versioned/rpc rabbit]', error));
    if (options.callMonitorTimeoutMs !== undefined) {
      const ms = options.callMonitorTimeoutMs;
      if (typeof ms !== 'number' || !(ms >= 2000 && ms <= MAX_TIMER_MS))
        throw new RpcError(
          'invalid_target',
          `callMonitorTimeoutMs must be a number of milliseconds from 2000 to ${MAX_TIMER_MS}, got ${String(ms)}`,
        );
      this.callMonitorS = Math.floor(options.callMonitorTimeoutMs / 1000);
    }
    this.replies = new ReplyWaiter(replyQueueName(), this.topology, this.duplicateWindow, this.onError, () =>
      this.connection.recycle('the broker cancelled the reply consumer'),
    );
    this.replyRetries = new ReplyRetries({
      retryForMs: options.replyRetryMs ?? 60_000,
      retryEveryMs: 250,
      resend: (queue, body) => void this.publishReply(queue, body).catch((error) => this.onError(error)),
      giveUp: (queue) => this.onError(new RpcError('transport', `dropping replies to ${queue}: the caller's reply queue is gone`)),
    });
    const urls = brokerUrls(options.url ?? 'amqp://guest:guest@127.0.0.1:5672/', options.heartbeatS ?? 60);
    const clientProperties = { connection_name: options.connectionName ?? `versioned-rpc:${process.pid}` };
    this.connection = new BrokerConnection(
      urls,
      { clientProperties, noDelay: true },
      { ...DEFAULT_RECONNECT, ...options.reconnect },
      {
        onUp: (model) => this.attach(model),
        onDown: () => this.detach(),
        onError: (error) => this.onError(error),
      },
    );
  }

  /** Connect to the broker; rejects with RpcError 'transport' if it cannot be reached. */
  static async connect(options: RabbitTransportOptions = {}): Promise<RabbitTransport> {
    const transport = new RabbitTransport(options);
    await transport.connection.start();
    return transport;
  }

  /** The queue this transport's replies arrive on. */
  get replyQueue(): string {
    return this.replies.queue;
  }

  /** True only while the connection is `up` (attached, every queue declared). */
  get connected(): boolean {
    return this.connection.connected;
  }

  /** Where the connection is: `connecting`, `attaching`, `up`, `waiting` (to reconnect) or `closed`. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** How many connections were made, attempts failed and connections lost since start. */
  get connectionStats(): Readonly<{ connections: number; failedAttempts: number; losses: number }> {
    return { ...this.connection.stats };
  }

  async call(target: Target, message: RpcMessage, options: { readonly timeoutMs: number }): Promise<RpcReply> {
    const checked = checkCallTarget(target);
    const timeoutMs = checkTimeoutMs(options?.timeoutMs);
    this.assertOpen(message?.method);
    const msgId = newHexId();
    const describe = describeCall(checked, message.method);
    const callMonitorMs = this.callMonitorS === undefined ? undefined : this.callMonitorS * 1000;
    // The deadline runs from now: waiting for a connection and declaring the exchange count against it.
    const deadline = Date.now() + timeoutMs;
    const reply = this.replies.expect(msgId, { timeoutMs, callMonitorMs, describe, target: checked, method: message.method });
    // The caller handles the rejection through the returned promise; this marks it handled meanwhile,
    // so a timeout while the request is still being published cannot become an unhandled rejection.
    reply.catch(() => undefined);
    this.sendCall(checked, message, msgId, deadline).catch((error: unknown) => {
      // Still no connection at the deadline: the call's own timer fails it with 'timeout'.
      if (Date.now() < deadline) this.replies.fail(msgId, asTransportError(error, `cannot send ${describe}`));
    });
    return reply;
  }

  private async sendCall(target: Target, message: RpcMessage, msgId: string, deadline: number): Promise<void> {
    const request = toOsloRequest(message, { msgId, replyQueue: this.replies.queue, callMonitorTimeoutS: this.callMonitorS });
    await this.publishConfirmed(
      {
        exchange: target.exchange ?? this.exchange,
        type: 'topic',
        routingKey: routingKey(target.topic, target.server),
        body: encodeEnvelope(request),
        // The request expires with its call: a server reached late runs nothing nobody waits for.
        options: (remainingMs) => publishOptions(remainingMs),
      },
      deadline,
      // Timed out meanwhile: the caller has its error; sending now could only run a call nobody waits for.
      () => this.replies.isPending(msgId),
    );
  }

  async cast(target: Target, message: RpcMessage): Promise<void> {
    const checked = makeTarget(target);
    this.assertOpen(message?.method);
    const body = encodeEnvelope(toOsloRequest(message));
    const route: Outgoing = checked.fanout
      ? { exchange: fanoutExchangeName(checked.topic), type: 'fanout', routingKey: '', body, options: () => publishOptions() }
      : {
          exchange: checked.exchange ?? this.exchange,
          type: 'topic',
          routingKey: routingKey(checked.topic, checked.server),
          body,
          options: () => publishOptions(),
        };
    try {
      await this.publishConfirmed(route, Date.now() + this.sendTimeoutMs);
    } catch (error) {
      throw asTransportError(error, `cannot cast ${message.method} to ${checked.topic}`);
    }
  }

  /**
   * Publish and wait for the broker's confirm. When the channel or the connection is lost before the
   * confirm, the same bytes (same `_msg_id` and `_unique_id`: a receiver drops the duplicate if the first
   * copy got through) are published again on the next channel, until `deadline`. A refused exchange
   * declaration while the connection stays up (406) fails at once.
   */
  private async publishConfirmed(out: Outgoing, deadline: number, wanted: () => boolean = () => true): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw closedError();
      if (attempt > 0 && Date.now() >= deadline)
        throw new RpcError(
          'transport',
          `no confirm from the broker in time for a message to ${out.exchange || out.routingKey}; it may or may not have been delivered`,
        );
      const channel = await this.publishingChannel(Math.max(1, deadline - Date.now()));
      try {
        if (out.type) await this.declareExchange(channel, out.exchange, out.type);
      } catch (error) {
        // Refused while the connection is fine: a real error. Lost with the connection: try again.
        if (this.connected) throw error;
        continue;
      }
      if (!wanted()) return;
      const remainingMs = Math.max(1, deadline - Date.now());
      const confirmed = await new Promise<boolean>((resolve) => {
        try {
          channel.publish(out.exchange, out.routingKey, out.body, out.options(remainingMs), (error) => resolve(error == null));
        } catch {
          resolve(false); // the channel closed under us
        }
      });
      if (confirmed) return;
      // A moment before the next attempt: the channel's close (and the connection's) is on its way.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async listen(target: Target, handler: MessageHandler): Promise<Listener> {
    const checked = makeTarget(target);
    this.assertOpen();
    const deadline = Date.now() + this.sendTimeoutMs;
    let model = await this.connection.ready(this.sendTimeoutMs);
    const listener = new RabbitListener(this.listenerHost(), checked, handler);
    // In the set before attaching: a reconnection meanwhile attaches it on the new connection too.
    this.listeners.add(listener);
    for (;;) {
      try {
        await listener.attach(model);
        return listener;
      } catch (error) {
        // The connection died under the declarations: the next one attaches it (or this loop does).
        if (this.connection.isOpen(model) || Date.now() >= deadline || this.closed) {
          await listener.stop();
          throw asTransportError(error, `cannot listen on ${checked.topic}`);
        }
        model = await this.connection.ready(Math.max(1, deadline - Date.now())).catch(async (e: unknown) => {
          await listener.stop();
          throw asTransportError(e, `cannot listen on ${checked.topic}`);
        });
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.replies.failAll(closedError());
    await Promise.allSettled([...this.listeners].map((listener) => listener.stop()));
    await this.connection.close();
  }

  /**
   * Runs on each (re)connection: a publishing channel, the reply queue on a channel of its own, every
   * listener's queues. Any failure fails the attempt (the connection state machine retries), except a
   * listener refused by the broker while the connection stays up (406 on a queue declared with other
   * flags): that one is reported, and the others and the calls go on.
   */
  private async attach(model: ChannelModel): Promise<void> {
    this.adoptPublisher(await model.createConfirmChannel());
    const replyChannel = await model.createChannel();
    replyChannel.on('error', (error) => this.onError(error));
    await this.replies.attach(replyChannel);
    replyChannel.on('close', () => {
      if (!this.closed && this.connection.current === model) this.connection.recycle('the reply channel closed');
    });
    for (const listener of this.listeners) {
      try {
        await listener.attach(model);
      } catch (error) {
        if (this.connection.state !== 'attaching' || !this.connection.isOpen(model)) throw error;
        this.onError(asTransportError(error, `cannot resume listening on ${listener.target.topic}`));
      }
    }
  }

  /**
   * The connection dropped. Calls in flight keep waiting (up to their own timeout): their reply queue is
   * not auto-delete, so a reply sent meanwhile waits in it until the next connection consumes it again;
   * requests, casts and replies not yet confirmed are published again on the next channel.
   */
  private detach(): void {
    this.publisher = undefined;
  }

  private adoptPublisher(channel: ConfirmChannel): void {
    this.publisher = channel;
    this.declaredExchanges = new Set();
    channel.on('error', (error) => this.onError(error));
    channel.on('close', () => {
      if (this.publisher === channel) this.publisher = undefined;
    });
    channel.on('return', (returned) => this.replyRetries.returned(returned.fields.routingKey, returned.content));
  }

  /** The publishing channel, reopened if a channel error closed it while the connection stayed up. */
  private async publishingChannel(timeoutMs: number): Promise<ConfirmChannel> {
    if (this.publisher) return this.publisher;
    try {
      const model = await this.connection.ready(timeoutMs);
      if (!this.publisher) this.adoptPublisher(await model.createConfirmChannel());
      return this.publisher!;
    } catch (error) {
      throw asTransportError(error, 'no channel to publish on');
    }
  }

  private async declareExchange(channel: ConfirmChannel, exchange: string, type: 'topic' | 'fanout'): Promise<void> {
    if (this.declaredExchanges.has(exchange)) return;
    await channel.assertExchange(exchange, type, type === 'topic' ? topicExchange(this.topology) : FANOUT_EXCHANGE);
    this.declaredExchanges.add(exchange);
  }

  private listenerHost(): ListenerHost {
    return {
      topology: this.topology,
      exchange: this.exchange,
      duplicateWindow: this.duplicateWindow,
      confirmAcks: this.confirmAcks,
      sendReply: (replyQueue, body) => this.sendReply(replyQueue, body),
      lostChannel: (reason) => this.connection.recycle(reason),
      onError: (error) => this.onError(error),
      forget: (listener) => this.listeners.delete(listener),
    };
  }

  private async sendReply(replyQueue: string, body: Buffer): Promise<void> {
    if (!this.replyRetries.worthSending(replyQueue)) return;
    await this.publishReply(replyQueue, body);
  }

  private async publishReply(replyQueue: string, body: Buffer): Promise<void> {
    // mandatory: a reply to a missing queue comes back as a 'return' (and is retried) instead of vanishing.
    await this.publishConfirmed(
      { exchange: '', routingKey: replyQueue, body, options: () => ({ ...publishOptions(), mandatory: true }) },
      Date.now() + this.sendTimeoutMs,
    );
  }

  private assertOpen(method?: unknown): void {
    if (this.closed) throw closedError(typeof method === 'string' ? method : undefined);
  }
}

/** One message to publish: where, its bytes, and its properties given the time left. */
interface Outgoing {
  readonly exchange: string;
  /** Declare the exchange first (once per channel); none for the default exchange. */
  readonly type?: 'topic' | 'fanout';
  readonly routingKey: string;
  readonly body: Buffer;
  readonly options: (remainingMs: number) => Options.Publish;
}

function asTransportError(error: unknown, context: string): RpcError {
  if (error instanceof RpcError) return error;
  return new RpcError('transport', `${context}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
