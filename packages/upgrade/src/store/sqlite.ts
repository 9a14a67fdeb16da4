import Database from 'better-sqlite3';
import { UpgradeError } from '../errors.js';
import { Serial, type Query, type SqlDriver, type SqlRow } from './driver.js';

type Statement = Database.Statement<unknown[], SqlRow>;

/** One connection to a SQLite file (better-sqlite3), WAL journal, waiting up to `busyTimeoutMs` for a writer. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly url: string;
  readonly #path: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, { statement: Statement; order: number[] }>();
  readonly #serial: Serial;
  #queries = 0;

  /**
   * One queue per file in this process: better-sqlite3 blocks the thread while it waits for a lock, so a
   * second connection of the same process must never wait for a transaction that awaits between statements.
   */
  static readonly #queues = new Map<string, { serial: Serial; users: number }>();

  constructor(url: string, path: string, options: { busyTimeoutMs?: number } = {}) {
    this.url = url;
    this.#path = path;
    const queue =
      path === ':memory:' ? { serial: new Serial(), users: 0 } : (SqliteDriver.#queues.get(path) ?? { serial: new Serial(), users: 0 });
    queue.users += 1;
    if (path !== ':memory:') SqliteDriver.#queues.set(path, queue);
    this.#serial = queue.serial;
    try {
      this.#db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
      if (path !== ':memory:') this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
    } catch (error) {
      this.#release();
      throw new UpgradeError('database', `cannot open ${url}: ${(error as Error).message}`, { details: { url }, cause: error });
    }
  }

  get queries(): number {
    return this.#queries;
  }

  /** `$1`-style SQL as SQLite's `?`, with the parameter order it implies. */
  #prepare(sql: string): { statement: Statement; order: number[] } {
    let cached = this.#statements.get(sql);
    if (!cached) {
      const order: number[] = [];
      const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      cached = { statement: this.#db.prepare(text) as Statement, order };
      this.#statements.set(sql, cached);
    }
    return cached;
  }

  #run(sql: string, params: readonly unknown[] = []): SqlRow[] {
    const { statement, order } = this.#prepare(sql);
    const bound = order.map((i) => {
      const value = params[i];
      return typeof value === 'boolean' ? Number(value) : (value ?? null);
    });
    this.#queries += 1;
    if (statement.reader) return statement.all(...bound);
    statement.run(...bound);
    return [];
  }

  readonly #direct: Query = async (sql, params) => this.#run(sql, params);

  query: Query = (sql, params) => this.#serial.run(async () => this.#run(sql, params));

  transaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
    return this.#serial.run(async () => {
      this.#run('BEGIN IMMEDIATE');
      try {
        const result = await work(this.#direct);
        this.#run('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#run('ROLLBACK');
        throw error;
      }
    });
  }

  async announce(): Promise<void> {}

  /** Polls `PRAGMA data_version` on a second connection: it moves when any other connection commits. */
  async watch(onSignal: (binary: string | undefined) => void, pollIntervalMs: number): Promise<() => Promise<void>> {
    if (this.#path === ':memory:') return async () => {};
    const poller = new Database(this.#path, { readonly: true, timeout: 5000 });
    let version = poller.pragma('data_version', { simple: true });
    const timer = setInterval(() => {
      try {
        this.#queries += 1;
        const now = poller.pragma('data_version', { simple: true });
        if (now !== version) {
          version = now;
          onSignal(undefined);
        }
      } catch {
        // a locked or vanished file: the next poll tries again, the refresher's timer still reads the table
      }
    }, pollIntervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      poller.close();
    };
  }

  #release(): void {
    const queue = SqliteDriver.#queues.get(this.#path);
    if (queue && --queue.users === 0) SqliteDriver.#queues.delete(this.#path);
  }

  async close(): Promise<void> {
    await this.#serial.run(async () => this.#db.close());
    this.#release();
  }
}
