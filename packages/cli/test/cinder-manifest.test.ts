import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TempProject } from './helpers.js';
import { applyPlan, manifestSource, toSpecs, type Entry, type JsonPlan, type Manifest, type Model } from './cascade-model.js';

/**
 * A Cinder-shaped project: Volume, VolumeType, QualityOfServiceSpecs, VolumeAttachment and their lists at
 * Cinder 21's versions, children declared nowhere per parent, every move recorded in an OBJ_VERSIONS manifest
 * history that moves one class at a time. It passes the tree and compatibility checks as it is; a child's bump
 * needs one new manifest entry and no parent bump, inside the Volume <-> VolumeAttachment cycle too.
 */

/** `count` versions 1.0 ... 1.(count-1); `added` names the fields each version adds. */
function history(count: number, added: Record<string, string[]> = {}): Entry[] {
  return Array.from({ length: count }, (_, i) => {
    const version = `1.${i}`;
    return { version, note: i === 0 ? 'Initial version' : `Version ${version}`, ...(added[version] ? { added: added[version] } : {}) };
  });
}

function cinder(): Model[] {
  return [
    {
      name: 'QualityOfServiceSpecs',
      version: '1.0',
      fields: {
        id: 'f.uuid()',
        name: 'f.string()',
        consumer: 'f.enum(["back-end", "front-end", "both"])',
        specs: ['f.dict(f.string())', '{ nullable: true }'],
      },
      history: history(1),
    },
    {
      name: 'VolumeType',
      version: '1.3',
      fields: {
        id: 'f.uuid()',
        name: ['f.string()', '{ nullable: true }'],
        is_public: ['f.boolean()', '{ default: true }'],
        extra_specs: ['f.dict(f.string())', '{ nullable: true }'],
        qos_specs: ['f.object("QualityOfServiceSpecs")', '{ nullable: true }'],
        qos_specs_id: ['f.uuid()', '{ nullable: true }'],
      },
      history: history(4, { '1.1': ['qos_specs'], '1.3': ['qos_specs_id'] }),
    },
    {
      name: 'VolumeTypeList',
      version: '1.1',
      fields: { objects: ['f.listOfObjects("VolumeType")', '{ default: [] }'] },
      history: history(2),
    },
    {
      name: 'VolumeAttachment',
      version: '1.3',
      fields: {
        id: 'f.uuid()',
        volume_id: 'f.uuid()',
        attach_status: [
          'f.enum(["attaching", "attached", "detaching", "detached", "error_attaching", "error_detaching", "reserved"])',
          '{ nullable: true }',
        ],
        connection_info: ['f.dict(f.string())', '{ nullable: true }'],
        volume: ['f.object("Volume")', '{ nullable: true }'],
      },
      history: history(4, { '1.1': ['connection_info'], '1.2': ['volume'] }),
    },
    {
      name: 'VolumeAttachmentList',
      version: '1.1',
      fields: { objects: ['f.listOfObjects("VolumeAttachment")', '{ default: [] }'] },
      history: history(2),
    },
    {
      name: 'Volume',
      version: '1.9',
      fields: {
        id: 'f.uuid()',
        size: ['f.integer()', '{ nullable: true }'],
        status: ['f.string()', '{ nullable: true }'],
        metadata: ['f.dict(f.string())', '{ nullable: true }'],
        volume_type_id: ['f.uuid()', '{ nullable: true }'],
        volume_type: ['f.object("VolumeType")', '{ nullable: true }'],
        volume_attachment: ['f.object("VolumeAttachmentList")', '{ nullable: true }'],
        cluster_name: ['f.string()', '{ nullable: true }'],
        shared_targets: ['f.boolean()', '{ default: true }'],
        use_quota: ['f.boolean()', '{ default: true }'],
      },
      history: history(10, { '1.7': ['cluster_name'], '1.8': ['shared_targets'], '1.9': ['use_quota'] }),
    },
    { name: 'VolumeList', version: '1.1', fields: { objects: ['f.listOfObjects("Volume")', '{ default: [] }'] }, history: history(2) },
  ];
}

