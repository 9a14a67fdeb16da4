import type { Operation, Outcome } from './api-service.js';

/** Whatever runs operations: an ApiService in this process, or a proxy to one in a child process. */
export interface Caller {
  run(op: Operation, requestId: string): Promise<Outcome>;
}

/** The load's counters so far (a plain object: it crosses a process boundary as JSON). */
export interface LoadStats {
  /** Operations started (calls + casts). */
  made: number;
  calls: number;
  casts: number;
  /** Calls that returned, casts accepted by the transport. */
  answered: number;
  failed: number;
  /** Failures by typed error code (`untyped` must stay absent). */
  failedByCode: Record<string, number>;
  /** Operations that took their older form because canSendVersion('1.1') was false. */
  degraded: number;
  /** Objects (volumes and attachments) sent below their newest version. */
  backported: number;
  /** RpcError `version_cap`: a call sent above the cap (0 by design: every 1.1 call is gated). */
  capErrors: number;
  /** Messages or replies that could not be decoded. */
  undecodable: number;
  /** Operations still waiting. */
  inFlight: number;
  /** Operations completed, by the method actually sent (an extend_volume under a 1.0 cap is a get_volume). */
  byMethod: Record<string, number>;
}

/** One failed operation, with what it was sent to and when. */
export interface FailureRecord {
  readonly requestId: string;
  readonly op: Operation;
  readonly host: string | undefined;
  readonly sentAt: number;
  readonly at: number;
  readonly code: string;
  readonly message: string;
}

export interface LoadOptions {
  /** Who runs the operations now; read for every operation (switch it with `switchTo`). */
  readonly caller: Caller;
  /** Operations started per second (default 30: ten per second per host of a three-host fleet). */
  readonly ratePerSecond?: number;
  /** Weights of the operations (default: create 3, get 3, extend 2, update (cast) 2). */
  readonly mix?: Partial<Record<Operation, number>>;
  /** Prefix of the request ids (unique per load generator; they find duplicates across the fleet). */
  readonly idPrefix?: string;
  readonly clock?: () => number;
  readonly random?: () => number;
  /** Told of every outcome as it arrives. */
  readonly onOutcome?: (outcome: Outcome, requestId: string) => void;
}

export function emptyStats(): LoadStats {
  return {
    made: 0,
    calls: 0,
    casts: 0,
    answered: 0,
    failed: 0,
    failedByCode: {},
    degraded: 0,
    backported: 0,
    capErrors: 0,
    undecodable: 0,
    inFlight: 0,
    byMethod: {},
  };
}

/**
 * A steady mix of calls and casts, started on a timer whatever the fleet is doing (an operation does not wait
 * for the previous one), counted as they complete.
 */
export class LoadGenerator {
  readonly failures: FailureRecord[] = [];
  readonly #stats = emptyStats();
  readonly #options: LoadOptions;
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #weights: [Operation, number][];
  readonly #inFlight = new Map<Caller, Set<Promise<void>>>();
  #caller: Caller;
  #timer: NodeJS.Timeout | undefined;
  #next = 0;

  constructor(options: LoadOptions) {
    this.#options = options;
    this.#caller = options.caller;
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? Math.random;
    const mix = { create_volume: 3, get_volume: 3, extend_volume: 2, update_volume: 2, ...options.mix };
    this.#weights = Object.entries(mix).filter(([, w]) => w > 0) as [Operation, number][];
  }

  start(): void {
    if (this.#timer) return;
    const rate = this.#options.ratePerSecond ?? 30;
    this.#timer = setInterval(() => this.fire(), 1000 / rate);
  }

  /** Start one operation now. */
  fire(): void {
    const caller = this.#caller;
    const requestId = `${this.#options.idPrefix ?? 'req'}-${++this.#next}`;
    const op = this.#choose();
    this.#stats.made += 1;
    this.#stats.inFlight += 1;
    const work = caller.run(op, requestId).then(
      (outcome) => this.#count(outcome, requestId),
      (error: unknown) =>
        this.#count(
          {
            op,
            kind: 'call',
            host: undefined,
            sentAt: this.#clock(),
            degraded: false,
            backported: 0,
            error: { code: 'untyped', message: String(error), undecodable: false },
          },
          requestId,
        ),
    );
    const set = this.#inFlight.get(caller) ?? new Set();
    this.#inFlight.set(caller, set);
    set.add(work);
    void work.finally(() => set.delete(work));
  }

  /** Send the next operations to `caller`; resolves once the previous caller has none in flight (then it may stop). */
  async switchTo(caller: Caller): Promise<void> {
    const previous = this.#caller;
    this.#caller = caller;
    await Promise.all([...(this.#inFlight.get(previous) ?? [])]);
    this.#inFlight.delete(previous);
  }

  /** Stop starting operations; resolves once every started one has completed. */
  async stop(): Promise<LoadStats> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    while ([...this.#inFlight.values()].some((s) => s.size > 0)) await Promise.all([...this.#inFlight.values()].flatMap((s) => [...s]));
    return this.stats();
  }

  stats(): LoadStats {
    return { ...this.#stats, failedByCode: { ...this.#stats.failedByCode }, byMethod: { ...this.#stats.byMethod } };
  }

  #choose(): Operation {
    const total = this.#weights.reduce((n, [, w]) => n + w, 0);
    let r = this.#random() * total;
    for (const [op, w] of this.#weights) if ((r -= w) < 0) return op;
    return this.#weights[0]?.[0] ?? 'get_volume';
  }

  #count(outcome: Outcome, requestId: string): void {
    const s = this.#stats;
    s.inFlight -= 1;
    if (outcome.kind === 'cast') s.casts += 1;
    else s.calls += 1;
    s.byMethod[outcome.op] = (s.byMethod[outcome.op] ?? 0) + 1;
    if (outcome.degraded) s.degraded += 1;
    s.backported += outcome.backported;
    if (outcome.error) {
      s.failed += 1;
      s.failedByCode[outcome.error.code] = (s.failedByCode[outcome.error.code] ?? 0) + 1;
      if (outcome.error.code === 'version_cap') s.capErrors += 1;
      if (outcome.error.undecodable) s.undecodable += 1;
      this.failures.push({
        requestId,
        op: outcome.op,
        host: outcome.host,
        sentAt: outcome.sentAt,
        at: this.#clock(),
        code: outcome.error.code,
        message: outcome.error.message,
      });
    } else {
      s.answered += 1;
    }
    try {
      this.#options.onOutcome?.(outcome, requestId);
    } catch {
      // an observer's failure is not the load's
    }
  }
}
