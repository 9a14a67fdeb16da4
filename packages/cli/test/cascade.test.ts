import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TempProject } from './helpers.js';
import {
  applyEdit,
  applyPlan,
  domain,
  initialManifests,
  manifestSource,
  toSpecs,
  type Edit,
  type JsonPlan,
  type Model,
} from './cascade-model.js';

/**
 * The promise of one report: following the advice of `versioned fingerprint check --json` once, mechanically
 * (set each version, declare each history, add the manifest entry), then `update`, makes the check pass.
 * The domain is a tree five levels deep with a cycle (Volume <-> VolumeAttachment), in two styles: oslo's
 * (children declared per parent version) and Cinder's (children moving through a ManifestHistory).
 */

describe('the whole cascade in one run: following one report once makes the check pass', () => {
  const projects: TempProject[] = [];
  after(async () => {
    for (const p of projects) await p.remove();
  });

  async function scenario(
    style: 'oslo' | 'manifest',
    edits: readonly { cls: string; edit: Edit }[],
  ): Promise<{ plan: JsonPlan; rounds: number }> {
    const p = await TempProject.create();
    projects.push(p);
    const models = domain(style);
    const manifests = style === 'manifest' ? initialManifests(models) : [];
    const write = (): Promise<void> => p.writeObjects(toSpecs(models), style === 'manifest' ? manifestSource(manifests) : undefined);
    await write();
    const first = await p.run('fingerprint', 'check');
    assert.equal(first.code, 1, 'a fresh project has no lock file yet');
    const locked = await p.run('fingerprint', 'update');
    assert.equal(locked.code, 0, locked.stdout + locked.stderr);
    const clean = await p.run('fingerprint', 'check');
    assert.equal(clean.code, 0, `the starting domain passes: ${clean.stdout}`);

    for (const { cls, edit } of edits) applyEdit(models.find((m) => m.name === cls) as Model, edit);
    await write();
    const failed = await p.run('fingerprint', 'check', '--json');
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    const report = JSON.parse(failed.stdout) as { plan: JsonPlan };
    applyPlan(models, manifests, report.plan);
    await write();
    const updated = await p.run('fingerprint', 'update');
    assert.equal(
      updated.code,
      0,
      `update after following the advice once:\n${updated.stdout}${updated.stderr}\nplan: ${JSON.stringify(report.plan, null, 1)}`,
    );
    const passed = await p.run('fingerprint', 'check');
    assert.equal(passed.code, 0, `check after following the advice once:\n${passed.stdout}${passed.stderr}`);
    return { plan: report.plan, rounds: 1 };
  }

  test('oslo style: a field added to the leaf bumps the leaf and every ancestor, the cycle included, in one report', async () => {
    const { plan } = await scenario('oslo', [{ cls: 'Port', edit: { kind: 'add', field: 'mtu' } }]);
    assert.deepEqual(Object.fromEntries(plan.classes.map((c) => [c.name, c.version])), {
      Port: '1.2',
      Target: '1.2',
      Connector: '1.1',
      VolumeAttachment: '1.3',
      Volume: '1.2',
    });
    // The cycle closed: each new entry declares the other's new version.
    const va = plan.classes.find((c) => c.name === 'VolumeAttachment')?.history.at(-1);
    const vol = plan.classes.find((c) => c.name === 'Volume')?.history.at(-1);
    assert.equal(va?.children?.volume, '1.2');
    assert.equal(vol?.children?.attachments, '1.3');
  });

  test('manifest style: a leaf change needs the leaf bump and one manifest entry, no parent bumps', async () => {
    const { plan } = await scenario('manifest', [{ cls: 'Port', edit: { kind: 'add', field: 'mtu' } }]);
    assert.deepEqual(
      plan.classes.map((c) => [c.name, c.version]),
      [['Port', '1.2']],
    );
    assert.deepEqual(plan.manifest, { key: '1.2', extend: false, updates: { Port: '1.2' } });
  });

  test('manifest style: a change inside the Volume <-> VolumeAttachment cycle asks for one bump and one manifest entry', async () => {
    const { plan } = await scenario('manifest', [{ cls: 'Volume', edit: { kind: 'add', field: 'bootable' } }]);
    assert.deepEqual(
      plan.classes.map((c) => [c.name, c.version]),
      [['Volume', '1.2']],
    );
    assert.deepEqual(plan.manifest?.updates, { Volume: '1.2' });
  });

  test('randomized: any set of edits anywhere in the tree, in both styles, is fixed by one round of advice', async () => {
    const fields: Record<string, string[]> = {
      Port: ['speed'],
      Target: ['iqn'],
      Connector: ['host'],
      VolumeAttachment: ['mountpoint'],
      Volume: ['size'],
    };
    const editArb = fc.constantFrom(...Object.keys(fields)).chain((cls) =>
      fc.record({
        cls: fc.constant(cls),
        edit: fc.oneof(
          fc.constant<Edit>({ kind: 'add', field: 'extra' }),
          // A field that is not nullable yet (making mountpoint nullable again would change nothing).
          fc.constant<Edit>({ kind: 'nullable', field: cls === 'VolumeAttachment' ? 'id' : (fields[cls]?.[0] as string) }),
          fc.constant<Edit>({ kind: 'retype', field: fields[cls]?.[0] as string }),
        ),
      }),
    );
    const seed = Number(process.env.CASCADE_SEED ?? Date.now() % 1_000_000);
    console.log(`cascade seed ${seed} (CASCADE_SEED=${seed} to repeat)`);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'oslo' | 'manifest'>('oslo', 'manifest'),
        fc.uniqueArray(editArb, { minLength: 1, maxLength: 3, selector: (e) => e.cls }),
        async (style, edits) => {
          await scenario(style, edits);
        },
      ),
      { seed, numRuns: 6, endOnFailure: true, includeErrorInReport: true },
    );
  });
});
