import { randomUUID } from 'node:crypto';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openServiceStore, type ServiceStore } from '@versioned/upgrade';
import { TempProject } from './helpers.js';

export const PG_ADMIN_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];
const UPGRADE_PACKAGE = fileURLToPath(new URL('../../../upgrade', import.meta.url));

/** Three releases of `volume` and two of `scheduler`, as a user's compiled module declares them. */
export const RELEASES_MODULE = `import { ManifestHistory } from '@versioned/objects';
import { Releases } from '@versioned/upgrade';
const history = new ManifestHistory().add('N', { Volume: '1.0' }).add('N+1', { Volume: '1.1' }).add('N+2', { Volume: '1.2' });
export const volume = new Releases('volume', [
  { name: 'N', rpc: { volume: '1.0' }, objects: 'N' },
  { name: 'N+1', rpc: { volume: '1.1' }, objects: 'N+1' },
  { name: 'N+2', rpc: { volume: '1.2' }, objects: 'N+2' },
], { objects: history });
export const scheduler = new Releases('scheduler', [
  { name: 'N+1', rpc: { scheduler: '2.0' }, objects: 'N+1' },
  { name: 'N+2', rpc: { scheduler: '2.1' }, objects: 'N+2' },
], { objects: history });
`;

/** A project that resolves @versioned/objects and @versioned/upgrade, with releases.mjs written. */
export async function upgradeProject(): Promise<TempProject> {
  const project = await TempProject.create();
  await mkdir(project.path('node_modules/@versioned'), { recursive: true });
  await symlink(UPGRADE_PACKAGE, join(project.path('node_modules/@versioned'), 'upgrade'), 'dir');
  await project.write('releases.mjs', RELEASES_MODULE);
  return project;
}

/**
 * An empty database of `dialect` (nothing created in it): for SQLite a path in the project (`var/services.db`,
 * not yet a file), for PostgreSQL a database with a unique name, dropped by `drop()`.
 */
export async function emptyDatabase(
  dialect: Dialect,
  project: TempProject,
): Promise<{ url: string; configUrl: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    await mkdir(project.path('var'), { recursive: true });
    return { url: `sqlite:${project.path('var/services.db')}`, configUrl: 'sqlite:var/services.db', drop: async () => {} };
  }
  const name = `cli_upgrade_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), configUrl: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const RPC: Readonly<Record<string, string>> = { N: '1.0', 'N+1': '1.1', 'N+2': '1.2' };

/** The services table as the services themselves create it, with rows written at chosen heartbeat ages. */
export class Fleet {
  private constructor(readonly store: ServiceStore) {}

  static async open(url: string): Promise<Fleet> {
    return new Fleet(await openServiceStore(url));
  }

  /** A volume service on `host` running `release`, whose last heartbeat was `ageMs` ago. */
  async volume(host: string, release: string, ageMs: number): Promise<void> {
    await this.store.register(
      { binary: 'volume', host, release, rpcVersions: { volume: RPC[release] as string }, objects: release },
      Date.now() - ageMs,
    );
  }

  async stop(host: string): Promise<void> {
    await this.store.stop('volume', host, Date.now());
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export const SECOND = 1000;
export const DAY = 86_400_000;

/** Heartbeat ages under a minute, which move while a test runs, as `<n>s` (the padding after one, as one space). */
export function steadyAges(text: string): string {
  return text
    .replace(/\b\d{1,2}s ago( +)?/g, (_m, pad: string | undefined) => `<n>s ago${pad ? ' ' : ''}`)
    .replace(/dead in \d{1,2}s/g, 'dead in <n>s');
}
