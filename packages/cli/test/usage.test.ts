import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ATTACHMENT_1_0, VOLUME_1_2, TempProject, objectModule } from './helpers.js';

describe('versioned: usage and load errors exit 2', () => {
  let p: TempProject;
  before(async () => {
    p = await TempProject.create();
    await p.writeObjects([ATTACHMENT_1_0, VOLUME_1_2]);
  });
  after(async () => p.remove());

  test('--help prints the commands; each subcommand has its own help', async () => {
    const { code, stdout } = await p.run('--help');
    assert.equal(code, 0);
    assert.match(stdout, /Usage: versioned <command> \[options\]/);
    assert.match(stdout, /fingerprint check +Compare every object/);
    assert.match(stdout, /Exit codes: 0 ok, 1 check failed/);
    const check = await p.run('fingerprint', 'check', '--help');
    const update = await p.run('fingerprint', 'update', '-h');
    assert.equal(check.code, 0);
    assert.match(check.stdout, /^Usage: versioned fingerprint check \[options\]/);
    assert.match(check.stdout, /--against <git ref>/);
    assert.doesNotMatch(check.stdout, /--force/);
    assert.match(update.stdout, /^Usage: versioned fingerprint update \[options\]/);
    assert.match(update.stdout, /--force/);
    assert.doesNotMatch(update.stdout, /--against/);
  });

  for (const [args, message, hint] of [
    [[], /missing command/, '--help'],
    [['fingerprint'], /missing subcommand after "fingerprint": expected "check", "update" or "show"/, '--help'],
    [['fingerprint', 'verify'], /unknown subcommand "fingerprint verify"/, '--help'],
    [['hash', 'check'], /unknown command "hash"/, '--help'],
    [['--bogus'], /unknown option --bogus: the command comes first/, '--help'],
    [
      ['fingerprint', 'check', '--frobnicate'],
      /^versioned: unknown option --frobnicate for `versioned fingerprint check` \(its options: --module, --lock-file, --against, --json, --config, --help\)$/m,
      'fingerprint check --help',
    ],
    [['fingerprint', 'check', '--force'], /unknown option --force for `versioned fingerprint check`/, 'fingerprint check --help'],
    [['fingerprint', 'check', '--module'], /option --module needs a value: --module <file>/, 'fingerprint check --help'],
    [['fingerprint', 'check', '--json=yes'], /option --json takes no value/, 'fingerprint check --help'],
    [['fingerprint', 'check', 'extra'], /unexpected argument "extra" for `versioned fingerprint check`/, 'fingerprint check --help'],
  ] as const) {
    test(`\`versioned ${args.join(' ')}\` is a usage error`, async () => {
      const { code, stderr } = await p.run(...args);
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.match(stderr, new RegExp(`Run \`versioned ${escapeRegExp(hint)}\` for usage`));
      assert.doesNotMatch(stderr, /\n\s+at |'[^']*$/m, 'no stack, no unbalanced quote');
    });
  }

  test('a module that throws on import exits 2 naming its path and the error', async () => {
    await p.write('broken.mjs', `import '@versioned/objects';\nthrow new Error('database url missing');\n`);
    const { code, stderr } = await p.run('fingerprint', 'check', '--module', 'broken.mjs');
    assert.equal(code, 2);
    assert.match(stderr, /cannot load object module broken\.mjs: database url missing/);
  });

  test('a module with a syntax error exits 2 naming its path', async () => {
    await p.write('typo.mjs', 'export const = 1;\n');
    const { code, stderr } = await p.run('fingerprint', 'check', '--module', 'typo.mjs');
    assert.equal(code, 2);
    assert.match(stderr, /cannot load object module typo\.mjs: /);
  });

  test('a module that does not exist exits 2 naming its path', async () => {
    const { code, stderr } = await p.run('fingerprint', 'check', '--module', 'missing.js');
    assert.equal(code, 2);
    assert.match(stderr, /cannot load object module missing\.js: the file does not exist/);
  });

  test('--json reports a load error as JSON on stdout', async () => {
    const { code, stdout } = await p.run('fingerprint', 'check', '--json', '--module', 'missing.js');
    assert.equal(code, 2);
    const report = JSON.parse(stdout);
    assert.deepEqual(report.error.code, 'module_load');
    assert.equal(report.error.file, 'missing.js');
  });

  test('a class whose default does not fit its field exits 2 naming the class and field', async () => {
    await p.write(
      'bad-default.mjs',
      objectModule([{ name: 'Quota', version: '1.0', fields: { limits: ['f.list(f.integer())', '{ default: "none" }'] } }]),
    );
    const { code, stderr } = await p.run('fingerprint', 'check', '--module', 'bad-default.mjs');
    assert.equal(code, 2);
    assert.match(stderr, /^versioned: Quota\.limits: the default does not fit the field: expected a list of integers, got "none"/);
  });

  test('a corrupt lock file exits 2 naming it', async () => {
    await p.write('bad-lock.json', '{"format": 1, "objects": []}');
    const { code, stderr } = await p.run('fingerprint', 'check', '--lock-file', 'bad-lock.json');
    assert.equal(code, 2);
    assert.match(stderr, /^versioned: the lock file bad-lock\.json is not valid: objects: expected object, got \[\]$/m);
  });

  test('no configured modules exits 2 saying how to configure them', async () => {
    const empty = await TempProject.create();
    try {
      const { code, stderr } = await empty.run('fingerprint', 'check');
      assert.equal(code, 2);
      assert.match(stderr, /no object modules: pass --module <file\.js>, or add "versioned": \{ "modules": \[\.\.\.\] \} to package\.json/);
    } finally {
      await empty.remove();
    }
  });

  test('an unknown config setting exits 2 naming the file', async () => {
    await p.write('strange.json', JSON.stringify({ modules: ['objects.mjs'], lockfile: 'x.json' }));
    const { code, stderr } = await p.run('fingerprint', 'check', '--config', 'strange.json');
    assert.equal(code, 2);
    assert.match(stderr, /strange\.json.*unknown setting "lockfile"/);
  });
});

