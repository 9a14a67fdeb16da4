import type { Dialect } from './types.js';

/** A row as the driver returns it: column name -> value. */
export type SqlRow = Readonly<Record<string, unknown>>;

/** Runs one statement; `$1`, `$2`... are its parameters in either dialect. */
export type Query = (sql: string, params?: readonly unknown[]) => Promise<SqlRow[]>;

/**
 * What the SQL store needs from a database: statements, transactions, a change signal. Each driver runs one
 * operation at a time on its connection, so a transaction never interleaves with another caller's statements.
 */
export interface SqlDriver {
  readonly dialect: Dialect;
  readonly url: string;
  readonly queries: number;
  query: Query;
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
  /** Inside a change transaction: tell the other processes (PostgreSQL: NOTIFY; SQLite: nothing, they poll). */
  announce(query: Query, binary: string | undefined): Promise<void>;
  /**
   * Call `onSignal` when another connection may have changed the data (PostgreSQL: a notification, with its
   * binary; SQLite: `PRAGMA data_version` moved). The store then compares the change counter.
   */
  watch(onSignal: (binary: string | undefined) => void, pollIntervalMs: number): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Runs `work` items one after the other (a connection's queue). */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work, work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
