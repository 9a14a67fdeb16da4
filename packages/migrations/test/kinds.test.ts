import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADVICE, FINDING_KINDS, type Dialect, type FindingKind } from '../src/index.js';
import { BASE, BOTH, checkChange, createVolumes, rebuildVolumes } from './helpers.js';

interface Case {
  readonly name: string;
  /** The migration from BASE, the same on both databases or one per database. */
  readonly sql: string | Readonly<Record<Dialect, string>>;
  /** Every finding's `change`, exactly (empty: a safe change); one list per database where they differ. */
  readonly changes: readonly string[] | Readonly<Record<Dialect, readonly string[]>>;
  /** More of N's schema, on some databases. */
  readonly base?: Partial<Record<Dialect, string>>;
}

const BREAKING: readonly (Case & { readonly kind: FindingKind })[] = [
  { kind: 'table_dropped', name: 'a dropped table', sql: 'DROP TABLE projects;', changes: ['table_dropped projects'] },
  { kind: 'table_renamed', name: 'a renamed table', sql: 'ALTER TABLE projects RENAME TO tenants;', changes: ['table_renamed projects'] },
  {
    kind: 'column_dropped',
    name: 'a dropped column',
    sql: 'ALTER TABLE volumes DROP COLUMN project_id;',
    changes: ['column_dropped volumes.project_id'],
  },
  {
    kind: 'column_renamed',
    name: 'a renamed column (SQLite cannot tell it from a drop and an add: a drop)',
    sql: 'ALTER TABLE volumes RENAME COLUMN project_id TO tenant_id;',
    changes: { postgres: ['column_renamed volumes.project_id'], sqlite: ['column_dropped volumes.project_id'] },
  },
  {
    kind: 'column_type_changed',
    name: 'a column of another type',
    sql: {
      postgres: 'ALTER TABLE volumes ALTER COLUMN size TYPE bigint;',
      sqlite: rebuildVolumes({ size: 'size BIGINT NOT NULL DEFAULT 1' }),
    },
    changes: ['column_type_changed volumes.size'],
  },
  {
    kind: 'column_not_null',
    name: 'a column made NOT NULL',
    sql: {
      postgres: 'ALTER TABLE volumes ALTER COLUMN project_id SET NOT NULL;',
      sqlite: rebuildVolumes({ project_id: 'project_id INTEGER NOT NULL' }),
    },
    changes: ['column_not_null volumes.project_id'],
  },
  {
    kind: 'column_added_not_null',
    name: 'a new NOT NULL column without a default',
    sql: { postgres: 'ALTER TABLE volumes ADD COLUMN zone TEXT NOT NULL;', sqlite: rebuildVolumes({ zone: 'zone TEXT NOT NULL' }) },
    changes: ['column_added_not_null volumes.zone'],
  },
  {
    kind: 'default_dropped',
    name: 'a dropped default',
    sql: { postgres: 'ALTER TABLE volumes ALTER COLUMN kind DROP DEFAULT;', sqlite: rebuildVolumes({ kind: 'kind TEXT' }) },
    changes: ['default_dropped volumes.kind'],
  },
  {
    kind: 'default_changed',
    name: 'a changed default',
    sql: {
      postgres: "ALTER TABLE volumes ALTER COLUMN kind SET DEFAULT 'ssd';",
      sqlite: rebuildVolumes({ kind: "kind TEXT DEFAULT 'ssd'" }),
    },
    changes: ['default_changed volumes.kind'],
  },
  {
    kind: 'unique_added',
    name: 'a new unique index',
    sql: 'CREATE UNIQUE INDEX volumes_name_key ON volumes (name);',
    changes: ['unique_added volumes.name'],
  },
  {
    kind: 'unique_added',
    name: 'a new unique constraint',
    sql: {
      postgres: 'ALTER TABLE volumes ADD CONSTRAINT volumes_name_project UNIQUE (name, project_id);',
      sqlite: rebuildVolumes({}, ['CONSTRAINT volumes_label_key UNIQUE (label)', 'UNIQUE (name, project_id)']),
    },
    changes: ['unique_added volumes.(name, project_id)'],
  },
  {
    kind: 'unique_dropped',
    name: 'a dropped unique constraint (and the index backing it)',
    sql: { postgres: 'ALTER TABLE volumes DROP CONSTRAINT volumes_label_key;', sqlite: rebuildVolumes({}, []) },
    changes: ['unique_dropped volumes.label'],
  },
  {
    kind: 'unique_dropped',
    name: 'a dropped unique index',
    sql: 'DROP INDEX tags_tag_volume;',
    changes: ['unique_dropped tags.(tag, volume_id)'],
  },
  {
    kind: 'check_added',
    name: 'a new check constraint',
    sql: {
      postgres: 'ALTER TABLE volumes ADD CONSTRAINT size_positive CHECK (size > 0);',
      sqlite: rebuildVolumes({ size: 'size INTEGER NOT NULL DEFAULT 1 CHECK (size > 0)' }),
    },
    changes: ['check_added volumes.size'],
  },
  {
    kind: 'foreign_key_added',
    name: 'a new foreign key',
    sql: {
      postgres: 'ALTER TABLE volumes ADD FOREIGN KEY (project_id) REFERENCES projects (id);',
      sqlite: rebuildVolumes({ project_id: 'project_id INTEGER REFERENCES projects (id)' }),
    },
    changes: ['foreign_key_added volumes.project_id'],
  },
  { kind: 'view_dropped', name: 'a dropped view', sql: 'DROP VIEW volume_names;', changes: ['view_dropped volume_names'] },
  {
    kind: 'view_renamed',
    name: 'a renamed view (SQLite cannot rename one: drop and create is a drop)',
    sql: {
      postgres: 'ALTER VIEW volume_names RENAME TO names;',
      sqlite: 'DROP VIEW volume_names; CREATE VIEW names AS SELECT id, name FROM volumes;',
    },
    changes: { postgres: ['view_renamed volume_names'], sqlite: ['view_dropped volume_names'] },
  },
  {
    kind: 'view_column_dropped',
    name: 'a view without a column N reads',
    sql: 'DROP VIEW volume_names; CREATE VIEW volume_names AS SELECT id FROM volumes;',
    changes: ['view_column_dropped volume_names.name'],
  },
  {
    kind: 'view_column_type_changed',
    name: 'a view column of another type',
    sql: {
      postgres: 'DROP VIEW volume_names; CREATE VIEW volume_names AS SELECT id, CAST(name AS varchar(20)) AS name FROM volumes;',
      sqlite: 'DROP VIEW volume_names; CREATE VIEW volume_names AS SELECT id, label AS name FROM volumes;',
    },
    changes: ['view_column_type_changed volume_names.name'],
  },
];

