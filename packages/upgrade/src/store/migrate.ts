import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UpgradeError } from '../errors.js';
import type { SqlDriver } from './driver.js';
import type { Dialect } from './types.js';

/** The package's migrations folder: packages/upgrade/migrations/<dialect>/NNNN_<name>.sql, shipped with the package. */
export function migrationsDir(dialect: Dialect): string {
  return fileURLToPath(new URL(`../../../migrations/${dialect}/`, import.meta.url));
}

/** The migrations of a dialect, in the order they apply. */
export function migrationFiles(dialect: Dialect): { name: string; sql: string }[] {
  const dir = migrationsDir(dialect);
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ name: file.replace(/\.sql$/, ''), sql: readFileSync(dir + file, 'utf8') }));
}

// Any constant: serializes concurrent migrations of one PostgreSQL database (100 services starting at once).
const MIGRATION_LOCK = 7_361_205_118;

/** Apply the migrations not yet recorded in `versioned_upgrade_migrations`, each in its own transaction. */
export async function migrate(driver: SqlDriver): Promise<string[]> {
  const applied: string[] = [];
  await driver
    .query('CREATE TABLE IF NOT EXISTS versioned_upgrade_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)')
    .catch((error: unknown) => {
      // Two PostgreSQL sessions creating the table at once: the loser fails on the catalog's unique index; the table exists.
      if (driver.dialect !== 'postgres' || !/duplicate key|already exists/.test((error as Error).message)) throw error;
    });
  for (const migration of migrationFiles(driver.dialect)) {
    await driver.transaction(async (query) => {
      if (driver.dialect === 'postgres') await query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const done = await query('SELECT name FROM versioned_upgrade_migrations WHERE name = $1', [migration.name]);
      if (done.length > 0) return;
      try {
        for (const statement of splitStatements(migration.sql)) await query(statement);
      } catch (error) {
        throw new UpgradeError(
          'database',
          `${driver.url}: migration ${driver.dialect}/${migration.name} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await query('INSERT INTO versioned_upgrade_migrations (name, applied_at) VALUES ($1, $2)', [migration.name, Date.now()]);
      applied.push(migration.name);
    });
  }
  return applied;
}

/** A migration file's statements: split at `;` ending a line, `--` comments dropped (the files hold no procedures). */
function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
