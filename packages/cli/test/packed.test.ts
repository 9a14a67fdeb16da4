import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTACHMENT_1_0, objectModule, type CliResult } from './helpers.js';
import { applyEdit, applyPlan, domain, initialManifests, manifestSource, toSpecs, type JsonPlan } from './cascade-model.js';

/**
 * The CLI as a user's project runs it: `pnpm pack` of @versioned/objects and @versioned/cli, `npm install` of the
 * tarballs into a project outside the workspace (its npm cache in the same temp directory), and the installed
 * `node_modules/.bin/versioned` run on the project's own domain module. Each point of the CI issue, once.
 */

const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url));
const versionOf = (pkg: string): string =>
  (JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8')) as { version: string }).version;

function exec(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(Object.assign(err, { stdout, stderr }));
        else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

describe('a packed install outside the workspace', { timeout: 300_000 }, () => {
  let root: string;
  let app: string;
  let bin: string;
  const versioned = (cwd: string, ...args: string[]): Promise<CliResult> => exec(process.execPath, [bin, ...args], cwd);
  const write = async (dir: string, name: string, text: string): Promise<void> => {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  };
  /** A project directory inside the app (it resolves the app's node_modules), with its own package.json. */
  const projectDir = async (name: string, modules = ['dist/objects.js'], extra: Record<string, unknown> = {}): Promise<string> => {
    const dir = join(app, name);
    await write(dir, 'package.json', JSON.stringify({ name, private: true, type: 'module', versioned: { modules, ...extra } }, null, 2));
    return dir;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'versioned-packed-'));
    const packs = join(root, 'packs');
    await mkdir(packs);
    for (const pkg of ['objects', 'cli']) {
      const packed = await exec('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', packs], join(PACKAGES, pkg));
      assert.equal(packed.code, 0, packed.stderr);
    }
    app = join(root, 'app');
    await write(
      app,
      'package.json',
      JSON.stringify({
        name: 'app',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(
          ['cli', 'objects'].map((pkg) => [`@versioned/${pkg}`, `file:${join(packs, `versioned-${pkg}-${versionOf(pkg)}.tgz`)}`]),
        ),
      }),
    );
    const installed = await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app, {
      npm_config_cache: join(root, 'npm-cache'),
    });
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    bin = join(app, 'node_modules', '@versioned', 'cli', 'bin', 'versioned.js');
  });
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('pnpm pack rewrote workspace:^ to a ^ range of the version, and the install is a plain npm tree', async () => {
    const manifest = JSON.parse(await readFile(join(app, 'node_modules', '@versioned', 'cli', 'package.json'), 'utf8'));
    assert.equal(manifest.dependencies['@versioned/objects'], `^${versionOf('objects')}`);
    // `versioned migrations` needs @versioned/migrations (and its native SQLite driver): an optional peer, not installed here.
    assert.equal(manifest.peerDependenciesMeta['@versioned/migrations'].optional, true);
    const migrations = await versioned(app, 'migrations', 'check', '--help');
    assert.equal(migrations.code, 2);
    assert.match(
      migrations.stderr,
      /^versioned: `versioned migrations` needs the @versioned\/migrations package: npm install -D @versioned\/migrations/,
    );
    const resolved = execFileSync(process.execPath, ['-e', "console.log(require.resolve('@versioned/objects'))"], {
      cwd: app,
      encoding: 'utf8',
    });
    assert.ok(resolved.startsWith(join(app, 'node_modules')), resolved);
    const help = await versioned(app, 'fingerprint', 'update', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: versioned fingerprint update \[options\]/);
    const bogus = await versioned(app, 'fingerprint', 'check', '--bogus');
    assert.equal(bogus.code, 2);
    assert.match(bogus.stderr, /^versioned: unknown option --bogus for `versioned fingerprint check` \(its options: /);
  });

  test('without @versioned/upgrade (an optional peer), the operator commands are exit 2 saying what to install', async () => {
    for (const args of [
      ['services', 'list', '--database', 'sqlite:services.db'],
      ['upgrade', 'status', '--json', '--database', 'sqlite:services.db'],
    ]) {
      const { code, stdout, stderr } = await versioned(app, ...args);
      assert.equal(code, 2, stdout + stderr);
      assert.match(
        stdout + stderr,
        /the services and upgrade commands need @versioned\/upgrade, the package your services use: install it next to @versioned\/cli \(npm install @versioned\/upgrade\)/,
      );
    }
  });

  test('1. no objects is exit 2 saying what to export; a damaged lock file is exit 2 naming file, object and key; --json always', async () => {
    const dir = await projectDir('hidden');
    await write(
      dir,
      'dist/objects.js',
      objectModule([ATTACHMENT_1_0], { exportRegistry: true }).replace('export const registry', 'const registry'),
    );
    const hidden = await versioned(dir, 'fingerprint', 'check');
    assert.equal(hidden.code, 2);
    assert.match(hidden.stderr, /no versioned objects found in dist\/objects\.js/);
    await write(dir, 'dist/objects.js', objectModule([ATTACHMENT_1_0]));
    assert.equal((await versioned(dir, 'fingerprint', 'update')).code, 0);
    const lock = JSON.parse(await readFile(join(dir, 'object-hashes.json'), 'utf8'));
    delete lock.objects.Attachment.description.fields[0].type;
    await write(dir, 'object-hashes.json', JSON.stringify(lock));
    const damaged = await versioned(dir, 'fingerprint', 'check', '--json');
    assert.equal(damaged.code, 2);
    assert.deepEqual(JSON.parse(damaged.stdout).error, {
      code: 'lock_file',
      message: 'the lock file object-hashes.json is not valid: objects.Attachment.description.fields[0](id): missing "type"',
      file: 'object-hashes.json',
    });
    assert.doesNotMatch(damaged.stderr, /\n\s+at /);
  });

  for (const style of ['oslo', 'manifest'] as const) {
    test(`2. a leaf change five levels down (${style} style) is fixed by following one report once`, async () => {
      const dir = await projectDir(`cascade-${style}`);
      const models = domain(style);
      const manifests = style === 'manifest' ? initialManifests(models) : [];
      const save = (): Promise<void> =>
        write(dir, 'dist/objects.js', objectModule(toSpecs(models), style === 'manifest' ? { extra: manifestSource(manifests) } : {}));
      await save();
      assert.equal((await versioned(dir, 'fingerprint', 'update')).code, 0);
      applyEdit(models.find((m) => m.name === 'Port') as (typeof models)[number], { kind: 'add', field: 'mtu' });
      await save();
      const failed = await versioned(dir, 'fingerprint', 'check', '--json');
      assert.equal(failed.code, 1);
      const plan = (JSON.parse(failed.stdout) as { plan: JsonPlan }).plan;
      assert.equal(plan.classes.length, style === 'oslo' ? 5 : 1);
      applyPlan(models, manifests, plan);
      await save();
      const updated = await versioned(dir, 'fingerprint', 'update');
      assert.equal(updated.code, 0, updated.stdout);
      const passed = await versioned(join(dir, 'dist'), 'fingerprint', 'check');
      assert.equal(passed.code, 0, passed.stdout);
      assert.match(passed.stdout, /OK: 5 objects match \.\.\/object-hashes\.json/);
    });
  }

  test('3. 4. removing a class fails until acknowledged; --against a git tag catches a rewritten released entry', async () => {
    const dir = await projectDir('release');
    const volume = {
      name: 'Volume',
      version: '1.1',
      fields: { id: 'f.uuid()', size: 'f.integer()' },
      history: `[{ version: '1.0', note: 'Initial' }, { version: '1.1', added: ['size'], note: 'Size' }]`,
    };
    await write(dir, 'dist/objects.js', objectModule([ATTACHMENT_1_0, volume]));
    assert.equal((await versioned(dir, 'fingerprint', 'update')).code, 0);
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.org', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'r1');
    git('tag', 'r1');
    await write(dir, 'dist/objects.js', objectModule([volume]));
    const removed = await versioned(dir, 'fingerprint', 'check', '--against', 'r1');
    assert.equal(removed.code, 1);
    assert.match(removed.stdout, /removal check: Attachment 1\.0 is in the lock file but no loaded module registers it/);
    await write(
      dir,
      'package.json',
      JSON.stringify({ type: 'module', versioned: { modules: ['dist/objects.js'], removedClasses: { Attachment: '2026.1' } } }),
    );
    assert.equal((await versioned(dir, 'fingerprint', 'check', '--against', 'r1')).code, 0);
    await write(
      dir,
      'dist/objects.js',
      objectModule([{ ...volume, history: `[{ version: '1.0', note: 'Initial' }, { version: '1.1', note: 'Size' }]` }]),
    );
    const rewritten = await versioned(dir, 'fingerprint', 'check', '--against', 'r1');
    assert.equal(rewritten.code, 1);
    assert.match(rewritten.stdout, /the released history entry 1\.1 was rewritten/);
  });

  test('a version without its history entry is exit 1; a module stuck in top-level await is exit 2', async () => {
    const dir = await projectDir('declaration');
    await write(
      dir,
      'dist/objects.js',
      objectModule([{ ...ATTACHMENT_1_0, version: '1.1', history: `[{ version: '1.0', note: 'Initial' }]` }]),
    );
    const bad = await versioned(dir, 'fingerprint', 'check');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /declaration check: Attachment history: the newest entry is 1\.0, but the class version is 1\.1/);
    await write(dir, 'dist/objects.js', `import '@versioned/objects';\nawait new Promise(() => {});\n`);
    const stuck = await versioned(dir, 'fingerprint', 'check');
    assert.equal(stuck.code, 2);
    assert.match(stuck.stderr, /its top-level await never settles/);
  });
});