const MORE_BREAKING: readonly Case[] = [
  {
    name: 'a table dropped under a view: both are reported',
    sql: { postgres: 'DROP TABLE volumes CASCADE;', sqlite: 'DROP TABLE volumes;' },
    changes: ['table_dropped volumes', 'view_dropped volume_names'],
  },
  {
    name: 'a primary key added to a table that had none',
    sql: {
      postgres: 'ALTER TABLE tags ADD PRIMARY KEY (tag);',
      sqlite:
        'DROP TABLE tags; CREATE TABLE tags (tag TEXT PRIMARY KEY, volume_id INTEGER); CREATE UNIQUE INDEX tags_tag_volume ON tags (tag, volume_id);',
    },
    // PostgreSQL makes a primary key NOT NULL; SQLite lets a TEXT one hold NULL.
    changes: { postgres: ['unique_added tags.tag', 'column_not_null tags.tag'], sqlite: ['unique_added tags.tag'] },
  },
  {
    name: 'a unique key narrowed to fewer columns',
    sql: 'DROP INDEX tags_tag_volume; CREATE UNIQUE INDEX tags_tag ON tags (tag);',
    changes: ['unique_dropped tags.(tag, volume_id)', 'unique_added tags.tag'],
  },
  {
    name: 'a varchar made shorter',
    sql: { postgres: 'ALTER TABLE volumes ALTER COLUMN label TYPE varchar(20);', sqlite: rebuildVolumes({ label: 'label VARCHAR(20)' }) },
    changes: ['column_type_changed volumes.label'],
  },
];