describe('versioned: configuration', () => {
  let p: TempProject;
  before(async () => {
    p = await TempProject.create();
    await p.write('lib/objects.mjs', objectModule([ATTACHMENT_1_0, VOLUME_1_2]));
  });
  after(async () => p.remove());

  test('versioned.config.json names the modules and the lock file, relative to itself', async () => {
    await p.write('versioned.config.json', JSON.stringify({ modules: ['lib/objects.mjs'], lockFile: 'locks/objects.lock.json' }));
    await p.write('locks/.keep', '');
    const { code, stdout } = await p.run('fingerprint', 'update');
    assert.equal(code, 0, stdout);
    const lock = JSON.parse(await readFile(p.path('locks/objects.lock.json'), 'utf8'));
    assert.deepEqual(Object.keys(lock.objects), ['Attachment', 'Volume']);
  });

  test('--module replaces the configured modules', async () => {
    await p.write('other.mjs', objectModule([{ name: 'Snapshot', version: '2.1', fields: { id: 'f.uuid()' } }]));
    const { code, stdout } = await p.run('fingerprint', 'show', '--module', 'other.mjs');
    assert.equal(code, 0);
    assert.match(stdout, /^Snapshot {2}2\.1-[0-9a-f]{64}\n$/);
  });

  test('a module may export its own registry instead of using the default one', async () => {
    await p.write('own.mjs', objectModule([{ name: 'Backup', version: '1.0', fields: { id: 'f.uuid()' } }], { exportRegistry: true }));
    const { code, stdout } = await p.run('fingerprint', 'show', '--json', '--module', 'own.mjs');
    assert.equal(code, 0);
    assert.deepEqual(Object.keys(JSON.parse(stdout)), ['Backup']);
  });

  test('the "versioned" key of package.json is used when there is no config file', async () => {
    const q = await TempProject.create();
    try {
      await q.write('dist/objects.js', objectModule([ATTACHMENT_1_0]));
      await q.write(
        'package.json',
        JSON.stringify({ type: 'module', versioned: { modules: ['dist/objects.js'], lockFile: 'hashes.json' } }),
      );
      assert.equal((await q.run('fingerprint', 'update')).code, 0);
      const { code, stdout } = await q.run('fingerprint', 'check');
      assert.equal(code, 0);
      assert.match(stdout, /against hashes\.json/);
    } finally {
      await q.remove();
    }
  });

  test('versioned.config.mjs may compute its settings', async () => {
    const q = await TempProject.create();
    try {
      await q.write('objects.mjs', objectModule([ATTACHMENT_1_0]));
      await q.write('versioned.config.mjs', `export default { modules: ['objects' + '.mjs'], lockFile: 'computed.json' };\n`);
      const { code, stdout } = await q.run('fingerprint', 'update');
      assert.equal(code, 0, stdout);
      assert.match(stdout, /updated computed\.json/);
    } finally {
      await q.remove();
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
