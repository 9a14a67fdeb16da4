import { finding, type Finding } from './findings.js';
import type { Column, Constraint, Schema, Table, UniqueKey, View } from './schema.js';

/**
 * Every change from `before` (release N's schema) to `after` (N+1's) that breaks code written for N.
 * Both are read from the same database, so an unchanged identity under a new name is a rename.
 */
export function compareSchemas(before: Schema, after: Schema): Finding[] {
  const out: Finding[] = [];
  const renamedTo = renames(before.tables, after.tables);
  for (const [name, table] of before.tables) {
    const next = after.tables.get(name);
    if (next) out.push(...compareTables(table, next));
    else if (renamedTo.has(name))
      out.push(finding('table_renamed', name, null, `table ${name} was renamed to ${renamedTo.get(name)}: N's queries name ${name}`));
    else if (after.views.has(name))
      out.push(
        finding(
          'table_dropped',
          name,
          null,
          `table ${name} was replaced by a view of the same name: N's writes to it fail unless the view is updatable`,
        ),
      );
    else out.push(finding('table_dropped', name, null, `table ${name} was dropped: N still reads and writes it`));
  }
  const viewRenamedTo = renames(before.views, after.views);
  for (const [name, view] of before.views) {
    if (view.error !== null) continue;
    const next = after.views.get(name);
    if (next) out.push(...compareViews(view, next));
    else if (viewRenamedTo.has(name))
      out.push(finding('view_renamed', name, null, `view ${name} was renamed to ${viewRenamedTo.get(name)}: N's queries name ${name}`));
    else if (!after.tables.has(name)) out.push(finding('view_dropped', name, null, `view ${name} was dropped: N still reads it`));
  }
  return out;
}

/** Old name -> new name, for the relations of `before` gone from `after` whose identity `after` has under a new name. */
function renames(
  before: ReadonlyMap<string, { identity: string | null }>,
  after: ReadonlyMap<string, { identity: string | null }>,
): Map<string, string> {
  const added = new Map<string, string>();
  for (const [name, rel] of after) if (!before.has(name) && rel.identity !== null) added.set(rel.identity, name);
  const out = new Map<string, string>();
  for (const [name, rel] of before) {
    const to = rel.identity === null || after.has(name) ? undefined : added.get(rel.identity);
    if (to !== undefined) out.set(name, to);
  }
  return out;
}

function compareTables(before: Table, after: Table): Finding[] {
  const t = before.name;
  const out: Finding[] = [];
  const sameTable = before.storage === after.storage;
  const renameTargets = new Set<string>();
  for (const [name, col] of before.columns) {
    const next = after.columns.get(name);
    if (next) {
      out.push(...compareColumns(t, col, next));
      continue;
    }
    // A rename keeps the column's identity; a position shared by several changed columns tells nothing.
    const candidates = sameTable
      ? [...after.columns.values()].filter((c) => !before.columns.has(c.name) && c.identity === col.identity)
      : [];
    const sharers = [...before.columns.values()].filter((c) => !after.columns.has(c.name) && c.identity === col.identity);
    const renamed = candidates.length === 1 && sharers.length === 1 ? candidates[0] : undefined;
    if (renamed && after.columnRenamesKnown) {
      renameTargets.add(renamed.name);
      out.push(finding('column_renamed', t, name, `column ${t}.${name} was renamed to ${renamed.name}: N's queries name ${name}`));
    } else if (renamed) {
      out.push(
        finding(
          'column_dropped',
          t,
          name,
          `column ${t}.${name} was dropped, or renamed to ${renamed.name} (the schema cannot tell): N still reads and writes ${name}`,
        ),
      );
    } else {
      out.push(finding('column_dropped', t, name, `column ${t}.${name} was dropped: N still reads and writes it`));
    }
  }
  for (const [name, col] of after.columns) {
    if (before.columns.has(name) || renameTargets.has(name)) continue;
    if (col.notNull && col.default === null && !col.generated) {
      out.push(
        finding(
          'column_added_not_null',
          t,
          name,
          `new column ${t}.${name} is NOT NULL without a default: N's inserts leave it out and fail`,
        ),
      );
    }
  }
  const isNew = (name: string) => !before.columns.has(name);
  const writtenAsNull = (name: string) => isNew(name) && after.columns.get(name)?.default === null;
  for (const key of before.uniques) {
    if (!after.uniques.some((k) => sameUnique(k, key))) {
      out.push(
        finding('unique_dropped', t, key.columns, `${describeUnique(key)} on ${t} is gone (${key.name ?? 'rowid'}): N relies on it`),
      );
    }
  }
  for (const key of after.uniques) {
    if (before.uniques.some((k) => sameUnique(k, key) || (k.where === null && k.columns.every((c) => key.columns.includes(c))))) continue;
    if (key.columns.every(writtenAsNull)) continue; // N leaves every key column NULL, and NULLs never collide
    out.push(
      finding('unique_added', t, key.columns, `new ${describeUnique(key)} on ${t} (${key.name ?? 'rowid'}): N's writes can violate it`),
    );
  }
  for (const [kind, list, label] of [
    ['check_added', 'checks', 'check'],
    ['foreign_key_added', 'foreignKeys', 'foreign key'],
  ] as const) {
    for (const c of after[list]) {
      if (before[list].some((b) => b.definition === c.definition)) continue;
      // A constraint on new columns only holds for N's rows, which leave those columns NULL.
      if (c.columns.length && c.columns.every(writtenAsNull)) continue;
      out.push(
        finding(
          kind,
          t,
          c.columns,
          `new ${label} on ${t}${c.name ? ` (${c.name})` : ''}: ${c.definition}: N's writes can violate it`,
          constraintLabel(c),
        ),
      );
    }
  }
  return out;
}

