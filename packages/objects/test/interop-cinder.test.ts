// The port of Cinder's Volume tree (interop/cinder.ts) against Python Cinder itself (Debian python3-cinder):
// random Volumes with their VolumeType and VolumeAttachmentList, sent the way Cinder's RPC serializer sends
// them at each OBJ_VERSIONS cap, decoded both ways, with use_quota filled as Cinder fills it and metadata
// changed in place as Cinder's obj_what_changed catches it. Set DIFF_SEED to replay; the seed is printed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Primitive, VersionedObject } from '../src/index.js';
import { OBJ_VERSIONS, type Volume, cinderRegistry } from './interop/cinder.js';
import { buildObject, canonicalJson, reportOf, sortedJson, withoutDroppedChanges, withoutTypes, type ObjectSpec } from './interop/model.js';
import { PythonOracle } from './interop/oracle.js';
import { Random, prng } from './interop/random-classes.js';

const SEED = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : Math.floor(Math.random() * 2 ** 31);
const VOLUMES = 40;
const CAPS = [undefined, ...OBJ_VERSIONS.keys()];

let cinder: PythonOracle;
before(async () => {
  cinder = await PythonOracle.start({ cinder: true });
});
after(() => cinder?.close());

const r = new Random(prng(SEED));
const hex = (n: number): string => Array.from({ length: n }, () => r.pick([...'0123456789abcdef'])).join('');
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
const when = (): string => `${new Date(r.int(946_684_800, 2_000_000_000) * 1000).toISOString().slice(0, 19)}Z`;
const text = (): string => r.pick(['', 'lvm', 'ceph@pool', 'vol-é', 'tëst 漢']);
const maybe = <T>(value: () => T): T | null | undefined => (r.chance(0.2) ? null : r.chance(0.3) ? undefined : value());

