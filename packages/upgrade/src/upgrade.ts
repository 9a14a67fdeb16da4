import { hostname, userInfo } from 'node:os';
import type { Manifest } from '@versioned/objects';
import type { VersionCapSource } from '@versioned/rpc';
import { resolveConfig, type LiftPolicy, type ResolvedBinaryConfig, type UpgradeConfig } from './config.js';
import { UpgradeError } from './errors.js';
import {
  DEFAULT_DOWN_TIME_MS,
  DEFAULT_LATE_GRACE_MS,
  DEFAULT_REPORT_INTERVAL_MS,
  nextExpiry,
  viewOf,
  type LivenessRule,
  type ServiceView,
} from './liveness.js';
import { computePins, describeChange, pinsDiffer, type Pins } from './pins.js';
import type { Release, Releases } from './releases.js';
import { RunningService, type UpgradeLogger } from './service.js';

export type { UpgradeLogger };
import { openServiceStore } from './store/open.js';
import type { FinalizedState, PinSnapshot, ReleaseGroup, ServiceRow, ServiceStore } from './store/types.js';

/** The options of {@link Upgrade.open}: the database, the binaries' releases, the configuration, liveness timings, the logger. */
export interface UpgradeOptions {
  /** `sqlite:<path>`, `sqlite::memory:`, `postgres://...`; or a store already open (shared by several Upgrades, not closed by them). */
  database: string | ServiceStore;
  /** The releases of every binary this process serves or talks to. */
  binaries: readonly Releases[];
  /** Upgrade levels and lift policies; a function is called again by `reload()` and on SIGHUP. */
  config?: UpgradeConfig | (() => UpgradeConfig);
  /** A heartbeat older than this makes a row late (default 60 s, Nova's service_down_time). */
  downTimeMs?: number;
  /** How long a late row still holds the pins before it is dead (default 60 s): the no-flap rule. */
  lateGraceMs?: number;
  /** How often a registered service beats (default 10 s). */
  reportIntervalMs?: number;
  /** SQLite: how often the `PRAGMA data_version` poll runs (default 500 ms). */
  pollIntervalMs?: number;
  /** The longest time between two reads of the table, whatever happens (default 60 s). */
  refreshIntervalMs?: number;
  /** Reload configuration and pins on SIGHUP (default true). */
  reloadOnSighup?: boolean;
  /** Default: console.info / console.warn. */
  logger?: UpgradeLogger;
  /** Called after each change of a binary's pins (once per change, as logged). */
  onPinsChange?: (change: PinsChange) => void;
  /** Milliseconds since the epoch (default Date.now): heartbeats, liveness, finalization times. */
  clock?: () => number;
}

/** A change of a binary's pins. */
export interface PinsChange {
  readonly from: Pins;
  readonly to: Pins;
  /** The line logged: what moved and why. */
  readonly message: string;
}

/** The options of `register()`: the release the service runs (default: this code's newest), and the start-up checks' overrides. */
export interface RegisterOptions {
  /** The release this service runs (default: the newest release of its binary, the code's own). */
  release?: string;
  /** Skip the "too old" check: start although a live service is older than the oldest release known (offline, skip-level upgrades). */
  allowOlderServices?: boolean;
  /** Start although this release is older than the one the fleet was finalized at (a rollback past finalization). */
  forceBelowFinalized?: boolean;
}

/** Everything an operator's `upgrade status` shows for a binary. */
export interface UpgradeStatus {
  readonly binary: string;
  readonly liftPolicy: LiftPolicy;
  /** `auto`, or the configured release name or version. */
  readonly level: string;
  /** The pins in force in this process, with what holds them (`reason`, `heldBy`). */
  readonly pins: Pins;
  /** The newest release this process knows. */
  readonly newest: string;
  readonly finalized: FinalizedState | null;
  readonly services: readonly ServiceView[];
  /** Rows holding the pins whose release is older than the newest: what finalize and finish wait for. */
  readonly olderLive: readonly ServiceView[];
  /** Whether `finalize(binary)` would succeed now. */
  readonly canFinalize: boolean;
}

