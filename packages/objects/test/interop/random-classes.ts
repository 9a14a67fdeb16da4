// Random class trees for the differential tests: described once as JSON, defined in TypeScript here and in
// oslo by oracle.py's define_class(), with random objects (as specs) and random manifests, from one seed.
import {
  ObjectList,
  VersionedObject,
  f,
  field,
  versionedObject,
  type FieldType,
  type HistoryEntry,
  type ObjectRegistry,
} from '../../src/index.js';
import type { ObjectSpec } from './model.js';

export type TypeDesc =
  | { t: 'string' | 'sensitive' | 'integer' | 'float' | 'boolean' | 'flexbool' | 'uuid' | 'datetime' | 'ipaddr' | 'ipnet' | 'mac' | 'pci' }
  | { t: 'enum'; values: string[] }
  | { t: 'list' | 'set' | 'dict'; of: TypeDesc; nullableItems?: boolean }
  | { t: 'object' | 'objects'; cls: string };

export interface FieldDesc {
  name: string;
  type: TypeDesc;
  nullable: boolean;
  default?: unknown;
}

export interface ClassDesc {
  name: string;
  version: string;
  versions: string[];
  /** An ObjectList whose `objects` hold this class. */
  list?: boolean;
  fields: FieldDesc[];
  /** The version each field first exists in (fields not named exist from 1.0). */
  added: Record<string, string>;
  relationships: Record<string, [string, string][]>;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  subset<T>(items: readonly T[], p: number): T[] {
    return items.filter(() => this.chance(p));
  }
}

const SCALARS = [
  'string',
  'sensitive',
  'integer',
  'float',
  'boolean',
  'flexbool',
  'uuid',
  'datetime',
  'ipaddr',
  'ipnet',
  'mac',
  'pci',
] as const;

function randomType(r: Random): TypeDesc {
  const roll = r.next();
  if (roll < 0.1) return { t: 'enum', values: ['alpha', 'beta', 'gamma'] };
  if (roll < 0.4) {
    const t = r.pick(['list', 'set', 'dict'] as const);
    const of: TypeDesc = { t: r.pick(['string', 'integer'] as const) };
    return t !== 'set' && r.chance(0.3) ? { t, of, nullableItems: true } : { t, of };
  }
  return { t: r.pick(SCALARS) };
}

const versionsUpTo = (minor: number): string[] => Array.from({ length: minor + 1 }, (_, i) => `1.${i}`);
const minorOf = (v: string): number => Number(v.split('.')[1]);

/** Relationship pairs from `since` on: non-decreasing child versions, parents in ascending order. */
function randomRelationship(r: Random, parentVersions: string[], since: string, child: ClassDesc): [string, string][] {
  const parents = parentVersions.filter((v) => minorOf(v) >= minorOf(since));
  const first = r.chance(0.85) ? since : r.pick(parents);
  const pairs: [string, string][] = [];
  let childMinor = r.int(0, child.versions.length - 1);
  for (const p of parents.filter((v) => minorOf(v) >= minorOf(first))) {
    if (pairs.length > 0 && !r.chance(0.5)) continue;
    pairs.push([p, `1.${childMinor}`]);
    childMinor = Math.min(child.versions.length - 1, childMinor + r.int(0, 1));
  }
  return pairs;
}

/** A world: 2-4 plain classes (each may hold earlier ones, alone, in lists, or in an ObjectList) and their lists. */
export function randomWorld(r: Random, prefix: string): ClassDesc[] {
  const classes: ClassDesc[] = [];
  const count = r.int(2, 4);
  for (let i = 0; i < count; i++) {
    const versions = versionsUpTo(r.int(0, 3));
    const desc: ClassDesc = {
      name: `${prefix}C${i}`,
      version: versions.at(-1) as string,
      versions,
      fields: [],
      added: {},
      relationships: {},
    };
    const fieldCount = r.int(2, 6);
    for (let k = 0; k < fieldCount; k++) {
      const type = randomType(r);
      const fd: FieldDesc = { name: `f${k}`, type, nullable: r.chance(0.4) };
      if (r.chance(0.15) && type.t === 'integer') fd.default = 7;
      if (r.chance(0.2) && type.t === 'list') fd.default = [];
      desc.fields.push(fd);
    }
    const children = classes.filter((c) => !c.list);
    const objectFields = children.length ? r.int(0, 3) : 0;
    for (let k = 0; k < objectFields; k++) {
      const child = r.pick(children);
      const holder = r.next();
      let type: TypeDesc;
      let target = child;
      if (holder < 0.4) type = { t: 'object', cls: child.name };
      else if (holder < 0.7) type = { t: 'objects', cls: child.name };
      else {
        target = listOf(r, child, classes);
        type = { t: 'object', cls: target.name };
      }
      desc.fields.push({ name: `o${k}`, type, nullable: r.chance(0.4) });
    }
    for (const fd of desc.fields) {
      const since = r.chance(0.5) ? '1.0' : r.pick(versions);
      if (since !== '1.0') desc.added[fd.name] = since;
      if (fd.type.t === 'object' || fd.type.t === 'objects') {
        const target = classes.find((c) => c.name === (fd.type as { cls: string }).cls) as ClassDesc;
        desc.relationships[fd.name] = randomRelationship(r, versions, since, target);
      }
    }
    classes.push(desc);
  }
  return classes;
}

