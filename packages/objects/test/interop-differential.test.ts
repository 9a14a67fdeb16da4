// Randomized differential tests against the real oslo.versionedobjects: random class trees (every field
// type, objects alone, in lists and in ObjectLists, random histories and relationships), random objects
// (unset, null and set fields, every change state), sent at every version and under random manifests
// (including ones that move children independently and ones that leave classes out), in both directions.
// Every difference found is a failure, except the documented ones (docs/differences-from-oslo.md), which
// are applied to oslo's side by name. Set DIFF_SEED to replay a run; the seed is printed on failure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ObjectRegistry, compareVersions, isVersionedError, type Primitive, type VersionedObject } from '../src/index.js';
import { buildObject, canonicalJson, reportOf, sortedJson, withoutDroppedChanges, withoutTypes, type ObjectSpec } from './interop/model.js';
import { PythonOracle } from './interop/oracle.js';
import { Random, defineInTs, prng, randomManifest, randomSpec, randomWorld, releaseOf, type ClassDesc } from './interop/random-classes.js';

const SEED = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : Math.floor(Math.random() * 2 ** 31);
const WORLDS = Number(process.env.DIFF_WORLDS ?? 40);
const OBJECTS_PER_WORLD = 6;
const MANIFESTS_PER_OBJECT = 3;

/**
 * The documented differences the comparison applies to oslo's output, by the heading they have in
 * docs/differences-from-oslo.md (the test below checks each one is there).
 */
const APPLIED_DIFFERENCES = {
  droppedChanges: 'A backported child keeps the names of fields the backport dropped in its changes',
  listElementChanges: 'A change inside an element of a ListOfObjects field marks the field changed',
  rootFollowsManifest: 'A manifest covers the root object too',
  unsetForgetsChange: 'A field unset after it was set is no longer changed',
} as const;

let oracle: PythonOracle;
before(async () => {
  oracle = await PythonOracle.start();
});
after(() => oracle?.close());

type Outcome = { ok: unknown } | { error: { type: string; message: string } };

interface Case {
  what: string;
  spec: ObjectSpec;
  options: { targetVersion?: string; manifest?: Record<string, string> };
}

/** What TypeScript does, as an outcome: the value, or the error code. */
function attempt(fn: () => unknown): Outcome {
  try {
    return { ok: fn() };
  } catch (err) {
    if (isVersionedError(err)) return { error: { type: err.code, message: err.message } };
    throw err;
  }
}

/** oslo's options for a TypeScript call: the root's version spelled out, since TS's manifest covers the root too. */
function osloOptions(root: VersionedObject, options: Case['options']): { target_version?: string; manifest?: Record<string, string> } {
  const out: { target_version?: string; manifest?: Record<string, string> } = {};
  if (options.manifest) out.manifest = options.manifest;
  const pinned = options.manifest?.[root.objName];
  const target = options.targetVersion ?? (pinned !== undefined && compareVersions(pinned, root.objVersion) < 0 ? pinned : undefined);
  if (target !== undefined) out.target_version = target;
  return out;
}

const osloSide = (p: unknown): unknown => withoutDroppedChanges(p);

function casesFor(r: Random, world: ClassDesc[], spec: ObjectSpec): Case[] {
  const root = world.find((c) => c.name === spec.$object) as ClassDesc;
  const cases: Case[] = [{ what: 'at its own version', spec, options: {} }];
  for (const v of root.versions) cases.push({ what: `targetVersion ${v}`, spec, options: { targetVersion: v } });
  for (let i = 0; i < MANIFESTS_PER_OBJECT; i++)
    cases.push({ what: `manifest #${i}`, spec, options: { manifest: randomManifest(r, world) } });
  return cases;
}

interface Mismatch {
  world: number;
  what: string;
  spec?: ObjectSpec;
  options?: unknown;
  primitive?: unknown;
  ts: unknown;
  oslo: unknown;
}

