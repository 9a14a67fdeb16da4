import amqp, { type ChannelModel } from 'amqplib';
import { RpcError } from '../errors.js';

/** How long to wait between reconnection attempts: initial, doubled each failure, capped. */
export interface ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 250, maxDelayMs: 30_000, factor: 2 };

export interface ConnectionEvents {
  /** Runs after every (re)connection, before waiters are released: re-declare queues and consumers here. */
  readonly onUp: (model: ChannelModel) => Promise<void>;
  /** Runs once per lost connection: fail what was in flight. */
  readonly onDown: (error: RpcError) => void;
  readonly onError: (error: unknown) => void;
}

/**
 * One AMQP connection kept alive: connects, notices loss, reconnects with exponential backoff and
 * re-runs `onUp`. The first connection must succeed (an unreachable broker fails loudly at start);
 * later losses are retried until `close()`.
 */
export class BrokerConnection {
  private model: ChannelModel | undefined;
  private closing = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private waiters = new Set<{ resolve: (model: ChannelModel) => void; reject: (error: unknown) => void }>();

  constructor(
    private readonly url: string,
    private readonly socketOptions: Record<string, unknown>,
    private readonly reconnect: ReconnectPolicy,
    private readonly events: ConnectionEvents,
  ) {}

  /** The first connection; rejects with RpcError 'transport' if the broker cannot be reached. */
  async start(): Promise<void> {
    try {
      await this.open();
    } catch (cause) {
      throw new RpcError('transport', `cannot connect to RabbitMQ at ${redact(this.url)}: ${describe(cause)}`, { cause });
    }
  }

  get connected(): boolean {
    return this.model !== undefined;
  }

  /** The live connection, waiting up to `timeoutMs` for a reconnection in progress. */
  async ready(timeoutMs: number): Promise<ChannelModel> {
    if (this.model) return this.model;
    if (this.closing) throw new RpcError('transport', 'transport is closed');
    return new Promise<ChannelModel>((resolve, reject) => {
      const waiter = {
        resolve: (model: ChannelModel) => {
          clearTimeout(timer);
          resolve(model);
        },
        reject: (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new RpcError('transport', `not connected to RabbitMQ at ${redact(this.url)} within ${timeoutMs}ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    for (const waiter of this.waiters) waiter.reject(new RpcError('transport', 'transport is closed'));
    this.waiters.clear();
    const model = this.model;
    this.model = undefined;
    if (model) await model.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const model = await amqp.connect(this.url, this.socketOptions);
    model.on('error', (error) => this.events.onError(error));
    model.on('close', () => this.lost(model));
    try {
      await this.events.onUp(model);
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      await model.close().catch(() => undefined);
      return;
    }
    this.model = model;
    this.attempt = 0;
    for (const waiter of this.waiters) waiter.resolve(model);
    this.waiters.clear();
  }

  private lost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    if (this.closing) return;
    this.events.onDown(new RpcError('transport', `connection to RabbitMQ at ${redact(this.url)} was lost`));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const { initialDelayMs, maxDelayMs, factor } = this.reconnect;
    const delay = Math.min(initialDelayMs * factor ** this.attempt, maxDelayMs);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.open().catch((error) => {
        this.events.onError(error);
        this.scheduleReconnect();
      });
    }, delay);
  }
}

/** Hide the password in a URL before it goes into an error message. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describe).join('; ');
  return error instanceof Error ? error.message || error.name : String(error);
}
