import { isVersionedError, type Manifest } from '@versioned/objects';
import { isRpcError, type RequestContext, type RpcMessage, type Transport } from '@versioned/rpc';
import type { Pins, RunningService, ServiceView, Upgrade } from '@versioned/upgrade';
import { Volume, VolumeAttachment, registry } from '../releases/release-n1.js';
import { VOLUME_RELEASES } from '../releases/releases.js';
import { VolumeAPI } from '../releases/volume-api.js';
import { checkTimings, type FleetTimings } from './timings.js';
import { VOLUME_BINARY } from './volume-host.js';

export const API_BINARY = 'api';

/** What the load asks the API service to do: three calls and a cast, each carrying or returning a Volume. */
export type Operation = 'create_volume' | 'get_volume' | 'extend_volume' | 'update_volume';
export const OPERATIONS: readonly Operation[] = ['create_volume', 'get_volume', 'extend_volume', 'update_volume'];

/** How one operation went. `error.code` is the RpcError's code (`untyped` for anything else, which must never happen). */
export interface Outcome {
  /** What was sent: an extend_volume under a 1.0 cap goes as get_volume. */
  readonly op: Operation;
  readonly kind: 'call' | 'cast';
  /** The host addressed (undefined: no live host could take it). */
  readonly host: string | undefined;
  readonly sentAt: number;
  /** canSendVersion('1.1') was false and the operation took its older form. */
  readonly degraded: boolean;
  /** Objects in the message sent below their class's version (Volume and each attachment), as seen on the wire. */
  readonly backported: number;
  readonly error?: { readonly code: string; readonly message: string; readonly undecodable: boolean };
}

/** The volumes the API service created, by host, with their size (the API's database: it outlives a restart). */
export type VolumeDirectory = Map<string, Map<string, number>>;

export interface ApiServiceOptions {
  /** The API service's own host name (its row: binary `api`). */
  readonly host: string;
  /** `N` or `N+1`: a release-N API service never sends above release N, whatever the table says. */
  readonly release: string;
  readonly transport: Transport;
  /** This process's handle on the services table: its row, the volume pins (read on every call), the view of live hosts. */
  readonly upgrade: Upgrade;
  readonly timings: FleetTimings;
  readonly volumes?: VolumeDirectory;
  readonly clock?: () => number;
  readonly random?: () => number;
}

/** The versions of the classes the API service builds its objects with (release N+1's, whatever its release). */
const NATIVE: Manifest = Object.fromEntries(registry.newestClasses().map((meta) => [meta.name, meta.version]));

