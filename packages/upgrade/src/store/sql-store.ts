import { UpgradeError, isUpgradeError } from '../errors.js';
import type { Query, SqlDriver, SqlRow } from './driver.js';
import type {
  BinarySnapshot,
  FinalizedState,
  PinSnapshot,
  ReleaseGroup,
  ReleaseSeen,
  ServiceRegistration,
  ServiceRow,
  ServiceStore,
} from './types.js';

// One set of statements for both dialects: `$n` parameters, ON CONFLICT upserts, RETURNING (SQLite >= 3.35).
const SERVICE_COLUMNS =
  'binary_name, host, release_name, rpc_versions, objects_version, created_at, heartbeat_at, stopped_at, disabled, disabled_reason';
const SQL = {
  register: `INSERT INTO versioned_services (${SERVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $6, NULL, 0, NULL)
    ON CONFLICT (binary_name, host) DO UPDATE SET release_name = excluded.release_name, rpc_versions = excluded.rpc_versions,
      objects_version = excluded.objects_version, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL
    RETURNING ${SERVICE_COLUMNS}`,
  seen: `INSERT INTO versioned_releases_seen (binary_name, release_name, rpc_versions, objects_version, first_seen_at, last_seen_at)
    VALUES ($1, $2, $3, $4, $5, $5)
    ON CONFLICT (binary_name, release_name) DO UPDATE SET rpc_versions = excluded.rpc_versions, objects_version = excluded.objects_version,
      last_seen_at = excluded.last_seen_at`,
  bump: 'UPDATE versioned_services_generation SET generation = generation + 1 WHERE id = 1 RETURNING generation',
  generation: 'SELECT generation FROM versioned_services_generation WHERE id = 1',
  beatLive:
    'UPDATE versioned_services SET heartbeat_at = $3 WHERE binary_name = $1 AND host = $2 AND stopped_at IS NULL AND heartbeat_at > $4 RETURNING host',
  beatDead: 'UPDATE versioned_services SET heartbeat_at = $3 WHERE binary_name = $1 AND host = $2 AND stopped_at IS NULL RETURNING host',
  stop: 'UPDATE versioned_services SET stopped_at = $3 WHERE binary_name = $1 AND host = $2',
  rowsOf: `SELECT ${SERVICE_COLUMNS} FROM versioned_services WHERE binary_name = $1 ORDER BY host`,
  rowsAll: `SELECT ${SERVICE_COLUMNS} FROM versioned_services ORDER BY binary_name, host`,
  finalizedOf: 'SELECT binary_name, finalized_release, finalized_at, finalized_by FROM versioned_upgrade_state WHERE binary_name = $1',
  seenOf:
    'SELECT binary_name, release_name, rpc_versions, objects_version, first_seen_at, last_seen_at FROM versioned_releases_seen WHERE binary_name = $1 ORDER BY first_seen_at, release_name',
  // The pins' input in one statement (one round trip, one consistent read in either dialect): the counting rows
  // grouped by what they run, aggregated by the database, then the releases seen and the finalization.
  pinInput: `SELECT 'group' AS kind, release_name, rpc_versions, objects_version, COUNT(*) AS n, MIN(heartbeat_at) AS a, MAX(heartbeat_at) AS b, MIN(host) AS c
      FROM versioned_services WHERE binary_name = $1 AND stopped_at IS NULL AND disabled = 0 AND heartbeat_at > $2
      GROUP BY release_name, rpc_versions, objects_version
    UNION ALL
    SELECT 'seen', release_name, rpc_versions, objects_version, 0, first_seen_at, last_seen_at, NULL FROM versioned_releases_seen WHERE binary_name = $1
    UNION ALL
    SELECT 'finalized', finalized_release, NULL, NULL, 0, finalized_at, NULL, finalized_by FROM versioned_upgrade_state WHERE binary_name = $1`,
  row: `SELECT ${SERVICE_COLUMNS} FROM versioned_services WHERE binary_name = $1 AND host = $2`,
  forget: 'DELETE FROM versioned_services WHERE binary_name = $1 AND host = $2 RETURNING host',
  disable: 'UPDATE versioned_services SET disabled = $3, disabled_reason = $4 WHERE binary_name = $1 AND host = $2 RETURNING host',
  rewrite: 'UPDATE versioned_services SET release_name = $2, rpc_versions = $3, objects_version = $4 WHERE binary_name = $1 RETURNING host',
  finalize: `INSERT INTO versioned_upgrade_state (binary_name, finalized_release, finalized_at, finalized_by) VALUES ($1, $2, $3, $4)
    ON CONFLICT (binary_name) DO UPDATE SET finalized_release = excluded.finalized_release, finalized_at = excluded.finalized_at,
      finalized_by = excluded.finalized_by`,
} as const;

const time = (value: unknown): number => Number(value);
const versions = (value: unknown): Readonly<Record<string, string>> => Object.freeze(JSON.parse(String(value)) as Record<string, string>);

