import { applyAllowList, type AllowEntry, type AllowedFinding } from './allow-list.js';
import { compareSchemas } from './compare.js';
import { DIALECTS, type Dialect, type ScratchDatabase } from './database.js';
import { MigrationCheckError, messageOf } from './errors.js';
import type { Finding } from './findings.js';
import { createPostgresScratch } from './postgres.js';
import { resolveSource, runCommand, type MigrationFile, type MigrationSource, type ResolvedSource } from './sources.js';
import { createSqliteScratch } from './sqlite.js';

/** The options of {@link checkMigrations}: the dialect, release N's and N+1's migrations, the allow-list. */
export interface CheckMigrationsOptions {
  readonly dialect: Dialect;
  /** Release N's migrations: the schema the running code was written for. */
  readonly before: MigrationSource;
  /** Release N+1's migrations (a folder's files already in `before` are not applied again). */
  readonly after: MigrationSource;
  /** Deliberate contractions (see readAllowList). */
  readonly allowList?: readonly AllowEntry[];
  /** The release N+1 is, compared with each allow-list entry's `from`; needed when there are entries. */
  readonly release?: string;
  /** PostgreSQL: the server to create the scratch database on (default: PG* variables, else the local server). */
  readonly database?: string;
  /** Where relative folders, git revisions and commands are resolved (default: the process's). */
  readonly cwd?: string;
}

/** What {@link checkMigrations} found: ok, the breaking changes, those the allow-list accepts, stale allow-list entries. */
export interface MigrationReport {
  /** No finding left once the allow-list is applied. */
  readonly ok: boolean;
  readonly dialect: Dialect;
  readonly before: string;
  readonly after: string;
  readonly release: string | null;
  /** The scratch database the schemas were read from (already dropped), password masked. */
  readonly database: string;
  /** Breaking changes, in schema order. */
  readonly findings: readonly Finding[];
  /** Breaking changes the allow-list accepts for this release. */
  readonly allowed: readonly AllowedFinding[];
  /** Allow-list entries that match no change: stale, or misspelt. */
  readonly unusedAllowEntries: readonly AllowEntry[];
  /** Migration files of N that N+1 edited or removed: a database that ran them will not run them again. */
  readonly warnings: readonly string[];
}

/**
 * Migrate a scratch database to N's schema, read it back, migrate on to N+1, read it again, and report every
 * change that breaks code written for N. Throws a MigrationCheckError when it cannot compare at all.
 */
export async function checkMigrations(options: CheckMigrationsOptions): Promise<MigrationReport> {
  if (!DIALECTS.includes(options.dialect))
    throw new MigrationCheckError('usage', `unknown dialect "${String(options.dialect)}": expected ${DIALECTS.join(' or ')}`);
  const cwd = options.cwd ?? process.cwd();
  const release = options.release ?? null;
  const before = await resolveSource(options.before, cwd);
  const after = await resolveSource(options.after, cwd);
  // Fail on a bad allow-list or release before any database work.
  applyAllowList([], options.allowList ?? [], release);
  const warnings = before.kind === 'files' && after.kind === 'files' ? editedFiles(before.files, after.files) : [];
  const db = options.dialect === 'sqlite' ? await createSqliteScratch() : await createPostgresScratch(options.database);
  let findings: Finding[];
  try {
    await migrate(db, before, 'N', new Set(), cwd);
    const schemaN = await db.introspect();
    await migrate(db, after, 'N+1', new Set(before.kind === 'files' ? before.files.map((f) => f.name) : []), cwd);
    findings = compareSchemas(schemaN, await db.introspect());
  } finally {
    await db.dispose();
  }
  const result = applyAllowList(findings, options.allowList ?? [], release);
  return {
    ok: result.findings.length === 0,
    dialect: options.dialect,
    before: before.label,
    after: after.label,
    release,
    database: db.displayUrl,
    ...result,
    warnings,
  };
}

async function migrate(
  db: ScratchDatabase,
  source: ResolvedSource,
  release: string,
  applied: ReadonlySet<string>,
  cwd: string,
): Promise<void> {
  if (source.kind === 'command') return runCommand(source.command, cwd, { ...db.env, DATABASE_URL: db.url });
  for (const file of source.files) {
    if (applied.has(file.name)) continue;
    try {
      await db.apply(file.sql);
    } catch (err) {
      const path = file.path ?? file.name;
      throw new MigrationCheckError(
        'migration_failed',
        `migration ${path} (release ${release}) failed on ${db.dialect}: ${messageOf(err)}`,
        { file: path, cause: err },
      );
    }
  }
}

function editedFiles(before: readonly MigrationFile[], after: readonly MigrationFile[]): string[] {
  const next = new Map(after.map((f) => [f.name, f]));
  const out: string[] = [];
  for (const file of before) {
    const now = next.get(file.name);
    if (!now) out.push(`migration ${file.name} of N is not in N+1: databases already migrated keep what it did`);
    else if (now.sql !== file.sql)
      out.push(
        `migration ${file.name} changed since N: databases that already ran it will not run it again (the check compares N's version)`,
      );
  }
  return out;
}
