import { isRecord } from '@versioned/objects/internal';
import { RpcError } from '../errors.js';
import { toFailure } from '../failure.js';
import { MAX_TIMER_MS } from '../transport-contract.js';
import type { MessageHandler, RpcReply } from '../transport.js';
import { RecentIds } from './recent-ids.js';
import { decodeEnvelope, encodeEnvelope, fromOsloRequest, toOsloHeartbeat, toOsloReply, type IncomingRequest } from './wire.js';

/** What the server half of a transport does with the bytes of a reply. */
export type SendReply = (replyQueue: string, body: Buffer) => Promise<void>;

/**
 * The server side of the oslo wire, shared by both transports: decode a request body, refuse a malformed
 * one with a typed failure reply when it names a reply queue, drop duplicate `_unique_id`s, heartbeat for
 * callers that asked for it, run the handler and send its reply (or, when the reply cannot be encoded,
 * a failure saying so). `process` never rejects.
 */
export class RequestProcessor {
  private readonly recent: RecentIds;

  constructor(
    private readonly handler: MessageHandler,
    duplicateWindow: number,
    private readonly sendReply: SendReply,
    private readonly onError: (error: unknown) => void,
  ) {
    this.recent = new RecentIds(duplicateWindow);
  }

  async process(body: Buffer): Promise<void> {
    let inner: Record<string, unknown>;
    try {
      inner = decodeEnvelope(body);
    } catch (error) {
      // Not even an object: there is nowhere to send a reply.
      this.onError(error);
      return;
    }
    let request: IncomingRequest;
    try {
      request = fromOsloRequest(inner);
    } catch (error) {
      this.onError(error);
      const msgId = inner['_msg_id'];
      const replyQueue = inner['_reply_q'];
      if (typeof msgId === 'string' && msgId !== '' && typeof replyQueue === 'string' && replyQueue !== '') {
        await this.reply(replyQueue, msgId, { failure: toFailure(error) }, undefined);
      }
      return;
    }
    if (request.uniqueId !== undefined && this.recent.seen(request.uniqueId)) return;
    const { msgId, replyQueue } = request;
    const expectsReply = msgId !== undefined && replyQueue !== undefined;
    const stopHeartbeat = expectsReply ? this.startHeartbeat(request.callMonitorTimeoutS, msgId, replyQueue) : () => undefined;
    let reply: RpcReply;
    try {
      reply = checkReply(await this.handler(request.message, { expectsReply }));
    } catch (error) {
      reply = { failure: toFailure(error) };
    } finally {
      stopHeartbeat();
    }
    if (expectsReply) await this.reply(replyQueue, msgId, reply, request.message.method);
  }

  private async reply(replyQueue: string, msgId: string, reply: RpcReply, method: string | undefined): Promise<void> {
    let body: Buffer;
    try {
      body = encodeEnvelope(toOsloReply(msgId, reply));
    } catch (cause) {
      // A result JSON cannot carry (a BigInt, a cycle): the caller hears so at once instead of timing out.
      const what = method === undefined ? 'the reply' : `the result of ${method}`;
      const error = new RpcError(
        'invalid_message',
        `${what} cannot be sent as JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
      this.onError(error);
      body = encodeEnvelope(toOsloReply(msgId, { failure: toFailure(error) }));
    }
    try {
      await this.sendReply(replyQueue, body);
    } catch (error) {
      this.onError(error);
    }
  }

  /**
   * oslo's call monitor: a caller that sent `_timeout` T (seconds, >= 2) gets a keep-alive every T/2 s.
   * The interval is clamped to what a timer can hold, so a huge T means rare heartbeats, not a flood.
   */
  private startHeartbeat(timeoutS: number | undefined, msgId: string, replyQueue: string): () => void {
    if (timeoutS === undefined || !(timeoutS >= 2)) return () => undefined;
    const intervalMs = Math.min((Math.trunc(timeoutS) / 2) * 1000, MAX_TIMER_MS);
    const timer = setInterval(() => {
      this.sendReply(replyQueue, encodeEnvelope(toOsloHeartbeat(msgId))).catch((error: unknown) => this.onError(error));
    }, intervalMs);
    return () => clearInterval(timer);
  }
}

/** A handler that resolves with something other than a reply still answers the caller, with a failure. */
function checkReply(reply: unknown): RpcReply {
  if (isRecord(reply)) {
    const failure = reply['failure'];
    if (failure === undefined || failure === null) return { result: reply['result'] ?? null };
    if (isRecord(failure) && typeof failure['class'] === 'string') return reply as RpcReply;
  }
  throw new RpcError('invalid_message', 'the server handler returned something that is not a reply ({result} or {failure})');
}
