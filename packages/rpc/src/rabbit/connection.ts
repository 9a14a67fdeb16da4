import amqp, { type ChannelModel } from 'amqplib';
import { RpcError } from '../errors.js';

/**
 * How to reconnect: wait `initialDelayMs`, multiplied by `factor` after each failed attempt, never more
 * than `maxDelayMs`; each attempt (TCP connect, AMQP handshake and re-declaring every queue) is abandoned
 * after `attemptTimeoutMs`. So once the broker is reachable again, the transport is back within
 * `maxDelayMs + attemptTimeoutMs`.
 */
export interface ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly attemptTimeoutMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 250, maxDelayMs: 5_000, factor: 2, attemptTimeoutMs: 10_000 };

/**
 * Where a connection is:
 * - `connecting`: opening the TCP connection and the AMQP handshake;
 * - `attaching`: connected, re-declaring the reply queue and every listener's queues (`onUp`);
 * - `up`: attached; calls, casts and replies go out;
 * - `waiting`: a connection or an attempt failed; the next attempt is scheduled (backoff);
 * - `closed`: `close()` was called; nothing reconnects.
 * Only `up` counts as connected. A failure in `connecting` or `attaching`, including the new connection
 * dropping while its queues are declared, goes to `waiting`; so does the loss of an `up` connection.
 */
export type ConnectionState = 'connecting' | 'attaching' | 'up' | 'waiting' | 'closed';

export interface ConnectionEvents {
  /** Runs after every (re)connection, before waiters are released: re-declare queues and consumers here. */
  readonly onUp: (model: ChannelModel) => Promise<void>;
  /** Runs once per lost `up` connection (the transport keeps its calls waiting and re-publishes what was unconfirmed). */
  readonly onDown: (error: RpcError) => void;
  readonly onError: (error: unknown) => void;
}

interface Waiter {
  resolve(model: ChannelModel): void;
  reject(error: unknown): void;
}

/**
 * One AMQP connection kept alive by an explicit state machine (see ConnectionState). The first connection
 * must succeed (an unreachable broker fails loudly at start); afterwards every failure is retried with
 * backoff until `close()`. The URLs are tried in turn (oslo's list of hosts).
 */
export class BrokerConnection {
  #state: ConnectionState = 'connecting';
  private model: ChannelModel | undefined;
  /** The connection of the attempt in progress (not yet `up`). */
  private candidate: ChannelModel | undefined;
  private candidateLost: ((error: RpcError) => void) | undefined;
  private attempt = 0;
  private urlIndex = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly closedModels = new WeakSet<ChannelModel>();
  /** Counts of what happened, for diagnostics and tests. */
  readonly stats = { connections: 0, failedAttempts: 0, losses: 0 };

  constructor(
    private readonly urls: readonly string[],
    private readonly socketOptions: Record<string, unknown>,
    private readonly reconnect: ReconnectPolicy,
    private readonly events: ConnectionEvents,
  ) {}

  get state(): ConnectionState {
    return this.#state;
  }

  /** The first connection; rejects with RpcError 'transport' if the broker cannot be reached. */
  async start(): Promise<void> {
    const causes: unknown[] = [];
    // Every host once, in turn: the first that answers is used.
    for (let i = 0; i < this.urls.length; i++) {
      try {
        await this.open();
        return;
      } catch (cause) {
        causes.push(cause);
        if (this.isClosed()) break;
      }
    }
    this.#state = 'closed';
    const cause = causes.length === 1 ? causes[0] : new AggregateError(causes, 'every host failed');
    throw new RpcError('transport', `cannot connect to RabbitMQ at ${this.urls.map(redact).join(', ')}: ${describe(cause)}`, { cause });
  }

  get connected(): boolean {
    return this.#state === 'up';
  }

  /** The connection in use, if `up`. */
  get current(): ChannelModel | undefined {
    return this.#state === 'up' ? this.model : undefined;
  }

