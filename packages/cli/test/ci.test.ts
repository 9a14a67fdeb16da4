import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ATTACHMENT_1_0, TempProject, objectModule, runCli, type ClassSpec } from './helpers.js';

/** What a project's CI meets: never green by accident, exit 1 for failed checks, configuration found upward, --against. */

const VOLUME: ClassSpec = {
  name: 'Volume',
  version: '1.1',
  fields: {
    id: 'f.uuid()',
    size: 'f.integer()',
    bootable: 'f.boolean()',
    attachments: ['f.listOfObjects("Attachment")', '{ default: [] }'],
  },
  history: `[{ version: '1.0', note: 'Initial', children: { attachments: '1.0' } }, { version: '1.1', added: ['bootable', 'size'], note: 'Boot' }]`,
};

describe("the fingerprint check in a project's CI", () => {
  const projects: TempProject[] = [];
  const project = async (classes: ClassSpec[] = [ATTACHMENT_1_0, VOLUME]): Promise<TempProject> => {
    const p = await TempProject.create();
    projects.push(p);
    await p.writeObjects(classes);
    return p;
  };
  after(async () => {
    for (const p of projects) await p.remove();
  });

  test('a module whose registry is neither the default one nor exported is an error, not "OK: 0 objects"', async () => {
    const p = await project();
    const source = objectModule([ATTACHMENT_1_0], { exportRegistry: true }).replace('export const registry', 'const registry');
    await p.write('hidden.mjs', source);
    for (const command of ['check', 'update']) {
      const { code, stdout, stderr } = await p.run('fingerprint', command, '--module', 'hidden.mjs');
      assert.equal(code, 2, stdout);
      assert.match(
        stderr,
        /no versioned objects found in hidden\.mjs: .*Export the registry the classes use \(`export const registry = new ObjectRegistry\(\)`\)/,
      );
    }
    await assert.rejects(readFile(p.path('object-hashes.json')), 'no empty lock file was written');
    const json = await p.run('fingerprint', 'check', '--json', '--module', 'hidden.mjs');
    assert.equal(JSON.parse(json.stdout).error.code, 'config');
  });

  test('a registry exported under any name is found', async () => {
    const p = await project();
    await p.write(
      'named.mjs',
      `${objectModule([ATTACHMENT_1_0], { exportRegistry: true }).replace('export const registry', 'const registry')}export { registry as objectRegistry };\n`,
    );
    const { code, stdout } = await p.run('fingerprint', 'show', '--module', 'named.mjs');
    assert.equal(code, 0);
    assert.match(stdout, /^Attachment {2}1\.0-/);
  });

  test('a version bumped without its history entry is a failed check (exit 1), with --json', async () => {
    const p = await project();
    assert.equal((await p.run('fingerprint', 'update')).code, 0);
    await p.writeObjects([ATTACHMENT_1_0, { ...VOLUME, version: '1.2' }]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1, stdout);
    assert.match(
      stdout,
      /FAIL declaration check: Volume history: the newest entry is 1\.1, but the class version is 1\.2 \(in objects\.mjs\)/,
    );
    assert.doesNotMatch(stdout, /GONE/, 'the classes the module did not get to register are not called removed');
    const json = await p.run('fingerprint', 'check', '--json');
    assert.equal(json.code, 1);
    assert.deepEqual(
      JSON.parse(json.stdout).problems.map((x: { check: string }) => x.check),
      ['declaration'],
    );
    assert.equal((await p.run('fingerprint', 'update')).code, 1, 'update refuses too');
  });

  test('run from a subdirectory, the configuration is found upward and paths are shown relative', async () => {
    const p = await project();
    assert.equal((await p.run('fingerprint', 'update')).code, 0);
    await p.write('src/deep/.keep', '');
    const { code, stdout } = await runCli(['fingerprint', 'check'], p.path('src/deep'));
    assert.equal(code, 0, stdout);
    assert.match(stdout, /against \.\.\/\.\.\/object-hashes\.json/);
    assert.doesNotMatch(stdout, new RegExp(p.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  test('every option of a field type is named: DateTime precision, network family', async () => {
    const p = await project([{ name: 'Event', version: '1.0', fields: { at: 'f.dateTime()', net: 'f.ipv4Network()' } }]);
    assert.equal((await p.run('fingerprint', 'update')).code, 0);
    await p.writeObjects([
      { name: 'Event', version: '1.0', fields: { at: "f.dateTime({ precision: 'millisecond' })", net: 'f.ipv6Network()' } },
    ]);
    const { stdout } = await p.run('fingerprint', 'check');
    assert.match(stdout, /field `at` retyped from DateTime\(precision: "second"\) to DateTime\(precision: "millisecond"\)/);
    assert.match(
      stdout,
      /field `net` retyped from IPV4Network\(family: 4\) to IPV6Network\(family: 6\)|field `net` retyped from [A-Za-z0-9]+\(family: 4\) to [A-Za-z0-9]+\(family: 6\)/,
    );
  });

  test('--against <git ref>: a rewritten released history entry or a lowered version fails; a versioned change passes', async () => {
    const p = await project();
    assert.equal((await p.run('fingerprint', 'update')).code, 0);
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.org', ...args], { cwd: p.dir, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'release 1');
    git('tag', 'r1');

    // The released 1.1 entry rewritten: `size` now claims to exist from 1.0 on. The schema is the same; the history is not.
    await p.writeObjects([
      ATTACHMENT_1_0,
      {
        ...VOLUME,
        history: `[{ version: '1.0', note: 'Initial', children: { attachments: '1.0' } }, { version: '1.1', added: ['bootable'], note: 'Boot' }]`,
      },
    ]);
    const rewritten = await p.run('fingerprint', 'check', '--against', 'r1');
    assert.equal(rewritten.code, 1, rewritten.stdout);
    assert.match(rewritten.stdout, /against object-hashes\.json at r1/);
    assert.match(rewritten.stdout, /history check: the released history entry 1\.1 was rewritten/);
    assert.equal((await p.run('fingerprint', 'check')).code, 1, 'the lock file records the histories too');

    // A lowered version.
    await p.writeObjects([
      ATTACHMENT_1_0,
      {
        ...VOLUME,
        version: '1.0',
        fields: { id: 'f.uuid()', attachments: VOLUME.fields.attachments as string },
        history: `[{ version: '1.0', note: 'Initial', children: { attachments: '1.0' } }]`,
      },
    ]);
    const lowered = await p.run('fingerprint', 'check', '--against', 'r1');
    assert.equal(lowered.code, 1);
    assert.match(lowered.stdout, /version went backwards from 1\.1 to 1\.0/);

    // A properly versioned change passes against the release, though the working lock file is stale.
    await p.writeObjects([
      ATTACHMENT_1_0,
      {
        ...VOLUME,
        version: '1.2',
        fields: { ...VOLUME.fields, encrypted: 'f.boolean()' },
        history: `[{ version: '1.0', note: 'Initial', children: { attachments: '1.0' } }, { version: '1.1', added: ['bootable', 'size'], note: 'Boot' }, { version: '1.2', added: ['encrypted'], note: 'Crypt' }]`,
      },
    ]);
    const versioned = await p.run('fingerprint', 'check', '--against', 'r1');
    assert.equal(versioned.code, 0, versioned.stdout);
    assert.match(versioned.stdout, /OK: every change since r1 is versioned/);
    assert.equal((await p.run('fingerprint', 'check')).code, 1, 'without --against the stale lock file still fails');

    const badRef = await p.run('fingerprint', 'check', '--against', 'no-such-tag');
    assert.equal(badRef.code, 2);
    assert.match(badRef.stderr, /^versioned: cannot compare against no-such-tag: no revision "no-such-tag" in this repository$/m);
  });
});

describe('every option of every field type is in its type text', () => {
  test('typeText names each key a type describes', async () => {
    const { f } = await import('@versioned/objects');
    const { typeText } = await import('../src/diff.js');
    const types = [
      f.string(),
      f.sensitiveString(),
      f.integer(),
      f.nonNegativeInteger(),
      f.float(),
      f.nonNegativeFloat(),
      f.boolean(),
      f.flexibleBoolean(),
      f.uuid(),
      f.dateTime(),
      f.dateTime({ precision: 'millisecond' }),
      f.enum(['a', 'b']),
      f.stateMachine({ a: ['b'], b: [] }),
      f.ipAddress(),
      f.ipv4Address(),
      f.ipv6Address(),
      f.ipv4AndV6Address(),
      f.ipNetwork(),
      f.ipv4Network(),
      f.ipv6Network(),
      f.macAddress(),
      f.pciAddress(),
      f.list(f.dateTime({ precision: 'millisecond' })),
      f.set(f.ipv6Address()),
      f.dict(f.string()),
      f.object('A'),
      f.object('A', { subclasses: true }),
      f.listOfObjects('A'),
    ];
    const texts = new Set<string>();
    for (const type of types) {
      const d = type.describe();
      const text = typeText(d);
      texts.add(text);
      const walk = (node: Record<string, unknown>): void => {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'element') walk(value as Record<string, unknown>);
          else if (key === 'values') for (const v of value as string[]) assert.ok(text.includes(JSON.stringify(v)), `${text} names ${v}`);
          else if (key === 'subclasses') assert.equal(text.includes('+subclasses'), value, text);
          else if (key === 'type' || key === 'target') assert.ok(text.includes(String(value)), `${text} names ${String(value)}`);
          else assert.ok(text.includes(`${key}: ${JSON.stringify(value)}`), `${text} names ${key}`);
        }
      };
      walk(d);
    }
    // Different types never read the same.
    assert.equal(texts.size, types.length);
  });
});

describe('a class that declares no history', () => {
  test('gets the whole history to declare, and following it once passes', async () => {
    const p = await TempProject.create();
    try {
      const plain: ClassSpec = {
        name: 'Snapshot',
        version: '1.4',
        fields: { id: 'f.uuid()', parent: ['f.object("Snapshot")', '{ nullable: true }'] },
      };
      await p.writeObjects([plain]);
      assert.equal((await p.run('fingerprint', 'update')).code, 0);
      await p.writeObjects([{ ...plain, fields: { ...plain.fields, size: 'f.integer()' } }]);
      const failed = await p.run('fingerprint', 'check', '--json');
      assert.equal(failed.code, 1);
      const [advice] = JSON.parse(failed.stdout).plan.classes as { version: string; declaresHistory: boolean; history: unknown[] }[];
      assert.equal(advice?.declaresHistory, false);
      assert.deepEqual(advice?.history, [
        { version: '1.4', children: { parent: '1.4' }, note: 'Initial version' },
        { version: '1.5', added: ['size'], children: { parent: '1.5' }, note: 'Add size; parent: Snapshot 1.5' },
      ]);
      await p.writeObjects([
        {
          ...plain,
          version: advice?.version as string,
          fields: { ...plain.fields, size: 'f.integer()' },
          history: JSON.stringify(advice?.history),
        },
      ]);
      assert.equal((await p.run('fingerprint', 'update')).code, 0);
      const passed = await p.run('fingerprint', 'check');
      assert.equal(passed.code, 0, passed.stdout);
    } finally {
      await p.remove();
    }
  });
});
