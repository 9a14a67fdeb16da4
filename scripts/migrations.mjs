// `pnpm migrations`: the project's own schema migrations (packages/upgrade/migrations/<dialect>/) through the
// additive-only guard. N+1 is the working tree; release N is each folder as of MIGRATIONS_BASE (a git revision:
// the last release's tag, or origin/main in a merge request), else as of HEAD when the folder has uncommitted
// changes, else as of the commit before the last one that touched it; no folder there is an empty schema.
// MIGRATIONS_DIR replaces the folder (the tests use a fixture). An allow-list, if any, is
// <folder>/allow-list.json, its release MIGRATIONS_RELEASE or the version in <folder>/../package.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '@versioned/cli';

const dir = process.env.MIGRATIONS_DIR ?? 'packages/upgrade/migrations';
const io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The --before source: `<rev>:<folder>`, or an empty folder when no commit before the folder's last one exists. */
function before(folder) {
  if (process.env.MIGRATIONS_BASE) return `${process.env.MIGRATIONS_BASE}:${folder}`;
  // Uncommitted changes are N+1 and the last commit is N; else N is the commit before the last that touched it.
  if (git('status', '--porcelain', '--', folder)) return `HEAD:${folder}`;
  const last = git('log', '-1', '--format=%H', '--', folder);
  if (!last) return `HEAD:${folder}`; // not committed yet: HEAD has no such folder, so N is empty
  const [, parent] = git('rev-list', '--parents', '-n', '1', last).split(' ');
  if (parent) return `${parent}:${folder}`;
  if (git('rev-parse', '--is-shallow-repository') === 'true') {
    throw new Error(`${folder}: the clone is shallow and stops at ${last.slice(0, 12)}: fetch more history or set MIGRATIONS_BASE`);
  }
  return mkdtempSync(join(tmpdir(), 'versioned-migrations-empty-')); // the folder's first commit is the repository's
}

let exit = 0;
for (const dialect of ['sqlite', 'postgres']) {
  const folder = `${dir}/${dialect}`;
  try {
    if (!existsSync(folder)) throw new Error(`${folder} does not exist (MIGRATIONS_DIR names the folder of sqlite/ and postgres/)`);
    const args = ['migrations', 'check', '--dialect', dialect, '--before', before(folder), '--missing-before-is-empty', '--after', folder];
    const allowList = join(folder, 'allow-list.json');
    if (existsSync(allowList)) {
      const version = JSON.parse(readFileSync(join(dirname(dir), 'package.json'), 'utf8')).version;
      args.push('--allow-list', allowList, '--release', process.env.MIGRATIONS_RELEASE ?? version);
    }
    exit = Math.max(exit, await run(args, io));
  } catch (err) {
    process.stderr.write(`migrations: ${err instanceof Error ? err.message.trim() : String(err)}\n`);
    exit = 2;
  }
}
process.exitCode = exit;
