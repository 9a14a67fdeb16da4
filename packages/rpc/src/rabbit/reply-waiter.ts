import type { Channel, ConsumeMessage } from 'amqplib';
import { RpcError } from '../errors.js';
import type { Target } from '../target.js';
import { timeoutError } from '../transport-contract.js';
import type { RpcReply } from '../transport.js';
import { RecentIds } from './recent-ids.js';
import { transientQueue, type TopologyOptions } from './topology.js';
import { decodeEnvelope, fromOsloReply } from './wire.js';

interface PendingCall {
  readonly describe: string;
  readonly resolve: (reply: RpcReply) => void;
  readonly reject: (error: RpcError) => void;
  readonly deadline: NodeJS.Timeout;
  readonly monitorMs: number | undefined;
  monitor: NodeJS.Timeout | undefined;
  /** A result that arrived before its `ending` message (pre-N oslo servers send two messages). */
  early: RpcReply | undefined;
}

/**
 * The client half of calls (oslo's ReplyWaiter): one `reply_<uuid>` queue per transport, consumed on
 * every connection; replies are matched to pending calls by `_msg_id`. A call fails with 'timeout' when
 * its deadline passes, or when the call monitor sees no heartbeat in time, and with 'transport' only when
 * the transport is closed. A lost connection fails nothing: the queue (not auto-delete, with x-expires)
 * keeps the replies sent meanwhile, and the next connection consumes it again under the same name.
 */
export class ReplyWaiter {
  private readonly pending = new Map<string, PendingCall>();
  private readonly recent: RecentIds;

  constructor(
    readonly queue: string,
    private readonly topology: TopologyOptions,
    duplicateWindow: number,
    private readonly onError: (error: unknown) => void,
    private readonly onCancel?: () => void,
  ) {
    this.recent = new RecentIds(duplicateWindow);
  }

  /** Declare and consume the reply queue on a fresh connection's channel (same name every time). */
  async attach(channel: Channel): Promise<void> {
    await channel.assertQueue(this.queue, transientQueue(this.topology));
    // Acked after it is handled: a reply the broker sent as the connection dropped is delivered again on
    // the next connection instead of being lost (a duplicate is dropped by its `_unique_id`).
    await channel.consume(this.queue, (delivery) => this.receive(channel, delivery), { noAck: false });
  }

  /** Register a call before its request is published, so a fast reply cannot be missed. */
  expect(
    msgId: string,
    options: { timeoutMs: number; callMonitorMs: number | undefined; describe: string; target: Target; method: string },
  ): Promise<RpcReply> {
    return new Promise<RpcReply>((resolve, reject) => {
      const fail = (error: RpcError) => {
        this.forget(msgId);
        reject(error);
      };
      const deadline = setTimeout(() => fail(timeoutError(options.target, options.method, options.timeoutMs)), options.timeoutMs);
      const call: PendingCall = {
        describe: options.describe,
        resolve,
        reject: fail,
        deadline,
        monitorMs: options.callMonitorMs,
        monitor: undefined,
        early: undefined,
      };
      this.pending.set(msgId, call);
      this.armMonitor(msgId, call);
    });
  }

  /** Fail one call (its request could not be published). */
  fail(msgId: string, error: RpcError): void {
    this.pending.get(msgId)?.reject(error);
  }

  /** Fail every call in flight: the transport is closing. */
  failAll(error: RpcError): void {
    for (const call of [...this.pending.values()]) {
      call.reject(new RpcError(error.code, `${error.message}; ${call.describe} may or may not have run`, { cause: error }));
    }
  }

  isPending(msgId: string): boolean {
    return this.pending.has(msgId);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** (Re)start the call monitor: each heartbeat from the server renews it. */
  private armMonitor(msgId: string, call: PendingCall): void {
    const monitorMs = call.monitorMs;
    if (monitorMs === undefined) return;
    clearTimeout(call.monitor);
    call.monitor = setTimeout(
      () =>
        call.reject(
          new RpcError('timeout', `no call-monitor heartbeat within ${monitorMs}ms for ${call.describe}`, { details: { msgId } }),
        ),
      monitorMs,
    );
  }

  private forget(msgId: string): void {
    const call = this.pending.get(msgId);
    if (!call) return;
    clearTimeout(call.deadline);
    clearTimeout(call.monitor);
    this.pending.delete(msgId);
  }

  private receive(channel: Channel, delivery: ConsumeMessage | null): void {
    // The broker cancelled the consumer (the queue was deleted): the channel's owner reconnects.
    if (delivery === null) {
      this.onCancel?.();
      return;
    }
    this.receiveBody(delivery.content);
    try {
      channel.ack(delivery);
    } catch {
      // The channel closed meanwhile: the broker delivers the reply again on the next connection.
    }
  }

  /** A reply body, from the reply queue (or the in-memory broker). */
  receiveBody(body: Buffer): void {
    try {
      const incoming = fromOsloReply(decodeEnvelope(body));
      if (incoming.uniqueId !== undefined && this.recent.seen(incoming.uniqueId)) return;
      const call = this.pending.get(incoming.msgId);
      if (!call) return; // late reply to a call that already timed out
      if (incoming.heartbeat) {
        this.armMonitor(incoming.msgId, call);
        return;
      }
      if (!incoming.ending) {
        call.early = incoming.reply;
        return;
      }
      const reply = incoming.reply.failure === undefined && incoming.reply.result === null && call.early ? call.early : incoming.reply;
      this.forget(incoming.msgId);
      call.resolve(reply);
    } catch (error) {
      this.onError(error);
    }
  }
}