const CONSOLE_LOGGER: UpgradeLogger = { info: (m) => console.info(m), warn: (m) => console.warn(m) };

/** The configuration, calling the source when it is a function; what it throws becomes `invalid_config`. */
function readConfig(source: UpgradeConfig | (() => UpgradeConfig) | undefined): UpgradeConfig {
  if (typeof source !== 'function') return source ?? {};
  try {
    return source();
  } catch (error) {
    throw new UpgradeError('invalid_config', `config: reading the configuration failed: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
}

function positive(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new UpgradeError('invalid_config', `${option}: expected a positive number of milliseconds, got ${JSON.stringify(value)}`, {
      details: { option, value },
    });
  return value;
}

/**
 * Rolling-upgrade orchestration for one process: its services' rows (register, heartbeat, stop), the pins
 * of every binary it talks to, held in memory and refreshed in the background (NOTIFY on PostgreSQL, a
 * cheap poll on SQLite, a timer for rows that expire, SIGHUP and `reload()`), and the operator's actions
 * (list, forget, disable, status, finish, finalize). Reading a pin never queries the database.
 */
export class Upgrade {
  readonly store: ServiceStore;
  readonly rule: LivenessRule;
  readonly #binaries: ReadonlyMap<string, Releases>;
  readonly #configSource: UpgradeConfig | (() => UpgradeConfig);
  readonly #ownsStore: boolean;
  readonly #logger: UpgradeLogger;
  readonly #onPinsChange: ((change: PinsChange) => void) | undefined;
  readonly #clock: () => number;
  readonly #reportIntervalMs: number;
  readonly #pollIntervalMs: number;
  readonly #refreshIntervalMs: number;
  readonly #services = new Set<RunningService>();
  readonly #pins = new Map<string, Pins>();
  readonly #groups = new Map<string, readonly ReleaseGroup[]>();
  #config: Map<string, ResolvedBinaryConfig>;
  #refreshing: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unwatch: (() => Promise<void>) | undefined;
  #sighup: (() => void) | undefined;
  #closed = false;

  private constructor(
    options: UpgradeOptions,
    store: ServiceStore,
    binaries: ReadonlyMap<string, Releases>,
    config: Map<string, ResolvedBinaryConfig>,
  ) {
    this.store = store;
    this.#ownsStore = typeof options.database === 'string';
    this.#binaries = binaries;
    this.#configSource = options.config ?? {};
    this.#config = config;
    this.#logger = options.logger ?? CONSOLE_LOGGER;
    this.#onPinsChange = options.onPinsChange;
    this.#clock = options.clock ?? Date.now;
    this.rule = Object.freeze({
      downTimeMs: positive(options.downTimeMs, DEFAULT_DOWN_TIME_MS, 'downTimeMs'),
      lateGraceMs: positive(options.lateGraceMs, DEFAULT_LATE_GRACE_MS, 'lateGraceMs'),
    });
    this.#reportIntervalMs = positive(options.reportIntervalMs, DEFAULT_REPORT_INTERVAL_MS, 'reportIntervalMs');
    this.#pollIntervalMs = positive(options.pollIntervalMs, 500, 'pollIntervalMs');
    this.#refreshIntervalMs = positive(options.refreshIntervalMs, 60_000, 'refreshIntervalMs');
  }

  /**
   * Check the configuration, open (and migrate) the database, read the table and compute every binary's
   * pins before resolving, so no pin is ever served from an unread table. Bad configuration is an
   * UpgradeError `invalid_config` naming the option; an unreachable database, `database` naming the URL.
   */
  static async open(options: UpgradeOptions): Promise<Upgrade> {
    if (typeof options !== 'object' || options === null)
      throw new UpgradeError('invalid_config', 'Upgrade.open needs { database, binaries }');
    if (!Array.isArray(options.binaries)) throw new UpgradeError('invalid_config', 'binaries: expected an array of Releases');
    const binaries = new Map<string, Releases>();
    for (const releases of options.binaries) {
      if (binaries.has(releases.binary))
        throw new UpgradeError('invalid_config', `binaries: ${releases.binary} is listed twice`, { details: { option: 'binaries' } });
      binaries.set(releases.binary, releases);
    }
    const config = resolveConfig(readConfig(options.config), binaries);
    const store = typeof options.database === 'string' ? await openServiceStore(options.database) : options.database;
    let upgrade: Upgrade | undefined;
    try {
      upgrade = new Upgrade(options, store, binaries, config);
      await upgrade.#start(options.reloadOnSighup ?? true);
      return upgrade;
    } catch (error) {
      if (upgrade) await upgrade.close().catch(() => undefined);
      else if (typeof options.database === 'string') await store.close().catch(() => undefined);
      throw error;
    }
  }

  async #start(onSighup: boolean): Promise<void> {
    this.#unwatch = await this.store.watch(() => this.#requestRefresh(), { pollIntervalMs: this.#pollIntervalMs });
    await this.#refresh(false);
    if (onSighup) {
      this.#sighup = () => {
        this.reload().then(
          () => this.#logger.info('SIGHUP: configuration and pins reloaded'),
          (error: unknown) => this.#logger.warn(`SIGHUP: reload refused, the previous configuration stays: ${(error as Error).message}`),
        );
      };
      process.on('SIGHUP', this.#sighup);
    }
  }

  /** The releases of a binary this process knows; `invalid_config` for another binary. */
  releasesOf(binary: string): Releases {
    const releases = this.#binaries.get(binary);
    if (!releases)
      throw new UpgradeError(
        'invalid_config',
        `no releases are declared for binary ${JSON.stringify(binary)}; known: ${[...this.#binaries.keys()].join(', ') || 'none'}`,
        { details: { binary } },
      );
    return releases;
  }

  /** The pins of a binary now, from memory. */
  pins(binary: string): Pins {
    const pins = this.#pins.get(binary);
    if (!pins) this.releasesOf(binary); // throws for an unknown binary
    return pins as Pins;
  }

  /** The RPC version cap of `api` (default: the binary's only API), for RpcClient's `versionCap`: read from memory on every call. */
  versionCap(
    binary: string,
    api?: string,
  ): VersionCapSource & {
    /** The cap now, from the pins in memory. */
    current(): string;
  } {
    const releases = this.releasesOf(binary);
    const name = api ?? releases.soleApi('versionCap()');
    if (!releases.apis.includes(name))
      throw new UpgradeError('invalid_config', `${binary} serves no API ${JSON.stringify(name)}; its APIs: ${releases.apis.join(', ')}`);
    return {
      /** The cap now, from the pins in memory. */
      current: () => this.pins(binary).rpc[name] as string,
    };
  }

  /** The object pins of a binary, for ObjectsRpcSerializer's `manifest`: read from memory on every call. */
  manifest(binary: string): () => Manifest {
    this.releasesOf(binary);
    return () => this.pins(binary).manifest;
  }

  /**
   * Start a service of `binary` on `host`: the start-up checks, then its row (upserted), then a heartbeat
   * every report interval until `stop()`.
   * - `too_old`: a live service of a binary this process knows is older than the oldest release it can talk
   *   to; the error names the hosts (override: `allowOlderServices`).
   * - `below_finalized`: this release is older than the one the binary was finalized at (override: `forceBelowFinalized`).
   */
  async register(binary: string, host: string, options: RegisterOptions = {}): Promise<RunningService> {
    this.#open();
    const releases = this.releasesOf(binary);
    if (typeof host !== 'string' || host === '')
      throw new UpgradeError('invalid_config', `register(${binary}): host must be a non-empty string`);
    const release = options.release === undefined ? releases.newest : releases.get(options.release);
    if (!options.allowOlderServices) await this.#checkTooOld();
    if (!options.forceBelowFinalized) await this.#checkFinalized(releases, release);
    const entry = { binary, host, release: release.name, rpcVersions: release.rpc, objects: release.objects };
    await this.store.register(entry, this.#clock());
    // A restart in this process (another release on the same host): the previous handle stops beating.
    for (const previous of this.#services) if (previous.binary === binary && previous.host === host) previous.abandon();
    const service = new RunningService(entry, {
      store: this.store,
      clock: this.#clock,
      logger: this.#logger,
      reportIntervalMs: this.#reportIntervalMs,
      deadAfterMs: this.rule.downTimeMs + this.rule.lateGraceMs,
      onStopped: (s) => this.#services.delete(s),
      afterStop: () => (this.#closed ? Promise.resolve() : this.#refresh(false).catch(() => undefined)),
    });
    this.#services.add(service);
    await this.#refresh(false);
    return service;
  }

  async #checkTooOld(): Promise<void> {
    const now = this.#clock();
    const tooOld = (await this.store.rows())
      .map((row) => viewOf(row, now, this.rule))
      .filter((row) => row.holdsPins && (this.#binaries.get(row.binary)?.rankOf(row) ?? 0) < 0);
    if (tooOld.length === 0) return;
    const list = tooOld.map((row) => `${row.binary} on ${row.host} (release ${row.release}, ${row.state})`).join(', ');
    const oldest = [...new Set(tooOld.map((row) => `${row.binary}: ${this.releasesOf(row.binary).oldest.name}`))].join(', ');
    throw new UpgradeError(
      'too_old',
      `refusing to start: ${list} ${tooOld.length === 1 ? 'is' : 'are'} older than the oldest release this code can talk to (${oldest}). ` +
        `Upgrade or stop ${tooOld.length === 1 ? 'it' : 'them'} first (one release at a time), forget rows of hosts that are gone, ` +
        `or pass allowOlderServices for an offline or skip-level upgrade`,
      { details: { services: tooOld.map(({ binary, host, release }) => ({ binary, host, release })) } },
    );
  }

  async #checkFinalized(releases: Releases, release: Release): Promise<void> {
    const { finalized } = await this.store.snapshot(releases.binary);
    const at = finalized && releases.find(finalized.release);
    if (!finalized || !at || release.index >= at.index) return;
    throw new UpgradeError(
      'below_finalized',
      `refusing to start ${releases.binary} on release ${release.name}: the fleet was finalized at ${finalized.release} by ${finalized.by} ` +
        `at ${new Date(finalized.at).toISOString()}, and newer services may already write data ${release.name} cannot read, so a rollback ` +
        `past finalization is not safe; pass forceBelowFinalized to start anyway (the pins drop to ${release.name} again)`,
      { details: { binary: releases.binary, release: release.name, finalized } },
    );
  }

  /** Every row (of one binary, or all), with its state and heartbeat age. */
  async services(binary?: string): Promise<ServiceView[]> {
    const now = this.#clock();
    return (await this.store.rows(binary)).map((row) => viewOf(row, now, this.rule));
  }

  /** Delete a row (a host that is gone for good); `unknown_service` when there is none. A running service writes it again. */
  async forget(binary: string, host: string): Promise<void> {
    if (!(await this.store.forget(binary, host))) throw this.#unknown(binary, host);
    await this.#refresh(false);
  }

  /** Take a row out of the pins (the host gets no traffic); it stays listed as `disabled` until `enable`. */
  async disable(binary: string, host: string, reason?: string): Promise<void> {
    if (!(await this.store.setDisabled(binary, host, true, reason ?? null))) throw this.#unknown(binary, host);
    await this.#refresh(false);
  }

  /** Put a disabled row back: it counts for the pins again (if live). */
  async enable(binary: string, host: string): Promise<void> {
    if (!(await this.store.setDisabled(binary, host, false, null))) throw this.#unknown(binary, host);
    await this.#refresh(false);
  }

  #unknown(binary: string, host: string): UpgradeError {
    return new UpgradeError('unknown_service', `no services row for ${binary} on ${host}`, { details: { binary, host } });
  }

  /** A binary's upgrade: configuration, pins and what holds them, finalization, rows, what finalize waits for. */
  async status(binary: string): Promise<UpgradeStatus> {
    const releases = this.releasesOf(binary);
    await this.#refresh(false);
    const snapshot = await this.store.snapshot(binary);
    const now = this.#clock();
    const services = snapshot.rows.map((row) => viewOf(row, now, this.rule));
    const olderLive = this.#olderThan(releases, releases.newest, services);
    const config = this.#config.get(binary) as ResolvedBinaryConfig;
    const level =
      config.level.kind === 'auto' ? 'auto' : config.level.kind === 'release' ? config.level.release.name : config.level.version;
    return Object.freeze({
      binary,
      liftPolicy: config.lift,
      level,
      pins: this.pins(binary),
      newest: releases.newest.name,
      finalized: snapshot.finalized ?? null,
      services,
      olderLive,
      canFinalize: olderLive.length === 0,
    });
  }

  #olderThan(releases: Releases, release: Release, services: readonly ServiceView[]): ServiceView[] {
    return services.filter((row) => row.holdsPins && releases.rankOf(row) < release.index);
  }

  #refuseOlder(what: string, releases: Releases, release: Release, services: readonly ServiceView[]): void {
    const older = this.#olderThan(releases, release, services);
    if (older.length === 0) return;
    const list = older.map((row) => `${row.host} (release ${row.release}, ${row.state})`).join(', ');
    throw new UpgradeError(
      'older_service_live',
      `${what} ${releases.binary} at ${release.name} refused: ${list} still ${older.length === 1 ? 'runs' : 'run'} an older release; upgrade or stop ${older.length === 1 ? 'it' : 'them'} first`,
      {
        details: {
          binary: releases.binary,
          release: release.name,
          services: older.map(({ host, release: r, state }) => ({ host, release: r, state })),
        },
      },
    );
  }

  /**
   * Offline upgrades (Cinder's `db sync --bump-versions`): record every row of `binary` as its newest release.
   * Refused (`older_service_live`, naming them) while a live service of an older release exists. Returns the rows rewritten.
   */
  async finish(binary: string): Promise<number> {
    const releases = this.releasesOf(binary);
    this.#refuseOlder('finish', releases, releases.newest, await this.services(binary));
    const { name, rpc, objects } = releases.newest;
    const count = await this.store.rewriteReleases(binary, { release: name, rpcVersions: rpc, objects }, this.#clock());
    await this.#refresh(false);
    return count;
  }

  /**
   * Finalize `binary` at `release` (default: the newest this process knows): the pins of the `finalize`
   * policy lift to it, and a service of an older release refuses to start. Refused (`older_service_live`,
   * naming them) while a live service of an older release exists. `by` defaults to the OS `user@host`.
   */
  async finalize(binary: string, options: { release?: string; by?: string } = {}): Promise<FinalizedState> {
    const releases = this.releasesOf(binary);
    const release = options.release === undefined ? releases.newest : releases.get(options.release);
    this.#refuseOlder('finalize', releases, release, await this.services(binary));
    const state: FinalizedState = Object.freeze({
      binary,
      release: release.name,
      at: this.#clock(),
      by: options.by ?? `${userInfo().username}@${hostname()}`,
    });
    await this.store.setFinalized(state);
    this.#logger.info(`${binary} finalized at ${release.name} by ${state.by}`);
    await this.#refresh(false);
    return state;
  }

  /** Read the configuration again (when it is a function) and every binary's pins, now. A bad configuration rejects and the previous one stays. */
  async reload(): Promise<void> {
    this.#open();
    if (typeof this.#configSource === 'function') this.#config = resolveConfig(readConfig(this.#configSource), this.#binaries);
    await this.#refresh(true);
  }

  #open(): void {
    if (this.#closed) throw new UpgradeError('closed', 'this Upgrade is closed');
  }

  #requestRefresh(): void {
    if (this.#closed) return;
    this.#refresh(false).catch(() => undefined); // failures are logged by #refresh; pins stay as they were
  }

  /** Re-read the table and recompute the pins; one refresh runs at a time, and a request during one runs it again after. */
  #refresh(rethrow: boolean): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing; // its loop runs once more before it settles
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#refreshOnce(rethrow);
        } while (this.#again && !this.#closed);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  async #refreshOnce(rethrow: boolean): Promise<void> {
    const empty: PinSnapshot = { groups: [], finalized: undefined, seen: [] };
    try {
      for (const [binary, releases] of this.#binaries) {
        const config = this.#config.get(binary) as ResolvedBinaryConfig;
        const countingSince = this.#clock() - this.rule.downTimeMs - this.rule.lateGraceMs;
        const snapshot = config.level.kind === 'auto' ? await this.store.pinSnapshot(binary, countingSince) : empty;
        this.#groups.set(binary, snapshot.groups);
        await this.#apply(releases, computePins(releases, config, snapshot, this.#clock(), this.rule));
      }
      this.#schedule(undefined);
    } catch (error) {
      this.#logger.warn(`pins kept as they were: reading ${this.store.url} failed: ${(error as Error).message}`);
      this.#schedule(Math.min(this.#refreshIntervalMs, 1000));
      if (rethrow) throw error;
    }
  }

  async #apply(releases: Releases, next: Pins): Promise<void> {
    const previous = this.#pins.get(releases.binary);
    this.#pins.set(releases.binary, next);
    if (!previous) {
      this.#logger.info(
        `${releases.binary} pins: rpc ${Object.entries(next.rpc)
          .map(([api, v]) => `${api} ${v}`)
          .join(', ')}, objects ${next.objects}; ${next.reason}`,
      );
      return;
    }
    if (!pinsDiffer(previous, next)) return;
    const now = this.#clock();
    // A change is rare: read the rows of the hosts that held the old pins, to say what became of them.
    const rows = new Map<string, ServiceRow | undefined>();
    if (next.source !== 'config')
      for (const h of previous.heldBy) if (h.host !== undefined) rows.set(h.host, await this.store.row(releases.binary, h.host));
    const became = (host: string): string => {
      const row = rows.get(host);
      if (!row) return 'was forgotten';
      const view = viewOf(row, now, this.rule);
      return view.holdsPins ? `now runs ${view.release}` : `is ${view.state}`;
    };
    const message = describeChange(releases, previous, next, became);
    this.#logger.info(message);
    try {
      this.#onPinsChange?.({ from: previous, to: next, message });
    } catch (error) {
      this.#logger.warn(`onPinsChange threw: ${(error as Error).message}`);
    }
  }

  /** The next read: when the first counting row would turn dead, or the refresh interval, or `retryMs`. */
  #schedule(retryMs: number | undefined): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    const now = this.#clock();
    let delay = retryMs ?? this.#refreshIntervalMs;
    for (const groups of this.#groups.values()) {
      const expiry = nextExpiry(groups, this.rule);
      if (expiry !== undefined) delay = Math.min(delay, Math.max(0, expiry - now) + 5);
    }
    this.#timer = setTimeout(() => this.#requestRefresh(), delay);
    this.#timer.unref();
  }

  /** Stop the refresher, stop (gracefully) the services registered here, close the store if this Upgrade opened it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.#sighup) process.off('SIGHUP', this.#sighup);
    await Promise.allSettled([...this.#services].map((service) => service.stop()));
    await this.#refreshing?.catch(() => undefined);
    await this.#unwatch?.().catch(() => undefined);
    if (this.#ownsStore) await this.store.close();
  }
}
