import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ManifestHistory } from '@versioned/objects';
import { Releases, Upgrade, type UpgradeLogger, type UpgradeOptions } from '../src/index.js';

export const PG_ADMIN_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

/** Three releases of a volume binary: N, N+1, N+2, one RPC minor and one manifest each. */
export const HISTORY = new ManifestHistory().add('N', { Volume: '1.0' }).add('N+1', { Volume: '1.1' }).add('N+2', { Volume: '1.2' });

export const VOLUME = new Releases(
  'volume',
  [
    { name: 'N', rpc: { volume: '1.0' }, objects: 'N' },
    { name: 'N+1', rpc: { volume: '1.1' }, objects: 'N+1' },
    { name: 'N+2', rpc: { volume: '1.2' }, objects: 'N+2' },
  ],
  { objects: HISTORY },
);

/** What a process of release N+1 knows: N and N+1 only (N+2 is newer than it). */
export const VOLUME_UP_TO_N1 = new Releases('volume', VOLUME.list.slice(0, 2), { objects: HISTORY });

/** A fresh database of `dialect`: a temp SQLite file, or a PostgreSQL database with a unique name; dropped by `drop()`. */
export async function freshDatabase(dialect: TestDialect): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'versioned-upgrade-'));
    return { url: `sqlite:${join(dir, 'services.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `upgrade_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Run `body` with a fresh database of `dialect`, dropped afterwards whatever happens. */
export async function withDatabase<T>(dialect: TestDialect, body: (url: string) => Promise<T>): Promise<T> {
  const db = await freshDatabase(dialect);
  try {
    return await body(db.url);
  } finally {
    await db.drop();
  }
}

/** A logger that keeps its lines. */
export class MemoryLogger implements UpgradeLogger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(`WARN ${message}`);
  }
  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public now = Date.UTC(2026, 0, 1)) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/** An Upgrade with a memory logger and no SIGHUP handler, unless the options say otherwise. */
export async function openUpgrade(url: string, options: Partial<UpgradeOptions> = {}): Promise<{ upgrade: Upgrade; logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  const upgrade = await Upgrade.open({ database: url, binaries: [VOLUME], reloadOnSighup: false, logger, ...options });
  return { upgrade, logger };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait until `condition()` holds, polling every 5 ms; fail after `timeoutMs`. Returns the time waited. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
  return performance.now() - started;
}