function serviceRow(row: SqlRow): ServiceRow {
  return Object.freeze({
    binary: String(row.binary_name),
    host: String(row.host),
    release: String(row.release_name),
    rpcVersions: versions(row.rpc_versions),
    objects: String(row.objects_version),
    createdAt: time(row.created_at),
    heartbeatAt: time(row.heartbeat_at),
    stoppedAt: row.stopped_at === null || row.stopped_at === undefined ? null : time(row.stopped_at),
    disabled: Number(row.disabled) !== 0,
    disabledReason: row.disabled_reason === null || row.disabled_reason === undefined ? null : String(row.disabled_reason),
  });
}

/** The services table over either SQL driver: the statements are written once (see docs/upgrade.md, "Why plain SQL"). */
export class SqlServiceStore implements ServiceStore {
  readonly #driver: SqlDriver;
  readonly #watchers = new Set<(binary: string | undefined) => void>();
  #lastGeneration: number | undefined;
  #stopSignal: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(driver: SqlDriver) {
    this.#driver = driver;
  }

  get dialect() {
    return this.#driver.dialect;
  }
  get url(): string {
    return this.#driver.url;
  }
  get queries(): number {
    return this.#driver.queries;
  }

  async #guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new UpgradeError('closed', `the services store of ${this.url} is closed`);
    try {
      return await work();
    } catch (error) {
      if (isUpgradeError(error)) throw error;
      throw new UpgradeError('database', `${this.url}: ${what} failed: ${(error as Error).message}`, {
        details: { url: this.url },
        cause: error,
      });
    }
  }

  /**
   * A write that may move pins: advance the counter and tell the other processes (in the same transaction),
   * then the watchers of this store. `moved` says whether the write changed anything (default: yes).
   */
  async #change<T>(
    what: string,
    binary: string | undefined,
    work: (query: Query) => Promise<T>,
    moved: (out: T) => boolean = () => true,
  ): Promise<T> {
    const result = await this.#guard(what, () =>
      this.#driver.transaction(async (query) => {
        const out = await work(query);
        if (!moved(out)) return { out, generation: undefined };
        const [counter] = await query(SQL.bump);
        await this.#driver.announce(query, binary);
        return { out, generation: Number(counter?.generation) };
      }),
    );
    // PostgreSQL delivers the NOTIFY to this session too; SQLite's poller would see it late: tell the watchers now.
    if (this.dialect === 'sqlite' && result.generation !== undefined) {
      this.#lastGeneration = result.generation;
      for (const watcher of this.#watchers) queueMicrotask(() => watcher(binary));
    }
    return result.out;
  }

  register(entry: ServiceRegistration, now: number): Promise<ServiceRow> {
    const rpc = JSON.stringify(entry.rpcVersions);
    return this.#change(`registering ${entry.binary} on ${entry.host}`, entry.binary, async (query) => {
      const [row] = await query(SQL.register, [entry.binary, entry.host, entry.release, rpc, entry.objects, now]);
      await query(SQL.seen, [entry.binary, entry.release, rpc, entry.objects, now]);
      return serviceRow(row as SqlRow);
    });
  }

  async heartbeat(binary: string, host: string, now: number, deadBefore: number): Promise<boolean> {
    const live = await this.#guard(`the heartbeat of ${binary} on ${host}`, () =>
      this.#driver.query(SQL.beatLive, [binary, host, now, deadBefore]),
    );
    if (live.length > 0) return true;
    // Dead (or stopped, or gone) before this beat: a service that comes back must lower the pins at once.
    const back = await this.#change(
      `the heartbeat of ${binary} on ${host}`,
      binary,
      (query) => query(SQL.beatDead, [binary, host, now]),
      (rows) => rows.length > 0,
    );
    return back.length > 0;
  }

  async stop(binary: string, host: string, now: number): Promise<void> {
    await this.#change(`stopping ${binary} on ${host}`, binary, (query) => query(SQL.stop, [binary, host, now]));
  }

  async rows(binary?: string): Promise<ServiceRow[]> {
    const rows = await this.#guard('listing services', () =>
      binary === undefined ? this.#driver.query(SQL.rowsAll) : this.#driver.query(SQL.rowsOf, [binary]),
    );
    return rows.map(serviceRow);
  }

  snapshot(binary: string): Promise<BinarySnapshot> {
    return this.#guard(`reading the services of ${binary}`, () =>
      this.#driver.transaction(async (query) => ({
        rows: (await query(SQL.rowsOf, [binary])).map(serviceRow),
        ...(await this.#state(query, binary)),
      })),
    );
  }

  async pinSnapshot(binary: string, countingSince: number): Promise<PinSnapshot> {
    const rows = await this.#guard(`reading the services of ${binary}`, () => this.#driver.query(SQL.pinInput, [binary, countingSince]));
    const groups: ReleaseGroup[] = [];
    const seen: ReleaseSeen[] = [];
    let finalized: FinalizedState | undefined;
    for (const row of rows) {
      const release = String(row.release_name);
      if (row.kind === 'group') {
        const [rpcVersions, objects, count, firstHost] = [
          versions(row.rpc_versions),
          String(row.objects_version),
          Number(row.n),
          String(row.c),
        ];
        groups.push(
          Object.freeze({
            release,
            rpcVersions,
            objects,
            count,
            oldestHeartbeatAt: time(row.a),
            newestHeartbeatAt: time(row.b),
            firstHost,
          }),
        );
      } else if (row.kind === 'seen') {
        seen.push(
          Object.freeze({
            binary,
            release,
            rpcVersions: versions(row.rpc_versions),
            objects: String(row.objects_version),
            firstSeenAt: time(row.a),
            lastSeenAt: time(row.b),
          }),
        );
      } else {
        finalized = Object.freeze({ binary, release, at: time(row.a), by: String(row.c) });
      }
    }
    seen.sort((x, y) => x.firstSeenAt - y.firstSeenAt || (x.release < y.release ? -1 : 1));
    return { groups, finalized, seen };
  }

  async row(binary: string, host: string): Promise<ServiceRow | undefined> {
    const [row] = await this.#guard(`reading the row of ${binary} on ${host}`, () => this.#driver.query(SQL.row, [binary, host]));
    return row ? serviceRow(row) : undefined;
  }

  async #state(query: Query, binary: string): Promise<{ finalized: FinalizedState | undefined; seen: ReleaseSeen[] }> {
    const [state] = await query(SQL.finalizedOf, [binary]);
    const seen = (await query(SQL.seenOf, [binary])).map(
      (row): ReleaseSeen =>
        Object.freeze({
          binary,
          release: String(row.release_name),
          rpcVersions: versions(row.rpc_versions),
          objects: String(row.objects_version),
          firstSeenAt: time(row.first_seen_at),
          lastSeenAt: time(row.last_seen_at),
        }),
    );
    const finalized: FinalizedState | undefined = state
      ? Object.freeze({ binary, release: String(state.finalized_release), at: time(state.finalized_at), by: String(state.finalized_by) })
      : undefined;
    return { finalized, seen };
  }

  async forget(binary: string, host: string): Promise<boolean> {
    return (
      (
        await this.#change(
          `forgetting ${binary} on ${host}`,
          binary,
          (query) => query(SQL.forget, [binary, host]),
          (rows) => rows.length > 0,
        )
      ).length > 0
    );
  }

  async setDisabled(binary: string, host: string, disabled: boolean, reason: string | null): Promise<boolean> {
    const what = `${disabled ? 'disabling' : 'enabling'} ${binary} on ${host}`;
    return (
      (
        await this.#change(
          what,
          binary,
          (query) => query(SQL.disable, [binary, host, disabled ? 1 : 0, disabled ? reason : null]),
          (rows) => rows.length > 0,
        )
      ).length > 0
    );
  }

  async rewriteReleases(binary: string, release: Omit<ServiceRegistration, 'binary' | 'host'>, now: number): Promise<number> {
    const rpc = JSON.stringify(release.rpcVersions);
    return this.#change(`rewriting the rows of ${binary} as ${release.release}`, binary, async (query) => {
      const rows = await query(SQL.rewrite, [binary, release.release, rpc, release.objects]);
      await query(SQL.seen, [binary, release.release, rpc, release.objects, now]);
      return rows.length;
    });
  }

  async setFinalized(state: FinalizedState): Promise<void> {
    await this.#change(`finalizing ${state.binary}`, state.binary, (query) =>
      query(SQL.finalize, [state.binary, state.release, state.at, state.by]),
    );
  }

  async generation(): Promise<number> {
    const [row] = await this.#guard('reading the change counter', () => this.#driver.query(SQL.generation));
    return Number(row?.generation ?? 0);
  }

  async watch(onChange: (binary: string | undefined) => void, options: { pollIntervalMs?: number } = {}): Promise<() => Promise<void>> {
    if (this.#closed) throw new UpgradeError('closed', `the services store of ${this.url} is closed`);
    this.#watchers.add(onChange);
    if (!this.#stopSignal) {
      this.#lastGeneration = await this.generation();
      this.#stopSignal = await this.#guard('watching the services table', () =>
        this.#driver.watch((binary) => this.#onSignal(binary), options.pollIntervalMs ?? 500),
      );
    }
    return async () => {
      this.#watchers.delete(onChange);
      if (this.#watchers.size === 0 && this.#stopSignal) {
        const stop = this.#stopSignal;
        this.#stopSignal = undefined;
        await stop();
      }
    };
  }

  /** A signal from the driver: a PostgreSQL notification is a change; a SQLite data_version move may be only heartbeats. */
  #onSignal(binary: string | undefined): void {
    if (this.dialect === 'postgres') {
      for (const watcher of this.#watchers) watcher(binary);
      return;
    }
    this.generation().then(
      (generation) => {
        if (generation === this.#lastGeneration) return;
        this.#lastGeneration = generation;
        for (const watcher of this.#watchers) watcher(undefined);
      },
      () => undefined, // unreadable now: the refresher's own timer reads the table again
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchers.clear();
    await this.#stopSignal?.();
    this.#stopSignal = undefined;
    await this.#driver.close();
  }
}
