import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { RpcError } from '../errors.js';
import type { Target } from '../target.js';
import type { Listener, MessageHandler } from '../transport.js';
import { RequestProcessor } from './request-processor.js';
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

/** What a listener needs from its transport. */
export interface ListenerHost {
  readonly topology: TopologyOptions;
  readonly exchange: string;
  readonly duplicateWindow: number;
  /** Wait for the broker to confirm each ack before the method runs (see AckConfirmer). */
  readonly confirmAcks: boolean;
  /** Publish a reply to a `reply_<uuid>` queue on the default exchange. */
  sendReply(replyQueue: string, body: Buffer): Promise<void>;
  /** A consumer stopped while its connection stays up: reconnect. */
  lostChannel(reason: string): void;
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
  private readonly processor: RequestProcessor;
  private readonly fanoutQueue: string;
  private confirmer: AckConfirmer | undefined;
  /** The connection this listener consumes on, so a second attach on the same connection is a no-op. */
  private attachedTo: ChannelModel | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private channel: Channel | undefined;
  private stopped = false;

  constructor(
    private readonly host: ListenerHost,
    readonly target: Target,
    handler: MessageHandler,
  ) {
    this.processor = new RequestProcessor(
      handler,
      host.duplicateWindow,
      (queue, body) => host.sendReply(queue, body),
      (error) => host.onError(error),
    );
    this.fanoutQueue = fanoutQueueName(target.topic);
  }

  /** Declare the listener's queues and start consuming on a fresh channel of `model`. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.stopped || this.attachedTo === model) return;
    const { topology } = this.host;
    const exchange = this.target.exchange ?? this.host.exchange;
    const channel = await model.createChannel();
    // A channel error (e.g. 406 on a declaration) must not crash the process.
    channel.on('error', (error) => this.host.onError(error));
    const previous = this.channel;
    this.channel = channel;
    if (previous) void previous.close().catch(() => undefined);
    try {
      await this.declareAndConsume(channel, exchange, topology);
    } catch (error) {
      if (this.channel === channel) this.channel = undefined;
      await channel.close().catch(() => undefined);
      throw error;
    }
    this.attachedTo = model;
    // A consumer channel closed while the connection stays up (a channel error): start over on a new connection.
    channel.on('close', () => {
      if (this.channel !== channel || this.stopped) return;
      this.channel = undefined;
      this.attachedTo = undefined;
      this.host.lostChannel(`the channel serving ${this.target.topic} closed`);
    });
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
      // Only this listener consumes `topic.server` and its fanout queue; `topic` is shared by every server.
      const own = queue !== topicKeys[0];
      await channel.consume(queue, (delivery) => this.receive(channel, delivery, own), { noAck: false });
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const channel = this.channel;
    this.channel = undefined;
    this.attachedTo = undefined;
    // Closing the channel cancels the consumers; unacked prefetched messages go back to the queue.
    if (channel) await channel.close().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    this.host.forget(this);
  }

  private receive(channel: Channel, delivery: ConsumeMessage | null, ownQueue: boolean): void {
    if (delivery === null) {
      // The broker cancelled the consumer (its queue was deleted): consume again on a fresh connection.
      if (!this.stopped) this.host.lostChannel(`the broker cancelled a consumer of ${this.target.topic}`);
      return;
    }
    if (this.stopped) return;
    // Ack before dispatch (at most once): the method runs only once the broker has the ack, so a server
    // that dies mid-call never gets the request again, nor does any other server.
    const acked = this.host.confirmAcks ? this.acks(channel).ackAndConfirm(delivery) : ackNow(channel, delivery);
    // The connection lost before the ack was confirmed: the ack may or may not have reached the broker.
    // From a queue only this listener consumes, run it anyway: if the broker redelivers it after the
    // reconnection, it comes back here and the processor drops its `_unique_id` as a duplicate. From the
    // shared topic queue another server could get it again, so it is not run there.
    const work = acked.then(
      (ok) => (ok ? this.processor.process(delivery.content) : undefined),
      async (error: unknown) => {
        if (ownQueue && !this.stopped) return this.processor.process(delivery.content);
        this.host.onError(new RpcError('transport', 'discarding a request whose ack may not have reached the broker', { cause: error }));
      },
    );
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private acks(channel: Channel): AckConfirmer {
    if (this.confirmer?.channel !== channel) this.confirmer = new AckConfirmer(channel);
    return this.confirmer;
  }
}

async function ackNow(channel: Channel, delivery: ConsumeMessage): Promise<boolean> {
  channel.ack(delivery);
  return true;
}

/**
 * Makes sure acks reached the broker. amqplib's `ack` only queues the frame; a synchronous method sent on
 * the same channel afterwards (basic.qos, which changes nothing here) is answered only once the broker has
 * processed every frame before it, the ack included. Acks issued while a confirmation is in flight share
 * the next one, so a burst of deliveries costs two round trips, not one each.
 */
export class AckConfirmer {
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(readonly channel: Channel) {}

  /** Ack, then resolve true once the broker has it; reject when the channel fails first. */
  async ackAndConfirm(delivery: ConsumeMessage): Promise<boolean> {
    this.channel.ack(delivery);
    await this.barrier();
    return true;
  }

  private barrier(): Promise<void> {
    if (!this.inFlight) return this.start();
    // A confirmation already on the wire may have left before this ack: wait for the one after it.
    this.next ??= this.inFlight.then(
      () => this.start(),
      () => this.start(),
    );
    return this.next;
  }

  private start(): Promise<void> {
    this.next = undefined;
    const run: Promise<void> = this.channel.prefetch(0).then(
      () => undefined,
      (cause: unknown) => {
        throw new RpcError('transport', 'the channel closed before the broker confirmed the ack', { cause });
      },
    );
    this.inFlight = run;
    run.then(
      () => {
        if (this.inFlight === run) this.inFlight = undefined;
      },
      () => {
        if (this.inFlight === run) this.inFlight = undefined;
      },
    );
    return run;
  }
}
