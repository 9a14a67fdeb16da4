import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkMigrations, type Dialect } from '../src/index.js';
import { BOTH } from './helpers.js';

const TYPES: Readonly<Record<string, string>> = { INTEGER: '7', TEXT: "'x'", 'VARCHAR(20)': "'y'", BOOLEAN: 'TRUE' };

interface ColumnSpec {
  readonly type: string;
  readonly notNull: boolean;
}

/** A random schema: tables t0.. of columns c0.. after an id, some NOT NULL with a default. */
const schemaArb = fc.array(
  fc.array(fc.record({ type: fc.constantFrom(...Object.keys(TYPES)), notNull: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  { minLength: 1, maxLength: 3 },
);

function createTables(tables: readonly (readonly ColumnSpec[])[]): string {
  return tables
    .map((columns, t) => {
      const defs = columns.map((c, i) => `c${i} ${c.type}${c.notNull ? ` NOT NULL DEFAULT ${TYPES[c.type]}` : ''}`);
      return `CREATE TABLE t${t} (id INTEGER PRIMARY KEY, ${defs.join(', ')});`;
    })
    .join('\n');
}

/** A safe change to a schema of `tables` tables: a nullable column, a table, an index. */
const safeChangeArb = (tables: number) =>
  fc.oneof(
    fc.record({ op: fc.constant('column' as const), table: fc.nat(tables - 1), type: fc.constantFrom(...Object.keys(TYPES)) }),
    fc.record({ op: fc.constant('table' as const), table: fc.nat(tables - 1), type: fc.constantFrom(...Object.keys(TYPES)) }),
    fc.record({ op: fc.constant('index' as const), table: fc.nat(tables - 1), type: fc.constant('') }),
  );

function safeSql(changes: readonly { op: 'column' | 'table' | 'index'; table: number; type: string }[]): string {
  return changes
    .map((c, i) => {
      if (c.op === 'column') return `ALTER TABLE t${c.table} ADD COLUMN new${i} ${c.type};`;
      if (c.op === 'table') return `CREATE TABLE new_table${i} (id INTEGER PRIMARY KEY, v ${c.type} NOT NULL);`;
      return `CREATE INDEX new_index${i} ON t${c.table} (c0);`;
    })
    .join('\n');
}

// A PostgreSQL run creates and drops two databases (about a second each on a busy machine).
const RUNS: Readonly<Record<Dialect, number>> = { sqlite: 40, postgres: 5 };

for (const dialect of BOTH) {
  test(`${dialect}: random safe changes to a random schema find nothing; dropping one column finds exactly that`, async () => {
    await fc.assert(
      fc.asyncProperty(
        schemaArb.chain((tables) =>
          fc.tuple(
            fc.constant(tables),
            fc.array(safeChangeArb(tables.length), { maxLength: 4 }),
            fc.nat(tables.length - 1).chain((t) => fc.tuple(fc.constant(t), fc.nat(tables[t]!.length - 1))),
          ),
        ),
        async ([tables, changes, [t, c]]) => {
          const n = [{ name: '0001.sql', sql: createTables(tables) }];
          const safe = [...n, { name: '0002.sql', sql: safeSql(changes) }];
          const safeReport = await checkMigrations({ dialect, before: { files: n }, after: { files: safe } });
          assert.deepEqual(safeReport.findings, []);
          // SQLite refuses to drop an indexed column: drop the indexes first, as its migration would.
          const indexes = changes.flatMap((change, i) =>
            change.op === 'index' && change.table === t && c === 0 ? [`DROP INDEX new_index${i};`] : [],
          );
          const dropped = [...safe, { name: '0003.sql', sql: `${indexes.join('\n')}\nALTER TABLE t${t} DROP COLUMN c${c};` }];
          const report = await checkMigrations({ dialect, before: { files: n }, after: { files: dropped } });
          assert.deepEqual(
            report.findings.map((f) => f.change),
            [`column_dropped t${t}.c${c}`],
          );
        },
      ),
      { numRuns: RUNS[dialect] },
    );
  });
}