const SAFE: readonly Case[] = [
  { name: 'a new nullable column', sql: 'ALTER TABLE volumes ADD COLUMN zone TEXT;', changes: [] },
  {
    name: 'a new table',
    sql: 'CREATE TABLE snapshots (id INTEGER PRIMARY KEY, volume_id INTEGER NOT NULL REFERENCES volumes (id), name TEXT NOT NULL UNIQUE);',
    changes: [],
  },
  { name: 'a new index', sql: 'CREATE INDEX volumes_name ON volumes (name);', changes: [] },
  { name: 'a new NOT NULL column with a default', sql: "ALTER TABLE volumes ADD COLUMN zone TEXT NOT NULL DEFAULT 'a';", changes: [] },
  {
    name: 'a new column with its own unique index and check',
    sql: "ALTER TABLE volumes ADD COLUMN serial TEXT CHECK (serial <> ''); CREATE UNIQUE INDEX volumes_serial ON volumes (serial);",
    changes: [],
  },
  {
    name: 'a longer varchar, or text',
    sql: {
      postgres: 'ALTER TABLE volumes ALTER COLUMN label TYPE varchar(200); ALTER TABLE projects ALTER COLUMN name TYPE text;',
      sqlite: rebuildVolumes({ label: 'label VARCHAR(200)' }),
    },
    changes: [],
  },
  {
    name: 'a NOT NULL dropped',
    sql: { postgres: 'ALTER TABLE volumes ALTER COLUMN size DROP NOT NULL;', sqlite: rebuildVolumes({ size: 'size INTEGER DEFAULT 1' }) },
    changes: [],
  },
  { name: 'a plain index dropped', sql: 'DROP INDEX volumes_kind;', changes: [] },
  {
    name: 'a check constraint of N validated',
    base: { postgres: 'ALTER TABLE volumes ADD CONSTRAINT size_positive CHECK (size > 0) NOT VALID;' },
    sql: { postgres: 'ALTER TABLE volumes VALIDATE CONSTRAINT size_positive;', sqlite: 'SELECT 1;' },
    changes: [],
  },
  {
    name: 'a wider unique key beside the one N relies on',
    sql: 'CREATE UNIQUE INDEX volumes_label_kind ON volumes (label, kind);',
    changes: [],
  },
  {
    name: 'a new view, and a new column in an old one',
    sql: 'CREATE VIEW big_volumes AS SELECT id FROM volumes WHERE size > 100; DROP VIEW volume_names; CREATE VIEW volume_names AS SELECT id, name, size FROM volumes;',
    changes: [],
  },
  {
    name: 'SQLite: a table rebuilt with one more nullable column',
    sql: { postgres: 'ALTER TABLE volumes ADD COLUMN zone TEXT;', sqlite: rebuildVolumes({ zone: 'zone TEXT' }) },
    changes: [],
  },
];

/** N's schema for these tests: BASE plus a table without a key and a unique index over two columns. */
const EXTRA = 'CREATE TABLE tags (tag TEXT, volume_id INTEGER);\nCREATE UNIQUE INDEX tags_tag_volume ON tags (tag, volume_id);\n';

function pick<T>(value: T | Readonly<Record<Dialect, T>>, dialect: Dialect): T {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && dialect in value
    ? (value as Record<Dialect, T>)[dialect]
    : (value as T);
}

for (const dialect of BOTH) {
  // Concurrent: most of a PostgreSQL case is waiting for CREATE DATABASE and DROP DATABASE.
  describe(`${dialect}: each breaking change is found`, { concurrency: 4 }, () => {
    for (const c of [...BREAKING, ...MORE_BREAKING]) {
      test(`${c.name}${'kind' in c ? ` (${c.kind})` : ''}`, async () => {
        const report = await checkChange(dialect, pick(c.sql, dialect), baseWithExtras(c.base?.[dialect]));
        assert.deepEqual(report.findings.map((f) => f.change).sort(), [...pick(c.changes, dialect)].sort());
        assert.equal(report.ok, false);
        for (const f of report.findings) {
          assert.ok(f.message.includes(f.table), `the message names the table: ${f.message}`);
          assert.equal(f.advice, ADVICE[f.kind]);
          assert.equal(f.change, `${f.kind} ${f.target}`);
        }
      });
    }
  });

  describe(`${dialect}: safe changes pass`, { concurrency: 4 }, () => {
    for (const c of SAFE) {
      test(c.name, async () => {
        const report = await checkChange(dialect, pick(c.sql, dialect), baseWithExtras(c.base?.[dialect]));
        assert.deepEqual(
          report.findings.map((f) => f.change),
          [],
        );
        assert.equal(report.ok, true);
      });
    }
    test('no change at all', async () => {
      const report = await checkChange(dialect, 'SELECT 1;', baseWithExtras());
      assert.equal(report.ok, true);
    });
  });
}

test('every kind of finding has a case', () => {
  assert.deepEqual([...new Set(BREAKING.map((c) => c.kind))].sort(), [...FINDING_KINDS].sort());
});

test('the rebuild helper keeps the table it rebuilds', () => {
  assert.match(rebuildVolumes({ zone: 'zone TEXT' }), /ALTER TABLE volumes_new RENAME TO volumes;/);
  assert.match(createVolumes({ name: null }), /^CREATE TABLE volumes \(\n {2}id INTEGER PRIMARY KEY,\n {2}label/);
});

function baseWithExtras(more = ''): string {
  return `${BASE}${EXTRA}${more}`;
}