function values(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

function volumeType(): ObjectSpec {
  return {
    $object: 'VolumeType',
    values: values({
      id: uuid(),
      name: maybe(text),
      is_public: maybe(() => r.chance(0.5)),
      projects: maybe(() => [text(), text()]),
      extra_specs: maybe(() => ({ volume_backend_name: text(), 'capabilities:thin': r.chance(0.5) ? '<is> True' : null })),
      created_at: maybe(when),
      deleted: r.chance(0.5) ? false : undefined,
    }),
  };
}

function attachment(volumeId: string): ObjectSpec {
  return {
    $object: 'VolumeAttachment',
    values: values({
      id: uuid(),
      volume_id: volumeId,
      instance_uuid: maybe(uuid),
      attached_host: maybe(text),
      mountpoint: maybe(() => '/dev/vdb'),
      attach_time: maybe(when),
      attach_status: maybe(() => r.pick(['attached', 'attaching', 'detached', 'reserved'])),
      attach_mode: maybe(() => r.pick(['rw', 'ro'])),
      // The Volume an attachment points back at: a small one, not the parent (no cycle in the test data).
      volume: r.chance(0.5) ? { $object: 'Volume', values: { id: volumeId, size: 1, status: 'in-use' } } : undefined,
      connection_info: maybe(() => ({
        driver_volume_type: 'iscsi',
        data: { target_lun: r.int(0, 9), target_portal: '10.0.0.1:3260', auth: null },
      })),
      connector: maybe(() => ({ host: text(), multipath: r.chance(0.5), wwpns: ['50014380186af83c'] })),
    }),
  };
}

function volume(): ObjectSpec {
  const id = uuid();
  const spec: ObjectSpec = {
    $object: 'Volume',
    values: values({
      id,
      size: maybe(() => r.int(1, 2000)),
      status: maybe(() => r.pick(['creating', 'available', 'in-use'])),
      host: maybe(text),
      display_name: maybe(text),
      attach_status: maybe(() => r.pick(['attached', 'detached'])),
      migration_status: maybe(() => r.pick(['migrating', `target:${uuid()}`, 'success'])),
      launched_at: maybe(when),
      bootable: maybe(() => r.chance(0.5)),
      multiattach: maybe(() => r.chance(0.5)),
      use_quota: r.chance(0.5) ? r.chance(0.8) : undefined,
      // Never null: Cinder's Volume cannot reset its metadata tracking over a null dict (dict(None)).
      metadata: r.chance(0.7) ? { purpose: text() } : undefined,
      admin_metadata: r.chance(0.7) ? (r.chance(0.3) ? { temporary: 'True' } : { readonly: 'False' }) : undefined,
      shared_targets: maybe(() => r.chance(0.5)),
      volume_type_id: maybe(uuid),
      volume_type: r.chance(0.7) ? volumeType() : undefined,
      volume_attachment: r.chance(0.7)
        ? { $object: 'VolumeAttachmentList', values: { objects: Array.from({ length: r.int(0, 2) }, () => attachment(id)) } }
        : undefined,
      created_at: maybe(when),
    }),
  };
  // Cinder's Volume resets without `recursive`; in-place metadata changes after a reset are what its
  // obj_what_changed override catches.
  if (r.chance(0.5)) {
    spec.reset = 'shallow';
    if (spec.values!.metadata && r.chance(0.6)) (spec as { in_place?: unknown }).in_place = { metadata: { changed: 'in place' } };
  }
  return spec;
}

/** A spec without its in-place step (buildOurs applies that step at the root only). */
function plain(spec: ObjectSpec): ObjectSpec {
  const { in_place: _, ...rest } = spec as ObjectSpec & { in_place?: unknown };
  return rest;
}

/** Build like oracle.py does, including its in-place step. */
function buildOurs(spec: ObjectSpec): VersionedObject {
  const obj = buildObject(spec, cinderRegistry);
  const inPlace = (spec as { in_place?: Record<string, Record<string, unknown>> }).in_place ?? {};
  for (const [name, entries] of Object.entries(inPlace))
    Object.assign((obj as unknown as Record<string, Record<string, unknown>>)[name]!, entries);
  return obj;
}

/**
 * What Cinder's serializer does with a version cap: the manifest of that cap, the root at its version there.
 * `refuse` for objects re-sent at the cap they came at: nothing received may count as lost (use_quota is filled).
 */
function sendLikeCinder(obj: VersionedObject, cap: string | undefined, onDataLoss: 'allow' | 'refuse' = 'allow'): Primitive {
  return cap === undefined ? obj.toPrimitive() : obj.toPrimitive({ manifest: OBJ_VERSIONS.get(cap), onDataLoss });
}

test('the port’s OBJ_VERSIONS is Cinder’s, for the ported classes', async () => {
  const theirs = await cinder.cinderVersions();
  assert.deepEqual(
    theirs.map(([key]) => key),
    OBJ_VERSIONS.keys(),
  );
  for (const [key, manifest] of theirs) {
    const ours = OBJ_VERSIONS.get(key);
    for (const name of Object.keys(ours)) assert.equal(ours[name], manifest[name], `${name} in ${key}`);
  }
  assert.deepEqual(OBJ_VERSIONS.mismatches(cinderRegistry), []);
});

test(`Volumes sent at every Cinder version cap equal Python Cinder’s, and decode both ways (seed ${SEED})`, async () => {
  const failures: string[] = [];
  const note = (what: string, ours: unknown, theirs: unknown): void => {
    if (failures.length < 3)
      failures.push(`${what}\n  ours:   ${JSON.stringify(ours).slice(0, 1500)}\n  Cinder: ${JSON.stringify(theirs).slice(0, 1500)}`);
    else failures.push(what);
  };
  for (let i = 0; i < VOLUMES; i++) {
    // Every fourth root is a VolumeList (its items follow the cap's manifest too).
    const spec: ObjectSpec = i % 4 === 3 ? { $object: 'VolumeList', values: { objects: [plain(volume()), plain(volume())] } } : volume();
    for (const cap of CAPS) {
      const what = `${spec.$object} #${i} at cap ${cap ?? 'none'} ${JSON.stringify(spec).slice(0, 400)}`;
      const ours = sendLikeCinder(buildOurs(spec), cap);
      const theirs = await cinder.cinderSerialize(spec, cap);
      // A backported list item keeps the names of fields the backport dropped in Cinder (differences-from-oslo.md, applied).
      if (canonicalJson(ours, cinderRegistry) !== canonicalJson(withoutDroppedChanges(theirs), cinderRegistry))
        note(`sent: ${what}`, ours, theirs);
      // Cinder sends, we decode and re-send at the same cap; we send, Cinder decodes.
      const decoded = cinderRegistry.fromPrimitive(theirs);
      const back = await cinder.cinderDecode(theirs, cap);
      if (sortedJson(reportOf(decoded)) !== sortedJson(withoutTypes(back.report)))
        note(`decoded from Cinder: ${what}`, reportOf(decoded), withoutTypes(back.report));
      const resent = sendLikeCinder(decoded, cap, 'refuse');
      if (canonicalJson(resent, cinderRegistry) !== canonicalJson(withoutDroppedChanges(back.primitive), cinderRegistry))
        note(`re-sent: ${what}`, resent, back.primitive);
      const theyRead = await cinder.cinderDecode(ours, cap);
      const weRead = cinderRegistry.fromPrimitive(ours);
      if (sortedJson(reportOf(weRead)) !== sortedJson(withoutTypes(theyRead.report)))
        note(`decoded by Cinder: ${what}`, reportOf(weRead), withoutTypes(theyRead.report));
    }
  }
  assert.deepEqual(failures, [], `differences from Python Cinder (replay: DIFF_SEED=${SEED})`);
});

test('a Volume 1.8 from an older Cinder gets use_quota as Cinder fills it, and forwarding it at 1.8 loses nothing', async () => {
  const spec: ObjectSpec = { $object: 'Volume', values: { id: uuid(), size: 1, migration_status: `target:${uuid()}`, use_quota: false } };
  const old = await cinder.cinderSerialize(spec, '1.38');
  assert.equal('use_quota' in (old['versioned_object.data'] as object), false);
  const ours = cinderRegistry.fromPrimitive(old) as Volume;
  const theirs = await cinder.cinderDecode(old, '1.38');
  assert.equal(ours.use_quota, false);
  assert.equal(theirs.report.fields.use_quota, false);
  assert.equal(canonicalJson(sendLikeCinder(ours, '1.38', 'refuse'), cinderRegistry), canonicalJson(theirs.primitive, cinderRegistry));
});
