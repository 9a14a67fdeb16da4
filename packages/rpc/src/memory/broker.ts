/** One listener as the broker routes to it. */
export interface Subscription {
  readonly topic: string;
  readonly server: string | undefined;
  /** Take a message (JSON text); resolve with the reply as JSON text, or undefined when none will come. */
  receive(wire: string, expectsReply: boolean): Promise<string | undefined>;
}

/**
 * The in-process stand-in for RabbitMQ's exchanges and queues, shared by the transports that should
 * reach each other (one transport per simulated process). Routing mirrors oslo on RabbitMQ:
 * `topic` -> one listener of the topic in turn, `topic.server` -> that server, fanout -> every listener.
 */
export class InMemoryBroker {
  private readonly byTopic = new Map<string, Subscription[]>();
  private readonly nextIndex = new Map<string, number>();

  subscribe(subscription: Subscription): void {
    const list = this.byTopic.get(subscription.topic) ?? [];
    list.push(subscription);
    this.byTopic.set(subscription.topic, list);
  }

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

  /** How many listeners a topic has (for tests and diagnostics). */
  listenerCount(topic: string): number {
    return this.byTopic.get(topic)?.length ?? 0;
  }
}