let uuidCounter = 0;
function uuid(random: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${(++uuidCounter).toString(16).padStart(12, '0')}`;
}

/**
 * The volume service's caller (Cinder's API + scheduler): one VolumeAPI, capped and pinned by the services table
 * (read from memory on every call), addressing only hosts that are live in its view of the table and run at least
 * the release of the pins in force: a stopped or crashed host is not addressed once the view says so, and a host
 * older than the pins (a release-N host back after the pins lifted) not before this process's pins came down.
 * Release N of the API service is release N+1's calling code held to release N (its cap and object pins never
 * go above N's): what it puts on the wire is what release N's code sends.
 */
export class ApiService {
  readonly host: string;
  readonly release: string;
  readonly api: VolumeAPI;
  readonly volumes: VolumeDirectory;
  readonly #options: ApiServiceOptions;
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #own;
  readonly #busy = new Set<string>();
  readonly #backported = new Map<string, number>();
  #view: { readAt: number; rows: readonly ServiceView[] } | undefined;
  #reading: Promise<readonly ServiceView[]> | undefined;
  #service: RunningService | undefined;

  private constructor(options: ApiServiceOptions) {
    checkTimings(options.timings);
    this.#options = options;
    this.host = options.host;
    this.release = options.release;
    this.#own = VOLUME_RELEASES.get(options.release);
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.volumes = options.volumes ?? new Map();
    this.api = new VolumeAPI({
      transport: this.#counting(options.transport),
      versionCap: () => this.pins().rpc.volume,
      manifest: () => this.pins().manifest,
      timeoutMs: options.timings.callTimeoutMs,
    });
  }

  /** Build it and register its row (binary `api`, its release). */
  static async start(options: ApiServiceOptions): Promise<ApiService> {
    const service = new ApiService(options);
    service.#service = await options.upgrade.register(API_BINARY, options.host, { release: options.release });
    return service;
  }

  /** The volume pins this process sends at now: the table's, never above its own release. */
  pins(): { readonly release: string; readonly rpc: Readonly<Record<string, string>>; readonly manifest: Manifest } {
    const table: Pins = this.#options.upgrade.pins(VOLUME_BINARY);
    const own = this.#own;
    return VOLUME_RELEASES.get(table.release).index <= own.index ? table : { release: own.name, rpc: own.rpc, manifest: own.manifest };
  }

  /** Graceful: the row is marked stopped (the load must have moved to another API service first). */
  async stop(): Promise<void> {
    await this.#service?.stop();
    this.#service = undefined;
  }

  /** Run one operation; never rejects: a failure is in `error`, with the typed code. */
  async run(op: Operation, requestId: string): Promise<Outcome> {
    const ctx: RequestContext = { request_id: requestId };
    const rows = await this.#liveView();
    // Everything from here to the send is synchronous: the hosts eligible, the host chosen and the cap read
    // belong to the same moment (no pin can change in between).
    const hosts = this.#eligible(rows);
    let sent: Operation = op;
    let degraded = false;
    let host: string | undefined;
    let promise: Promise<unknown>;
    let volumeId: string | undefined;
    const withVolumes =
      op === 'create_volume' ? [] : hosts.filter((h) => [...(this.volumes.get(h)?.keys() ?? [])].some((id) => !this.#busy.has(id)));
    if (withVolumes.length === 0) {
      sent = 'create_volume';
      host = this.#pick(hosts);
    } else {
      host = this.#pick(withVolumes) as string;
      const free = [...(this.volumes.get(host) as Map<string, number>).keys()].filter((id) => !this.#busy.has(id));
      volumeId = this.#pick(free) as string;
    }
    const sentAt = this.#clock();
    if (host === undefined)
      return {
        op: sent,
        kind: 'call',
        host,
        sentAt,
        degraded,
        backported: 0,
        error: { code: 'no_valid_host', message: 'no live volume host serves the pins in force', undecodable: false },
      };
    const canSend11 = this.api.canSendVersion('1.1');
    if (sent === 'create_volume') {
      const volume = this.#newVolume();
      degraded = !canSend11; // sent as 1.0, without its zone
      const at = host;
      promise = this.api.createVolume(ctx, at, volume, 'az-api').then((created) => this.#directory(at).set(created.id, created.size));
    } else if (sent === 'extend_volume' && !canSend11) {
      sent = 'get_volume'; // extend_volume is new in 1.1: under a 1.0 cap the API shows the volume instead
      degraded = true;
      promise = this.api.getVolume(ctx, host, volumeId as string);
    } else if (sent === 'extend_volume') {
      const sizes = this.#directory(host);
      const size = (sizes.get(volumeId as string) as number) + 1;
      promise = this.api.extendVolume(ctx, host, volumeId as string, size).then(() => sizes.set(volumeId as string, size));
    } else if (sent === 'get_volume') {
      promise = this.api.getVolume(ctx, host, volumeId as string);
    } else {
      promise = this.api.updateVolume(ctx, host, this.#newVolume(volumeId, this.#directory(host).get(volumeId as string)));
    }
    if (volumeId !== undefined) this.#busy.add(volumeId);
    const backported = this.#backported.get(requestId) ?? 0;
    this.#backported.delete(requestId);
    const kind = sent === 'update_volume' ? 'cast' : 'call';
    try {
      await promise;
      return { op: sent, kind, host, sentAt, degraded, backported };
    } catch (error) {
      return { op: sent, kind, host, sentAt, degraded, backported, error: describeError(error) };
    } finally {
      if (volumeId !== undefined) this.#busy.delete(volumeId);
    }
  }

  #directory(host: string): Map<string, number> {
    let sizes = this.volumes.get(host);
    if (!sizes) this.volumes.set(host, (sizes = new Map()));
    return sizes;
  }

  #pick<T>(list: readonly T[]): T | undefined {
    return list.length === 0 ? undefined : list[Math.floor(this.#random() * list.length)];
  }

  #newVolume(id?: string, size?: number): Volume {
    const attachments = Array.from({ length: 1 + Math.floor(this.#random() * 2) }, () =>
      VolumeAttachment.create({
        id: uuid(this.#random),
        instance_uuid: uuid(this.#random),
        mountpoint: '/dev/vdb',
        attached_at: new Date(Math.floor(this.#clock() / 1000) * 1000),
        attach_mode: 'ro',
      }),
    );
    return Volume.create({
      id: id ?? uuid(this.#random),
      name: 'vol',
      size: size ?? 1,
      status: 'in-use',
      created_at: new Date(Math.floor(this.#clock() / 1000) * 1000),
      attachments,
      tags: new Set(['gold']),
    });
  }

  /** The volume rows, from a view of the table at most viewMaxAgeMs old (read again when older). */
  async #liveView(): Promise<readonly ServiceView[]> {
    return this.#view && this.#clock() - this.#view.readAt <= this.#options.timings.viewMaxAgeMs ? this.#view.rows : await this.#readView();
  }

  /** The hosts live in the view that run at least the release of the pins in force now. */
  #eligible(rows: readonly ServiceView[]): string[] {
    const pinned = VOLUME_RELEASES.get(this.pins().release).index;
    return rows.filter((row) => row.state === 'live' && VOLUME_RELEASES.rankOf(row) >= pinned).map((row) => row.host);
  }

  #readView(): Promise<readonly ServiceView[]> {
    this.#reading ??= (async () => {
      const readAt = this.#clock();
      try {
        const rows = await this.#options.upgrade.services(VOLUME_BINARY);
        this.#view = { readAt, rows };
        return rows;
      } finally {
        this.#reading = undefined;
      }
    })();
    return this.#reading;
  }

  /** The connection, counting for each request the objects that went out backported (seen on the wire). */
  #counting(inner: Transport): Transport {
    const count = (message: RpcMessage) => {
      const id = message.context?.request_id;
      if (typeof id === 'string') this.#backported.set(id, countBackported(message.args, NATIVE));
    };
    return {
      call: (target, message, options) => (count(message), inner.call(target, message, options)),
      cast: (target, message) => (count(message), inner.cast(target, message)),
      listen: (target, handler) => inner.listen(target, handler),
      close: () => inner.close(),
    };
  }
}

/** Envelopes (children included) whose version differs from `native` (the version of the sender's class). */
export function countBackported(value: unknown, native: Manifest): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + countBackported(item, native), 0);
  if (typeof value !== 'object' || value === null) return 0;
  const record = value as Record<string, unknown>;
  const name = record['versioned_object.name'];
  let n = 0;
  if (typeof name === 'string') {
    if (native[name] !== undefined && native[name] !== record['versioned_object.version']) n += 1;
    return n + countBackported(record['versioned_object.data'], native);
  }
  for (const item of Object.values(record)) n += countBackported(item, native);
  return n;
}

function describeError(error: unknown): { code: string; message: string; undecodable: boolean } {
  const message = error instanceof Error ? error.message : String(error);
  if (!isRpcError(error)) return { code: 'untyped', message, undecodable: false };
  const undecodable = error.code === 'invalid_message' || (error.code === 'remote' && isVersionedError(error.cause));
  return { code: error.code, message, undecodable };
}
