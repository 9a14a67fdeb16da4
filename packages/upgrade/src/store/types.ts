/** The SQL dialects of the services table. */
export type Dialect = 'sqlite' | 'postgres';

/** What a service writes about itself when it registers (a row of Cinder's services table). */
export interface ServiceRegistration {
  readonly binary: string;
  readonly host: string;
  /** Its release name. */
  readonly release: string;
  /** The RPC API versions it serves, by API. */
  readonly rpcVersions: Readonly<Record<string, string>>;
  /** The key of its object manifest. */
  readonly objects: string;
}

/** A row of the services table, one per (binary, host). Times are milliseconds since the epoch. */
export interface ServiceRow extends ServiceRegistration {
  readonly createdAt: number;
  readonly heartbeatAt: number;
  /** Set by a graceful stop, cleared by the next registration. */
  readonly stoppedAt: number | null;
  /** Taken out by an operator: the row no longer holds the pins down. */
  readonly disabled: boolean;
  readonly disabledReason: string | null;
}

/** The upgrade state of a binary: the release its fleet was finalized at, when and by whom. */
export interface FinalizedState {
  readonly binary: string;
  readonly release: string;
  readonly at: number;
  /** `user@host` of whoever finalized (the CLI records the operating system user and host). */
  readonly by: string;
}

/** A release some service of the binary registered with, and when it last did (the `finalize` policy's memory). */
export interface ReleaseSeen {
  readonly binary: string;
  readonly release: string;
  readonly rpcVersions: Readonly<Record<string, string>>;
  readonly objects: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}

/** What the pins of one binary are computed from, read in one transaction. */
export interface BinarySnapshot {
  readonly rows: readonly ServiceRow[];
  readonly finalized: FinalizedState | undefined;
  readonly seen: readonly ReleaseSeen[];
}

/** The rows that count for the pins (not stopped, not disabled, not dead) running one release, as one group. */
export interface ReleaseGroup {
  readonly release: string;
  readonly rpcVersions: Readonly<Record<string, string>>;
  readonly objects: string;
  /** How many rows. */
  readonly count: number;
  /** The oldest heartbeat among them: when the group may next lose a row. */
  readonly oldestHeartbeatAt: number;
  /** The newest heartbeat among them: older than the down time means every row of the group is late. */
  readonly newestHeartbeatAt: number;
  /** The first host by name, to say who holds a pin. */
  readonly firstHost: string;
}

/** What the refresher reads to compute a binary's pins: a few rows however large the fleet (pain 4). */
export interface PinSnapshot {
  readonly groups: readonly ReleaseGroup[];
  readonly finalized: FinalizedState | undefined;
  readonly seen: readonly ReleaseSeen[];
}

/**
 * The services table and the upgrade state, in one database. Two implementations: SQLite (better-sqlite3,
 * a file: the embedded default) and PostgreSQL (pg). Open one with `openServiceStore(url)`; the store
 * creates and migrates its tables on open. Writes that can move a pin (a registration, a stop, a service
 * coming back, a forget, a disable, a finalization) advance a change counter that watchers see: a
 * LISTEN/NOTIFY push on PostgreSQL, a `PRAGMA data_version` poll on SQLite. Plain heartbeats of live
 * services do not, so that 1,000 heartbeating services do not wake every process (pain 4).
 */
export interface ServiceStore {
  readonly dialect: Dialect;
  /** The database URL with any password replaced by `***`. */
  readonly url: string;
  /** Queries sent to the database since the store was opened (the benchmark's count). */
  readonly queries: number;

  /** Upsert the row of (binary, host): new release, a fresh heartbeat, not stopped. Also records the release as seen. */
  register(entry: ServiceRegistration, now: number): Promise<ServiceRow>;
  /**
   * Refresh the heartbeat of a running service. Returns false when the row is gone (forgotten) or stopped.
   * A row whose previous heartbeat is older than `deadBefore` was dead: its return advances the change counter.
   */
  heartbeat(binary: string, host: string, now: number, deadBefore: number): Promise<boolean>;
  /** Mark the row stopped (graceful shutdown). */
  stop(binary: string, host: string, now: number): Promise<void>;
  /** One row, or undefined. */
  row(binary: string, host: string): Promise<ServiceRow | undefined>;
  /** The rows of one binary, or of every binary, ordered by binary then host. */
  rows(binary?: string): Promise<ServiceRow[]>;
  /** Rows, upgrade state and seen releases of a binary, consistent with each other. */
  snapshot(binary: string): Promise<BinarySnapshot>;
  /** The counting rows of a binary (a heartbeat after `countingSince`) grouped by release, with the upgrade state: the pins' input. */
  pinSnapshot(binary: string, countingSince: number): Promise<PinSnapshot>;
  /** Delete a row; false when there was none. */
  forget(binary: string, host: string): Promise<boolean>;
  /** Set or clear the disabled flag; false when there is no such row. */
  setDisabled(binary: string, host: string, disabled: boolean, reason: string | null): Promise<boolean>;
  /** Rewrite every row of a binary as `release` (offline upgrades: Cinder's `db sync --bump-versions`); returns how many. */
  rewriteReleases(binary: string, release: Omit<ServiceRegistration, 'binary' | 'host'>, now: number): Promise<number>;
  /** Record the finalization of a binary (replaces the previous one). */
  setFinalized(state: FinalizedState): Promise<void>;
  /** The change counter: advanced by every write that can move a pin. */
  generation(): Promise<number>;
  /**
   * Call `onChange` (with the binary, when known) after the change counter moved, whoever moved it.
   * Resolves once watching; the returned function stops it.
   */
  watch(onChange: (binary: string | undefined) => void, options?: { pollIntervalMs?: number }): Promise<() => Promise<void>>;
  /** Close the database connection. */
  close(): Promise<void>;
}