  /** The live connection, waiting up to `timeoutMs` for a reconnection in progress. */
  async ready(timeoutMs: number): Promise<ChannelModel> {
    if (this.#state === 'up' && this.model) return this.model;
    if (this.#state === 'closed') throw new RpcError('transport', 'the transport is closed');
    return new Promise<ChannelModel>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new RpcError('transport', `not connected to RabbitMQ within ${timeoutMs} ms (state ${this.#state})`, {
            details: { state: this.#state, timeoutMs },
          }),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (model) => {
          clearTimeout(timer);
          resolve(model);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Whether `model` has not closed (yet). */
  isOpen(model: ChannelModel): boolean {
    return !this.closedModels.has(model);
  }

  /** Drop the current connection and reconnect (a consumer channel was lost while the connection stayed up). */
  recycle(reason: string): void {
    const model = this.model;
    if (this.#state !== 'up' || !model) return;
    this.events.onError(new RpcError('transport', `reconnecting: ${reason}`));
    this.lost(model);
    void model.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed' && !this.model && !this.candidate) return;
    this.#state = 'closed';
    clearTimeout(this.reconnectTimer);
    for (const waiter of this.waiters) waiter.reject(new RpcError('transport', 'the transport is closed'));
    this.waiters.clear();
    const models = [this.model, this.candidate].filter((m): m is ChannelModel => m !== undefined);
    this.model = undefined;
    this.candidate = undefined;
    await Promise.all(models.map((m) => m.close().catch(() => undefined)));
  }

  /** One attempt: connect, attach, then `up`; throws (and leaves nothing open) on any failure. */
  private async open(): Promise<void> {
    const url = this.urls[this.urlIndex % this.urls.length] as string;
    this.urlIndex += 1;
    this.#state = 'connecting';
    let model: ChannelModel | undefined;
    const timeoutMs = this.reconnect.attemptTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RpcError('transport', `connection attempt to ${redact(url)} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    deadline.catch(() => undefined);
    const lost = new Promise<never>((_, reject) => {
      this.candidateLost = reject;
    });
    lost.catch(() => undefined);
    const connecting = amqp.connect(url, { ...this.socketOptions, timeout: timeoutMs });
    try {
      model = await Promise.race([connecting, deadline]);
      const m = model;
      this.candidate = m;
      m.on('error', (error) => this.events.onError(error));
      m.on('close', () => this.closed(m));
      if (this.isClosed()) throw new RpcError('transport', 'the transport is closed');
      this.#state = 'attaching';
      const attaching = this.events.onUp(m);
      attaching.catch(() => undefined);
      await Promise.race([attaching, deadline, lost]);
      if (this.isClosed()) throw new RpcError('transport', 'the transport is closed');
    } catch (error) {
      // A connect that completes after its deadline must not leak a connection.
      if (!model)
        void connecting.then(
          (late) => late.close().catch(() => undefined),
          () => undefined,
        );
      this.candidate = undefined;
      if (model) await model.close().catch(() => undefined);
      if (!this.isClosed()) this.#state = 'waiting';
      throw error;
    } finally {
      clearTimeout(timer);
      this.candidateLost = undefined;
    }
    this.candidate = undefined;
    this.model = model;
    this.#state = 'up';
    this.attempt = 0;
    this.stats.connections += 1;
    for (const waiter of this.waiters) waiter.resolve(model);
    this.waiters.clear();
  }

  private isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** A connection closed: the adopted one (reconnect) or the one being attached (fail that attempt). */
  private closed(model: ChannelModel): void {
    this.closedModels.add(model);
    if (this.candidate === model)
      this.candidateLost?.(new RpcError('transport', 'the new connection to RabbitMQ was lost while its queues were declared'));
    else this.lost(model);
  }

  private lost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    if (this.isClosed()) return;
    this.stats.losses += 1;
    this.#state = 'waiting';
    this.events.onDown(new RpcError('transport', 'the connection to RabbitMQ was lost'));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.isClosed()) return;
    const { initialDelayMs, maxDelayMs, factor } = this.reconnect;
    const delay = Math.min(initialDelayMs * factor ** this.attempt, maxDelayMs);
    this.attempt = Math.min(this.attempt + 1, 64);
    this.#state = 'waiting';
    this.reconnectTimer = setTimeout(() => {
      this.open().catch((error: unknown) => {
        this.stats.failedAttempts += 1;
        if (this.isClosed()) return;
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
