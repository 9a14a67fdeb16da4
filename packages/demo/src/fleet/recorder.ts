import { emptyStats, type LoadStats } from './load.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Outcome } from './api-service.js';
import type { HostReport } from './volume-host.js';

/** What one host (or the API service) was at a sample: its release, or `down`. */
export type LaneState = string;

/** The fleet at one moment. */
export interface Sample {
  /** Milliseconds since the recording started. */
  readonly t: number;
  /** The pins in force, by binary (the release name), as the API service sends. */
  readonly pins: Readonly<Record<string, string>>;
  /** Each host's release (`down` while it does not serve), the API service included. */
  readonly hosts: Readonly<Record<string, LaneState>>;
  readonly stats: LoadStats;
}

/** `step` and `fault` are drawn as numbered lines on the timeline; `failure` as a tick; the others are kept in the recording. */
export type EventKind = 'step' | 'pins' | 'fault' | 'reload' | 'failure' | 'host';

export interface FleetEvent {
  readonly t: number;
  readonly kind: EventKind;
  readonly text: string;
  readonly host?: string;
}

/** A run as data: what the timeline draws and the tests read (JSON-safe). */
export interface Recording {
  readonly title: string;
  readonly samples: readonly Sample[];
  readonly events: readonly FleetEvent[];
}

/** Records the fleet's time series (sampled by the caller on its own timer) and its events. */
export class Recorder {
  readonly samples: Sample[] = [];
  readonly events: FleetEvent[] = [];
  readonly #clock: () => number;
  readonly #start: number;

  constructor(
    readonly title: string,
    clock: () => number = Date.now,
  ) {
    this.#clock = clock;
    this.#start = clock();
  }

  /** Milliseconds since the start. */
  now(): number {
    return this.#clock() - this.#start;
  }

  sample(sample: Omit<Sample, 't'>): Sample {
    const recorded = { ...sample, t: this.now() };
    this.samples.push(recorded);
    return recorded;
  }

  event(kind: EventKind, text: string, host?: string): FleetEvent {
    const event = host === undefined ? { t: this.now(), kind, text } : { t: this.now(), kind, text, host };
    this.events.push(event);
    return event;
  }

  /** Operations per second over the last `windowMs` of samples. */
  rate(windowMs = 1000): number {
    const last = this.samples.at(-1);
    if (!last) return 0;
    const first = this.samples.find((s) => s.t >= last.t - windowMs) ?? last;
    return last.t === first.t ? 0 : ((last.stats.made - first.stats.made) * 1000) / (last.t - first.t);
  }

  recording(): Recording {
    return { title: this.title, samples: [...this.samples], events: [...this.events] };
  }

  static empty(): Sample {
    return { t: 0, pins: {}, hosts: {}, stats: emptyStats() };
  }
}

/**
 * What the volume hosts received, from their reports: every delivered message by request id (a request delivered
 * twice is a duplicate: a call run twice), casts delivered, messages a host could not decode.
 */
export class DeliveryLedger {
  readonly #delivered = new Map<string, number>();
  readonly #byHost = new Map<string, number>();
  readonly undecodable: Extract<HostReport, { kind: 'undecodable' }>[] = [];
  castsDelivered = 0;
  callsDelivered = 0;

  take(report: HostReport): void {
    if (report.kind === 'undecodable') this.undecodable.push(report);
    if (report.kind !== 'delivered') return;
    const key = `${report.host}@${report.release}`;
    this.#byHost.set(key, (this.#byHost.get(key) ?? 0) + 1);
    if (report.expectsReply) this.callsDelivered += 1;
    else this.castsDelivered += 1;
    if (report.requestId !== undefined) this.#delivered.set(report.requestId, (this.#delivered.get(report.requestId) ?? 0) + 1);
  }

  /** Request ids delivered more than once. */
  duplicates(): string[] {
    return [...this.#delivered].filter(([, n]) => n > 1).map(([id]) => id);
  }

  /** Messages delivered to `host` while it ran `release`. */
  deliveredTo(host: string, release: string): number {
    return this.#byHost.get(`${host}@${release}`) ?? 0;
  }

  delivered(requestId: string): number {
    return this.#delivered.get(requestId) ?? 0;
  }
}

/** A cast the load sent and the broker accepted: lost if no host reports it delivered. */
export interface SentCast {
  readonly requestId: string;
  readonly host: string | undefined;
  readonly sentAt: number;
}

/** What each fleet keeps of the load's outcomes: the casts accepted (to find the lost ones) and an event per failure. */
export class OutcomeLog {
  readonly castsSent: SentCast[] = [];

  constructor(
    private readonly recorder: Recorder,
    private readonly ledger: DeliveryLedger,
  ) {}

  take(outcome: Outcome, requestId: string): void {
    if (outcome.kind === 'cast' && !outcome.error) this.castsSent.push({ requestId, host: outcome.host, sentAt: outcome.sentAt });
    if (outcome.error) {
      this.recorder.event(
        'failure',
        `${requestId} ${outcome.op} to ${outcome.host ?? '(no host)'}: ${outcome.error.message}`,
        outcome.host,
      );
    }
  }

  /** Casts accepted that no host received (read after the load stopped and the casts in transit had time to arrive). */
  lostCasts(): SentCast[] {
    return this.castsSent.filter((cast) => this.ledger.delivered(cast.requestId) === 0);
  }

  /** After the load stopped: wait up to `withinMs` for the casts still in transit to be reported delivered. */
  async awaitCastsInTransit(withinMs: number, pollMs: number): Promise<void> {
    const end = Date.now() + withinMs;
    while (this.lostCasts().length > 0 && Date.now() < end) await sleep(pollMs);
  }
}
