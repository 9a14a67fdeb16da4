/**
 * Hostile inputs shared by the agreement and hostile-input suites: values near every field type's edge,
 * mutations of valid envelopes, and a class with a history (added, removed and changed fields, pinned
 * children) so versions matter.
 */
import fc from 'fast-check';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '../../src/index.js';
import { hostileKey, ownRecord } from './model.js';

export const historyRegistry = new ObjectRegistry();

@versionedObject({
  name: 'Leaf',
  version: '1.1',
  registry: historyRegistry,
  history: [
    { version: '1.0', note: 'Initial version' },
    { version: '1.1', added: ['weight'], note: 'Add weight' },
  ],
})
export class Leaf extends VersionedObject {
  @field(f.string()) declare name: string;
  @field(f.nonNegativeFloat(), { nullable: true }) declare weight: number | null;
}

@versionedObject({
  name: 'Tree',
  version: '1.3',
  registry: historyRegistry,
  history: [
    { version: '1.0', note: 'Initial version', children: { leaf: '1.0', leaves: '1.0' } },
    { version: '1.1', added: ['planted'], note: 'Add planted' },
    { version: '1.2', removed: ['legacy'], children: { leaf: '1.1', leaves: '1.1' }, note: 'Drop legacy; Leaf 1.1' },
    { version: '1.3', changed: ['count'], note: 'count is non-negative' },
  ],
})
export class Tree extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.nonNegativeInteger()) declare count: number;
  @field(f.dateTime()) declare planted: Date;
  @field(f.set(f.dateTime())) declare seasons: Set<Date>;
  @field(f.ipv4Network(), { nullable: true }) declare subnet: string | null;
  @field(f.object('Leaf'), { nullable: true }) declare leaf: Leaf | null;
  @field(f.listOfObjects('Leaf'), { default: [] }) declare leaves: Leaf[];
}

const leafArb = fc
  .record(
    { name: fc.string({ maxLength: 6 }), weight: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }) },
    { requiredKeys: [] },
  )
  .map((values) => new Leaf(values));
const instant = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });

/** Valid Trees at any version of their history, as JSON. */
export const treePrimitive: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        id: fc.uuid(),
        count: fc.nat(),
        planted: instant,
        seasons: fc.array(instant, { maxLength: 3 }),
        subnet: fc.option(
          fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
          { nil: null },
        ),
        leaf: fc.option(leafArb, { nil: null }),
        leaves: fc.array(leafArb, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    fc.constantFrom('1.0', '1.1', '1.2', '1.3'),
  )
  .map(
    ([values, version]) => JSON.parse(JSON.stringify(new Tree(values).toPrimitive({ targetVersion: version }))) as Record<string, unknown>,
  );

const uuid = '0b8a1d6e-3c55-4c1e-9a47-5f0f6c1e2a01';
/** Strings at the edge of some field type: what one side might accept and the other refuse. */
export const EDGE_STRINGS = [
  '9007199254740991',
  '9007199254740992',
  '-9007199254740991',
  '+12',
  ' 12',
  '1e3',
  '-0',
  '0x10',
  '1.5',
  '.5',
  '5.',
  '1e999',
  'NaN',
  'Infinity',
  uuid,
  uuid.toUpperCase(),
  `urn:uuid:${uuid}`,
  `{${uuid}}`,
  uuid.replaceAll('-', ''),
  '2021-03-04T05:06:07Z',
  '2021-03-04T05:06:60Z',
  '2021-03-04\t05:06:07Z',
  '2021-03-04 05:06:07Z',
  '2021-03-04t05:06:07z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-01:00',
  '0001-01-01T00:00:00+01:00',
  '2021-02-29T00:00:00Z',
  '2020-02-29T00:00:00Z',
  '2021-03-04T05:06:07',
  '2021-03-04T05:06:07.250Z',
  '2021-03-04T05:06:07+00:00',
  '2021-03-04T05:06:07.123456789+0530',
  '2021-03-04T24:00:00Z',
  '2021-03-04',
  '+275760-09-13T00:00:00Z',
  '1.2.3.4',
  '1.2.3.4/32',
  '1.2.3.4/33',
  '01.2.3.4',
  'fe80::/10',
  'fe80::1',
  '::ffff:1.2.3.4',
  '::ffff:1.2.3.4/96',
  'fe80::1%eth0',
  '::/129',
  '10.0.0.0/08',
  'aa:bb:cc:dd:ee:ff',
  'AA-BB-CC-DD-EE-FF',
  'aa:bb-cc:dd:ee:ff',
  'aabb.ccdd.eeff',
  '0000:00:1f.7',
  '0000:00:2f.7',
  'ABCD:EF:1F.0',
  'yes',
  ' ON ',
  'No',
  'maybe',
  'true',
  'T',
  '',
  'raw',
  'qcow2',
  'new',
  'active',
  'retired',
  '__proto__',
  'constructor',
  'Leaf',
  'versioned_object.data',
];
export const EDGE_NUMBERS = [0, -0, 1, -1, 1.5, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, 0.1, 255, 256];

