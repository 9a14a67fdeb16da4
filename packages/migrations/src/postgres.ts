import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { ScratchDatabase } from './database.js';
import { MigrationCheckError, messageOf } from './errors.js';
import { splitStatements } from './sql-text.js';
import { squash, type Column, type Constraint, type Schema, type Table, type UniqueKey, type View } from './schema.js';

/** How long to wait for the server before calling it unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A scratch PostgreSQL database with a unique name, created on the server `adminUrl` names (else the PG*
 * environment variables, else the local server's `postgres` database) and dropped by `dispose`.
 */
export async function createPostgresScratch(adminUrl?: string): Promise<ScratchDatabase> {
  const admin = new pg.Client({
    ...(adminUrl !== undefined
      ? { connectionString: adminUrl }
      : { database: process.env.PGDATABASE ?? 'postgres', user: process.env.PGUSER ?? process.env.USER ?? userInfo().username }),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  admin.on('error', () => {}); // a server that goes away mid-check fails the query in flight instead
  const adminDisplay = masked(urlFor(admin, adminUrl, admin.database ?? ''));
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => {});
    throw new MigrationCheckError('database_unreachable', `cannot connect to PostgreSQL at ${adminDisplay}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const name = `versioned_migrations_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    await admin.end().catch(() => {});
    throw new MigrationCheckError('database_unreachable', `cannot create a scratch database on ${adminDisplay}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const url = urlFor(admin, adminUrl, name);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => {});
  const dispose = async (): Promise<void> => {
    await client.end().catch(() => {});
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end().catch(() => {});
    }
  };
  try {
    await client.connect();
  } catch (err) {
    await dispose();
    throw new MigrationCheckError('database_unreachable', `cannot connect to the scratch database ${masked(url)}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  return {
    dialect: 'postgres',
    url,
    displayUrl: masked(url),
    env: {},
    apply: async (sql) => {
      try {
        await client.query(sql);
      } catch (err) {
        // A script is one implicit transaction, which CREATE INDEX CONCURRENTLY and the like refuse (25001):
        // the failed attempt rolled back, so run the script again one statement at a time.
        if ((err as { code?: unknown }).code !== '25001') throw located(err, sql, 0);
        for (const statement of splitStatements(sql)) {
          await client.query(statement.sql).catch((e: unknown) => {
            throw located(e, sql, statement.offset);
          });
        }
      }
    },
    introspect: () => readPostgresSchema(client),
    dispose,
  };
}

/** The database's error with the line of the script it points at (PostgreSQL gives a 1-based offset). */
function located(err: unknown, script: string, offset: number): Error {
  const position = Number((err as { position?: unknown }).position);
  const line = Number.isInteger(position) && position > 0 ? script.slice(0, offset + position - 1).split('\n').length : null;
  return new Error(`${line === null ? '' : `line ${line}: `}${messageOf(err)}`, { cause: err });
}

/** The URL of database `database` on the server `client` talks to, in the form psql and pg both read. */
function urlFor(client: pg.Client, given: string | undefined, database: string): string {
  if (given !== undefined) {
    try {
      const url = new URL(given);
      url.pathname = `/${encodeURIComponent(database)}`;
      return url.href;
    } catch {
      // a libpq key=value string: fall through to the parameters pg read from it
    }
  }
  const auth = `${encodeURIComponent(client.user ?? '')}${client.password ? `:${encodeURIComponent(String(client.password))}` : ''}`;
  const host = client.host ?? 'localhost';
  if (host.startsWith('/'))
    return `postgres://${auth}@/${encodeURIComponent(database)}?host=${encodeURIComponent(host)}&port=${client.port}`;
  return `postgres://${auth}@${host.includes(':') ? `[${host}]` : host}:${client.port}/${encodeURIComponent(database)}`;
}

function masked(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}

/** The relations the schema is made of: every user schema's tables and views (not partitions of a table). */
const RELATIONS = `
  SELECT c.oid, c.relkind, CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND NOT c.relispartition
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

interface RelationRow {
  oid: string;
  relkind: string;
  name: string;
}
interface ColumnRow {
  oid: string;
  attnum: number;
  name: string;
  type: string;
  notnull: boolean;
  default: string | null;
  identity: string;
  generated: string;
}
interface ConstraintRow {
  oid: string;
  name: string;
  contype: 'c' | 'f';
  definition: string;
  keys: number[] | null;
}
interface IndexRow {
  oid: string;
  name: string;
  primary: boolean;
  where: string | null;
  items: string[];
}

/** Read the schema of the database `client` is connected to (every schema but the system ones). */
export async function readPostgresSchema(client: pg.Client): Promise<Schema> {
  const relations = (await client.query<RelationRow>(`SELECT oid::text AS oid, relkind, name FROM (${RELATIONS}) r ORDER BY name`)).rows;
  const columns = (
    await client.query<ColumnRow>(`
    SELECT a.attrelid::text AS oid, a.attnum, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
           pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity, a.attgenerated AS generated
    FROM pg_attribute a JOIN (${RELATIONS}) r ON r.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`)
  ).rows;
  const constraints = (
    await client.query<ConstraintRow>(`
    SELECT co.conrelid::text AS oid, co.conname AS name, co.contype, pg_get_constraintdef(co.oid, true) AS definition, co.conkey::int[] AS keys
    FROM pg_constraint co JOIN (${RELATIONS}) r ON r.oid = co.conrelid
    WHERE co.contype IN ('c', 'f') ORDER BY co.conname`)
  ).rows;
  const indexes = (
    await client.query<IndexRow>(`
    SELECT i.indrelid::text AS oid, ic.relname AS name, i.indisprimary AS primary, pg_get_expr(i.indpred, i.indrelid, true) AS where,
           array(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS items
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN (${RELATIONS}) r ON r.oid = i.indrelid
    WHERE i.indisunique AND i.indisvalid ORDER BY ic.relname`)
  ).rows;

  const columnsOf = groupBy(columns, (c) => c.oid);
  const constraintsOf = groupBy(constraints, (c) => c.oid);
  const indexesOf = groupBy(indexes, (i) => i.oid);
  const tables = new Map<string, Table>();
  const views = new Map<string, View>();
  for (const rel of relations) {
    const cols = columnsOf.get(rel.oid) ?? [];
    if (rel.relkind === 'v' || rel.relkind === 'm') {
      views.set(rel.name, {
        name: rel.name,
        identity: rel.oid,
        columns: new Map(cols.map((c) => [c.name, { name: c.name, type: c.type }])),
        error: null,
      });
      continue;
    }
    const nameOf = new Map(cols.map((c) => [c.attnum, c.name]));
    const constraint = (row: ConstraintRow): Constraint => ({
      name: row.name,
      // NOT VALID still holds every new write: validating it later changes nothing for N.
      definition: squash(row.definition).replace(/ NOT VALID$/, ''),
      columns: (row.keys ?? []).map((k) => nameOf.get(k) ?? String(k)),
    });
    const own = constraintsOf.get(rel.oid) ?? [];
    tables.set(rel.name, {
      name: rel.name,
      identity: rel.oid,
      storage: rel.oid,
      columnRenamesKnown: true,
      columns: new Map(
        cols.map((c): [string, Column] => [
          c.name,
          {
            name: c.name,
            type: c.type,
            notNull: c.notnull,
            default: c.generated || c.identity ? null : c.default === null ? null : squash(c.default),
            generated: Boolean(c.generated || c.identity),
            identity: String(c.attnum),
          },
        ]),
      ),
      uniques: (indexesOf.get(rel.oid) ?? []).map(
        (i): UniqueKey => ({ name: i.name, columns: i.items, where: i.where === null ? null : squash(i.where), primaryKey: i.primary }),
      ),
      checks: own.filter((c) => c.contype === 'c').map(constraint),
      foreignKeys: own.filter((c) => c.contype === 'f').map(constraint),
    });
  }
  return { tables, views };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
