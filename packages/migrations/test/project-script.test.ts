import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `pnpm migrations` is `node scripts/migrations.mjs`: run it as CI does, in a repository of its own. */
const SCRIPT = fileURLToPath(new URL('../../../../scripts/migrations.mjs', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/upgrade', import.meta.url));

function runScript(cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SCRIPT],
      { cwd, encoding: 'utf8', env: { ...process.env, MIGRATIONS_DIR: 'mig', ...env } },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

describe('pnpm migrations (scripts/migrations.mjs) on a fixture of the upgrade tables', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  before(async () => {
    repo = await mkdtemp(join(tmpdir(), 'versioned-migrations-script-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 'test');
    await writeFile(join(repo, 'README.md'), 'a project\n');
    git('add', '.');
    git('commit', '-qm', 'start');
  });
  after(() => rm(repo, { recursive: true, force: true }));

  test('a folder missing from the working tree exits 2', async () => {
    const { code, stderr } = await runScript(repo);
    assert.equal(code, 2);
    assert.match(stderr, /mig\/sqlite does not exist/);
    assert.match(stderr, /mig\/postgres does not exist/);
  });

  test('the first migrations (no folder at the base) pass on both databases', async () => {
    await cp(FIXTURE, join(repo, 'mig'), { recursive: true });
    const uncommitted = await runScript(repo);
    assert.equal(uncommitted.code, 0, uncommitted.stderr);
    assert.match(
      uncommitted.stdout,
      /check \(sqlite\): from HEAD:mig\/sqlite \(commit [0-9a-f]{12}: no such folder, an empty schema\) to mig\/sqlite/,
    );
    assert.match(uncommitted.stdout, /check \(postgres\): from HEAD:mig\/postgres/);
    git('add', '.');
    git('commit', '-qm', 'the upgrade tables');
    const committed = await runScript(repo);
    assert.equal(committed.code, 0, committed.stderr);
    assert.match(committed.stdout, new RegExp(`from ${git('rev-parse', 'HEAD^')}:mig/sqlite`));
  });

  test('a breaking migration fails on both databases, committed or not; MIGRATIONS_BASE moves release N', async () => {
    await writeFile(join(repo, 'mig', 'sqlite', '0002_drop_host.sql'), 'ALTER TABLE service_versions DROP COLUMN updated_at;\n');
    await writeFile(join(repo, 'mig', 'postgres', '0002_drop_host.sql'), 'ALTER TABLE service_versions DROP COLUMN updated_at;\n');
    const uncommitted = await runScript(repo);
    assert.equal(uncommitted.code, 1);
    assert.equal(uncommitted.stdout.match(/column_dropped {2}service_versions\.updated_at/g)?.length, 2);
    git('add', '.');
    git('commit', '-qm', 'drop a column');
    const committed = await runScript(repo);
    assert.equal(committed.code, 1);
    assert.match(committed.stdout, new RegExp(`from ${git('rev-parse', 'HEAD^')}:mig/postgres`));
    const sinceHead = await runScript(repo, { MIGRATIONS_BASE: 'HEAD' });
    assert.equal(sinceHead.code, 0, sinceHead.stdout);
  });

  test('an allow-list beside the folder is read, with the release of the package', async () => {
    await writeFile(join(repo, 'package.json'), JSON.stringify({ name: 'upgrade', version: '2.0.0' }));
    for (const dialect of ['sqlite', 'postgres']) {
      await writeFile(
        join(repo, 'mig', dialect, 'allow-list.json'),
        JSON.stringify({
          allow: [{ change: 'column_dropped service_versions.updated_at', reason: 'unused since 1.0', from: '2.0' }],
        }),
      );
    }
    // Release N is the fixture's commit, before the one that drops the column.
    const { code, stdout } = await runScript(repo, { MIGRATIONS_BASE: 'HEAD~1' });
    assert.equal(code, 0, stdout);
    assert.equal(
      stdout.match(/Allowed by the allow-list:\n {2}column_dropped service_versions\.updated_at \(from release 2\.0\)/g)?.length,
      2,
    );
    const early = await runScript(repo, { MIGRATIONS_BASE: 'HEAD~1', MIGRATIONS_RELEASE: '1.9' });
    assert.equal(early.code, 1);
  });
});