function compareColumns(t: string, before: Column, after: Column): Finding[] {
  const out: Finding[] = [];
  const where = `${t}.${before.name}`;
  if (before.type !== after.type && !widens(before.type, after.type)) {
    out.push(
      finding(
        'column_type_changed',
        t,
        before.name,
        `column ${where} changed type from ${before.type} to ${after.type}: N reads and writes ${before.type}`,
      ),
    );
  }
  if (!before.notNull && after.notNull) {
    out.push(
      finding(
        'column_not_null',
        t,
        before.name,
        `column ${where} became NOT NULL: N may write NULL${after.default === null ? ' or leave it out' : ''}`,
      ),
    );
  }
  if (!after.generated) {
    const was = before.generated ? 'set by the database' : before.default === null ? null : `DEFAULT ${before.default}`;
    if (was !== null && after.default === null) {
      out.push(
        finding(
          'default_dropped',
          t,
          before.name,
          `column ${where} lost its default (was ${was}): N's inserts that leave it out now store NULL${after.notNull ? ' or fail' : ''}`,
        ),
      );
    } else if (
      was !== null &&
      after.default !== null &&
      (before.generated || comparableDefault(before.default!) !== comparableDefault(after.default))
    ) {
      out.push(
        finding(
          'default_changed',
          t,
          before.name,
          `column ${where} changed its default from ${was} to ${after.default}: N's inserts that leave it out get a value N does not expect`,
        ),
      );
    }
  }
  return out;
}

function compareViews(before: View, after: View): Finding[] {
  const v = before.name;
  if (after.error !== null) return [finding('view_dropped', v, null, `view ${v} can no longer be read (${after.error}): N still reads it`)];
  const out: Finding[] = [];
  for (const [name, col] of before.columns) {
    const next = after.columns.get(name);
    if (!next) out.push(finding('view_column_dropped', v, name, `view ${v} no longer has column ${name}: N reads it`));
    else if (next.type !== col.type && !widens(col.type, next.type)) {
      out.push(
        finding(
          'view_column_type_changed',
          v,
          name,
          `column ${v}.${name} of the view changed type from ${col.type} to ${next.type}: N reads ${col.type}`,
        ),
      );
    }
  }
  return out;
}

function sameUnique(a: UniqueKey, b: UniqueKey): boolean {
  return a.where === b.where && a.columns.length === b.columns.length && a.columns.every((c) => b.columns.includes(c));
}

function describeUnique(key: UniqueKey): string {
  const what = key.primaryKey ? 'primary key' : 'unique key';
  return `${what} (${key.columns.join(', ')})${key.where === null ? '' : ` WHERE ${key.where}`}`;
}

function constraintLabel(c: Constraint): string {
  return c.name ?? c.definition;
}

/**
 * A type change that code written for the old type cannot tell: a longer or unbounded varchar, varchar to text,
 * a numeric with more digits. Anything else (int to bigint too: node-postgres reads a bigint as a string) breaks.
 */
export function widens(before: string, after: string): boolean {
  const b = before.toLowerCase();
  const a = after.toLowerCase();
  const varchar = /^(?:character varying|varchar)(?:\((\d+)\))?$/;
  const vb = varchar.exec(b);
  if (vb) {
    if (a === 'text') return true;
    const va = varchar.exec(a);
    return va !== null && (va[1] === undefined || (vb[1] !== undefined && Number(va[1]) >= Number(vb[1])));
  }
  const numeric = /^(numeric|decimal)\((\d+),\s*(\d+)\)$/;
  const nb = numeric.exec(b);
  if (nb) {
    if (a === nb[1]) return true;
    const na = numeric.exec(a);
    return (
      na !== null && na[1] === nb[1] && Number(na[3]) >= Number(nb[3]) && Number(na[2]) - Number(na[3]) >= Number(nb[2]) - Number(nb[3])
    );
  }
  return false;
}

/** A default without the casts PostgreSQL adds to literals (`'hdd'::character varying`), which follow the column's type. */
function comparableDefault(sql: string): string {
  return sql.replace(/('(?:[^']|'')*')::[a-z0-9_ ."]+(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?/gi, '$1');
}
