import type { Options } from 'amqplib';
import { newHexId } from './wire.js';

/**
 * Exchange and queue names and flags, matching oslo.messaging's rabbit driver with its default options
 * (amqp_durable_queues=false, amqp_auto_delete=false, rabbit_transient_queues_ttl=1800, no HA, no quorum),
 * so that a Python service and ours can declare and share the same queues without a 406 PRECONDITION_FAILED.
 */
export interface TopologyOptions {
  /** oslo's amqp_durable_queues: durable topic exchange and topic queues. */
  readonly durableQueues: boolean;
  /** oslo's amqp_auto_delete: auto-delete topic exchange and topic queues. */
  readonly autoDelete: boolean;
  /** oslo's rabbit_transient_queues_ttl in seconds: x-expires of reply and fanout queues. */
  readonly transientQueuesTtlS: number;
}

export const DEFAULT_TOPOLOGY: TopologyOptions = { durableQueues: false, autoDelete: false, transientQueuesTtlS: 1800 };

export function topicExchange(topology: TopologyOptions): Options.AssertExchange {
  return { durable: topology.durableQueues, autoDelete: topology.autoDelete };
}

/** Queues `topic` and `topic.server`: shared by every server of the topic, no x-expires. */
export function topicQueue(topology: TopologyOptions): Options.AssertQueue {
  return { durable: topology.durableQueues, autoDelete: topology.autoDelete, arguments: {} };
}

export function fanoutExchangeName(topic: string): string {
  return `${topic}_fanout`;
}

export const FANOUT_EXCHANGE: Options.AssertExchange = { durable: false, autoDelete: true };

/** One fanout queue per listener, `<topic>_fanout_<uuid hex>`. */
export function fanoutQueueName(topic: string): string {
  return `${topic}_fanout_${newHexId()}`;
}

/** Fanout and reply queues: transient, expiring when unused (oslo does not delete them itself). */
export function transientQueue(topology: TopologyOptions): Options.AssertQueue {
  const args: Record<string, unknown> = {};
  if (topology.transientQueuesTtlS > 0) args['x-expires'] = topology.transientQueuesTtlS * 1000;
  return { durable: false, autoDelete: false, arguments: args };
}

/** One reply queue per transport, on the default exchange. */
export function replyQueueName(): string {
  return `reply_${newHexId()}`;
}

export function routingKey(topic: string, server: string | undefined): string {
  return server === undefined ? topic : `${topic}.${server}`;
}

/** Properties kombu sets on oslo's messages; `expiration` is the call timeout in ms. */
export function publishOptions(expirationMs?: number): Options.Publish {
  const options: Options.Publish = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, headers: {} };
  if (expirationMs !== undefined) options.expiration = String(Math.max(0, Math.floor(expirationMs)));
  return options;
}