/** The ObjectList of `item`, made once per world; a quarter of them declare no rule for their items (oslo sends 1.0). */
function listOf(r: Random, item: ClassDesc, classes: ClassDesc[]): ClassDesc {
  const name = `${item.name}List`;
  const existing = classes.find((c) => c.name === name);
  if (existing) return existing;
  const versions = versionsUpTo(r.int(0, 2));
  const desc: ClassDesc = {
    name,
    version: versions.at(-1) as string,
    versions,
    list: true,
    fields: [{ name: 'objects', type: { t: 'objects', cls: item.name }, nullable: false }],
    added: {},
    relationships: r.chance(0.75) ? { objects: randomRelationship(r, versions, '1.0', item) } : {},
  };
  classes.push(desc);
  return desc;
}

function tsType(t: TypeDesc): FieldType {
  switch (t.t) {
    case 'string':
      return f.string();
    case 'sensitive':
      return f.sensitiveString();
    case 'integer':
      return f.integer();
    case 'float':
      return f.float();
    case 'boolean':
      return f.boolean();
    case 'flexbool':
      return f.flexibleBoolean();
    case 'uuid':
      return f.uuid();
    case 'datetime':
      return f.dateTime();
    case 'ipaddr':
      return f.ipAddress();
    case 'ipnet':
      return f.ipNetwork();
    case 'mac':
      return f.macAddress();
    case 'pci':
      return f.pciAddress();
    case 'enum':
      return f.enum(t.values);
    case 'object':
      return f.object(t.cls);
    case 'objects':
      return f.listOfObjects(t.cls);
    default: {
      const of: FieldType = t.nullableItems ? f.nullable(tsType(t.of)) : tsType(t.of);
      return t.t === 'list' ? f.list(of) : t.t === 'set' ? f.set(of) : f.dict(of);
    }
  }
}

/** Define the world's classes in `registry`, as a project would write them: a history and relationships. */
export function defineInTs(world: readonly ClassDesc[], registry: ObjectRegistry): void {
  for (const desc of world) {
    const cls = desc.list ? class extends ObjectList<VersionedObject> {} : class extends VersionedObject {};
    for (const fd of desc.fields) {
      const options: Record<string, unknown> = { nullable: fd.nullable };
      if ('default' in fd) options.default = fd.default;
      (field(tsType(fd.type), options) as (target: object, key: string) => void)(cls.prototype, fd.name);
    }
    const history: HistoryEntry[] = desc.versions.map((version, i) => ({
      version,
      note: i === 0 ? 'Initial version' : `Version ${version}`,
      ...(i > 0 ? { added: Object.keys(desc.added).filter((n) => desc.added[n] === version) } : {}),
    }));
    versionedObject({ name: desc.name, version: desc.version, registry, history, relationships: desc.relationships })(cls);
  }
}

const ALPHABET = [...'abcxyz019 -_', 'é', 'ß', '漢', '😀', '"', '\\'];

