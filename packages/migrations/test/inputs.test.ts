import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { checkMigrations, isMigrationCheckError, type MigrationCheckError, type MigrationErrorCode } from '../src/index.js';
import { BOTH } from './helpers.js';

const BETTER_SQLITE3 = import.meta.resolve('better-sqlite3');

async function rejectsWith(promise: Promise<unknown>, code: MigrationErrorCode, message: RegExp): Promise<MigrationCheckError> {
  const err = await promise.then(
    () => assert.fail('expected the check to fail'),
    (e: unknown) => e,
  );
  assert.ok(isMigrationCheckError(err), `a MigrationCheckError, got ${String(err)}`);
  assert.equal(err.code, code);
  assert.match(err.message, message);
  return err;
}

describe('sources and bad input', () => {
  let dir: string;
  const write = async (name: string, text: string) => {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'versioned-migrations-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const dialect of BOTH) {
    test(`${dialect}: a failing migration of N+1 names its file, the release and the database's error`, async () => {
      const good = { name: '0001_init.sql', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY);' };
      const bad = {
        name: '0002_typo.sql',
        path: 'db/0002_typo.sql',
        sql: 'ALTER TABLE t ADD COLUMN a TEXT;\nALTER TABEL t ADD COLUMN b TEXT;',
      };
      const err = await rejectsWith(
        checkMigrations({ dialect, before: { files: [good] }, after: { files: [good, bad] } }),
        'migration_failed',
        /^migration db\/0002_typo\.sql \(release N\+1\) failed on \w+: .*syntax error/,
      );
      assert.equal(err.file, 'db/0002_typo.sql');
      if (dialect === 'postgres') assert.match(err.message, /: line 2: syntax error at or near "TABEL"/);
    });

    test(`${dialect}: a failing migration of N says release N`, async () => {
      const bad = { name: '0001_init.sql', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY);\nINSERT INTO missing VALUES (1);' };
      await rejectsWith(
        checkMigrations({ dialect, before: { files: [bad] }, after: { files: [bad] } }),
        'migration_failed',
        /^migration 0001_init\.sql \(release N\) failed on \w+: .*missing/,
      );
    });

    test(`${dialect}: the scratch database is gone afterwards`, async () => {
      const files = [{ name: '1.sql', sql: 'CREATE TABLE t (id INTEGER);' }];
      const report = await checkMigrations({ dialect, before: { files }, after: { files } });
      assert.equal(report.ok, true);
      if (dialect === 'sqlite') {
        assert.equal(existsSync(fileURLToPath(report.database)), false);
      } else {
        const name = new URL(report.database).pathname.slice(1);
        assert.match(name, /^versioned_migrations_/);
        const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'postgres' });
        await client.connect();
        try {
          const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [name]);
          assert.equal(rows[0].n, 0);
        } finally {
          await client.end();
        }
      }
    });
  }

  test('postgres: a file that cannot run in one transaction (CREATE INDEX CONCURRENTLY) runs statement by statement', async () => {
    const init = { name: '0001_init.sql', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);' };
    const concurrent = {
      name: '0002_concurrent.sql',
      sql: [
        "CREATE FUNCTION t_touch() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN NEW.a := coalesce(NEW.a, 'x'); RETURN NEW; END; $body$;",
        '-- a comment; with a semicolon',
        'CREATE UNIQUE INDEX CONCURRENTLY t_a ON t (a);',
        "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'semi;colon';",
      ].join('\n'),
    };
    const report = await checkMigrations({ dialect: 'postgres', before: { files: [init] }, after: { files: [init, concurrent] } });
    assert.deepEqual(
      report.findings.map((f) => f.change),
      ['unique_added t.a'],
    );
    const typo = { name: '0003_typo.sql', sql: 'CREATE INDEX CONCURRENTLY t_b ON t (b);\n\nSELECT 1;\nALTER TABEL t ADD COLUMN c TEXT;' };
    await rejectsWith(
      checkMigrations({ dialect: 'postgres', before: { files: [init] }, after: { files: [init, concurrent, typo] } }),
      'migration_failed',
      /0003_typo\.sql .*: line 4: syntax error at or near "TABEL"/,
    );
  });

  test('an unreachable PostgreSQL server is named, its password masked', async () => {
    const err = await rejectsWith(
      checkMigrations({
        dialect: 'postgres',
        database: 'postgres://someone:s3cret@127.0.0.1:1/postgres',
        before: { files: [] },
        after: { files: [] },
      }),
      'database_unreachable',
      /^cannot connect to PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/postgres: connect ECONNREFUSED 127\.0\.0\.1:1$/,
    );
    assert.doesNotMatch(err.message, /s3cret/);
  });

  test('a folder is applied in file-name order, other files ignored', async () => {
    await write('order/n/0001_t.sql', 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);');
    await write('order/n1/0001_t.sql', 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);');
    // Written first, applied second: it needs the column 0002 adds.
    await write('order/n1/0003_index.sql', 'CREATE INDEX t_b ON t (b);');
    await write('order/n1/0002_column.sql', 'ALTER TABLE t ADD COLUMN b TEXT;');
    await write('order/n1/README.md', 'not SQL');
    const report = await checkMigrations({ dialect: 'sqlite', cwd: dir, before: { folder: 'order/n' }, after: { folder: 'order/n1' } });
    assert.equal(report.ok, true);
    assert.equal(report.after, 'order/n1');
  });

  test('a missing folder is a usage error naming it', async () => {
    await rejectsWith(
      checkMigrations({ dialect: 'sqlite', cwd: dir, before: { folder: 'nowhere' }, after: { files: [] } }),
      'usage',
      /^migration folder nowhere does not exist$/,
    );
  });

  test('an unknown dialect is a usage error', async () => {
    await rejectsWith(
      checkMigrations({ dialect: 'mysql' as 'sqlite', before: { files: [] }, after: { files: [] } }),
      'usage',
      /unknown dialect "mysql": expected sqlite or postgres/,
    );
  });

  test('N+1 editing or removing a migration of N is a warning', async () => {
    const report = await checkMigrations({
      dialect: 'sqlite',
      before: {
        files: [
          { name: '1.sql', sql: 'CREATE TABLE a (id INTEGER);' },
          { name: '2.sql', sql: 'CREATE TABLE b (id INTEGER);' },
        ],
      },
      after: { files: [{ name: '1.sql', sql: 'CREATE TABLE a (id INTEGER, x TEXT);' }] },
    });
    assert.equal(report.ok, true, "edited files are not applied again: the schema is N's");
    assert.deepEqual(
      report.warnings.map((w) => w.split(' ').slice(0, 3).join(' ')),
      ['migration 1.sql changed', 'migration 2.sql of'],
    );
  });

  describe('a git revision', () => {
    let repo: string;
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    before(async () => {
      repo = join(dir, 'repo');
      await mkdir(join(repo, 'db', 'sqlite'), { recursive: true });
      git('init', '-q', '-b', 'main');
      git('config', 'user.email', 't@example.com');
      git('config', 'user.name', 'test');
      await writeFile(join(repo, 'db', 'sqlite', '0001_init.sql'), 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);');
      git('add', '.');
      git('commit', '-qm', 'one');
      await writeFile(join(repo, 'db', 'sqlite', '0002_drop.sql'), 'ALTER TABLE t DROP COLUMN a;');
    });

    test('N is the folder at the revision, N+1 the working tree', async () => {
      const report = await checkMigrations({
        dialect: 'sqlite',
        cwd: repo,
        before: { git: 'HEAD', folder: 'db/sqlite' },
        after: { folder: 'db/sqlite' },
      });
      assert.deepEqual(
        report.findings.map((f) => f.change),
        ['column_dropped t.a'],
      );
      assert.match(report.before, /^HEAD:db\/sqlite \(commit [0-9a-f]{12}\)$/);
    });

    test('the folder is relative to the working directory, like the other sources', async () => {
      const report = await checkMigrations({
        dialect: 'sqlite',
        cwd: join(repo, 'db'),
        before: { git: 'HEAD', folder: 'sqlite' },
        after: { folder: 'sqlite' },
      });
      assert.deepEqual(
        report.findings.map((f) => f.change),
        ['column_dropped t.a'],
      );
    });

    test('an unknown revision is a usage error', async () => {
      await rejectsWith(
        checkMigrations({
          dialect: 'sqlite',
          cwd: repo,
          before: { git: 'no-such-branch', folder: 'db/sqlite' },
          after: { folder: 'db/sqlite' },
        }),
        'usage',
        /unknown git revision "no-such-branch"/,
      );
    });

    test('a folder absent at the revision is a usage error, or an empty schema when asked', async () => {
      await rejectsWith(
        checkMigrations({ dialect: 'sqlite', cwd: repo, before: { git: 'HEAD', folder: 'db/postgres' }, after: { files: [] } }),
        'usage',
        /db\/postgres does not exist at HEAD/,
      );
      const report = await checkMigrations({
        dialect: 'sqlite',
        cwd: repo,
        before: { git: 'HEAD', folder: 'db/postgres', missingIsEmpty: true },
        after: { folder: 'db/sqlite' },
      });
      assert.equal(report.ok, true);
      assert.match(report.before, /no such folder, an empty schema/);
    });
  });

  describe('a migration command', () => {
    before(async () => {
      await write(
        'cmd/migrate.mjs',
        [
          `import Database from ${JSON.stringify(BETTER_SQLITE3)};`,
          `import { readFileSync } from 'node:fs';`,
          `if (!process.env.DATABASE_URL?.startsWith('file:')) throw new Error('no DATABASE_URL');`,
          `const db = new Database(process.env.DATABASE_PATH);`,
          `db.exec(readFileSync(process.argv[2], 'utf8'));`,
        ].join('\n'),
      );
      await write('cmd/n.sql', 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);');
      await write('cmd/n1.sql', 'CREATE TABLE t2 (id INTEGER PRIMARY KEY); ALTER TABLE t DROP COLUMN a;');
    });

    test('sqlite: the command migrates the file in DATABASE_PATH (DATABASE_URL is its file: URL)', async () => {
      const report = await checkMigrations({
        dialect: 'sqlite',
        cwd: join(dir, 'cmd'),
        before: { command: 'node migrate.mjs n.sql' },
        after: { command: 'node migrate.mjs n1.sql' },
      });
      assert.deepEqual(
        report.findings.map((f) => f.change),
        ['column_dropped t.a'],
      );
      assert.equal(report.before, 'command `node migrate.mjs n.sql`');
    });

    test('postgres: psql migrates the database in DATABASE_URL', async () => {
      const psql = 'psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -f';
      const report = await checkMigrations({
        dialect: 'postgres',
        cwd: join(dir, 'cmd'),
        before: { command: `${psql} n.sql` },
        after: { command: `${psql} n1.sql` },
      });
      assert.deepEqual(
        report.findings.map((f) => f.change),
        ['column_dropped t.a'],
      );
    });

    test('a failing command is reported with its exit code and output', async () => {
      const err = await rejectsWith(
        checkMigrations({
          dialect: 'sqlite',
          cwd: join(dir, 'cmd'),
          before: { command: 'node migrate.mjs n.sql' },
          after: { command: 'echo applying 0002; echo "boom: no such table" >&2; exit 3' },
        }),
        'migration_failed',
        /^migration command `echo applying 0002.*` failed with exit code 3:\napplying 0002\nboom: no such table$/,
      );
      assert.match(err.file ?? '', /^echo applying/);
    });
  });
});