/** The first path where two JSON values differ, and the values there. */
function firstDifference(a: unknown, b: unknown, path: string): [string, unknown, unknown] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return JSON.stringify(a) === JSON.stringify(b) ? ['', undefined, undefined] : [path, a, b];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (JSON.stringify(x) !== JSON.stringify(y))
      return x === undefined || y === undefined ? [`${path}/${key}`, x, y] : firstDifference(x, y, `${path}/${key}`);
  }
  return ['', undefined, undefined];
}

test('documented differences the comparison applies are on the differences page', () => {
  const page = readFileSync(fileURLToPath(new URL('../../../../docs/differences-from-oslo.md', import.meta.url)), 'utf8');
  for (const heading of Object.values(APPLIED_DIFFERENCES))
    assert.ok(page.includes(heading), `docs/differences-from-oslo.md names "${heading}"`);
  // Every test the page cites by name in interop-differences.test.ts is there.
  const pins = readFileSync(fileURLToPath(new URL('../../test/interop-differences.test.ts', import.meta.url)), 'utf8');
  const cited = [...page.matchAll(/`differences` “([^”]+)”/g)].map((m) => m[1] as string);
  assert.ok(cited.length >= 30, `the page cites ${cited.length} pinning tests`);
  for (const name of cited)
    assert.ok(pins.includes(name.replace(/'/g, '’')) || pins.includes(name), `interop-differences.test.ts has a test "${name}"`);
});

test(`random class trees agree with oslo in both directions, at every version and under random manifests (seed ${SEED})`, async (t) => {
  const r = new Random(prng(SEED));
  const mismatches: Mismatch[] = [];
  let compared = 0;
  for (let w = 0; w < WORLDS; w++) {
    const world = randomWorld(r, `S${SEED % 100000}W${w}`);
    const registry = new ObjectRegistry();
    defineInTs(world, registry);
    await oracle.define(world);
    const cases: Case[] = [];
    for (let i = 0; i < OBJECTS_PER_WORLD; i++) cases.push(...casesFor(r, world, randomSpec(r, world, r.pick(world).name)));

    // TypeScript to the wire, oslo to the wire: the same envelope (or both refuse).
    const ours = cases.map((c) => {
      const obj = buildObject(c.spec, registry);
      return { obj, out: attempt(() => obj.toPrimitive(c.options) as Primitive) };
    });
    const theirs = await oracle.batch(cases.map((c, i) => ({ op: 'build', spec: c.spec, ...osloOptions(ours[i]!.obj, c.options) })));
    const decodes: { op: string; primitive: unknown; target_version?: string; from: 'oslo' | 'ts'; index: number }[] = [];
    cases.forEach((c, i) => {
      const ts = ours[i]!.out;
      const oslo = theirs[i]!;
      compared++;
      if ('error' in ts || 'error' in oslo) {
        if ('error' in ts !== 'error' in oslo)
          mismatches.push({ world: w, what: `send ${c.what}`, spec: c.spec, options: c.options, ts, oslo });
        return;
      }
      const osloPrimitive = (oslo.ok as { primitive: Primitive }).primitive;
      const a = canonicalJson(ts.ok, registry);
      const b = canonicalJson(osloSide(osloPrimitive), registry);
      if (a !== b)
        mismatches.push({ world: w, what: `send ${c.what}`, spec: c.spec, options: c.options, ts: JSON.parse(a), oslo: JSON.parse(b) });
      // Both directions: each side decodes the other's envelope, re-sends it as received and at an older version.
      const older = r.pick(world.find((d) => d.name === c.spec.$object)!.versions);
      decodes.push({ op: 'decode', primitive: osloPrimitive, from: 'oslo', index: i });
      decodes.push({ op: 'decode', primitive: ts.ok, from: 'ts', index: i });
      const wire = String((ts.ok as Primitive)['versioned_object.version']);
      if (compareVersions(older, wire) < 0)
        decodes.push({ op: 'decode', primitive: osloPrimitive, target_version: older, from: 'oslo', index: i });
    });

    const decoded = await oracle.batch(
      decodes.map(({ op, primitive, target_version }) => ({ op, primitive, ...(target_version ? { target_version } : {}) })),
    );
    decodes.forEach((d, j) => {
      const oslo = decoded[j]!;
      compared++;
      const what = `${d.from === 'oslo' ? 'oslo sends, TypeScript decodes' : 'TypeScript sends, oslo decodes'}${d.target_version ? `, re-sent at ${d.target_version}` : ''} (${cases[d.index]!.what})`;
      const ts = attempt(() => {
        const obj = registry.fromPrimitive(d.primitive);
        return { report: reportOf(obj), primitive: obj.toPrimitive(d.target_version ? { targetVersion: d.target_version } : {}) };
      });
      if ('error' in ts || 'error' in oslo) {
        if ('error' in ts !== 'error' in oslo) mismatches.push({ world: w, what, primitive: d.primitive, ts, oslo });
        return;
      }
      const mine = ts.ok as { report: unknown; primitive: unknown };
      const their = oslo.ok as { report: unknown; primitive: unknown };
      const reportA = sortedJson(mine.report);
      const reportB = sortedJson(withoutTypes(their.report));
      const a = canonicalJson(mine.primitive, registry);
      const b = canonicalJson(osloSide(their.primitive), registry);
      if (reportA !== reportB)
        mismatches.push({
          world: w,
          what: `${what}: what it holds`,
          primitive: d.primitive,
          ts: mine.report,
          oslo: withoutTypes(their.report),
        });
      else if (a !== b)
        mismatches.push({ world: w, what: `${what}: re-sent`, primitive: d.primitive, ts: JSON.parse(a), oslo: JSON.parse(b) });
    });
  }
  if (mismatches.length) {
    const shown = mismatches.slice(0, 3).map((m) => {
      const failed = (o: unknown): boolean => typeof o === 'object' && o !== null && 'error' in o;
      const [where, ts, oslo] = failed(m.ts) || failed(m.oslo) ? ['outcome', m.ts, m.oslo] : firstDifference(m.ts, m.oslo, '');
      return `- world ${m.world}, ${m.what}: at ${where || '(top)'}: TypeScript ${JSON.stringify(ts)}, oslo ${JSON.stringify(oslo)}\n  ${JSON.stringify({ spec: m.spec, options: m.options, primitive: m.primitive }).slice(0, 3000)}`;
    });
    assert.fail(`${mismatches.length} of ${compared} comparisons differ from oslo (replay: DIFF_SEED=${SEED}):\n${shown.join('\n')}`);
  }
  assert.ok(compared > WORLDS * OBJECTS_PER_WORLD * 4, `compared ${compared}`);
  t.diagnostic(`${compared} comparisons with oslo over ${WORLDS} random class trees, seed ${SEED}`);
});

test(`what is sent under a whole-tree manifest decodes, strictly, in the release that speaks it (seed ${SEED})`, () => {
  const r = new Random(prng(SEED ^ 0x5eed));
  const failures: string[] = [];
  let checked = 0;
  for (let w = 0; w < WORLDS; w++) {
    const world = randomWorld(r, `R${w}`);
    const registry = new ObjectRegistry();
    defineInTs(world, registry);
    for (let i = 0; i < OBJECTS_PER_WORLD; i++) {
      const manifest = Object.fromEntries(world.map((d) => [d.name, r.pick(d.versions)]));
      const release = new ObjectRegistry();
      defineInTs(releaseOf(world, manifest), release);
      const spec = randomSpec(r, world, r.pick(world).name);
      const sent = buildObject(spec, registry).toPrimitive({ manifest });
      // Decoded and sent on by the current release too: still readable by the old one.
      const forwarded = registry.fromPrimitive(sent).toPrimitive({ manifest });
      for (const primitive of [sent, forwarded]) {
        checked++;
        try {
          release.fromPrimitive(primitive, { strict: true });
        } catch (err) {
          failures.push(`world ${w} ${JSON.stringify({ manifest, spec }).slice(0, 1500)}: ${String(err)}`);
        }
      }
    }
  }
  assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of ${checked} did not decode (replay: DIFF_SEED=${SEED})`);
});
