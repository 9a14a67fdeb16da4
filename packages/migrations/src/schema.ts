/**
 * A database schema as the check reads it back by introspection, the same shape for SQLite and PostgreSQL.
 * Names are as the database reports them; PostgreSQL tables outside `public` are `schema.table`.
 */
export interface Schema {
  readonly tables: ReadonlyMap<string, Table>;
  readonly views: ReadonlyMap<string, View>;
}

/** A table as read from the database: its columns, unique keys, checks and foreign keys, and what identifies it across a rename. */
export interface Table {
  readonly name: string;
  /**
   * What stays the same when the table is renamed inside one database (PostgreSQL's oid; SQLite's root page
   * and column names, as a dropped table's page can be reused): it tells a rename from a drop and a create,
   * since both schemas are read from the same database.
   */
  readonly identity: string;
  /** The table's storage (oid, root page): the same after an ALTER, new after a rebuild. */
  readonly storage: string;
  /**
   * Whether a column's identity proves a rename (PostgreSQL's attnum does). SQLite's position and shape do
   * not: adding b and dropping a leaves the same schema as renaming a to b, so it reports a drop.
   */
  readonly columnRenamesKnown: boolean;
  readonly columns: ReadonlyMap<string, Column>;
  /** Unique constraints and indexes, the primary key included. */
  readonly uniques: readonly UniqueKey[];
  readonly checks: readonly Constraint[];
  readonly foreignKeys: readonly Constraint[];
}

/** A column: its name, type, whether it is generated, and its identity within the table. */
export interface Column {
  readonly name: string;
  /** As the database spells it (PostgreSQL's format_type, SQLite's declared type, upper-cased). */
  readonly type: string;
  readonly notNull: boolean;
  /** The default expression, or null; an identity, serial or SQLite rowid column counts as having one. */
  readonly default: string | null;
  /** Set by the database (generated or identity columns, SQLite's INTEGER PRIMARY KEY): writers never give it. */
  readonly generated: boolean;
  /** The column's identity within its table (PostgreSQL's attnum; SQLite's position and shape): tells a rename. */
  readonly identity: string;
}

/** A primary key, unique constraint or unique index. */
export interface UniqueKey {
  /** The constraint's or index's name (null for SQLite's rowid primary key). */
  readonly name: string | null;
  /** Key columns; an expression appears as its text. */
  readonly columns: readonly string[];
  /** The WHERE of a partial unique index, or null. */
  readonly where: string | null;
  readonly primaryKey: boolean;
}

/** A CHECK constraint or a foreign key. */
export interface Constraint {
  readonly name: string | null;
  /** The constraint's definition, normalised (what tells two constraints apart). */
  readonly definition: string;
  /** The columns it constrains, when the database says. */
  readonly columns: readonly string[];
}

/** A view and the columns it gives. */
export interface View {
  readonly name: string;
  readonly identity: string | null;
  readonly columns: ReadonlyMap<string, { readonly name: string; readonly type: string }>;
  /** Why reading the view fails (SQLite keeps a view whose table or column is gone), or null. */
  readonly error: string | null;
}

/** Collapse runs of whitespace and trim: how two spellings of one SQL fragment compare equal. */
export function squash(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}
