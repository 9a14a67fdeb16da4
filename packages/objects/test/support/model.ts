/**
 * A class with a field of every type, its child classes, and fast-check arbitraries that build
 * valid instances of them from raw (not yet coerced) values. Shared by the property tests.
 */
import fc from 'fast-check';
import { ObjectList, ObjectRegistry, VersionedObject, f, field, versionedObject } from '../../src/index.js';

export const registry = new ObjectRegistry();

@versionedObject({ name: 'Part', version: '1.2', registry })
export class Part extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string(), { nullable: true }) declare label: string | null;
  @field(f.dict(f.integer())) declare counts: Record<string, number>;
}

@versionedObject({ name: 'PartList', version: '1.0', registry })
export class PartList extends ObjectList<Part> {
  @field(f.listOfObjects('Part'), { default: [] }) declare objects: Part[];
}

const STATES: Record<string, readonly string[]> = { new: ['active', 'failed'], active: ['retired'], failed: ['retired'], retired: [] };

@versionedObject({ name: 'Everything', version: '1.4', registry })
export class Everything extends VersionedObject {
  @field(f.string()) declare string: string;
  @field(f.sensitiveString()) declare sensitive: string;
  @field(f.integer()) declare integer: number;
  @field(f.nonNegativeInteger()) declare nonNegativeInteger: number;
  @field(f.float()) declare float: number;
  @field(f.nonNegativeFloat()) declare nonNegativeFloat: number;
  @field(f.boolean()) declare boolean: boolean;
  @field(f.flexibleBoolean()) declare flexibleBoolean: boolean;
  @field(f.uuid()) declare uuid: string;
  @field(f.dateTime()) declare dateTime: Date;
  @field(f.dateTime({ precision: 'millisecond' })) declare dateTimeMs: Date;
  @field(f.enum(['raw', 'qcow2', 'vmdk'])) declare enumeration: string;
  @field(f.stateMachine(STATES)) declare state: string;
  @field(f.ipAddress()) declare ip: string;
  @field(f.ipv4Address()) declare ip4: string;
  @field(f.ipv6Address()) declare ip6: string;
  @field(f.ipv4AndV6Address()) declare ip46: string;
  @field(f.ipNetwork()) declare net: string;
  @field(f.ipv4Network()) declare net4: string;
  @field(f.ipv6Network()) declare net6: string;
  @field(f.macAddress()) declare mac: string;
  @field(f.pciAddress()) declare pci: string;
  @field(f.list(f.integer())) declare listOfIntegers: number[];
  @field(f.list(f.dateTime())) declare listOfDates: Date[];
  @field(f.list(f.list(f.string()))) declare listOfLists: string[][];
  @field(f.dict(f.string())) declare dictOfStrings: Record<string, string>;
  @field(f.dict(f.list(f.uuid()))) declare dictOfUuidLists: Record<string, string[]>;
  @field(f.set(f.string())) declare setOfStrings: Set<string>;
  @field(f.set(f.integer())) declare setOfIntegers: Set<number>;
  @field(f.string(), { nullable: true }) declare nullableString: string | null;
  @field(f.integer(), { nullable: true, default: 3 }) declare nullableWithDefault: number | null;
  @field(f.object('Part'), { nullable: true }) declare child: Part | null;
  @field(f.listOfObjects('Part')) declare children: Part[];
  @field(f.dict(f.object('Part'))) declare childrenByName: Record<string, Part>;
  @field(f.object('PartList')) declare partList: PartList;
}

/** Keys that must stay plain data: prototype-related names and ordinary ones. */
export const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', 'polluted'),
  fc.string({ maxLength: 8 }),
);

/** A plain object built with own keys only, whatever the key (a `__proto__` key stays data). */
export function ownRecord<V>(entries: readonly (readonly [string, V])[]): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const dict = <V>(value: fc.Arbitrary<V>): fc.Arbitrary<Record<string, V>> =>
  fc.array(fc.tuple(hostileKey, value), { maxLength: 4 }).map((entries) => ownRecord(entries));

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const randomCase = (s: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(s, fc.boolean()).map(([v, up]) => (up ? v.toUpperCase() : v));

const MIN_DATE = new Date('0001-01-01T00:00:00.000Z');
const MAX_DATE = new Date('9999-12-31T23:59:59.999Z');
const date = fc.date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true });
/** The same instant written in another offset: `2021-03-04T05:06:07.890+02:00`. */
const isoWithOffset = fc
  .tuple(
    fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9000-01-01T00:00:00Z'), noInvalidDate: true }),
    fc.integer({ min: -56, max: 56 }),
  )
  .map(([d, quarters]) => {
    const minutes = quarters * 15;
    const local = new Date(d.getTime() + minutes * 60_000).toISOString().slice(0, 23);
    const sign = minutes < 0 ? '-' : '+';
    const abs = Math.abs(minutes);
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  });
const dateInput = fc.oneof(
  date,
  date.map((d) => d.toISOString()),
  isoWithOffset,
);

