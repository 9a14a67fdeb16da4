import { checkMigrations, type Dialect, type MigrationReport } from '../src/index.js';

export const BOTH: readonly Dialect[] = ['sqlite', 'postgres'];

/** The columns of the base `volumes` table, by name. */
export const VOLUME_COLUMNS: Readonly<Record<string, string>> = {
  id: 'id INTEGER PRIMARY KEY',
  name: 'name TEXT',
  label: 'label VARCHAR(50)',
  size: 'size INTEGER NOT NULL DEFAULT 1',
  kind: "kind TEXT DEFAULT 'hdd'",
  project_id: 'project_id INTEGER',
};

/** CREATE TABLE volumes with some columns replaced (null drops one, a new name adds one) and extra table constraints. */
export function createVolumes(
  changes: Readonly<Record<string, string | null>> = {},
  constraints: readonly string[] = ['CONSTRAINT volumes_label_key UNIQUE (label)'],
  name = 'volumes',
): string {
  const columns = { ...VOLUME_COLUMNS, ...changes };
  const defs = [...Object.values(columns).filter((d): d is string => d !== null), ...constraints];
  return `CREATE TABLE ${name} (\n  ${defs.join(',\n  ')}\n);\n`;
}

const INDEX_AND_VIEW = 'CREATE INDEX volumes_kind ON volumes (kind);\nCREATE VIEW volume_names AS SELECT id, name FROM volumes;\n';

/** Release N's schema. */
export const BASE = `CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT);\n${createVolumes()}${INDEX_AND_VIEW}`;

/**
 * SQLite's way to change a column (it has no ALTER COLUMN): build the new table, copy, drop the old one,
 * rename the new one, and put its index and the view back.
 */
export function rebuildVolumes(changes: Readonly<Record<string, string | null>>, constraints?: readonly string[]): string {
  const kept = Object.keys(VOLUME_COLUMNS).filter((c) => changes[c] !== null);
  return [
    'DROP VIEW volume_names;',
    createVolumes(changes, constraints, 'volumes_new'),
    `INSERT INTO volumes_new (${kept.join(', ')}) SELECT ${kept.join(', ')} FROM volumes;`,
    'DROP TABLE volumes;',
    'ALTER TABLE volumes_new RENAME TO volumes;',
    INDEX_AND_VIEW,
  ].join('\n');
}

/** Check BASE followed by one migration, `sql`, on `dialect`. */
export function checkChange(dialect: Dialect, sql: string, base = BASE): Promise<MigrationReport> {
  const first = { name: '0001_base.sql', sql: base };
  return checkMigrations({ dialect, before: { files: [first] }, after: { files: [first, { name: '0002_change.sql', sql }] } });
}
