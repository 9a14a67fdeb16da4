/**
 * The real oslo.versionedobjects as the oracle for field wire forms: everything this package writes,
 * oslo must read and write back unchanged. Needs /usr/bin/python3 with oslo_versionedobjects (scripts/provision.sh
 * installs it); fails loudly when it is missing.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { Everything, everythingArb, fieldInputs, registry } from './support/model.js';
import { metaOf } from '../src/index.js';

const PYTHON = '/usr/bin/python3';
const SAMPLES = 100;

/** Reads [[oslo type expression, primitive], ...] on stdin; answers, per case, oslo's to_primitive(from_primitive(p)) or its error. */
const ORACLE = String.raw`
import json, sys
from oslo_versionedobjects import fields as F
cases = json.load(sys.stdin)
out = []
types = {}
for expr, primitive in cases:
    t = types.get(expr)
    if t is None:
        t = types[expr] = eval(expr, {'F': F})
    try:
        value = t.from_primitive(None, 'x', primitive)
        value = t.coerce(None, 'x', value)
        back = t.to_primitive(None, 'x', value)
        if isinstance(back, tuple):
            back = list(back)
        out.append({'ok': back})
    except Exception as e:
        out.append({'error': '%s: %s' % (type(e).__name__, e)})
json.dump(out, sys.stdout)
`;

/** The oslo field type each field of the model corresponds to. */
const OSLO_TYPES: Record<string, string> = {
  string: 'F.String()',
  sensitive: 'F.SensitiveString()',
  integer: 'F.Integer()',
  nonNegativeInteger: 'F.NonNegativeInteger()',
  float: 'F.Float()',
  nonNegativeFloat: 'F.NonNegativeFloat()',
  boolean: 'F.Boolean()',
  flexibleBoolean: 'F.FlexibleBoolean()',
  uuid: 'F.UUID()',
  dateTime: 'F.DateTime()',
  enumeration: "F.Enum(['raw', 'qcow2', 'vmdk'])",
  state: "F.Enum(['new', 'active', 'failed', 'retired'])",
  ip: 'F.IPAddress()',
  ip4: 'F.IPV4Address()',
  ip6: 'F.IPV6Address()',
  ip46: 'F.IPV4AndV6Address()',
  net: 'F.IPNetwork()',
  net4: 'F.IPV4Network()',
  net6: 'F.IPV6Network()',
  mac: 'F.MACAddress()',
  pci: 'F.PCIAddress()',
  listOfIntegers: 'F.List(F.Integer())',
  listOfDates: 'F.List(F.DateTime())',
  listOfLists: 'F.List(F.List(F.String()))',
  dictOfStrings: 'F.Dict(F.String())',
  dictOfUuidLists: 'F.Dict(F.List(F.UUID()))',
  setOfStrings: 'F.Set(F.String())',
  setOfIntegers: 'F.Set(F.Integer())',
};

function runOracle(cases: [string, unknown][]): ({ ok: unknown } | { error: string })[] {
  const result = spawnSync(PYTHON, ['-c', ORACLE], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`cannot run ${PYTHON}: ${result.error.message} (run scripts/provision.sh)`);
  if (result.status !== 0)
    throw new Error(`the oslo oracle failed (is python3-oslo.versionedobjects installed? run scripts/provision.sh):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Our primitive for a field holding `raw`: what this package puts on the wire. */
function ourPrimitive(name: string, raw: unknown): unknown {
  const obj = new Everything();
  (obj as unknown as Record<string, unknown>)[name] = raw;
  return JSON.parse(JSON.stringify(obj.toPrimitive()))['versioned_object.data'][name];
}

/** Dates before year 1000: oslo's isotime() writes them with an unpadded year ('50-02-03T...'), its own wart. */
function hasShortYear(value: unknown): boolean {
  return JSON.stringify(value).match(/"0\d{3}-\d\d-\d\dT/) !== null;
}

describe('oracle: oslo reads what this package writes', () => {
  const cases: [string, string, unknown][] = [];
  let answers: ({ ok: unknown } | { error: string })[] = [];

  before(() => {
    for (const [name, input] of Object.entries(fieldInputs)) {
      const expr = OSLO_TYPES[name];
      if (!expr) continue;
      for (const raw of fc.sample(input as fc.Arbitrary<unknown>, { numRuns: SAMPLES, seed: 20_241_121 })) {
        const primitive = ourPrimitive(name, raw);
        if (hasShortYear(primitive)) continue;
        cases.push([name, expr, primitive]);
      }
    }
    answers = runOracle(cases.map(([, expr, p]) => [expr, p]));
  });

  it('covers every field type of the model except millisecond date-times and nullables', () => {
    const covered = new Set(cases.map(([name]) => name));
    const uncovered = metaOf(Everything)
      .fields.map((d) => d.name)
      .filter((n) => !covered.has(n));
    assert.deepEqual(uncovered.sort(), [
      'child',
      'children',
      'childrenByName',
      'dateTimeMs',
      'nullableString',
      'nullableWithDefault',
      'partList',
    ]);
  });

  it('every primitive is accepted by oslo and written back unchanged (sets compared as sets)', () => {
    const failures: string[] = [];
    cases.forEach(([name, expr, primitive], i) => {
      const answer = answers[i]!;
      if ('error' in answer) {
        failures.push(`${name} ${JSON.stringify(primitive)}: oslo ${expr} refused it: ${answer.error}`);
        return;
      }
      const norm = (v: unknown): unknown => (name.startsWith('setOf') ? [...(v as unknown[])].map((x) => JSON.stringify(x)).sort() : v);
      try {
        assert.deepStrictEqual(norm(answer.ok), norm(primitive));
      } catch {
        failures.push(`${name}: we write ${JSON.stringify(primitive)}, oslo writes ${JSON.stringify(answer.ok)}`);
      }
    });
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${cases.length} primitives differ`);
  });
});

