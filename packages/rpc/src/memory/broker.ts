import { setTimeout as sleep } from 'node:timers/promises';

/** One listener as the broker routes to it. */
export interface Subscription {
  readonly topic: string;
  readonly server: string | undefined;
  /** Take a request: the AMQP body bytes an oslo peer would receive. */
  deliver(body: Buffer): void;
}

/**
 * The in-process stand-in for RabbitMQ's exchanges and queues, shared by the transports that should
 * reach each other (one transport per simulated process). Routing mirrors oslo on RabbitMQ:
 * `topic` -> one listener of the topic in turn, `topic.server` -> that server, fanout -> every listener;
 * replies go to the caller's `reply_<uuid>` queue. What crosses is the oslo wire (envelope bytes).
 *
 * `dropConnections({ forMs })` is the fault of a broker closing every connection, with the promise the RabbitMQ
 * transport keeps when it reconnects: the queues outlive the connections, so what is published meanwhile waits
 * and is delivered once the connections are back, to the consumers then attached; nothing is lost or delivered
 * twice, and a call in flight is answered after the reconnect if that is within its timeout.
 */
export class InMemoryBroker {
  private readonly byTopic = new Map<string, Subscription[]>();
  private readonly nextIndex = new Map<string, number>();
  private readonly replyQueues = new Map<string, (body: Buffer) => void>();
  /** While the connections are down: what waits for them to come back, in order. */
  #held: (() => void)[] | undefined;
  #drops = 0;

  /** False while a dropConnections() fault is in force. */
  get connected(): boolean {
    return this.#held === undefined;
  }

  /**
   * Close every connection of every transport of this broker for `forMs` milliseconds (overlapping drops end with
   * the last). Meanwhile nothing is delivered: requests, casts and replies published, or in transit, wait in the
   * broker's queues and are delivered in order when the connections come back. Resolves then.
   */
  async dropConnections(options: { readonly forMs: number }): Promise<void> {
    const forMs = options?.forMs;
    if (typeof forMs !== 'number' || !Number.isInteger(forMs) || forMs < 0 || forMs > 2 ** 31 - 1)
      throw new RangeError(`dropConnections: forMs must be a whole number of milliseconds from 0 to 2147483647, got ${String(forMs)}`);
    this.#held ??= [];
    this.#drops++;
    await sleep(forMs);
    if (--this.#drops > 0) return;
    const held = this.#held;
    this.#held = undefined;
    for (const send of held) send();
  }

  /** Run `send` now, or when the connections are back. */
  #whenConnected(send: () => void): void {
    if (this.#held) this.#held.push(send);
    else send();
  }

  /** Start delivering the subscription's topic (and its server's, and fanout) messages to it. */
  subscribe(subscription: Subscription): void {
    const list = this.byTopic.get(subscription.topic) ?? [];
    list.push(subscription);
    this.byTopic.set(subscription.topic, list);
  }

  /** Stop delivering to the subscription. */
  unsubscribe(subscription: Subscription): void {
    const list = this.byTopic.get(subscription.topic);
    if (!list) return;
    const i = list.indexOf(subscription);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byTopic.delete(subscription.topic);
  }

  /** Who receives a message for this topic / server / fanout (empty: nobody is listening). */
  route(topic: string, server: string | undefined, fanout: boolean): Subscription[] {
    const all = this.byTopic.get(topic) ?? [];
    if (fanout) return [...all];
    const candidates = server === undefined ? all : all.filter((s) => s.server === server);
    if (candidates.length === 0) return [];
    // Round robin per routing key, as consumers of one RabbitMQ queue share its messages.
    const key = server === undefined ? topic : `${topic}.${server}`;
    const i = (this.nextIndex.get(key) ?? 0) % candidates.length;
    this.nextIndex.set(key, i + 1);
    return [candidates[i] as Subscription];
  }

  /** Publish request bytes: delivered on a later turn of the event loop, as a network would. */
  publish(topic: string, server: string | undefined, fanout: boolean, body: Buffer): void {
    // Connections down: the message waits in the topic's queue, for the consumers attached when they are back.
    if (this.#held) {
      this.#held.push(() => this.publish(topic, server, fanout, body));
      return;
    }
    for (const receiver of this.route(topic, server, fanout))
      setImmediate(() => this.#whenConnected(() => receiver.deliver(Buffer.from(body))));
  }

  /** Receive the replies sent to the reply queue `queue`. */
  bindReplyQueue(queue: string, receive: (body: Buffer) => void): void {
    this.replyQueues.set(queue, receive);
  }

  /** Delete the reply queue: replies to it are dropped from now on. */
  unbindReplyQueue(queue: string): void {
    this.replyQueues.delete(queue);
  }

  /** Publish reply bytes to a reply queue; a reply to a queue that does not exist is dropped, as on RabbitMQ. */
  reply(queue: string, body: Buffer): void {
    if (!this.replyQueues.has(queue)) return;
    setImmediate(() => this.#whenConnected(() => this.replyQueues.get(queue)?.(Buffer.from(body))));
  }

  /** How many listeners a topic has (for tests and diagnostics). */
  listenerCount(topic: string): number {
    return this.byTopic.get(topic)?.length ?? 0;
  }
}
