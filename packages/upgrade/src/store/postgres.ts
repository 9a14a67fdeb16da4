import pg from 'pg';
import { UpgradeError } from '../errors.js';
import { Serial, type Query, type SqlDriver, type SqlRow } from './driver.js';

/** The NOTIFY channel of the services table; the payload is the binary whose pins may have moved. */
export const NOTIFY_CHANNEL = 'versioned_services';

/**
 * One connection to PostgreSQL (pg), used for statements and LISTEN alike, so a process costs the server one
 * connection. A lost connection is opened again by the next statement; watchers are told (binary unknown),
 * since notifications sent meanwhile were lost.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly url: string;
  readonly #connectionString: string;
  readonly #connectTimeoutMs: number;
  readonly #serial = new Serial();
  readonly #listeners = new Set<(binary: string | undefined) => void>();
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #queries = 0;
  #closed = false;

  private constructor(url: string, connectionString: string, connectTimeoutMs: number) {
    this.url = url;
    this.#connectionString = connectionString;
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  /** Connects once (so that a wrong URL fails at start-up, naming it). */
  static async open(url: string, connectionString: string, options: { connectTimeoutMs?: number } = {}): Promise<PostgresDriver> {
    const driver = new PostgresDriver(url, connectionString, options.connectTimeoutMs ?? 5000);
    await driver.#connect();
    return driver;
  }

  get queries(): number {
    return this.#queries;
  }

  #connect(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new UpgradeError('closed', `the store of ${this.url} is closed`));
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.#connectionString, connectionTimeoutMillis: this.#connectTimeoutMs });
      client.on('error', () => this.#drop(client));
      client.on('end', () => this.#drop(client));
      client.on('notification', (message) => {
        if (message.channel === NOTIFY_CHANNEL) for (const listener of this.#listeners) listener(message.payload || undefined);
      });
      try {
        await client.connect();
        if (this.#listeners.size > 0) {
          this.#queries += 1;
          await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
        }
      } catch (error) {
        client.end().catch(() => undefined);
        throw new UpgradeError('database', `cannot connect to ${this.url}: ${(error as Error).message}`, {
          details: { url: this.url },
          cause: error,
        });
      }
      this.#client = client;
      return client;
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  #drop(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    // Notifications may have been missed while the connection was down: have every watcher re-read.
    if (!this.#closed) for (const listener of this.#listeners) listener(undefined);
  }

  async #run(client: pg.Client, sql: string, params: readonly unknown[] = []): Promise<SqlRow[]> {
    this.#queries += 1;
    const result = await client.query(sql, params as unknown[]);
    return result.rows as SqlRow[];
  }

  query: Query = (sql, params) => this.#serial.run(async () => this.#run(await this.#connect(), sql, params));

  transaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
    return this.#serial.run(async () => {
      const client = await this.#connect();
      await this.#run(client, 'BEGIN');
      try {
        const result = await work((sql, params) => this.#run(client, sql, params));
        await this.#run(client, 'COMMIT');
        return result;
      } catch (error) {
        await this.#run(client, 'ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async announce(query: Query, binary: string | undefined): Promise<void> {
    await query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, binary ?? '']);
  }

  async watch(onSignal: (binary: string | undefined) => void): Promise<() => Promise<void>> {
    const first = this.#listeners.size === 0;
    this.#listeners.add(onSignal);
    if (first) await this.query(`LISTEN ${NOTIFY_CHANNEL}`);
    return async () => {
      this.#listeners.delete(onSignal);
      if (this.#listeners.size === 0 && this.#client && !this.#closed)
        await this.query(`UNLISTEN ${NOTIFY_CHANNEL}`).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    await this.#serial.run(async () => {
      this.#closed = true;
      const client = this.#client;
      this.#client = undefined;
      await client?.end().catch(() => undefined);
    });
  }
}
