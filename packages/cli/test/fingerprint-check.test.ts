import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ATTACHMENT_1_0, VOLUME_1_2, TempProject, edit } from './helpers.js';

/** A project whose lock file matches Volume 1.2 and Attachment 1.0. */
async function lockedProject(): Promise<TempProject> {
  const project = await TempProject.create();
  await project.writeObjects([ATTACHMENT_1_0, VOLUME_1_2]);
  const made = await project.run('fingerprint', 'update');
  assert.equal(made.code, 0, made.stderr);
  return project;
}

describe('versioned fingerprint check', () => {
  const projects: TempProject[] = [];
  const project = async (): Promise<TempProject> => {
    const p = await lockedProject();
    projects.push(p);
    return p;
  };
  after(async () => {
    for (const p of projects) await p.remove();
  });

  test('exits 0 when the code matches the lock file', async () => {
    const p = await project();
    const result = await p.run('fingerprint', 'check');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /ok {3}Volume 1\.2/);
    assert.match(result.stdout, /OK: 2 objects match object-hashes\.json/);
  });

  test('exits 1 on a field added without a version bump, naming the object, the field, the change and the bump', async () => {
    const p = await project();
    await p.writeObjects([ATTACHMENT_1_0, edit(VOLUME_1_2, { bootable: ['f.boolean()', '{ nullable: true }'] })]);
    const result = await p.run('fingerprint', 'check');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /FAIL Volume 1\.2: schema changed, needs a minor bump/);
    assert.match(result.stdout, /field `bootable` added \(Boolean, nullable\) \[minor\]/);
    assert.match(result.stdout, /version is still 1\.2: bump to 1\.3 and add the history entry listed below/);
    assert.match(result.stdout, /ok {3}Attachment 1\.0/);
  });

  test('asks for a major bump when a field is removed and only the minor moved', async () => {
    const p = await project();
    await p.writeObjects([ATTACHMENT_1_0, edit(VOLUME_1_2, { kind: null }, '1.3')]);
    const result = await p.run('fingerprint', 'check');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /field `kind` removed \(was Enum\["hdd", "ssd"\], default "hdd"\) \[major\]/);
    assert.match(result.stdout, /version 1\.3 only bumps the minor, .* bump to 2\.0/);
  });

  test('explains retyping, nullability, defaults, read-only and enum values', async () => {
    const p = await project();
    const changed = edit(VOLUME_1_2, {
      name: ['f.string()', '{ nullable: true }'],
      size: ['f.integer()', '{ default: 1 }'],
      id: 'f.uuid()',
      kind: ['f.enum(["ssd", "hdd", "nvme"])', '{ default: "ssd" }'],
    });
    await p.writeObjects([ATTACHMENT_1_0, changed]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(stdout, /field `name` made nullable \[minor\]/);
    assert.match(stdout, /field `size` retyped from NonNegativeInteger to Integer \[major\]/);
    assert.match(stdout, /field `id` is no longer read-only \[minor\]/);
    assert.match(stdout, /field `kind` gained Enum values "nvme" \[minor\]/);
    assert.match(stdout, /field `kind` default changed from "hdd" to "ssd" \[minor\]/);
    assert.match(stdout, /needs a major bump/);
  });

  test('reports a child whose version moved as a change of the parent', async () => {
    const p = await project();
    await p.writeObjects([edit(ATTACHMENT_1_0, { device: ['f.string()', '{ nullable: true }'] }, '1.1'), VOLUME_1_2]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(stdout, /FAIL Attachment 1\.1 \(locked 1\.0\): schema changed, needs a minor bump/);
    assert.match(stdout, /FAIL Volume 1\.2: schema changed, needs a minor bump/);
    assert.match(stdout, /child Attachment \(field `attachments`\) moved from 1\.0 to 1\.1 \[minor\]/);
  });

  test('says the lock file is stale when the version was bumped correctly', async () => {
    const p = await project();
    const history = `[{ version: '1.2', note: 'Released', children: { attachments: '1.0' } }, { version: '1.3', added: ['bootable'], note: 'Add bootable' }]`;
    await p.writeObjects([ATTACHMENT_1_0, edit(VOLUME_1_2, { bootable: 'f.boolean()' }, '1.3', history)]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(stdout, /version bumped from 1\.2 to 1\.3/);
    assert.doesNotMatch(stdout, /history check/);
    assert.match(stdout, /Next: run `versioned fingerprint update` and commit object-hashes\.json/);
  });

  test('reports objects new to the code and objects gone from it', async () => {
    const p = await project();
    await p.writeObjects([VOLUME_1_2, { name: 'Snapshot', version: '1.0', fields: { id: 'f.uuid()' } }]);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(stdout, /NEW {2}Snapshot 1\.0: not in the lock file/);
    assert.match(stdout, /GONE Attachment 1\.0: in the lock file, but no loaded module registers it/);
    assert.match(stdout, /check: field `attachments` refers to Attachment, which no loaded module registers/);
  });

  test('--json prints a machine-readable report', async () => {
    const p = await project();
    await p.writeObjects([ATTACHMENT_1_0, edit(VOLUME_1_2, { bootable: 'f.boolean()' })]);
    const { code, stdout } = await p.run('fingerprint', 'check', '--json');
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    assert.equal(report.ok, false);
    const volume = report.objects.find((o: { name: string }) => o.name === 'Volume');
    assert.equal(volume.status, 'changed');
    assert.equal(volume.requiredBump, 'minor');
    assert.deepEqual(
      volume.changes.map((c: { kind: string; field: string; bump: string }) => [c.kind, c.field, c.bump]),
      [['field_added', 'bootable', 'minor']],
    );
    assert.deepEqual({ ok: volume.verdict.ok, suggested: volume.verdict.suggested }, { ok: false, suggested: '1.3' });
    assert.match(volume.fingerprint, /^1\.2-[0-9a-f]{64}$/);
    assert.equal(report.objects.find((o: { name: string }) => o.name === 'Attachment').status, 'unchanged');
  });
});

describe('versioned fingerprint update', () => {
  let p: TempProject;
  before(async () => {
    p = await lockedProject();
  });
  after(async () => p.remove());

  test('refuses with exit 1, leaving the lock file alone, when a changed object was not bumped; --force locks it', async () => {
    const lockBefore = await readFile(p.path('object-hashes.json'), 'utf8');
    await p.writeObjects([ATTACHMENT_1_0, edit(VOLUME_1_2, { bootable: 'f.boolean()' })]);
    const refused = await p.run('fingerprint', 'update');
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /refusing to update object-hashes\.json:\n {2}Volume: version is still 1\.2: bump to 1\.3/);
    assert.equal(await readFile(p.path('object-hashes.json'), 'utf8'), lockBefore);

    const forced = await p.run('fingerprint', 'update', '--force');
    assert.equal(forced.code, 0, forced.stdout);
    assert.match(forced.stdout, /forced, although their version or history does not account for the change: Volume/);
    assert.equal((await p.run('fingerprint', 'check')).code, 0);
  });

  test('after a bump, update rewrites the lock file and check passes again', async () => {
    const history = `[
      { version: '1.2', note: 'Released', children: { attachments: '1.0' } },
      { version: '1.3', added: ['bootable'], note: 'Add bootable' },
      { version: '1.4', added: ['encrypted'], note: 'Add encrypted' },
    ]`;
    await p.writeObjects([ATTACHMENT_1_0, edit(VOLUME_1_2, { bootable: 'f.boolean()', encrypted: 'f.boolean()' }, '1.4', history)]);
    assert.equal((await p.run('fingerprint', 'check')).code, 1);
    const updated = await p.run('fingerprint', 'update');
    assert.equal(updated.code, 0, updated.stdout);
    assert.match(updated.stdout, /updated object-hashes\.json: 1 changed, 0 added, 0 removed/);
    const lock = JSON.parse(await readFile(p.path('object-hashes.json'), 'utf8'));
    assert.equal(lock.objects.Volume.version, '1.4');
    assert.ok(lock.objects.Volume.description.fields.some((fd: { name: string }) => fd.name === 'encrypted'));
    const check = await p.run('fingerprint', 'check');
    assert.equal(check.code, 0, check.stdout);
  });

  test('records new objects; a removed (or renamed) class fails until the configuration acknowledges it with a release', async () => {
    const q = await TempProject.create();
    try {
      await q.writeObjects([ATTACHMENT_1_0, VOLUME_1_2, { name: 'Snapshot', version: '1.0', fields: { id: 'f.uuid()' } }]);
      assert.equal((await q.run('fingerprint', 'update')).code, 0);
      await q.writeObjects([ATTACHMENT_1_0, VOLUME_1_2, { name: 'Backup', version: '2.0', fields: { id: 'f.uuid()' } }]);
      const check = await q.run('fingerprint', 'check');
      assert.equal(check.code, 1);
      assert.match(
        check.stdout,
        /removal check: Snapshot 1\.0 is in the lock file but no loaded module registers it: services still running a release that sends Snapshot/,
      );
      assert.match(check.stdout, /If it was renamed \(to Backup\?\), the wire name changed too/);
      const refused = await q.run('fingerprint', 'update');
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stdout, /refusing to update object-hashes\.json:\n {2}Snapshot: /);
      const pkg = JSON.parse(await readFile(q.path('package.json'), 'utf8'));
      await q.write('package.json', JSON.stringify({ ...pkg, versioned: { ...pkg.versioned, removedClasses: { Snapshot: '2025.2' } } }));
      assert.match((await q.run('fingerprint', 'check')).stdout, /GONE Snapshot 1\.0: removal acknowledged from release 2025\.2/);
      const { code, stdout } = await q.run('fingerprint', 'update');
      assert.equal(code, 0, stdout);
      assert.match(stdout, /updated object-hashes\.json: 0 changed, 1 added, 1 removed \(3 objects\)/);
      const lock = JSON.parse(await readFile(q.path('object-hashes.json'), 'utf8'));
      assert.deepEqual(Object.keys(lock.objects), ['Attachment', 'Backup', 'Volume']);
      assert.match((await q.run('fingerprint', 'update')).stdout, /object-hashes\.json is up to date \(3 objects\)/);
    } finally {
      await q.remove();
    }
  });
});