/** The model's classes declared with oslo; reads envelopes on stdin and answers oslo's re-encoding of each. */
const OSLO_MODEL = String.raw`
import json, sys
from oslo_versionedobjects import base, fields as F

@base.VersionedObjectRegistry.register
class Part(base.VersionedObject):
    VERSION = '1.2'
    fields = {'id': F.UUIDField(), 'label': F.StringField(nullable=True), 'counts': F.DictOfIntegersField()}

@base.VersionedObjectRegistry.register
class PartList(base.ObjectListBase, base.VersionedObject):
    VERSION = '1.0'
    fields = {'objects': F.ListOfObjectsField('Part')}

TYPES = json.loads(sys.argv[1])

@base.VersionedObjectRegistry.register
class Everything(base.VersionedObject):
    VERSION = '1.4'
    fields = dict({name: F.Field(eval(expr, {'F': F})) for name, expr in TYPES.items()},
                  dateTimeMs=F.DateTimeField(),
                  nullableString=F.StringField(nullable=True),
                  nullableWithDefault=F.IntegerField(nullable=True, default=3),
                  child=F.ObjectField('Part', nullable=True),
                  children=F.ListOfObjectsField('Part'),
                  childrenByName=F.Field(F.Dict(F.Object('Part'))),
                  partList=F.ObjectField('PartList'))

out = []
for primitive in json.load(sys.stdin):
    try:
        obj = base.VersionedObject.obj_from_primitive(primitive)
        out.append({'ok': obj.obj_to_primitive()})
    except Exception as e:
        out.append({'error': '%s: %s' % (type(e).__name__, e)})
json.dump(out, sys.stdout, default=list)
`;

/** What may legitimately differ: set and changes order, milliseconds oslo drops, which sets are tuples in Python. */
function normalise(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normalise(v));
    return key.endsWith('.changes') || key.startsWith('setOf') ? items.map((v) => JSON.stringify(v)).sort() : items;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: normalise(v, k), enumerable: true });
    return out;
  }
  if (key === 'dateTimeMs' && typeof value === 'string') return value.replace(/\.\d{3}Z$/, 'Z');
  return value;
}

describe('oracle: oslo decodes whole envelopes written here', () => {
  it('oslo decodes every generated object and re-encodes the same envelope (name, version, data, changes)', () => {
    const primitives = fc
      .sample(everythingArb, { numRuns: 40, seed: 424_242 })
      .map((obj) => JSON.parse(JSON.stringify(obj.toPrimitive())))
      .filter((p) => !hasShortYear(p));
    assert.ok(primitives.length > 30);
    const result = spawnSync(PYTHON, ['-c', OSLO_MODEL, JSON.stringify(OSLO_TYPES)], {
      input: JSON.stringify(primitives),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error || result.status !== 0)
      throw new Error(`the oslo oracle failed (run scripts/provision.sh): ${result.error?.message ?? result.stderr}`);
    const answers = JSON.parse(result.stdout) as ({ ok: unknown } | { error: string })[];
    primitives.forEach((primitive, i) => {
      const answer = answers[i]!;
      assert.ok('ok' in answer, `oslo refused ${JSON.stringify(primitive)}: ${(answer as { error: string }).error}`);
      assert.deepStrictEqual(normalise(answer.ok), normalise(primitive));
    });
    void registry;
  });
});
