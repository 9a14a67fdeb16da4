import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UpgradeError } from '../errors.js';
import { redactUrl, type SqlDriver } from './driver.js';
import { migrate } from './migrate.js';
import { PostgresDriver } from './postgres.js';
import { SqliteDriver } from './sqlite.js';
import { SqlServiceStore } from './sql-store.js';
import type { ServiceStore } from './types.js';

/** The options of {@link openServiceStore}: timeouts, and whether a missing table may be created. */
export interface OpenStoreOptions {
  /** How long to wait for PostgreSQL to accept the connection (default 5 s). */
  connectTimeoutMs?: number;
  /** How long a SQLite writer waits for another (default 5 s). */
  busyTimeoutMs?: number;
  /**
   * Create the tables when they are missing (default true, what a service does). With false (an operator's
   * tool pointed at a database), a missing SQLite file or a database without the services table is an
   * UpgradeError `database` with `details.missing` = `'file'` or `'table'`, and nothing is created.
   */
  create?: boolean;
}

/**
 * Open the services table at `url` and bring its schema up to date (the package's migrations, additive only):
 * - `sqlite:<path>` (a file, created if missing; `sqlite::memory:` for one process),
 * - `postgres://user@host:port/db` or `postgresql://...`.
 * A URL of another form is an UpgradeError `invalid_config`; an unreachable database, `database`; both name the URL.
 */
export async function openServiceStore(url: string, options: OpenStoreOptions = {}): Promise<ServiceStore> {
  if (typeof url !== 'string' || url.trim() === '')
    throw new UpgradeError('invalid_config', `database: expected a URL (sqlite:<path> or postgres://...), got ${JSON.stringify(url)}`, {
      details: { option: 'database', url },
    });
  const shown = redactUrl(url);
  let driver: SqlDriver;
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '')
      throw new UpgradeError('invalid_config', `database: ${shown} names no file; write sqlite:<path> or sqlite::memory:`, {
        details: { option: 'database', url: shown },
      });
    const path = rest === ':memory:' ? ':memory:' : resolve(rest);
    if (options.create === false && path !== ':memory:' && !existsSync(path)) {
      throw new UpgradeError('database', `${shown}: no such file`, { details: { url: shown, missing: 'file' } });
    }
    driver = new SqliteDriver(shown, path, options);
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    driver = await PostgresDriver.open(shown, url, options);
  } else {
    throw new UpgradeError(
      'invalid_config',
      `database: unsupported URL ${shown}; expected sqlite:<path>, sqlite::memory: or postgres://...`,
      { details: { option: 'database', url: shown } },
    );
  }
  try {
    if (options.create === false && !(await hasServicesTable(driver))) {
      throw new UpgradeError('database', `${shown} has no services table (versioned_services)`, {
        details: { url: shown, missing: 'table' },
      });
    }
    await migrate(driver);
  } catch (error) {
    await driver.close().catch(() => undefined);
    if (error instanceof UpgradeError) throw error;
    throw new UpgradeError('database', `${shown}: cannot create the services table: ${(error as Error).message}`, {
      details: { url: shown },
      cause: error,
    });
  }
  return new SqlServiceStore(driver);
}

async function hasServicesTable(driver: SqlDriver): Promise<boolean> {
  const sql =
    driver.dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'versioned_services'"
      : "SELECT to_regclass('versioned_services') IS NOT NULL AS found";
  const rows = await driver.query(sql);
  return driver.dialect === 'sqlite' ? rows.length > 0 : rows[0]?.found === true;
}