/** OBJ_VERSIONS from all-1.0 to the current versions, one class one version at a time (as Cinder's grew). */
function objVersions(models: readonly Model[]): Manifest[] {
  const at = Object.fromEntries(models.map((m) => [m.name, 0]));
  const manifests: Manifest[] = [{ key: '1.0', updates: Object.fromEntries(models.map((m) => [m.name, '1.0'])) }];
  for (let moved = true; moved; ) {
    moved = false;
    for (const m of models) {
      const target = Number(m.version.split('.')[1]);
      if ((at[m.name] as number) < target) {
        at[m.name] = (at[m.name] as number) + 1;
        manifests.push({ key: `1.${manifests.length}`, updates: { [m.name]: `1.${at[m.name]}` } });
        moved = true;
      }
    }
  }
  return manifests;
}

describe('a Cinder-shaped manifest project', () => {
  const projects: TempProject[] = [];
  after(async () => {
    for (const p of projects) await p.remove();
  });

  async function locked(): Promise<{ p: TempProject; models: Model[]; manifests: Manifest[]; save: () => Promise<void> }> {
    const p = await TempProject.create();
    projects.push(p);
    const models = cinder();
    const manifests = objVersions(models);
    const save = (): Promise<void> => p.writeObjects(toSpecs(models), manifestSource(manifests));
    await save();
    const made = await p.run('fingerprint', 'update');
    assert.equal(made.code, 0, made.stdout + made.stderr);
    return { p, models, manifests, save };
  }

  test('passes the tree, manifest and compatibility checks without per-parent child versions', async () => {
    const { p, models, manifests } = await locked();
    assert.ok(manifests.length > 15);
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 0, stdout);
    assert.match(stdout, /OK: 7 objects match object-hashes\.json/);
    // The same classes without their manifest history: the backports have no rule for the children.
    await p.writeObjects(toSpecs(models));
    const bare = await p.run('fingerprint', 'check', '--lock-file', 'bare.json');
    assert.equal(bare.code, 1);
    assert.match(bare.stdout, /compat check: backporting a sample Volume 1\.9 to 1\.0 fails/);
  });

  for (const [cls, field] of [
    ['QualityOfServiceSpecs', 'created_at'],
    ['VolumeAttachment', 'attach_mode'],
    ['Volume', 'bootable'],
  ] as const) {
    test(`a field added to ${cls} needs its bump and one manifest entry: no parent bumps, no loop`, async () => {
      const { p, models, manifests, save } = await locked();
      const model = models.find((m) => m.name === cls) as Model;
      model.fields[field] = ['f.string()', '{ nullable: true }'];
      await save();
      const failed = await p.run('fingerprint', 'check', '--json');
      assert.equal(failed.code, 1);
      const plan = (JSON.parse(failed.stdout) as { plan: JsonPlan }).plan;
      const next = `1.${Number(model.version.split('.')[1]) + 1}`;
      assert.deepEqual(
        plan.classes.map((c) => [c.name, c.version]),
        [[cls, next]],
      );
      assert.deepEqual(plan.classes[0]?.history.at(-1), { version: next, added: [field], note: `Add ${field}` });
      assert.deepEqual(plan.manifest, { key: `1.${manifests.length}`, extend: false, updates: { [cls]: next } });
      applyPlan(models, manifests, plan);
      await save();
      assert.equal((await p.run('fingerprint', 'update')).code, 0);
      const passed = await p.run('fingerprint', 'check');
      assert.equal(passed.code, 0, passed.stdout);
    });
  }

  test('a rewritten released manifest fails', async () => {
    const { p, manifests, save } = await locked();
    (manifests[3] as Manifest).updates = { ...(manifests[3] as Manifest).updates, VolumeType: '1.0' };
    await save();
    const { code, stdout } = await p.run('fingerprint', 'check');
    assert.equal(code, 1);
    assert.match(stdout, /manifest check: the released manifest 1\.3 was rewritten/);
  });
});
