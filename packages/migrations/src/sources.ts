import { execFile, spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { MigrationCheckError, messageOf } from './errors.js';

const run = promisify(execFile);

/** One release's migrations: how the check brings the scratch database to that release's schema. */
export type MigrationSource =
  /** A folder of `.sql` files, applied in file-name order. */
  | { readonly folder: string }
  /** The same folder as it is at a git revision of the project (`missingIsEmpty`: no folder there means no tables). */
  | { readonly git: string; readonly folder: string; readonly missingIsEmpty?: boolean }
  /** Files given directly (a test's). */
  | { readonly files: readonly MigrationFile[] }
  /** A shell command that migrates the database named by DATABASE_URL (any migration tool). */
  | { readonly command: string };

/** One migration: its file name (applied in name order) and its SQL. */
export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  /** Where the file is, for messages (defaults to the name). */
  readonly path?: string;
}

/** A migration source once resolved: the files to apply, or the command to run, with a label for messages. */
export type ResolvedSource =
  | { readonly kind: 'files'; readonly label: string; readonly files: readonly MigrationFile[] }
  | { readonly kind: 'command'; readonly label: string; readonly command: string };

/** Read a source's files (or keep its command), so that bad input fails before any database is touched. */
export async function resolveSource(source: MigrationSource, cwd: string): Promise<ResolvedSource> {
  if ('command' in source) {
    if (!source.command.trim()) throw new MigrationCheckError('usage', 'the migration command is empty');
    return { kind: 'command', label: `command \`${source.command}\``, command: source.command };
  }
  if ('files' in source) return { kind: 'files', label: `${source.files.length} given files`, files: [...source.files].sort(byName) };
  if ('git' in source) return readGitFolder(source.git, source.folder, cwd, source.missingIsEmpty ?? false);
  const dir = resolve(cwd, source.folder);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory())
    throw new MigrationCheckError('usage', `migration folder ${source.folder} ${info ? 'is not a folder' : 'does not exist'}`, {
      file: dir,
    });
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.sql')).map((e) => e.name);
  const files = await Promise.all(
    names.map(async (name) => ({ name, path: join(source.folder, name), sql: await readFile(join(dir, name), 'utf8') })),
  );
  return { kind: 'files', label: source.folder, files: files.sort(byName) };
}

function byName(a: MigrationFile, b: MigrationFile): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function git(cwd: string, args: readonly string[], encoding: 'utf8' | 'buffer' = 'utf8'): Promise<string> {
  const { stdout } = await run('git', args, { cwd, encoding, maxBuffer: 256 * 1024 * 1024 });
  return typeof stdout === 'string' ? stdout : (stdout as Buffer).toString('utf8');
}

async function readGitFolder(ref: string, folder: string, cwd: string, missingIsEmpty: boolean): Promise<ResolvedSource> {
  const label = `${ref}:${folder}`;
  if (!ref || ref.startsWith('-')) throw new MigrationCheckError('usage', `"${ref}" is not a git revision`);
  let top: string;
  try {
    top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  } catch (err) {
    throw new MigrationCheckError('usage', `cannot read ${label}: ${cwd} is not in a git repository (${messageOf(err)})`, { cause: err });
  }
  let commit: string;
  try {
    commit = (await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch (err) {
    throw new MigrationCheckError('usage', `cannot read ${label}: unknown git revision "${ref}"`, { cause: err });
  }
  const path = relative(top, resolve(cwd, folder)).split(sep).join('/');
  if (path.startsWith('..')) throw new MigrationCheckError('usage', `cannot read ${label}: ${folder} is outside the repository ${top}`);
  const listing = await git(top, ['ls-tree', '-z', commit, '--', path === '' ? '.' : `${path}/`]);
  const entries = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, file] = line.split('\t') as [string, string];
      const [, type, oid] = meta.split(' ') as [string, string, string];
      return { type, oid, name: file.slice(file.lastIndexOf('/') + 1) };
    });
  const short = commit.slice(0, 12);
  if (!entries.length) {
    if (missingIsEmpty) return { kind: 'files', label: `${label} (commit ${short}: no such folder, an empty schema)`, files: [] };
    throw new MigrationCheckError('usage', `cannot read ${label}: ${path || '.'} does not exist at ${ref} (commit ${short})`);
  }
  const sqlFiles = entries.filter((e) => e.type === 'blob' && e.name.endsWith('.sql'));
  const files = await Promise.all(
    sqlFiles.map(async (e) => ({ name: e.name, path: `${ref}:${path}/${e.name}`, sql: await git(top, ['cat-file', 'blob', e.oid]) })),
  );
  return { kind: 'files', label: `${label} (commit ${short})`, files: files.sort(byName) };
}

/** Run a migration command with the scratch database in DATABASE_URL; its output is kept for the error. */
export function runCommand(command: string, cwd: string, env: Readonly<Record<string, string>>): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, { shell: true, cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8192);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) =>
      reject(
        new MigrationCheckError('migration_failed', `migration command \`${command}\` could not start: ${messageOf(err)}`, {
          file: command,
          cause: err,
        }),
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise();
      const tail = output.trim().split('\n').slice(-15).join('\n');
      const how = signal ? `was killed by ${signal}` : `failed with exit code ${code}`;
      reject(
        new MigrationCheckError('migration_failed', `migration command \`${command}\` ${how}${tail ? `:\n${tail}` : ''}`, {
          file: command,
        }),
      );
    });
  });
}
