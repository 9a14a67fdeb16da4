import type { ServiceRegistration, ServiceStore } from './store/types.js';

/** Where the package says what it does: a pin change (info), a failure it survives (warn). */
export interface UpgradeLogger {
  /** Routine events: a service registered, pins lifted. */
  info(message: string): void;
  /** Problems that need no caller's attention but an operator's: failed heartbeats, a refresh that failed. */
  warn(message: string): void;
}

/** What a running service needs from its Upgrade: the store, the clock and the liveness times. */
export interface ServiceContext {
  readonly store: ServiceStore;
  readonly clock: () => number;
  readonly logger: UpgradeLogger;
  readonly reportIntervalMs: number;
  /** A heartbeat older than this (down time + late grace) means the row was dead. */
  readonly deadAfterMs: number;
  readonly onStopped: (service: RunningService) => void;
  /** After the row is marked stopped: this process's pins are refreshed before `stop()` resolves. */
  readonly afterStop: () => Promise<void>;
}

/**
 * A registered service: its row beats every report interval until `stop()`. A crashed process simply stops
 * beating, and its row turns late, then dead. A row forgotten while the service runs is registered again
 * by the next beat: a running service always holds the pins down.
 */
export class RunningService {
  readonly binary: string;
  readonly host: string;
  readonly release: string;
  readonly #entry: ServiceRegistration;
  readonly #context: ServiceContext;
  readonly #timer: NodeJS.Timeout;
  #inFlight: Promise<void> | undefined;
  #failing = false;
  #stopped = false;

  /** @internal Made by `Upgrade.register()`, after the row is written. */
  constructor(entry: ServiceRegistration, context: ServiceContext) {
    this.#entry = entry;
    this.#context = context;
    this.binary = entry.binary;
    this.host = entry.host;
    this.release = entry.release;
    this.#timer = setInterval(() => void this.heartbeat(), context.reportIntervalMs);
    this.#timer.unref();
  }

  /** Whether the service no longer beats: `stop()` or `abandon()` was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Beat now (the timer does it every report interval). Never rejects: a failure is logged once per streak. */
  heartbeat(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#inFlight ??= this.#beat().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #beat(): Promise<void> {
    const { store, clock, logger, deadAfterMs } = this.#context;
    try {
      const now = clock();
      const found = await store.heartbeat(this.binary, this.host, now, now - deadAfterMs);
      if (!found && !this.#stopped) {
        logger.warn(`${this.binary} on ${this.host}: its services row was forgotten or stopped while it runs; registering it again`);
        await store.register(this.#entry, clock());
      }
      if (this.#failing) logger.info(`${this.binary} on ${this.host}: heartbeats reach ${store.url} again`);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) logger.warn(`${this.binary} on ${this.host}: heartbeat failed: ${(error as Error).message}`);
      this.#failing = true;
    }
  }

  /**
   * Graceful shutdown: no more beats, and the row is marked stopped, so it stops holding the pins at once
   * (in this process before `stop()` resolves; in the others at their next refresh).
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#inFlight;
    this.#context.onStopped(this);
    await this.#context.store.stop(this.binary, this.host, this.#context.clock());
    await this.#context.afterStop();
  }

  /** Stop beating without marking the row stopped: what a crash looks like to the table (for tests and drills). */
  abandon(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#context.onStopped(this);
  }
}
