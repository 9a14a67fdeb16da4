import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { isRpcError, RpcError } from '../errors.js';
import type { Target } from '../target.js';
import type { Listener, MessageHandler, RpcReply } from '../transport.js';
import { RecentIds } from './recent-ids.js';
import {
  FANOUT_EXCHANGE,
  fanoutExchangeName,
  fanoutQueueName,
  routingKey,
  topicExchange,
  topicQueue,
  transientQueue,
  type TopologyOptions,
} from './topology.js';
import { decodeEnvelope, fromOsloRequest, toOsloHeartbeat, toOsloReply, type IncomingRequest, type OsloReply } from './wire.js';

/** What a listener needs from its transport. */
export interface ListenerHost {
  readonly topology: TopologyOptions;
  readonly exchange: string;
  readonly duplicateWindow: number;
  /** Publish a reply to a `reply_<uuid>` queue on the default exchange. */
  sendReply(replyQueue: string, reply: OsloReply): Promise<void>;
  onError(error: unknown): void;
  forget(listener: RabbitListener): void;
}

/**
 * The server half (oslo's RpcAMQPListener): consumes `topic`, `topic.server` and a private
 * `<topic>_fanout_<uuid>` queue; acks each request before dispatch (at most once), drops duplicate
 * `_unique_id`s, heartbeats long calls whose caller asked for it, and replies to `_reply_q`.
 * After a reconnection `attach` runs again and the same queues are re-declared and consumed.
 */
export class RabbitListener implements Listener {
  private readonly recent: RecentIds;
  private readonly fanoutQueue: string;
  private readonly inFlight = new Set<Promise<void>>();
  private channel: Channel | undefined;
  private stopped = false;

  constructor(
    private readonly host: ListenerHost,
    readonly target: Target,
    private readonly handler: MessageHandler,
  ) {
    this.recent = new RecentIds(host.duplicateWindow);
    this.fanoutQueue = fanoutQueueName(target.topic);
  }

  /** Declare the listener's queues and start consuming on a fresh channel of `model`. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.stopped) return;
    const { topology } = this.host;
    const exchange = this.target.exchange ?? this.host.exchange;
    const channel = await model.createChannel();
    // A channel error (e.g. 406 on a declaration) must not crash the process.
    channel.on('error', (error) => this.host.onError(error));
    this.channel = channel;
    try {
      await this.declareAndConsume(channel, exchange, topology);
    } catch (error) {
      this.channel = undefined;
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  private async declareAndConsume(channel: Channel, exchange: string, topology: TopologyOptions): Promise<void> {
    await channel.assertExchange(exchange, 'topic', topicExchange(topology));
    const topicKeys = [routingKey(this.target.topic, undefined)];
    if (this.target.server !== undefined) topicKeys.push(routingKey(this.target.topic, this.target.server));
    for (const key of topicKeys) {
      await channel.assertQueue(key, topicQueue(topology));
      await channel.bindQueue(key, exchange, key);
    }
    const fanoutExchange = fanoutExchangeName(this.target.topic);
    await channel.assertExchange(fanoutExchange, 'fanout', FANOUT_EXCHANGE);
    await channel.assertQueue(this.fanoutQueue, transientQueue(topology));
    await channel.bindQueue(this.fanoutQueue, fanoutExchange, this.target.topic);
    for (const queue of [...topicKeys, this.fanoutQueue]) {
      await channel.consume(queue, (delivery) => this.receive(channel, delivery), { noAck: false });
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const channel = this.channel;
    this.channel = undefined;
    // Closing the channel cancels the consumers; unacked prefetched messages go back to the queue.
    if (channel) await channel.close().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    this.host.forget(this);
  }

  private receive(channel: Channel, delivery: ConsumeMessage | null): void {
    if (delivery === null || this.stopped) return;
    // Ack before dispatch: a request is never run twice, even if the ack or the reply is lost.
    try {
      channel.ack(delivery);
    } catch (error) {
      this.host.onError(new RpcError('transport', 'discarding a request whose ack failed', { cause: error }));
      return;
    }
    let request: IncomingRequest;
    try {
      request = fromOsloRequest(decodeEnvelope(delivery.content));
    } catch (error) {
      this.host.onError(error);
      return;
    }
    if (request.uniqueId !== undefined && this.recent.seen(request.uniqueId)) return;
    const work = this.dispatch(request).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async dispatch(request: IncomingRequest): Promise<void> {
    const { msgId, replyQueue } = request;
    const expectsReply = msgId !== undefined && replyQueue !== undefined;
    const stopHeartbeat = expectsReply ? this.startHeartbeat(request, msgId, replyQueue) : () => undefined;
    let reply: RpcReply;
    try {
      reply = await this.handler(request.message, { expectsReply });
    } catch (error) {
      reply = { failure: failureOf(error) };
    } finally {
      stopHeartbeat();
    }
    if (!expectsReply) return;
    try {
      await this.host.sendReply(replyQueue, toOsloReply(msgId, reply));
    } catch (error) {
      this.host.onError(error);
    }
  }

  /** oslo's call monitor: a caller that sent `_timeout` T (seconds, >= 2) gets a keep-alive every T/2 s. */
  private startHeartbeat(request: IncomingRequest, msgId: string, replyQueue: string): () => void {
    const timeoutS = request.callMonitorTimeoutS === undefined ? 0 : Math.trunc(request.callMonitorTimeoutS);
    const intervalMs = (timeoutS / 2) * 1000;
    if (intervalMs < 1000) return () => undefined;
    const timer = setInterval(() => {
      this.host.sendReply(replyQueue, toOsloHeartbeat(msgId)).catch((error) => this.host.onError(error));
    }, intervalMs);
    return () => clearInterval(timer);
  }
}

/** A handler that throws instead of returning a failure still answers the caller. */
function failureOf(error: unknown): { class: string; module: string; message: string } {
  if (isRpcError(error)) return { class: 'RpcError', module: '@versioned/rpc', message: `${error.code}: ${error.message}` };
  if (error instanceof Error) return { class: error.name, module: 'builtins', message: error.message };
  return { class: 'Exception', module: 'builtins', message: String(error) };
}