function randomValue(r: Random, t: TypeDesc, world: readonly ClassDesc[], depth: number): unknown {
  const hex = (n: number): string => Array.from({ length: n }, () => r.pick([...'0123456789abcdef'])).join('');
  switch (t.t) {
    case 'string':
    case 'sensitive':
      return Array.from({ length: r.int(0, 6) }, () => r.pick(ALPHABET)).join('');
    case 'integer':
      return r.int(-(2 ** 40), 2 ** 40);
    case 'float':
      return r.chance(0.3) ? r.int(-1000, 1000) : Number(((r.next() - 0.5) * 1e6).toPrecision(12)) || 1.5;
    case 'boolean':
    case 'flexbool':
      return r.chance(0.5);
    case 'uuid':
      return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    case 'datetime':
      return `${new Date(r.int(-30_000_000_000, 253_402_300_799) * 1000).toISOString().slice(0, 19)}Z`;
    case 'ipaddr':
      return Array.from({ length: 4 }, () => r.int(0, 255)).join('.');
    case 'ipnet':
      return `${r.int(1, 223)}.${r.int(0, 255)}.0.0/16`;
    case 'mac':
      return Array.from({ length: 6 }, () => hex(2)).join(':');
    case 'pci':
      return `0000:${hex(2)}:${r.pick(['0', '1'])}${hex(1)}.${r.int(0, 7)}`;
    case 'enum':
      return r.pick(t.values);
    case 'object':
      return randomSpec(r, world, t.cls, depth + 1);
    case 'objects':
      return Array.from({ length: r.int(0, 3) }, () => randomSpec(r, world, t.cls, depth + 1));
    case 'list':
    case 'set': {
      const items = Array.from({ length: r.int(0, 4) }, () =>
        t.nullableItems && r.chance(0.2) ? null : randomValue(r, t.of, world, depth),
      );
      return t.t === 'set' ? [...new Set(items)] : items;
    }
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (let i = r.int(0, 3); i > 0; i--)
        out[`k${r.int(0, 9)}`] = t.nullableItems && r.chance(0.2) ? null : randomValue(r, t.of, world, depth);
      return out;
    }
  }
}

function randomValues(r: Random, desc: ClassDesc, world: readonly ClassDesc[], depth: number, p: number): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const fd of desc.fields) {
    if (!r.chance(p)) continue;
    values[fd.name] = fd.nullable && r.chance(0.15) ? null : randomValue(r, fd.type, world, depth);
  }
  return values;
}

/** A random object of `name`: some fields set, some null, some unset, in a random change state. */
export function randomSpec(r: Random, world: readonly ClassDesc[], name: string, depth = 0): ObjectSpec {
  const desc = world.find((c) => c.name === name) as ClassDesc;
  const spec: ObjectSpec = { $object: name, values: randomValues(r, desc, world, depth, desc.list ? 0.9 : 0.7) };
  const state = r.next();
  if (state < 0.35) spec.reset = 'shallow';
  else if (state < 0.6) spec.reset = 'recursive';
  if (spec.reset && r.chance(0.5)) spec.after = randomValues(r, desc, world, depth, 0.25);
  // An ObjectList with its objects unset cannot be sent by oslo at all (see the differences page).
  const set = Object.keys({ ...spec.values, ...spec.after }).filter(() => !desc.list);
  if (set.length && r.chance(0.15)) Object.assign(spec, { unset: [r.pick(set)], unset_forgets_change: true });
  return spec;
}

/** A random manifest: each class in (or left out), at any of its versions. */
export function randomManifest(r: Random, world: readonly ClassDesc[]): Record<string, string> {
  const manifest: Record<string, string> = {};
  for (const desc of world) if (r.chance(0.7)) manifest[desc.name] = r.pick(desc.versions);
  return manifest;
}

/** The world as a release that speaks `manifest` (every class in it): each class at its version there, with the fields it had. */
export function releaseOf(world: readonly ClassDesc[], manifest: Readonly<Record<string, string>>): ClassDesc[] {
  return world.map((desc) => {
    const version = manifest[desc.name] as string;
    const minor = minorOf(version);
    const exists = (name: string): boolean => minorOf(desc.added[name] ?? '1.0') <= minor;
    const relationships: Record<string, [string, string][]> = {};
    for (const [name, pairs] of Object.entries(desc.relationships)) {
      const kept = pairs.filter(([p]) => minorOf(p) <= minor);
      if (exists(name) && kept.length) relationships[name] = kept;
    }
    return {
      ...desc,
      version,
      versions: desc.versions.filter((v) => minorOf(v) <= minor),
      fields: desc.fields.filter((fd) => exists(fd.name)),
      added: Object.fromEntries(Object.entries(desc.added).filter(([name]) => exists(name))),
      relationships,
    };
  });
}
