import { readFile } from 'node:fs/promises';
import { MigrationCheckError, messageOf } from './errors.js';
import { FINDING_KINDS, type Finding } from './findings.js';

/** A deliberate contraction: the change it accepts, why, and the release from which it is allowed. */
export interface AllowEntry {
  /** `<kind> <target>`, as a finding's `change` spells it: `column_dropped volumes.legacy_size`. */
  readonly change: string;
  readonly reason: string;
  /** The first release allowed to make the change (the one after the last release that used what it removes). */
  readonly from: string;
}

/** A finding the allow-list accepts, with the entry that accepts it. */
export interface AllowedFinding {
  readonly finding: Finding;
  readonly entry: AllowEntry;
}

const KEYS = ['change', 'reason', 'from'] as const;

/** Parse an allow-list file: `{ "allow": [{ "change", "reason", "from" }, ...] }`. */
export function parseAllowList(text: string, file = 'allow-list'): AllowEntry[] {
  const fail = (where: string, what: string): never => {
    throw new MigrationCheckError('allow_list', `${file}: ${where}: ${what}`, { file });
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail('not JSON', messageOf(err));
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('top level', 'expected an object with an "allow" list');
  const extra = Object.keys(doc).filter((k) => k !== 'allow' && k !== '$comment');
  if (extra.length) fail(extra[0]!, 'unknown key (expected "allow")');
  const list = (doc as { allow?: unknown }).allow;
  if (!Array.isArray(list)) return fail('allow', 'expected a list of entries');
  return list.map((raw, i): AllowEntry => {
    const at = `allow[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(at, 'expected an object with change, reason and from');
    for (const key of Object.keys(raw))
      if (!(KEYS as readonly string[]).includes(key)) fail(`${at}.${key}`, 'unknown key (expected change, reason, from)');
    for (const key of KEYS) {
      const value = (raw as Record<string, unknown>)[key];
      if (typeof value !== 'string' || !value.trim()) fail(`${at}.${key}`, 'expected a non-empty string');
    }
    const entry = raw as AllowEntry;
    const kind = entry.change.trim().split(/\s+/)[0]!;
    if (!(FINDING_KINDS as readonly string[]).includes(kind))
      fail(`${at}.change`, `unknown kind "${kind}" (expected "<kind> <table or table.column>", kind one of ${FINDING_KINDS.join(', ')})`);
    if (!/\s\S/.test(entry.change.trim()))
      fail(`${at}.change`, `"${entry.change}" names no table (expected "${kind} <table or table.column>")`);
    if (parseRelease(entry.from) === null) fail(`${at}.from`, `"${entry.from}" is not a release number such as 2 or 2.1.0`);
    return { change: entry.change.trim().replace(/\s+/g, ' '), reason: entry.reason, from: entry.from.trim() };
  });
}

/**
 * Read and check an allow-list file (JSON: `[{ change, reason, from }]`); a missing or malformed file is a
 * MigrationCheckError `allow_list` naming it.
 */
export async function readAllowList(file: string): Promise<AllowEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MigrationCheckError('allow_list', `cannot read the allow-list ${file}: ${messageOf(err)}`, { file, cause: err });
  }
  return parseAllowList(text, file);
}

/** The numeric parts of a release (`2.1.0-rc1` -> [2, 1, 0]; a pre-release counts as its release), or null. */
export function parseRelease(text: string): number[] | null {
  const match = /^v?(\d+(?:\.\d+)*)(?:[-+].*)?$/.exec(text.trim());
  return match ? match[1]!.split('.').map(Number) : null;
}

export function compareReleases(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Split findings into those still breaking and those the list allows in `release`; report entries that match nothing. */
export function applyAllowList(findings: readonly Finding[], entries: readonly AllowEntry[], release: string | null) {
  const current = release === null ? null : parseRelease(release);
  if (entries.length && current === null) {
    throw new MigrationCheckError(
      'usage',
      release === null
        ? 'an allow-list needs the release being checked (--release, else the version in package.json), to compare with each entry\'s "from"'
        : `release "${release}" is not a release number such as 2 or 2.1.0`,
    );
  }
  const remaining: Finding[] = [];
  const allowed: AllowedFinding[] = [];
  const used = new Set<AllowEntry>();
  for (const f of findings) {
    const entry = entries.find((e) => e.change === f.change);
    if (entry) used.add(entry);
    if (entry && compareReleases(current!, parseRelease(entry.from)!) >= 0) allowed.push({ finding: f, entry });
    else if (entry)
      remaining.push({ ...f, message: `${f.message} (the allow-list allows it from release ${entry.from}; this is ${release})` });
    else remaining.push(f);
  }
  return { findings: remaining, allowed, unusedAllowEntries: entries.filter((e) => !used.has(e)) };
}