const integer = fc.oneof(fc.maxSafeInteger(), fc.maxSafeInteger().map(String));
const ipv4 = fc.ipV4();
const ipv6 = randomCase(fc.ipV6());
const prefix = (max: number) => fc.integer({ min: 0, max });

/** Raw values each field accepts; assignment normalises them. */
export const fieldInputs = {
  string: fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.integer()),
  sensitive: fc.string({ maxLength: 12 }),
  integer,
  nonNegativeInteger: fc.oneof(fc.maxSafeNat(), fc.maxSafeNat().map(String)),
  float: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)),
  nonNegativeFloat: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
  boolean: fc.boolean(),
  flexibleBoolean: fc.constantFrom<unknown>(true, false, 0, 1, 'yes', 'No', ' on ', 'OFF', 't', 'F', 'y', 'n', '1', '0', 'true', 'FALSE'),
  uuid: randomCase(fc.uuid()),
  dateTime: dateInput,
  dateTimeMs: dateInput,
  enumeration: fc.constantFrom('raw', 'qcow2', 'vmdk'),
  state: fc.constantFrom(...Object.keys(STATES)),
  ip: fc.oneof(ipv4, ipv6),
  ip4: ipv4,
  ip6: ipv6,
  ip46: fc.oneof(ipv4, ipv6),
  net: fc.oneof(
    fc.tuple(ipv4, prefix(32)).map(([a, p]) => `${a}/${p}`),
    fc.tuple(ipv6, prefix(128)).map(([a, p]) => `${a}/${p}`),
    ipv4,
  ),
  net4: fc.tuple(ipv4, prefix(32)).map(([a, p]) => `${a}/${p}`),
  net6: fc.oneof(
    fc.tuple(ipv6, prefix(128)).map(([a, p]) => `${a}/${p}`),
    ipv6,
  ),
  mac: fc
    .tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }), fc.constantFrom(':', '-'), fc.boolean())
    .map(([bytes, sep, up]) => {
      const s = bytes.map((b) => hex(b, 2)).join(sep);
      return up ? s.toUpperCase() : s;
    }),
  pci: randomCase(
    fc
      .tuple(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xff }),
        fc.integer({ min: 0, max: 0x1f }),
        fc.integer({ min: 0, max: 7 }),
      )
      .map(([d, b, s, fn]) => `${hex(d, 4)}:${hex(b, 2)}:${hex(s, 2)}.${fn}`),
  ),
  listOfIntegers: fc.array(integer, { maxLength: 5 }),
  listOfDates: fc.array(dateInput, { maxLength: 3 }),
  listOfLists: fc.array(fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), { maxLength: 3 }),
  dictOfStrings: dict(fc.string({ unit: 'binary', maxLength: 6 })),
  dictOfUuidLists: dict(fc.array(randomCase(fc.uuid()), { maxLength: 2 })),
  setOfStrings: fc
    .tuple(fc.array(fc.string({ maxLength: 4 }), { maxLength: 5 }), fc.boolean())
    .map(([a, asSet]) => (asSet ? new Set(a) : a)),
  setOfIntegers: fc.array(fc.integer(), { maxLength: 5 }).map((a) => new Set(a)),
  nullableString: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
  nullableWithDefault: fc.option(fc.integer(), { nil: null }),
};

/** Build an object from values, then forget the changes of the fields in `reset`. */
function build<T extends VersionedObject>(cls: new () => T, values: Record<string, unknown>, reset: string[]): T {
  const obj = new cls();
  obj.update(values as never);
  obj.resetChanges(reset.filter((name) => name in values) as never);
  return obj;
}

const partFields = ['id', 'label', 'counts'];
export const partArb: fc.Arbitrary<Part> = fc
  .tuple(
    fc.record(
      { id: fieldInputs.uuid, label: fc.option(fc.string({ maxLength: 6 }), { nil: null }), counts: dict(fc.integer()) },
      { requiredKeys: [] },
    ),
    fc.subarray(partFields),
  )
  .map(([values, reset]) => build(Part, values, reset));

export const partListArb: fc.Arbitrary<PartList> = fc
  .tuple(fc.option(fc.array(partArb, { maxLength: 3 }), { nil: undefined }), fc.boolean())
  .map(([objects, reset]) => build(PartList, objects === undefined ? {} : { objects }, reset ? ['objects'] : []));

const everythingInputs = {
  ...fieldInputs,
  child: fc.option(partArb, { nil: null }),
  children: fc.array(partArb, { maxLength: 3 }),
  childrenByName: dict(partArb),
  partList: partListArb,
};

export const everythingFields = Object.keys(everythingInputs);

/** A valid Everything with a random subset of fields set and a random subset of changes forgotten. */
export const everythingArb: fc.Arbitrary<Everything> = fc
  .tuple(fc.record(everythingInputs, { requiredKeys: [] }), fc.subarray(everythingFields))
  .map(([values, reset]) => build(Everything, values as Record<string, unknown>, reset));
