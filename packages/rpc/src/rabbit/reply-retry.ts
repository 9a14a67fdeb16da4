import { decodeEnvelope } from './wire.js';

/**
 * Replies whose `reply_<uuid>` queue is missing, as oslo handles them (AMQPIncomingMessage.reply and
 * ObsoleteReplyQueuesCache): the caller may be reconnecting and about to re-declare its queue, so a
 * returned reply is re-sent every `retryEveryMs` until `retryForMs` has passed; then the queue counts as
 * gone and further replies to it are dropped at once for a while, so dead callers cost nothing.
 */
export class ReplyRetries {
  /** Unique id of a returned reply -> when to give up on it. */
  private readonly deadlines = new Map<string, number>();
  /** Queues given up on -> until when replies to them are dropped (oslo keeps 200 for 60 s). */
  private readonly gone = new Map<string, number>();

  constructor(
    private readonly options: {
      readonly retryForMs: number;
      readonly retryEveryMs: number;
      readonly resend: (queue: string, body: Buffer) => void;
      readonly giveUp: (queue: string) => void;
    },
  ) {}

  /** False for a queue recently given up on: the reply is not worth sending. */
  worthSending(queue: string): boolean {
    const until = this.gone.get(queue);
    if (until === undefined) return true;
    if (until > Date.now()) return false;
    this.gone.delete(queue);
    return true;
  }

  /** The broker returned a mandatory reply: no queue by that name. */
  returned(queue: string, body: Buffer): void {
    const id = uniqueIdOf(body) ?? queue;
    const now = Date.now();
    this.forgetOld(now);
    const deadline = this.deadlines.get(id) ?? now + this.options.retryForMs;
    if (now >= deadline) {
      this.deadlines.delete(id);
      this.markGone(queue);
      this.options.giveUp(queue);
      return;
    }
    this.deadlines.set(id, deadline);
    setTimeout(() => {
      if (this.worthSending(queue)) this.options.resend(queue, body);
    }, this.options.retryEveryMs).unref();
  }

  /** A reply delivered on a retry never comes back: its entry is dropped well after its window closed. */
  private forgetOld(now: number): void {
    // Entries are inserted in deadline order (same window for all), so the oldest come first.
    for (const [id, deadline] of this.deadlines) {
      if (deadline + this.options.retryForMs > now) break;
      this.deadlines.delete(id);
    }
  }

  get pending(): number {
    return this.deadlines.size;
  }

  private markGone(queue: string): void {
    this.gone.set(queue, Date.now() + 60_000);
    if (this.gone.size > 200) this.gone.delete(this.gone.keys().next().value as string);
  }
}

function uniqueIdOf(body: Buffer): string | undefined {
  try {
    const id = decodeEnvelope(body)['_unique_id'];
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
