// A randomized run of the codecs (encode, backport by manifest and by target version, decode, strict decode,
// hostile data, makeCompatible hooks, the indirection backport), every outcome written down as JSON. The
// no-codegen test runs it here (compiled codecs) and in a child process under
// `node --disallow-code-generation-from-strings` (interpreted codecs), and compares the two transcripts.
// Run as a script: `node codec-run.js <seed> <worlds>` prints `{ codegen, outcomes }`.
import { fileURLToPath } from 'node:url';
import { ObjectRegistry, VersionedError, VersionedObject, f, field, versionedObject, type ToPrimitiveOptions } from '../../src/index.js';
import { buildObject } from '../interop/model.js';
import { Random, defineInTs, prng, randomManifest, randomSpec, randomWorld } from '../interop/random-classes.js';

/** What one call gave: its result, or its error's code, path and message. */
function outcome(fn: () => unknown): string {
  try {
    return JSON.stringify({ ok: fn() });
  } catch (err) {
    if (err instanceof VersionedError) return JSON.stringify({ error: err.code, path: err.path, message: err.message });
    return JSON.stringify({ thrown: String(err) });
  }
}

/** A class with a makeCompatible hook that moves a field and, on one value, throws a typed error of its own. */
function hookedClass(registry: ObjectRegistry): new (init: Record<string, unknown>) => VersionedObject & { label: string | null } {
  @versionedObject({
    name: 'Hooked',
    version: '1.1',
    registry,
    history: [
      { version: '1.0', note: 'Initial version' },
      { version: '1.1', note: 'Added label', added: ['label'] },
    ],
  })
  class Hooked extends VersionedObject {
    @field(f.integer()) declare size: number;
    @field(f.string(), { nullable: true }) declare label: string | null;
    @field(f.list(f.string())) declare tags: string[];

    override makeCompatible(data: Record<string, unknown>, targetVersion: string): void {
      if (data['label'] === 'boom') throw new VersionedError('invalid_value', 'cannot go back', { path: ['label_hook'] });
      if (targetVersion === '1.0' && typeof data['label'] === 'string') {
        data['tags'] = [...((data['tags'] as string[] | undefined) ?? []), data['label']];
        if (data['label'].length % 2) delete data['label'];
      }
    }
  }
  return Hooked;
}

export function runCodecs(seed: number, worlds: number): string[] {
  const r = new Random(prng(seed));
  const out: string[] = [];
  const hooked = new ObjectRegistry();
  const Hooked = hookedClass(hooked);
  for (let i = 0; i < 30; i++) {
    const obj = new Hooked({ size: r.int(0, 99), tags: r.subset(['a', 'b'], 0.5) });
    if (r.chance(0.8)) obj.label = r.pick(['boom', 'x', 'xy', null]);
    const onDataLoss = r.pick(['allow', 'refuse'] as const);
    out.push(outcome(() => obj.toPrimitive({ targetVersion: '1.0', onDataLoss })));
  }
  for (let w = 0; w < worlds; w++) {
    const world = randomWorld(r, `N${w}`);
    const registry = new ObjectRegistry();
    defineInTs(world, registry);
    for (let k = 0; k < 12; k++) {
      const desc = r.pick(world);
      const obj = buildObject(randomSpec(r, world, desc.name), registry);
      const manifest = randomManifest(r, world);
      const onDataLoss = r.pick(['allow', 'refuse'] as const);
      const options: ToPrimitiveOptions[] = [{}, { manifest, onDataLoss }, { targetVersion: r.pick(desc.versions), onDataLoss }];
      for (const option of options) out.push(outcome(() => obj.toPrimitive(option)));
      const sent = JSON.parse(JSON.stringify(obj.toPrimitive())) as Record<string, unknown>;
      const decode = (strict: boolean): unknown => {
        const back = registry.fromPrimitive(sent, { strict });
        return { again: back.toPrimitive(), changed: [...back.whatChanged()].sort() };
      };
      out.push(
        outcome(() => decode(false)),
        outcome(() => decode(true)),
      );
      out.push(outcome(() => registry.backportVersions(sent, manifest, { onDataLoss })));
      // Hostile data: one field's value replaced by something of another type.
      const data = sent['versioned_object.data'] as Record<string, unknown>;
      const names = Object.keys(data);
      if (names.length) {
        data[r.pick(names)] = r.pick([{ nope: 1 }, 'not a value', -1.5, [null], true]);
        out.push(outcome(() => decode(false)));
      }
    }
  }
  return out;
}

/** Whether this process may compile code from strings. */
export function codegenAllowed(): boolean {
  try {
    return new Function('return true')() as boolean;
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [seed, worlds] = process.argv.slice(2).map(Number) as [number, number];
  process.stdout.write(JSON.stringify({ codegen: codegenAllowed(), outcomes: runCodecs(seed, worlds) }));
}
