import type { Schema } from './schema.js';

/** The databases the guard migrates: SQLite (a temporary file) or PostgreSQL (a scratch database it creates and drops). */
export type Dialect = 'sqlite' | 'postgres';
/** Every dialect, for option parsing. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** A throwaway database the check migrates and reads back; `dispose` deletes it. */
export interface ScratchDatabase {
  readonly dialect: Dialect;
  /** What a migration command gets in DATABASE_URL (passwords included: it is for the command only). */
  readonly url: string;
  /** The same URL with any password masked, for messages. */
  readonly displayUrl: string;
  /** Extra environment for a migration command (SQLite: DATABASE_PATH, the plain file path). */
  readonly env: Readonly<Record<string, string>>;
  /** Run one migration file's SQL; throws the database's error. */
  apply(sql: string): Promise<void>;
  /** Read the database's schema back. */
  introspect(): Promise<Schema>;
  /** Delete the scratch database (file or PostgreSQL database). */
  dispose(): Promise<void>;
}
