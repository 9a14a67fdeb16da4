import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A workspace package that is published (no `"private": true`). */
export interface PublicPackage {
  readonly name: string;
  readonly version: string;
  /** Its folder under packages/ (`objects`). */
  readonly folder: string;
  readonly dir: string;
}

/** A package packed by `pnpm pack` and unpacked again, to look at what a user downloads. */
export interface PackedPackage extends PublicPackage {
  readonly tarball: string;
  /** The tarball's size in bytes. */
  readonly bytes: number;
  /** Where the tarball was unpacked (its `package/` folder). */
  readonly unpacked: string;
  /** The files of the tarball, relative to `package/`, with `/` separators, sorted. */
  readonly files: readonly string[];
  /** The package.json inside the tarball (workspace ranges replaced by pnpm). */
  readonly manifest: Record<string, unknown>;
}

/** The result of a child process that exited 0 (anything else rejects with its output). */
export interface Ran {
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command; reject with the command line, the exit code and the tail of its output when it fails. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 180_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const why = (err as { killed?: boolean }).killed
          ? `timed out after ${(options.timeoutMs ?? 180_000) / 1000} s`
          : `exited with ${String((err as { code?: unknown }).code)}`;
        reject(new Error(`${command} ${args.join(' ')} (in ${options.cwd}) ${why}\n${tail(stderr)}\n--- stdout ---\n${tail(stdout)}`));
      },
    );
  });
}

function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** The public packages of the workspace at `root`, in folder order. */
export function publicPackages(root: string): PublicPackage[] {
  const packagesDir = join(root, 'packages');
  const out: PublicPackage[] = [];
  for (const folder of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, folder);
    let manifest: { name?: string; version?: string; private?: boolean };
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      continue;
    }
    if (manifest.private || !manifest.name || !manifest.version) continue;
    out.push({ name: manifest.name, version: manifest.version, folder, dir });
  }
  return out;
}

/**
 * `pnpm pack` every public package into `dest` (pnpm replaces `workspace:^` by `^<version>`), then unpack
 * each tarball next to it. The packages must have been built (`tsc -b`).
 */
export async function packAll(root: string, dest: string): Promise<PackedPackage[]> {
  mkdirSync(dest, { recursive: true });
  const packages = publicPackages(root);
  // One at a time: pnpm is fetched by npx, and parallel fetches of the same version race in npx's cache.
  const packed: PackedPackage[] = [];
  for (const pkg of packages) {
    const { stdout } = await run('npx', ['-y', 'pnpm@10', 'pack', '--json', '--pack-destination', dest], { cwd: pkg.dir });
    const tarball = (JSON.parse(stdout.slice(stdout.indexOf('{'))) as { filename: string }).filename;
    const unpackDir = join(dest, pkg.folder);
    mkdirSync(unpackDir, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', unpackDir], { cwd: dest });
    const unpacked = join(unpackDir, 'package');
    packed.push({
      ...pkg,
      tarball,
      bytes: statSync(tarball).size,
      unpacked,
      files: listFiles(unpacked),
      manifest: JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as Record<string, unknown>,
    });
  }
  return packed;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