/** JSON values with prototype-named keys and edge strings at any level. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(...EDGE_STRINGS, ...EDGE_NUMBERS, true, false, null),
    fc.jsonValue({ maxDepth: 1 }),
    fc.uuid(),
    fc.oneof(fc.ipV4(), fc.ipV6()),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 3 }).map((entries) => ownRecord(entries)),
    fc.constantFrom(JSON.parse('{"__proto__": {"polluted": true}}'), JSON.parse('{"constructor": {"prototype": {"polluted": true}}}')),
  ),
})).value;

type PathSegment = string | number;

/** Every path into a JSON tree, containers included, root first. */
function pathsOf(value: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(prefix);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) pathsOf(v, [...prefix, i], out);
  else if (typeof value === 'object' && value !== null)
    for (const k of Object.keys(value)) pathsOf((value as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

function getAt(root: unknown, path: PathSegment[]): unknown {
  let v = root;
  for (const seg of path) v = (v as Record<PathSegment, unknown>)[seg];
  return v;
}

export type Mutation = {
  kind: 'replace' | 'field' | 'tweak' | 'delete' | 'add' | 'duplicate';
  at: number;
  key: string;
  value: unknown;
  tweak: number;
};

/** Small edits of a wire string or number, each at the edge of some field type. */
export const TWEAKS: ((v: string | number) => unknown)[] = [
  (v) => `urn:uuid:${v}`,
  (v) => `{${v}}`,
  (v) => String(v).toUpperCase(),
  (v) => ` ${v}`,
  (v) => `${v}\n`,
  (v) => String(v).slice(1),
  (v) => String(v).replace('T', '\t'),
  (v) => String(v).replace('T', ' '),
  (v) => String(v).replace(/:\d\d(?=Z|\.|[+-]|$)/, ':60'),
  (v) => String(v).replace(/^\d{4}/, '0000'),
  (v) =>
    String(v)
      .replace(/^\d{4}-\d\d-\d\d/, '9999-12-31')
      .replace(/Z$/, '-01:00'),
  (v) => String(v).replace(/Z$/, '+00:00'),
  (v) => String(v).replace(/Z$/, '.999Z'),
  (v) => String(v).replace(/Z$/, ''),
  (v) => `${String(v).split('/')[0]}/33`,
  (v) => `${String(v).split('/')[0]}/129`,
  (v) => String(v).split('/')[0],
  (v) => `${String(v).split('/')[0]}%eth0`,
  (v) => String(v).replace(/^\d+\.\d+\.\d+\.\d+/, 'fe80::'),
  (v) => String(v).replaceAll(':', '-'),
  (v) => String(v).replace(':', '-'),
  (v) => (typeof v === 'number' ? String(v) : Number(v)),
  (v) => (typeof v === 'number' ? v + 2 ** 53 : `${v}0`),
  (v) => (typeof v === 'number' ? -v - 1 : `-${v}`),
  (v) => (typeof v === 'number' ? v + 0.5 : `${v}.5`),
  (v) => (typeof v === 'number' ? v * 1e300 : `${v}e400`),
  (v) => (typeof v === 'number' ? (v === 0 ? 1 : 0) : v === '' ? 'x' : ''),
];

const NS = 'versioned_object';
export const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'field', 'tweak', 'tweak', 'delete', 'add', 'duplicate'),
  at: fc.nat(),
  tweak: fc.nat(),
  key: fc.oneof(
    hostileKey,
    fc.constantFrom(`${NS}.name`, `${NS}.version`, `${NS}.changes`, `${NS}.extra`, 'legacy', 'planted', 'weight', 'count', 'id'),
  ),
  value: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<unknown>(...EDGE_STRINGS, ...EDGE_NUMBERS) },
    { weight: 2, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constantFrom('1.0', '1.0.0', '1.1', '1.2', '1.3', '1.4', '1.1.7', '1.3.0', '0.9', '2.0') },
  ),
});

/** A path to a field value (or inside one): under some envelope's data, not an envelope key. */
const isFieldPath = (path: PathSegment[]): boolean =>
  path.includes(`${NS}.data`) && !(typeof path[path.length - 1] === 'string' && String(path[path.length - 1]).startsWith(`${NS}.`));

/** JSON copy: fast-check hands the same instances to several runs while shrinking, so never mutate them. */
export const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Apply a mutation to a copy of `original`: replace or delete the value at a path, add a key to an object,
 * or repeat an array's item. Returns the new root and the path touched.
 */
export function mutate(original: unknown, m: Mutation): { root: unknown; path: PathSegment[] } {
  const root = copy(original);
  const value = copy(m.value);
  const all = pathsOf(root);
  const scalar = (p: PathSegment[]): boolean => ['string', 'number'].includes(typeof getAt(root, p));
  const fields = m.kind === 'field' ? all.filter(isFieldPath) : m.kind === 'tweak' ? all.filter((p) => isFieldPath(p) && scalar(p)) : [];
  const paths = fields.length > 0 ? fields : all;
  const path = paths[m.at % paths.length] as PathSegment[];
  const target = getAt(root, path);
  if (m.kind === 'add' && typeof target === 'object' && target !== null && !Array.isArray(target)) {
    Object.defineProperty(target, m.key, { value, enumerable: true, writable: true, configurable: true });
    return { root, path: [...path, m.key] };
  }
  if (m.kind === 'duplicate' && Array.isArray(target) && target.length > 0) {
    target.push(copy(target[m.at % target.length]));
    return { root, path };
  }
  if (path.length === 0) return { root: value, path };
  const parent = getAt(root, path.slice(0, -1)) as Record<PathSegment, unknown> & unknown[];
  const last = path[path.length - 1] as PathSegment;
  if (m.kind === 'tweak' && scalar(path)) {
    parent[last] = (TWEAKS[m.tweak % TWEAKS.length] as (v: string | number) => unknown)(parent[last] as string | number);
    return { root, path };
  }
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = value;
  }
  return { root, path };
}

/** The seed of a run: HOSTILE_SEED when set (to replay one), else a fresh one. */
export function runSeed(): number {
  const fromEnv = process.env['HOSTILE_SEED'];
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
}
