// The version rules of a tree (oslo's obj_make_compatible), object by object: lists inside objects,
// decoded trees re-sent as received, manifests that leave classes out, fills and in-place changes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectList, ObjectRegistry, VersionedObject, f, field, isVersionedError, versionedObject, type Primitive } from '../src/index.js';

const registry = new ObjectRegistry();
const ID = '6f1c2a9e-8f64-4c5a-9a43-2b1e4c0d7f10';

@versionedObject({
  name: 'Attachment',
  version: '1.2',
  registry,
  history: [
    { version: '1.0', note: 'Initial version' },
    { version: '1.1', added: ['host'], note: 'Add host' },
    { version: '1.2', added: ['mode'], note: 'Add mode' },
  ],
})
class Attachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string(), { nullable: true }) declare host: string | null;
  @field(f.string(), { nullable: true }) declare mode: string | null;
}

@versionedObject({
  name: 'AttachmentList',
  version: '1.1',
  registry,
  history: [
    { version: '1.0', note: 'Initial version', children: { objects: '1.0' } },
    { version: '1.1', note: 'Attachment 1.2', children: { objects: '1.2' } },
  ],
})
class AttachmentList extends ObjectList<Attachment> {
  @field(f.listOfObjects<Attachment>('Attachment'), { default: [] }) declare objects: Attachment[];
}

@versionedObject({
  name: 'Volume',
  version: '1.3',
  registry,
  history: [
    { version: '1.0', note: 'Initial version', children: { attachments: '1.0', attachment: '1.0' } },
    { version: '1.1', note: 'Attachment 1.1', children: { attachment: '1.1' } },
    { version: '1.2', note: 'Attachment 1.2; AttachmentList 1.1', children: { attachment: '1.2', attachments: '1.1' } },
    { version: '1.3', added: ['use_quota', 'metadata'], note: 'Add use_quota and metadata', fill: { use_quota: true } },
  ],
})
class Volume extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.object<Attachment>('Attachment'), { nullable: true }) declare attachment: Attachment | null;
  @field(f.object<AttachmentList>('AttachmentList'), { nullable: true }) declare attachments: AttachmentList | null;
  @field(f.boolean(), { nullable: true }) declare use_quota: boolean | null;
  @field(f.dict(f.nullable(f.string())), { default: {} }) declare metadata: Record<string, string | null>;
}

const VO = 'versioned_object';
const dataOf = (p: unknown): Record<string, unknown> => (p as Primitive)[`${VO}.data`] as Record<string, unknown>;
const versionOf = (p: unknown): unknown => (p as Primitive)[`${VO}.version`];
const att = (n: number): Attachment => Attachment.create({ id: ID.replace(/0$/, String(n)), host: 'h', mode: 'rw' });
const volume = (): Volume =>
  Volume.partial({ id: ID, attachment: att(1), attachments: AttachmentList.create({ objects: [att(2), att(3)] }) });

describe('an ObjectList inside an object', () => {
  it('backports its items by the list’s rules, even when the list stays at its own version', () => {
    const p = volume().toPrimitive({ targetVersion: '1.0' });
    const list = dataOf(p).attachments;
    assert.equal(versionOf(list), '1.0');
    for (const item of dataOf(list).objects as unknown[]) {
      assert.equal(versionOf(item), '1.0');
      assert.deepEqual(Object.keys(dataOf(item)), ['id']);
    }
    const at12 = volume().toPrimitive({ targetVersion: '1.2' });
    for (const item of dataOf(dataOf(at12).attachments).objects as unknown[]) assert.equal(versionOf(item), '1.2');
  });

  it('refuses, naming the item field, when the list’s backport drops a set field and the policy refuses', () => {
    const v = volume();
    v.unset('attachment');
    assert.throws(
      () => v.toPrimitive({ targetVersion: '1.0', onDataLoss: 'refuse' }),
      (err) => isVersionedError(err, 'data_loss') && err.pathString === 'Volume.attachments.objects[0].host',
    );
  });

  it('a list sent alone with a manifest that leaves its item class out sends the items at 1.0, as oslo', () => {
    const list = AttachmentList.create({ objects: [att(1)] });
    const p = list.toPrimitive({ manifest: { AttachmentList: '1.1' } });
    assert.equal(versionOf((dataOf(p).objects as unknown[])[0]), '1.0');
  });
});

