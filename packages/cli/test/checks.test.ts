import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TempProject, type ClassSpec } from './helpers.js';

const ATTACHMENT: ClassSpec = {
  name: 'Attachment',
  version: '1.0',
  fields: { id: 'f.uuid()', mountpoint: ['f.string()', '{ nullable: true }'] },
};
const ATTACHMENT_1_1: ClassSpec = {
  ...ATTACHMENT,
  version: '1.1',
  fields: { ...ATTACHMENT.fields, device: ['f.string()', '{ nullable: true }'] },
  history: `[{ version: '1.0', note: 'Initial' }, { version: '1.1', added: ['device'], note: 'Add device' }]`,
};
const VOLUME: ClassSpec = {
  name: 'Volume',
  version: '1.1',
  fields: { id: 'f.uuid()', bootable: 'f.boolean()', attachments: ['f.listOfObjects("Attachment")', '{ default: [] }'] },
  history: `[
    { version: '1.0', note: 'Initial', children: { attachments: '1.0' } },
    { version: '1.1', added: ['bootable'], note: 'Add bootable' },
  ]`,
};

describe('the history, tree and compatibility checks', () => {
  const projects: TempProject[] = [];
  const locked = async (classes: ClassSpec[]): Promise<TempProject> => {
    const p = await TempProject.create();
    projects.push(p);
    await p.writeObjects(classes);
    const made = await p.run('fingerprint', 'update');
    assert.equal(made.code, 0, made.stdout + made.stderr);
    return p;
  };
  after(async () => {
    for (const p of projects) await p.remove();
  });

  test('a class with a history whose backports validate passes the check', async () => {
    const p = await locked([ATTACHMENT, VOLUME]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 0, stdout);
  });

  test('a bump whose history entry does not record the new field fails, and update refuses it', async () => {
    const p = await locked([ATTACHMENT, VOLUME]);
    const bumped: ClassSpec = {
      ...VOLUME,
      version: '1.2',
      fields: { ...VOLUME.fields, encrypted: 'f.boolean()' },
      history: `[
        { version: '1.0', note: 'Initial', children: { attachments: '1.0' } },
        { version: '1.1', added: ['bootable'], note: 'Add bootable' },
        { version: '1.2', note: 'Encryption' },
      ]`,
    };
    // Without `added: ['encrypted']`, the history claims the field existed from 1.0 on: wrong, and caught.
    await p.writeObjects([ATTACHMENT, bumped]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(stdout, /history check: no history entry since 1\.1 records field `encrypted` \(add it to `added` in the 1\.2 entry\)/);
    const update = await p.run('fingerprint', 'update');
    assert.equal(update.code, 1);
    assert.match(update.stdout, /Volume: no history entry since 1\.1 records field `encrypted`/);
  });

  test('a child that moved without the parent recording it fails the tree check', async () => {
    const p = await locked([ATTACHMENT, VOLUME]);
    await p.writeObjects([ATTACHMENT_1_1, VOLUME]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(
      stdout,
      /tree check: field `attachments` must declare Attachment 1\.1, Attachment's version after this change: children: \{ attachments: '1\.1' \} in a new 1\.2 entry/,
    );
  });

  test('recording the child move in a new parent version satisfies the tree and history checks', async () => {
    const p = await locked([ATTACHMENT, VOLUME]);
    const parent: ClassSpec = {
      ...VOLUME,
      version: '1.2',
      history: `[
        { version: '1.0', note: 'Initial', children: { attachments: '1.0' } },
        { version: '1.1', added: ['bootable'], note: 'Add bootable' },
        { version: '1.2', children: { attachments: '1.1' }, note: 'Attachment 1.1' },
      ]`,
    };
    await p.writeObjects([ATTACHMENT_1_1, parent]);
    const check = await p.run('fingerprint', 'check');
    assert.equal(check.code, 1);
    assert.doesNotMatch(check.stdout, /tree check|history check|compat check/);
    assert.equal((await p.run('fingerprint', 'update')).code, 0);
    assert.equal((await p.run('fingerprint', 'check')).code, 0);
  });

  test('a backport that does not throw but produces data invalid for the old version fails the compatibility check', async () => {
    const leaky: ClassSpec = {
      ...VOLUME,
      // A hand-written hook that keeps a field the old version does not have, under another name.
      body: `makeCompatible(data, target) { if (target === '1.0') { data.is_bootable = data.bootable; delete data.bootable; } }`,
    };
    const p = await TempProject.create();
    projects.push(p);
    await p.writeObjects([ATTACHMENT, leaky]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(
      stdout,
      /compat check: a sample Volume 1\.1 backported to 1\.0 does not validate against the 1\.0 schema: Volume\.is_bootable: is not part of this version/,
    );
  });

  test('a backport hook that crashes on a null field fails the compatibility check with the sample that broke it', async () => {
    const fragile: ClassSpec = {
      name: 'Mount',
      version: '1.1',
      fields: { id: 'f.uuid()', path: ['f.string()', '{ nullable: true }'], options: ['f.string()', '{ nullable: true }'] },
      history: `[{ version: '1.0', note: 'Initial' }, { version: '1.1', added: ['options'], note: 'Mount options' }]`,
      body: `makeCompatible(data, target) { if (target === '1.0') data.path = data.path.trim(); }`,
    };
    const p = await TempProject.create();
    projects.push(p);
    await p.writeObjects([fragile]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(
      stdout,
      /compat check: backporting a sample Mount 1\.1 with its nullable fields null to 1\.0 fails: Cannot read properties of null/,
    );
    assert.doesNotMatch(stdout, /compat check: backporting a sample Mount 1\.1 to/);
  });

  test('a rename (removal plus addition) is minor when the class reshapes old data both ways', async () => {
    const before: ClassSpec = {
      name: 'Share',
      version: '1.0',
      fields: { id: 'f.uuid()', display_name: 'f.string()' },
    };
    const p = await locked([before]);
    const renamed: ClassSpec = {
      name: 'Share',
      version: '1.1',
      fields: { id: 'f.uuid()', name: 'f.string()' },
      history: `[{ version: '1.0', note: 'Initial' }, { version: '1.1', added: ['name'], removed: ['display_name'], note: 'Rename' }]`,
      body: `
        makeCompatible(data, target) { if (target === '1.0' && 'name' in data) { data.display_name = data.name; delete data.name; } }
        static upgradePrimitive(data, from) { if (from === '1.0' && 'display_name' in data) { data.name = data.display_name; delete data.display_name; } }`,
    };
    await p.writeObjects([renamed]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(stdout, /field `display_name` removed \(was String\), reshaped by makeCompatible\/upgradePrimitive \[minor\]/);
    assert.match(stdout, /version bumped from 1\.0 to 1\.1/);
    assert.doesNotMatch(stdout, /history check|compat check/);
    assert.equal((await p.run('fingerprint', 'update')).code, 0);
  });

  test('the same removal without the hooks needs a major bump', async () => {
    const p = await locked([{ name: 'Share', version: '1.0', fields: { id: 'f.uuid()', display_name: 'f.string()' } }]);
    await p.writeObjects([
      {
        name: 'Share',
        version: '1.1',
        fields: { id: 'f.uuid()' },
        history: `[{ version: '1.0', note: 'i' }, { version: '1.1', removed: ['display_name'], note: 'drop' }]`,
      },
    ]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(stdout, /field `display_name` removed \(was String\) \[major\]/);
    assert.match(stdout, /only bumps the minor, but a major change \(field `display_name` removed\) breaks old readers: bump to 2\.0/);
  });
});
