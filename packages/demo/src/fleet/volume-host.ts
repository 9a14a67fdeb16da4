import { setTimeout as sleep } from 'node:timers/promises';
import { isVersionedError } from '@versioned/objects';
import { ObjectsRpcSerializer, RpcServer, isRpcError, type Listener, type RpcMessage, type Transport } from '@versioned/rpc';
import type { RegisterOptions, RunningService, Upgrade } from '@versioned/upgrade';
import type { VolumeRow } from '../releases/host-environment.js';
import type { Release } from '../releases/releases.js';
import { VOLUME_TOPIC } from '../releases/volume-api.js';
import { checkTimings, type FleetTimings } from './timings.js';

export const VOLUME_BINARY = 'volume';

/** What a volume host tells the fleet: every message it receives, every message it cannot read, its own state. */
export type HostReport =
  | {
      readonly kind: 'delivered';
      readonly at: number;
      readonly host: string;
      readonly release: string;
      readonly method: string;
      readonly requestId: string | undefined;
      readonly expectsReply: boolean;
    }
  | {
      readonly kind: 'undecodable';
      readonly at: number;
      readonly host: string;
      readonly release: string;
      readonly method: string;
      readonly message: string;
    }
  | { readonly kind: 'state'; readonly at: number; readonly host: string; readonly release: string; readonly state: HostState };

/** `serving`: listening with a live row; `draining`: row stopped, still serving; `stopped`: gone gracefully; `crashed`: gone, row left behind. */
export type HostState = 'serving' | 'draining' | 'stopped' | 'crashed';

export interface VolumeHostOptions {
  readonly host: string;
  /** Where a volume lands when the caller names no zone. */
  readonly zone: string;
  /** A new connection for each start (a process opens its own; a crash loses it). */
  readonly connect: () => Transport | Promise<Transport>;
  /** This host's handle on the services table (its row, its heartbeats). */
  readonly upgrade: Upgrade;
  readonly timings: FleetTimings;
  /** The host's volume rows: they outlive a restart, as a database does (default: a new Map). */
  readonly rows?: Map<string, VolumeRow>;
  readonly report?: (report: HostReport) => void;
  readonly clock?: () => number;
}

/** An error raised while reading a message (an object this release cannot decode), as opposed to one its manager raised. */
function isUndecodable(error: unknown): boolean {
  return isVersionedError(error) || isRpcError(error, 'invalid_message');
}

/**
 * A machine of the volume service: one release at a time (N or N+1, with that release's registry and manager),
 * its RPC server on `volume.<host>`, its row in the services table.
 * - `start(release)`: the server listens first, then the row is registered, so no caller addresses it unready;
 * - `stop()`: graceful: the row is marked stopped (callers stop addressing it), it serves `drainMs` more, then stops;
 * - `crash()`: the server and the connection are dropped and the heartbeats stop; the row is left as it was.
 */
export class VolumeHost {
  readonly host: string;
  readonly rows: Map<string, VolumeRow>;
  readonly #options: VolumeHostOptions;
  readonly #clock: () => number;
  #running: { release: Release; transport: Transport; server: RpcServer; service: RunningService } | undefined;

  constructor(options: VolumeHostOptions) {
    checkTimings(options.timings);
    this.#options = options;
    this.host = options.host;
    this.rows = options.rows ?? new Map();
    this.#clock = options.clock ?? Date.now;
  }

  /** The release running now, or undefined while the host is down. */
  get release(): Release | undefined {
    return this.#running?.release;
  }

  async start(release: Release, register: RegisterOptions = {}): Promise<void> {
    if (this.#running) throw new Error(`${this.host} already runs release ${this.#running.release.name}: stop it first`);
    const { host, zone, upgrade } = this.#options;
    const transport = this.#reporting(await this.#options.connect(), release);
    const server = new RpcServer({
      transport,
      target: { topic: VOLUME_TOPIC, server: host },
      endpoints: release.makeEndpoints({ host, zone, rows: this.rows, say: () => {} }),
      // No pins of its own: a reply is backported to what the caller says it reads.
      serializer: new ObjectsRpcSerializer({ registry: release.registry }),
      onError: (error, message) => {
        if (isUndecodable(error))
          this.#report({
            kind: 'undecodable',
            host,
            release: release.name,
            method: message?.method ?? '?',
            message: (error as Error).message,
          });
      },
    });
    try {
      await server.start();
      const service = await upgrade.register(VOLUME_BINARY, host, { ...register, release: release.name });
      this.#running = { release, transport, server, service };
    } catch (error) {
      await server.stop().catch(() => undefined);
      await transport.close().catch(() => undefined);
      throw error;
    }
    this.#report({ kind: 'state', host, release: release.name, state: 'serving' });
  }

  /** Graceful: row stopped, `drainMs` of serving what was already addressed here, then the server and connection close. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.service.stop();
    this.#report({ kind: 'state', host: this.host, release: running.release.name, state: 'draining' });
    await sleep(this.#options.timings.drainMs);
    await running.server.stop();
    await running.transport.close();
    this.#report({ kind: 'state', host: this.host, release: running.release.name, state: 'stopped' });
  }

  /** What a SIGKILL does: no more heartbeats, no more messages; the row still says live until it turns late, then dead. */
  async crash(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    running.service.abandon();
    this.#report({ kind: 'state', host: this.host, release: running.release.name, state: 'crashed' });
    await running.transport.close();
  }

  #report(report: DistributiveOmit<HostReport, 'at'>): void {
    this.#options.report?.({ ...report, at: this.#clock() } as HostReport);
  }

  /** The connection, telling the fleet of every message delivered to this host (its request id finds duplicates). */
  #reporting(inner: Transport, release: Release): Transport {
    const deliveredTo = (message: RpcMessage, expectsReply: boolean) => {
      const id = message?.context?.request_id;
      this.#report({
        kind: 'delivered',
        host: this.host,
        release: release.name,
        method: message?.method,
        requestId: typeof id === 'string' ? id : undefined,
        expectsReply,
      });
    };
    return {
      call: (target, message, options) => inner.call(target, message, options),
      cast: (target, message) => inner.cast(target, message),
      listen: (target, handler): Promise<Listener> =>
        inner.listen(target, (message, meta) => {
          deliveredTo(message, meta.expectsReply);
          return handler(message, meta);
        }),
      close: () => inner.close(),
    };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