describe('re-sending a decoded tree', () => {
  it('sends every object at the version it was received at', () => {
    // The sender's manifest put Attachment 1.2 under Volume 1.2 (its relationships say 1.2 too) and 1.1 in the list.
    const sent = volume().toPrimitive({ targetVersion: '1.2', manifest: { Volume: '1.2', Attachment: '1.1', AttachmentList: '1.1' } });
    const again = registry.fromPrimitive(sent).toPrimitive({ onDataLoss: 'refuse' });
    assert.deepEqual(again, sent);
  });

  it('a child made here, in an object going back at the older version it came at, follows that version’s relationships', () => {
    const old = registry.fromPrimitive(Volume.partial({ id: ID }).toPrimitive({ targetVersion: '1.1' })) as Volume;
    old.attachment = att(4);
    const p = old.toPrimitive() as Primitive;
    assert.equal(versionOf(p), '1.1');
    assert.equal(versionOf(dataOf(p).attachment), '1.1', 'Volume 1.1 carries Attachment 1.1');
    assert.deepEqual(Object.keys(dataOf(dataOf(p).attachment)).sort(), ['host', 'id']);
    assert.throws(
      () => old.toPrimitive({ onDataLoss: 'refuse' }),
      (err) => isVersionedError(err, 'data_loss') && err.pathString === 'Volume.attachment.mode',
    );
  });

  it('an object received at "1.0.0" is re-sent as "1.0.0" (versions compare numerically)', () => {
    const sent = { ...Attachment.create({ id: ID }).toPrimitive({ targetVersion: '1.0' }), [`${VO}.version`]: '1.0.0' };
    const again = registry.fromPrimitive(sent).toPrimitive({ onDataLoss: 'refuse' });
    assert.equal(versionOf(again), '1.0.0');
    assert.deepEqual(dataOf(again), { id: ID });
  });
});

describe('a manifest that leaves a class out', () => {
  it('sends that child at its own version, as oslo does (not by the relationships)', () => {
    const p = volume().toPrimitive({ targetVersion: '1.0', manifest: { Volume: '1.0', AttachmentList: '1.0' } });
    assert.equal(versionOf(dataOf(p).attachment), '1.2');
  });
});

describe('fills and decode-time upgrades', () => {
  it('a history fill sets a field missing from a primitive at any version, and is not data loss when sent back', () => {
    const wire = Volume.partial({ id: ID }).toPrimitive();
    assert.equal('use_quota' in dataOf(wire), false);
    const got = registry.fromPrimitive(wire) as Volume;
    assert.equal(got.use_quota, true);
    assert.deepEqual([...got.whatChanged()].sort(), ['id'], 'a fill is not a change');
    const old = registry.fromPrimitive({ ...wire, [`${VO}.version`]: '1.2' }) as Volume;
    assert.equal(old.use_quota, true);
    assert.doesNotThrow(() => old.toPrimitive({ onDataLoss: 'refuse' }));
    old.use_quota = false;
    assert.throws(
      () => old.toPrimitive({ onDataLoss: 'refuse' }),
      (err) => isVersionedError(err, 'data_loss') && err.pathString === 'Volume.use_quota',
    );
  });
});

describe('change tracking feeds the envelope', () => {
  it('a dict changed in place goes out in changes; a whatChanged() override reaches the envelope', () => {
    const v = registry.fromPrimitive(Volume.create({ id: ID, metadata: { a: 'x' } }).toPrimitive()) as Volume;
    v.resetChanges();
    v.metadata['k2'] = null;
    assert.deepEqual(v.toPrimitive()[`${VO}.changes`], ['metadata']);

    @versionedObject({ name: 'Audited', version: '1.0', registry })
    class Audited extends VersionedObject {
      @field(f.string()) declare text: string;
      override whatChanged(): Set<string> {
        return new Set([...super.whatChanged(), 'text']);
      }
    }
    const a = Audited.create({ text: 'x' });
    a.resetChanges();
    assert.deepEqual(a.toPrimitive()[`${VO}.changes`], ['text']);
  });

  it('resetChanges([]) resets every field, as oslo’s obj_reset_changes(fields=[])', () => {
    const v = Volume.partial({ id: ID, use_quota: true });
    v.resetChanges([]);
    assert.deepEqual([...v.whatChanged()], []);
  });
});

describe('field targets and element types', () => {
  it('f.object() naming a class the registry lacks is a registration error at first use, naming the field', () => {
    const local = new ObjectRegistry();
    @versionedObject({ name: 'Holder', version: '1.0', registry: local })
    class Holder extends VersionedObject {
      @field(f.object('Nope'), { nullable: true }) declare nope: unknown;
    }
    assert.throws(
      () => local.fromPrimitive(Holder.create({}).toPrimitive()),
      (err) => isVersionedError(err, 'registration') && /Holder\.nope holds Nope objects/.test(err.message),
    );
    assert.throws(
      () => local.treeVersions('Holder'),
      (err) => isVersionedError(err, 'registration'),
    );
  });

  it('f.untyped() keeps any JSON value, copied; it refuses what JSON cannot carry', () => {
    const local = new ObjectRegistry();
    @versionedObject({ name: 'Spec', version: '1.0', registry: local })
    class Spec extends VersionedObject {
      @field(f.dict(f.untyped())) declare extra: Record<string, unknown>;
    }
    const value = { a: [1, 'two', null, { b: true }] };
    const s = Spec.create({ extra: value });
    value.a.push(5);
    assert.deepEqual(s.extra, { a: [1, 'two', null, { b: true }] });
    assert.deepEqual((local.fromPrimitive(s.toPrimitive()) as Spec).extra, s.extra);
    assert.throws(
      () => Spec.create({ extra: { x: new Map() } }),
      (err) => isVersionedError(err, 'invalid_value') && err.pathString === 'Spec.extra.x',
    );
    assert.throws(
      () => Spec.create({ extra: { x: NaN } }),
      (err) => isVersionedError(err, 'invalid_value'),
    );
  });
});
