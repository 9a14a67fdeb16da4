/** The kinds of schema change that break code written for release N while it still runs against N+1's schema. */
export const FINDING_KINDS = [
  'table_dropped',
  'table_renamed',
  'column_dropped',
  'column_renamed',
  'column_type_changed',
  'column_not_null',
  'column_added_not_null',
  'default_dropped',
  'default_changed',
  'unique_added',
  'unique_dropped',
  'check_added',
  'foreign_key_added',
  'view_dropped',
  'view_renamed',
  'view_column_dropped',
  'view_column_type_changed',
] as const;

/** The kinds of breaking change the guard reports (`column_dropped`, `not_null_added`...): {@link FINDING_KINDS}. */
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One breaking change: its kind, where, and what to do instead. */
export interface Finding {
  /** `<kind> <target>`: what an allow-list entry names to accept this change. */
  readonly change: string;
  readonly kind: FindingKind;
  readonly table: string;
  /** The column, when the change is about one. */
  readonly column: string | null;
  /** `table`, `table.column`, or `table.(a, b)` for a constraint over several columns. */
  readonly target: string;
  /** What changed, and why release N breaks. */
  readonly message: string;
  /** What to do instead: expand now, contract in the release after. */
  readonly advice: string;
}

/** What to do instead of each kind of change. */
export const ADVICE: Readonly<Record<FindingKind, string>> = {
  table_dropped: 'keep the table in this release (N+1 may stop using it); drop it in the release after, once no N is running',
  table_renamed:
    'create the new table and keep the old one (or a view of the old name) while N runs; copy or write both, and drop the old name in the release after',
  column_dropped:
    'keep the column in this release (make it nullable or give it a default if N+1 stops writing it); drop it in the release after',
  column_renamed:
    'add the new column and keep the old one: write both (or sync them with a trigger) and backfill; drop the old column in the release after',
  column_type_changed:
    'add a column of the new type beside the old one, write both and backfill; read the new one in N+1 and drop the old column in the release after',
  column_not_null: 'keep the column nullable while N runs; have N+1 always write it, backfill, and add NOT NULL in the release after',
  column_added_not_null: 'add the column nullable or with a default now; make it NOT NULL (or drop the default) in the release after',
  default_dropped: "keep the default while N runs (N's inserts leave the column out); drop it in the release after",
  default_changed: "keep N's default while N runs and have N+1 write the new value itself; change the default in the release after",
  unique_added: 'have N+1 keep the rule in code now and clean up duplicates; add the constraint in the release after',
  unique_dropped: 'N relies on it (no duplicates, ON CONFLICT targets): keep it in this release; drop it in the release after',
  check_added: 'have N+1 keep the rule in code now and fix old rows; add the constraint in the release after',
  foreign_key_added: 'have N+1 keep the rule in code now and fix old rows; add the constraint in the release after',
  view_dropped: 'keep the view as N reads it while N runs; add any new shape as a new view, and drop the old one in the release after',
  view_renamed: 'create the new view and keep the old name while N runs; drop the old name in the release after',
  view_column_dropped: 'keep the column in the view while N runs (add a new view for the new shape); drop it in the release after',
  view_column_type_changed:
    'keep the column of the view as N reads it; add a new view or column for the new type, and drop the old one in the release after',
};

/** A finding about `columns` of `table` (or, for a constraint over no known column, the one `label` names). */
export function finding(
  kind: FindingKind,
  table: string,
  columns: readonly string[] | string | null,
  message: string,
  label?: string,
): Finding {
  const list = columns === null ? [] : typeof columns === 'string' ? [columns] : columns;
  const target =
    list.length === 1 ? `${table}.${list[0]}` : list.length ? `${table}.(${list.join(', ')})` : label ? `${table}.${label}` : table;
  return { change: `${kind} ${target}`, kind, table, column: list.length === 1 ? list[0]! : null, target, message, advice: ADVICE[kind] };
}
