import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { run } from './pack.js';
import type { PackedPackage } from './pack.js';

/** A consumer project: a folder of fixtures/ with a package.json whose `check` script compiles and runs it. */
export interface Consumer {
  readonly name: string;
  readonly dir: string;
}

/** What running a consumer printed, and how long each step took. */
export interface ConsumerRun {
  readonly project: string;
  readonly output: string;
  readonly installMs: number;
  readonly checkMs: number;
}

/** The consumer projects: every folder of `fixturesDir` with a package.json. */
export function consumers(fixturesDir: string): Consumer[] {
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(fixturesDir, e.name, 'package.json')))
    .map((e) => ({ name: e.name, dir: join(fixturesDir, e.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Copy a consumer into `workDir/<name>` (outside the workspace, so nothing resolves from it), point its
 * `@versioned/*` dependencies at the tarballs (and override every transitive one, so that no version of
 * ours comes from the registry), install with npm as a user would, then `npm run check`: the consumer's
 * own compile (strict, skipLibCheck off) and run. Rejects with npm's output when a step fails.
 */
export async function runConsumer(
  consumer: Consumer,
  packed: readonly PackedPackage[],
  workDir: string,
  nativeFrom: string,
): Promise<ConsumerRun> {
  const project = join(workDir, consumer.name);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  cpSync(consumer.dir, project, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });

  const manifestPath = join(project, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Record<string, string> | unknown>;
  const tarballOf = new Map(packed.map((p) => [p.name, `file:${p.tarball}`]));
  for (const section of ['dependencies', 'devDependencies'] as const) {
    const deps = manifest[section] as Record<string, string> | undefined;
    for (const name of Object.keys(deps ?? {})) {
      if (!name.startsWith('@versioned/')) continue;
      const tarball = tarballOf.get(name);
      if (!tarball) throw new Error(`${consumer.name}/package.json depends on ${name}, which is not a public package of the workspace`);
      (deps as Record<string, string>)[name] = tarball;
    }
  }
  manifest.overrides = Object.fromEntries(tarballOf);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  const env = userEnvironment();
  const npm = (args: string[]) => run('npm', args, { cwd: project, env, timeoutMs: 240_000 });
  let started = Date.now();
  // Install scripts are skipped (better-sqlite3 would compile its addon, a minute on this machine) and the
  // addon the workspace already built for this Node is copied in instead; see reuseNativeAddon.
  await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error']);
  await reuseNativeAddon(project, nativeFrom, npm);
  const installMs = Date.now() - started;
  started = Date.now();
  const { stdout, stderr } = await npm(['run', '--silent', 'check']);
  return { project, output: `${stdout}${stderr}`, installMs, checkMs: Date.now() - started };
}

/**
 * The environment of a user's shell: without the variables pnpm and npm set for the scripts they run
 * (npm_config_*, npm_package_*...), which would otherwise leak the workspace's settings into the install.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)));
}

/**
 * better-sqlite3's addon, compiled for this Node by the workspace's install: copied into the consumer when
 * the versions match, rebuilt by npm otherwise (its own install script, as a user's install runs it).
 */
async function reuseNativeAddon(project: string, nativeFrom: string, npm: (args: string[]) => Promise<unknown>): Promise<void> {
  const installed = join(project, 'node_modules', 'better-sqlite3');
  if (!existsSync(installed)) return;
  const version = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  let built: string | undefined;
  try {
    built = join(createRequire(join(nativeFrom, 'package.json')).resolve('better-sqlite3/package.json'), '..');
  } catch {
    built = undefined;
  }
  const addon = built && join(built, 'build', 'Release', 'better_sqlite3.node');
  if (built && addon && existsSync(addon) && version(built) === version(installed)) {
    mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
    copyFileSync(addon, join(installed, 'build', 'Release', 'better_sqlite3.node'));
  } else {
    await npm(['rebuild', 'better-sqlite3', '--loglevel=error']);
  }
}
