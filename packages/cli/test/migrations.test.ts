import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers.js';

const INIT = 'CREATE TABLE volumes (id INTEGER PRIMARY KEY, name TEXT, legacy_size INTEGER);\n';

// Concurrent: most of a PostgreSQL check is waiting for CREATE DATABASE and DROP DATABASE.
describe('versioned migrations check', { concurrency: 4 }, () => {
  let dir: string;
  const write = async (name: string, text: string) => {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  };
  const run = (...args: string[]) => runCli(['migrations', ...args], dir);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'versioned-cli-migrations-'));
    await write('n/0001_init.sql', INIT);
    await write('safe/0001_init.sql', INIT);
    await write('safe/0002_zone.sql', 'ALTER TABLE volumes ADD COLUMN zone TEXT;\nCREATE INDEX volumes_zone ON volumes (zone);\n');
    await write('breaking/0001_init.sql', INIT);
    await write(
      'breaking/0002_drop.sql',
      'ALTER TABLE volumes DROP COLUMN legacy_size;\nCREATE UNIQUE INDEX volumes_name ON volumes (name);\n',
    );
    await write('failing/0001_init.sql', INIT);
    await write('failing/0002_typo.sql', 'ALTER TABLE volumes ADD COLUMN zone TEXT;\nALTER TABEL volumes ADD COLUMN rack TEXT;\n');
    await write('package.json', JSON.stringify({ name: 'app', version: '3.1.0' }));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run('--help');
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: versioned migrations check --dialect <sqlite\|postgres> --before <source> --after <source>/);
    assert.match(stdout, /Exit codes: 0 no breaking change, 1 breaking changes, 2 usage/);
  });

  for (const [args, message] of [
    [[], /missing subcommand: expected `versioned migrations check`/],
    [['verify'], /unknown subcommand "migrations verify"/],
    [['check', '--before', 'n', '--after', 'safe'], /--dialect is required/],
    [['check', '--dialect', 'mysql', '--before', 'n', '--after', 'safe'], /unknown dialect "mysql": expected sqlite or postgres/],
    [['check', '--dialect', 'sqlite', '--after', 'safe'], /--before is required/],
    [
      ['check', '--dialect', 'sqlite', '--before', 'n', '--before-command', 'true', '--after', 'safe'],
      /give --before or --before-command, not both/,
    ],
    [['check', '--dialect', 'sqlite', '--before', 'n', '--after', 'safe', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['check', '--dialect', 'sqlite', '--before', 'nowhere', '--after', 'safe'], /migration folder nowhere does not exist/],
    [['check', '--dialect', 'sqlite', '--before', 'n', '--after', 'safe', 'extra'], /unexpected argument "extra"/],
  ] as const) {
    test(`\`migrations ${args.join(' ')}\` is a usage error`, async () => {
      const { code, stderr, stdout } = await run(...args);
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.match(stderr, /Run `versioned migrations --help` for usage/);
      assert.equal(stdout, '');
    });
  }

  for (const dialect of ['sqlite', 'postgres']) {
    test(`${dialect}: safe changes exit 0`, async () => {
      const { code, stdout } = await run('check', '--dialect', dialect, '--before', 'n', '--after', 'safe');
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^versioned migrations check \\(${dialect}\\): from n to safe\n`));
      assert.match(stdout, /\nok: no change breaks code written for release N\n$/);
    });

    test(`${dialect}: breaking changes exit 1 with a table of findings and what to do instead`, async () => {
      const { code, stdout } = await run('check', '--dialect', dialect, '--before', 'n', '--after', 'breaking');
      assert.equal(code, 1);
      const lines = stdout.split('\n');
      assert.match(lines[2]!, /^KIND {12}TARGET {15}WHAT CHANGED \/ WHAT TO DO INSTEAD$/);
      assert.match(
        lines[3]!,
        /^column_dropped {2}volumes\.legacy_size {2}column volumes\.legacy_size was dropped: N still reads and writes it$/,
      );
      assert.match(lines[4]!, /^ {37}instead: keep the column in this release/);
      assert.match(lines[5]!, /^unique_added {4}volumes\.name {9}new unique key \(name\) on volumes \(volumes_name\)/);
      assert.match(stdout, /\nFAIL: 2 changes break code written for release N\. Expand now, contract in the release after/);
    });

    test(`${dialect}: --json has the documented shape`, async () => {
      const { code, stdout } = await run('check', '--dialect', dialect, '--before', 'n', '--after', 'breaking', '--json');
      assert.equal(code, 1);
      const report = JSON.parse(stdout);
      assert.deepEqual(Object.keys(report), [
        'ok',
        'dialect',
        'before',
        'after',
        'release',
        'findings',
        'allowed',
        'unusedAllowEntries',
        'warnings',
      ]);
      assert.equal(report.ok, false);
      assert.equal(report.dialect, dialect);
      assert.deepEqual(report.findings[0], {
        change: 'column_dropped volumes.legacy_size',
        kind: 'column_dropped',
        table: 'volumes',
        column: 'legacy_size',
        target: 'volumes.legacy_size',
        message: 'column volumes.legacy_size was dropped: N still reads and writes it',
        advice:
          'keep the column in this release (make it nullable or give it a default if N+1 stops writing it); drop it in the release after',
      });
      assert.deepEqual(
        report.findings.map((f: { change: string }) => f.change),
        ['column_dropped volumes.legacy_size', 'unique_added volumes.name'],
      );
    });

    test(`${dialect}: a failing migration exits 2 naming the file and the error, without a stack trace`, async () => {
      const { code, stdout, stderr } = await run('check', '--dialect', dialect, '--before', 'n', '--after', 'failing');
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(
        stderr,
        new RegExp(`^versioned migrations: migration failing/0002_typo\\.sql \\(release N\\+1\\) failed on ${dialect}: .*syntax error`),
      );
      assert.doesNotMatch(stderr, /\n\s+at /);
    });
  }

  test('an unreachable database exits 2 naming its URL; --json gives the error', async () => {
    const { code, stdout, stderr } = await run(
      'check',
      '--dialect',
      'postgres',
      '--database',
      'postgres://nobody@127.0.0.1:1/app',
      '--before',
      'n',
      '--after',
      'safe',
      '--json',
    );
    assert.equal(code, 2);
    assert.deepEqual(JSON.parse(stdout), {
      ok: false,
      error: {
        code: 'database_unreachable',
        message: 'cannot connect to PostgreSQL at postgres://nobody@127.0.0.1:1/app: connect ECONNREFUSED 127.0.0.1:1',
        file: null,
      },
    });
    assert.match(stderr, /^versioned migrations: cannot connect to PostgreSQL at postgres:\/\/nobody@127\.0\.0\.1:1\/app/);
  });

  test("the allow-list accepts a deliberate contraction from its release (package.json's version by default)", async () => {
    await write(
      'allow.json',
      JSON.stringify({
        allow: [
          { change: 'column_dropped volumes.legacy_size', reason: 'unused since 3.0', from: '3.1' },
          { change: 'unique_added volumes.name', reason: 'names deduplicated in 3.0', from: '3.1' },
          { change: 'table_dropped snapshots', reason: 'gone', from: '2.0' },
        ],
      }),
    );
    const { code, stdout } = await run(
      'check',
      '--dialect',
      'sqlite',
      '--before',
      'n',
      '--after',
      'breaking',
      '--allow-list',
      'allow.json',
    );
    assert.equal(code, 0);
    assert.match(stdout, /Allowed by the allow-list:\n {2}column_dropped volumes\.legacy_size \(from release 3\.1\): unused since 3\.0\n/);
    assert.match(
      stdout,
      /Allow-list entries that match no change \(stale or misspelt: remove or fix them\):\n {2}table_dropped snapshots \(from release 2\.0\)\n/,
    );
    assert.match(stdout, /ok: no change breaks code written for release N \(2 allowed by the allow-list\)/);
    const early = await run(
      'check',
      '--dialect',
      'sqlite',
      '--before',
      'n',
      '--after',
      'breaking',
      '--allow-list',
      'allow.json',
      '--release',
      '3.0.2',
      '--json',
    );
    assert.equal(early.code, 1);
    const report = JSON.parse(early.stdout);
    assert.equal(report.release, '3.0.2');
    assert.equal(report.findings.length, 2);
  });

  test('a malformed allow-list exits 2 naming the file and the entry', async () => {
    await write('bad-allow.json', JSON.stringify({ allow: [{ change: 'column_dropped volumes.legacy_size', from: '3.1' }] }));
    const { code, stderr } = await run(
      'check',
      '--dialect',
      'sqlite',
      '--before',
      'n',
      '--after',
      'breaking',
      '--allow-list',
      'bad-allow.json',
    );
    assert.equal(code, 2);
    assert.match(stderr, /bad-allow\.json: allow\[0\]\.reason: expected a non-empty string/);
  });

  test('<git-revision>:<folder> reads release N from git; a migration command can be release N+1', async () => {
    const repo = join(dir, 'repo');
    await mkdir(join(repo, 'db'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 'test');
    await writeFile(join(repo, 'db', '0001_init.sql'), INIT);
    git('add', '.');
    git('commit', '-qm', 'init');
    await writeFile(join(repo, 'db', '0002_drop.sql'), 'ALTER TABLE volumes DROP COLUMN name;\n');
    const fromGit = await runCli(['migrations', 'check', '--dialect', 'postgres', '--before', 'HEAD:db', '--after', 'db', '--json'], repo);
    assert.equal(fromGit.code, 1, fromGit.stderr);
    assert.deepEqual(
      JSON.parse(fromGit.stdout).findings.map((f: { change: string }) => f.change),
      ['column_dropped volumes.name'],
    );
    const command = await runCli(
      [
        'migrations',
        'check',
        '--dialect',
        'postgres',
        '--before',
        'HEAD:db',
        '--after-command',
        'for f in db/*.sql; do psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -f "$f" 2>/dev/null || true; done',
      ],
      repo,
    );
    assert.equal(command.code, 1, command.stderr);
    assert.match(command.stdout, /from HEAD:db \(commit [0-9a-f]{12}\) to command `for f in db/);
    const missing = await runCli(['migrations', 'check', '--dialect', 'sqlite', '--before', 'HEAD:other', '--after', 'db'], repo);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read HEAD:other: other does not exist at HEAD/);
    const empty = await runCli(
      ['migrations', 'check', '--dialect', 'sqlite', '--before', 'HEAD:other', '--missing-before-is-empty', '--after', 'db'],
      repo,
    );
    assert.equal(empty.code, 0, empty.stderr);
  });
});
