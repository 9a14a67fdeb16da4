import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScratchDatabase } from './database.js';
import { squash, type Column, type Constraint, type Schema, type Table, type UniqueKey, type View } from './schema.js';
import { group, isWord, splitCommas, textOf, tokenize, unquote } from './sql-text.js';

/** A scratch SQLite database: a file in a fresh temporary directory, removed with it. */
export async function createSqliteScratch(): Promise<ScratchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'versioned-migrations-'));
  const file = join(dir, 'scratch.sqlite');
  // One connection per step: a migration command in between writes the same file from its own process.
  const withDb = <T>(use: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return use(db);
    } finally {
      db.close();
    }
  };
  const url = pathToFileURL(file).href;
  return {
    dialect: 'sqlite',
    url,
    displayUrl: url,
    env: { DATABASE_PATH: file },
    apply: async (sql) => withDb((db) => void db.exec(sql)),
    introspect: async () => withDb(readSqliteSchema),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

interface SchemaRow {
  type: 'table' | 'view';
  name: string;
  sql: string | null;
  rootpage: number;
}
interface ColumnRow {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}
interface IndexRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
}
interface IndexColumnRow {
  cid: number;
  name: string | null;
  key: number;
}
interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

/** Read the schema of an open SQLite database. */
export function readSqliteSchema(db: Database.Database): Schema {
  const rows = db
    .prepare(
      `SELECT type, name, sql, rootpage FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
    )
    .all() as SchemaRow[];
  const tables = new Map<string, Table>();
  const views = new Map<string, View>();
  for (const row of rows) {
    if (row.type === 'view') views.set(row.name, readView(db, row.name));
    else tables.set(row.name, readTable(db, row));
  }
  return { tables, views };
}

function readTable(db: Database.Database, row: SchemaRow): Table {
  const sql = row.sql ?? '';
  const tokens = tokenize(sql);
  const withoutRowid = tokens.some((t, i) => t.depth === 0 && isWord(t, 'WITHOUT') && isWord(tokens[i + 1], 'ROWID'));
  const columnRows = (db.prepare('SELECT * FROM pragma_table_xinfo(?)').all(row.name) as ColumnRow[]).filter((c) => c.hidden !== 1);
  const pkColumns = columnRows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  const rowidAlias = !withoutRowid && pkColumns.length === 1 && pkColumns[0]!.type.toUpperCase() === 'INTEGER' ? pkColumns[0]!.name : null;
  const columns = new Map<string, Column>();
  for (const c of columnRows) {
    const generated = c.hidden === 2 || c.hidden === 3 || c.name === rowidAlias;
    columns.set(c.name, {
      name: c.name,
      type: squash(c.type).toUpperCase(),
      notNull: c.notnull === 1 || c.name === rowidAlias,
      default: c.dflt_value === null ? null : squash(c.dflt_value),
      generated,
      // SQLite keeps no column ids: a rename is told by the same position and the same shape.
      identity: `${c.cid}:${c.type}:${c.notnull}:${c.dflt_value}`,
    });
  }
  const uniques = readUniques(db, row.name);
  if (rowidAlias !== null) uniques.push({ name: null, columns: [rowidAlias], where: null, primaryKey: true });
  // A dropped table's root page can be reused by a new one: a rename keeps the columns too.
  const identity = `${row.rootpage}:${[...columns.keys()].sort().join(',')}`;
  return {
    name: row.name,
    identity,
    storage: String(row.rootpage),
    columnRenamesKnown: false,
    columns,
    uniques,
    checks: readChecks(sql),
    foreignKeys: readForeignKeys(db, row.name),
  };
}

function readUniques(db: Database.Database, table: string): UniqueKey[] {
  const out: UniqueKey[] = [];
  for (const index of db.prepare('SELECT * FROM pragma_index_list(?)').all(table) as IndexRow[]) {
    if (index.unique !== 1) continue;
    const sqlRow = db.prepare('SELECT sql FROM sqlite_schema WHERE type = ? AND name = ?').get('index', index.name) as
      | { sql: string | null }
      | undefined;
    const parsed = sqlRow?.sql ? parseCreateIndex(sqlRow.sql) : { items: [], where: null };
    const keys = (db.prepare('SELECT * FROM pragma_index_xinfo(?)').all(index.name) as IndexColumnRow[]).filter((k) => k.key === 1);
    out.push({
      name: index.name,
      columns: keys.map((k, i) => k.name ?? parsed.items[i] ?? (k.cid === -1 ? 'rowid' : 'expression')),
      where: index.partial ? parsed.where : null,
      primaryKey: index.origin === 'pk',
    });
  }
  return out;
}

/** The key items and the WHERE of a CREATE [UNIQUE] INDEX statement. */
function parseCreateIndex(sql: string): { items: string[]; where: string | null } {
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.text === '(' && t.depth === 0);
  if (open < 0) return { items: [], where: null };
  const { inner, close } = group(tokens, open);
  const whereAt = tokens.findIndex((t, i) => i > close && t.depth === 0 && isWord(t, 'WHERE'));
  return {
    items: splitCommas(inner).map((part) => textOf(sql, part)),
    where: whereAt < 0 ? null : textOf(sql, tokens.slice(whereAt + 1)),
  };
}

/** CHECK constraints, from the CREATE TABLE text (SQLite has no catalogue of them). */
function readChecks(sql: string): Constraint[] {
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.text === '(' && t.depth === 0);
  if (open < 0) return [];
  const checks: Constraint[] = [];
  for (const definition of splitCommas(group(tokens, open).inner)) {
    const first = definition[0];
    const tableLevel = !first || ['CONSTRAINT', 'CHECK', 'UNIQUE', 'PRIMARY', 'FOREIGN'].some((w) => isWord(first, w));
    definition.forEach((t, i) => {
      if (!isWord(t, 'CHECK') || definition[i + 1]?.text !== '(') return;
      const named = isWord(definition[i - 2], 'CONSTRAINT') ? unquote(definition[i - 1]!.text) : null;
      const expression = textOf(sql, group(definition, i + 1).inner);
      checks.push({ name: named, definition: `CHECK (${expression})`, columns: tableLevel ? [] : [unquote(first.text)] });
    });
  }
  return checks;
}

function readForeignKeys(db: Database.Database, table: string): Constraint[] {
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const row of db.prepare('SELECT * FROM pragma_foreign_key_list(?)').all(table) as ForeignKeyRow[]) {
    byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
  }
  return [...byId.values()].map((rows) => {
    rows.sort((a, b) => a.seq - b.seq);
    const from = rows.map((r) => r.from);
    const to = rows.map((r) => r.to ?? '').filter(Boolean);
    const actions = `${rows[0]!.on_delete !== 'NO ACTION' ? ` ON DELETE ${rows[0]!.on_delete}` : ''}${rows[0]!.on_update !== 'NO ACTION' ? ` ON UPDATE ${rows[0]!.on_update}` : ''}`;
    return {
      name: null,
      columns: from,
      definition: `FOREIGN KEY (${from.join(', ')}) REFERENCES ${rows[0]!.table}${to.length ? ` (${to.join(', ')})` : ''}${actions}`,
    };
  });
}

function readView(db: Database.Database, name: string): View {
  const columns = new Map<string, { name: string; type: string }>();
  try {
    for (const c of db.prepare('SELECT * FROM pragma_table_xinfo(?)').all(name) as ColumnRow[]) {
      columns.set(c.name, { name: c.name, type: squash(c.type).toUpperCase() });
    }
    return { name, identity: null, columns, error: null };
  } catch (err) {
    // A view over a dropped table or column still exists in SQLite, but every read of it fails.
    return { name, identity: null, columns, error: (err as Error).message };
  }
}
