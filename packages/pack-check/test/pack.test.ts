// The packages as a new user gets them: `pnpm pack` tarballs, installed by npm into fresh projects outside
// the workspace (fixtures/<name>/, one per mode), each compiled strict with skipLibCheck off and run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  consumers,
  deadReadmeLinks,
  manifestProblems,
  missingEntryPoints,
  packAll,
  publicPackages,
  runConsumer,
  sameLicense,
  unresolvedMaps,
  type PackedPackage,
} from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');
const root = join(packageDir, '..', '..');
const fixtures = join(packageDir, 'fixtures');

/**
 * Consumers that fail today for a known reason, reported as `todo` (shown, not failing the run): remove the
 * entry with the fix, and the consumer then has to pass.
 */
const KNOWN_FAILING: Readonly<Record<string, string>> = {};

const PUBLIC = ['@versioned/cli', '@versioned/migrations', '@versioned/objects', '@versioned/rpc', '@versioned/upgrade'];

let work: string;
let packed: PackedPackage[];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'versioned-pack-check-'));
  packed = await packAll(root, join(work, 'tarballs'));
  const sizes = packed.map((p) => `${p.name} ${(p.bytes / 1024).toFixed(1)} KiB (${p.files.length} files)`);
  console.log(`packed:\n  ${sizes.join('\n  ')}`);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the public packages are the five libraries; demo, bench, doctest and pack-check stay private', () => {
  assert.deepEqual(
    publicPackages(root).map((p) => p.name),
    PUBLIC,
  );
  // Not below the workspace (where node would resolve the workspace's node_modules); the workspace itself may
  // live anywhere, a temporary directory included (a CI checkout often does).
  const fromRoot = relative(root, work);
  assert.ok(
    fromRoot.startsWith('..') || isAbsolute(fromRoot),
    `the consumers must be installed outside the workspace (${work} is in ${root})`,
  );
});

describe('each packed package', () => {
  for (const name of PUBLIC) {
    const pkg = (): PackedPackage => {
      const found = packed.find((p) => p.name === name);
      assert.ok(found, `${name} was not packed`);
      return found;
    };

    test(`${name}: complete metadata, ^ ranges between our packages, no workspace: range`, () => {
      assert.deepEqual(manifestProblems(pkg()), []);
    });

    test(`${name}: ships LICENSE (the workspace's Apache-2.0 text), README.md and CHANGELOG.md, not its tests`, () => {
      const files = pkg().files;
      for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json'])
        assert.ok(files.includes(file), `${file} is not in the tarball`);
      assert.ok(sameLicense(root, pkg()), 'LICENSE differs from the workspace root LICENSE');
      assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
      assert.deepEqual(
        files.filter((f) => /(^|\/)test\/|\.test\.|tsbuildinfo/.test(f)),
        [],
      );
    });

    test(`${name}: main, types, exports and bin exist in the tarball`, () => {
      assert.deepEqual(missingEntryPoints(pkg()), []);
    });

    test(`${name}: every source and declaration map resolves inside the tarball`, () => {
      const maps = pkg().files.filter((f) => f.endsWith('.map'));
      assert.ok(maps.some((f) => f.endsWith('.d.ts.map')) && maps.some((f) => f.endsWith('.js.map')), 'no maps were packed');
      assert.deepEqual(unresolvedMaps(pkg()), []);
    });

    test(`${name}: the README has an install line and no link that dies outside the repository`, () => {
      const readme = readFileSync(join(pkg().unpacked, 'README.md'), 'utf8');
      const install = readme.split('\n').find((line) => /^npm install /.test(line) && line.split(/\s+/).includes(name));
      assert.ok(install, `the README has no \`npm install ${name}\` line`);
      assert.deepEqual(deadReadmeLinks(pkg()), []);
    });
  }
});

describe('consumers installed from the tarballs with npm', { concurrency: 2 }, () => {
  const found = consumers(fixtures);
  test('there is a consumer per mode and framework', () => {
    for (const name of ['legacy-decorators', 'standard-decorators', 'nestjs', 'objects-without-node-types'])
      assert.ok(
        found.some((c) => c.name === name),
        `fixtures/${name} is missing`,
      );
    for (const name of Object.keys(KNOWN_FAILING))
      assert.ok(existsSync(join(fixtures, name)), `KNOWN_FAILING names ${name}, which is not a fixture`);
  });
  test('fixtures/nestjs installs the Nest packages in the ranges packages/nest-example is tested with', () => {
    const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const example = manifest(join(root, 'packages', 'nest-example')).devDependencies ?? {};
    const consumer = manifest(join(fixtures, 'nestjs')).dependencies ?? {};
    const shared = Object.keys(consumer).filter((name) => !name.startsWith('@versioned/'));
    assert.ok(shared.length >= 7, `fixtures/nestjs names ${shared.join(', ')}`);
    assert.deepEqual(
      Object.fromEntries(shared.map((name) => [name, consumer[name]])),
      Object.fromEntries(shared.map((name) => [name, example[name]])),
    );
  });
  for (const consumer of found) {
    test(`fixtures/${consumer.name}: installs, compiles (strict, skipLibCheck off) and runs`, async (t) => {
      const known = KNOWN_FAILING[consumer.name];
      const running = runConsumer(consumer, packed, join(work, 'consumers'), join(root, 'packages', 'upgrade'));
      if (known) {
        // Shown as a todo while it fails for the known reason; once it passes, the entry must go.
        const failure = await running.then(
          () => undefined,
          (err: Error) => err,
        );
        if (failure) return t.todo(`${known}\n${failure.message.split('\n').find((l) => /error TS\d+/.test(l)) ?? failure.message}`);
        assert.fail(`fixtures/${consumer.name} passes now: remove it from KNOWN_FAILING`);
      }
      const ran = await running;
      console.log(
        `${consumer.name}: npm install ${(ran.installMs / 1000).toFixed(1)} s, check ${(ran.checkMs / 1000).toFixed(1)} s\n${ran.output.trim()}`,
      );
      assert.match(ran.output, new RegExp(`${consumer.name} consumer: `), 'the consumer did not print its closing line');
    });
  }
});
