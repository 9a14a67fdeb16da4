import { readFile, writeFile } from 'node:fs/promises';
import { UsageError } from './errors.js';
import type { ObjectDescription } from './describe.js';
import type { ObjectFingerprint } from './fingerprint.js';

/** What the lock file records per object: the hash, and the description it was computed from (for diffs). */
export interface LockEntry {
  readonly fingerprint: string;
  readonly version: string;
  readonly description: ObjectDescription;
}

export interface LockFile {
  readonly objects: ReadonlyMap<string, LockEntry>;
}

export const LOCK_FORMAT = 1;
const HEADER = 'Written by `versioned fingerprint update`: the fingerprint and schema of every versioned object. Commit it; do not edit by hand.';

/** Read a lock file; `undefined` when there is none yet. A malformed file is a UsageError naming it. */
export async function readLockFile(path: string): Promise<LockFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError('lock_file', `cannot read the lock file ${path}: ${(err as Error).message}`, { file: path, cause: err });
  }
  return parseLockFile(text, path);
}

export function parseLockFile(text: string, path: string): LockFile {
  const bad = (why: string): UsageError => new UsageError('lock_file', `the lock file ${path} is not valid: ${why}`, { file: path });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (!isRecord(data)) throw bad('expected a JSON object');
  if (data.format !== LOCK_FORMAT) throw bad(`expected "format": ${LOCK_FORMAT}, got ${JSON.stringify(data.format)}`);
  if (!isRecord(data.objects)) throw bad('expected an "objects" object');
  const objects = new Map<string, LockEntry>();
  for (const [name, entry] of Object.entries(data.objects)) {
    if (!isRecord(entry) || typeof entry.fingerprint !== 'string' || typeof entry.version !== 'string' || !isRecord(entry.description)) {
      throw bad(`objects.${name} needs "fingerprint", "version" and "description"`);
    }
    // Lock files written before relationships were described have none.
    const description = { relationships: [], ...entry.description } as unknown as ObjectDescription;
    if (!Array.isArray(description.fields) || !Array.isArray(description.children) || !Array.isArray(description.remotable)) {
      throw bad(`objects.${name}.description needs "fields", "children" and "remotable" arrays`);
    }
    objects.set(name, { fingerprint: entry.fingerprint, version: entry.version, description });
  }
  return { objects };
}

/** The lock file text: keys sorted at every level, two-space indents, so that diffs are small and stable. */
export function formatLockFile(fingerprints: Iterable<ObjectFingerprint>): string {
  const objects: Record<string, LockEntry> = {};
  for (const fp of [...fingerprints].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    // The hash and version first, for people reading diffs; the description with its keys sorted.
    objects[fp.name] = { fingerprint: fp.fingerprint, version: fp.version, description: sortKeys(fp.description) as ObjectDescription };
  }
  return `${JSON.stringify({ comment: HEADER, format: LOCK_FORMAT, objects }, null, 2)}\n`;
}

export async function writeLockFile(path: string, fingerprints: Iterable<ObjectFingerprint>): Promise<void> {
  await writeFile(path, formatLockFile(fingerprints), 'utf8');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
