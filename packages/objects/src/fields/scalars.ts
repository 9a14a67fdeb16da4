import { FieldType, type JsonSchema, type TypeDescription } from './type.js';
import { VersionedError } from '../errors.js';
import { describeValue } from '../version.js';
import type { EncodeContext } from '../to-primitive.js';

/** oslo's String: a string, or a finite number kept as its text; a boolean is refused. */
export class StringType extends FieldType<string> {
  readonly kind: string = 'String';
  readonly expected: string = 'a string';
  jsonSchema(): JsonSchema {
    // A number on the wire is read as its text, as oslo reads it.
    return { type: ['string', 'number'] };
  }
  coerce(value: unknown): string {
    if (typeof value === 'string') return value;
    // oslo stringifies numbers too; that loses nothing.
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    // A boolean is refused: Python would store "True", JavaScript "true", and neither is what was meant.
    throw this.invalid(value, typeof value === 'boolean' ? 'a boolean is not a string' : undefined);
  }
  // Each scalar type decodes through a fromPrimitive of its own: the base one's `this.coerce` call is shared by
  // every type, so V8 cannot inline it; here it is one class's (or its subclasses'), and it inlines.
  override fromPrimitive(value: unknown): string {
    return this.coerce(value);
  }
}

/** A string that is masked when the object is printed or logged; it crosses the wire in clear, as in oslo. */
export class SensitiveStringType extends StringType {
  override readonly kind = 'SensitiveString';
  readonly sensitive = true;
}

const INTEGER_STRING = /^[+-]?\d{1,16}$/;
const FLOAT_STRING = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Integer and Float: a number, or a decimal string read as one (as oslo's int() and float() read it), held
 * as a number; `min` 0 makes the NonNegative kind. -0 is held as 0 (JSON has no -0).
 */
export abstract class NumberType extends FieldType<number> {
  readonly kind: string;
  readonly expected: string;
  /** The decimal strings read as numbers. */
  protected abstract readonly strings: RegExp;
  constructor(
    kind: string,
    expected: string,
    readonly min?: number,
  ) {
    super();
    this.kind = min === 0 ? `NonNegative${kind}` : kind;
    this.expected = min === 0 ? `a non-negative ${expected}` : `${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
  }
  coerce(value: unknown): number {
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && this.strings.test(value)) n = Number(value);
    else throw this.invalid(value);
    this.check(n, value);
    if (this.min !== undefined && n < this.min) throw this.invalid(value);
    return n === 0 ? 0 : n;
  }
  /** Throws if the number read from `value` is not one of the type's. */
  protected abstract check(n: number, value: unknown): void;
}

/** oslo's Integer (`min` 0: NonNegativeInteger): a safe integer or a decimal string of one; never truncated. */
export class IntegerType extends NumberType {
  protected readonly strings = INTEGER_STRING;
  constructor(min?: number) {
    super('Integer', 'integer', min);
  }
  jsonSchema(): JsonSchema {
    // A decimal string is read as its number, as oslo's int() does; JavaScript holds integers exactly up to 2^53 - 1.
    return {
      type: ['integer', 'string'],
      minimum: this.min ?? -Number.MAX_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
      format: this.min === 0 ? 'non-negative-integer-string' : 'integer-string',
    };
  }
  protected check(n: number, value: unknown): void {
    // oslo truncates 1.9 to 1; a silent truncation is data loss, so it is refused here.
    if (!Number.isSafeInteger(n)) throw this.invalid(value, Number.isInteger(n) ? 'outside the safe integer range' : undefined);
  }
  override fromPrimitive(value: unknown): number {
    return this.coerce(value);
  }
}

/** oslo's Float (`min` 0: NonNegativeFloat): a finite number or a numeric string. */
export class FloatType extends NumberType {
  protected readonly strings = FLOAT_STRING;
  constructor(min?: number) {
    super('Float', 'finite number', min);
  }
  jsonSchema(): JsonSchema {
    const schema: JsonSchema = { type: ['number', 'string'], format: this.min === 0 ? 'non-negative-float-string' : 'float-string' };
    if (this.min !== undefined) schema['minimum'] = this.min;
    return schema;
  }
  protected check(n: number, value: unknown): void {
    // JSON cannot carry NaN or Infinity.
    if (!Number.isFinite(n)) throw this.invalid(value);
  }
}

/** oslo's Boolean, strict: only `true` and `false` are accepted (oslo's truthiness would read `'no'` as true). */
export class BooleanType extends FieldType<boolean> {
  readonly kind = 'Boolean';
  readonly expected = 'a boolean';
  jsonSchema(): JsonSchema {
    return { type: 'boolean' };
  }
  coerce(value: unknown): boolean {
    // oslo uses truthiness ('no' -> True); only real booleans are accepted here.
    if (typeof value === 'boolean') return value;
    throw this.invalid(value);
  }
  override fromPrimitive(value: unknown): boolean {
    return this.coerce(value);
  }
}

const TRUE_STRINGS = new Set(['1', 't', 'true', 'on', 'y', 'yes']);
const FALSE_STRINGS = new Set(['0', 'f', 'false', 'off', 'n', 'no']);

/** oslo's FlexibleBoolean ('yes', 'on', 1...), but an unrecognised string is an error rather than false. */
export class FlexibleBooleanType extends FieldType<boolean> {
  readonly kind = 'FlexibleBoolean';
  readonly expected = 'a boolean or one of "true/false, yes/no, on/off, 1/0, t/f, y/n"';
  jsonSchema(): JsonSchema {
    // Both oslo and this package emit a boolean; a receiver reads the looser spellings too, as oslo's does.
    return { anyOf: [{ type: 'boolean' }, { enum: [0, 1] }, { type: 'string', format: 'flexible-boolean' }] };
  }
  coerce(value: unknown): boolean {
    if (typeof value === 'boolean') return value;
    if (value === 1 || value === 0) return value === 1;
    if (typeof value === 'string') {
      const s = value.trim().toLowerCase();
      if (TRUE_STRINGS.has(s)) return true;
      if (FALSE_STRINGS.has(s)) return false;
    }
    throw this.invalid(value);
  }
}

/** A string that matches a pattern once normalised (oslo's StringPattern). */
export abstract class PatternType extends FieldType<string> {
  protected abstract readonly pattern: RegExp;
  protected abstract readonly schema: JsonSchema;
  /** The spelling a value is tried again in when it does not match the pattern as given (lower case by default). */
  protected normalise(text: string): string {
    return text.toLowerCase();
  }
  jsonSchema(): JsonSchema {
    return this.schema;
  }
  coerce(value: unknown): string {
    if (typeof value === 'string') {
      if (this.pattern.test(value)) return value; // already normalised: the common case on the wire
      const normalised = this.normalise(value);
      if (this.pattern.test(normalised)) return normalised;
    }
    throw this.invalid(value);
  }
  override fromPrimitive(value: unknown): string {
    return this.coerce(value);
  }
}

/** Validated, unlike oslo's UUIDField, and normalised to lower case. */
export class UUIDType extends PatternType {
  readonly kind = 'UUID';
  readonly expected = 'a UUID';
  protected readonly pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  protected readonly schema = { type: 'string', format: 'uuid' };
}

/** What {@link f.dateTime} keeps: whole seconds (`second`, oslo's wire form) or milliseconds. */
export type DateTimePrecision = 'second' | 'millisecond';

const MIN_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A timezone-aware instant. The default precision is oslo's wire form `YYYY-MM-DDTHH:MM:SSZ`; the value is
 * truncated when assigned, so what the object holds is exactly what crosses the wire. `millisecond` keeps
 * sub-second precision (`...SS.sssZ`, which oslo also parses).
 */
export class DateTimeType extends FieldType<Date> {
  readonly kind = 'DateTime';
  readonly expected = 'a date-time (a Date or an ISO 8601 string)';
  override readonly identity = false;
  constructor(readonly precision: DateTimePrecision = 'second') {
    super();
  }
  jsonSchema(): JsonSchema {
    return { type: 'string', format: 'date-time' };
  }
  coerce(value: unknown): Date {
    let ms: number;
    if (value instanceof Date) ms = value.getTime();
    else if (typeof value === 'string') ms = parseIsoTime(value);
    else throw this.invalid(value);
    if (Number.isNaN(ms)) throw this.invalid(value);
    // The wire form has a four-digit year and Python's datetime holds years 1 to 9999.
    if (ms < MIN_INSTANT || ms > MAX_INSTANT) throw this.invalid(value, 'the year must be 1 to 9999');
    return new Date(this.precision === 'second' ? Math.floor(ms / 1000) * 1000 : ms);
  }
  override fromPrimitive(value: unknown): Date {
    return this.coerce(value);
  }
  override toPrimitive(value: Date, _ctx: EncodeContext): string {
    // A held Date can still be changed in place (setTime): one that no longer fits the wire form is refused here.
    const time = value.getTime();
    if (!(time >= MIN_INSTANT && time <= MAX_INSTANT)) {
      throw new VersionedError('invalid_value', `holds ${describeValue(value)}, which has no wire form (the year must be 1 to 9999)`, {
        details: { expected: this.expected, type: this.kind },
      });
    }
    // A whole second goes out as oslo writes it, without a fraction, so both sides emit the same envelope.
    if (this.precision !== 'second' && time % 1000 !== 0) return value.toISOString();
    const y = value.getUTCFullYear();
    // toISOString() and a slice cost 2-3x this; it stays the path for years it would write differently (and invalid dates).
    if (!(y >= 1000 && y <= 9999)) return `${value.toISOString().slice(0, 19)}Z`;
    return `${y}-${TWO_DIGITS[value.getUTCMonth() + 1]}-${TWO_DIGITS[value.getUTCDate()]}T${TWO_DIGITS[value.getUTCHours()]}:${TWO_DIGITS[value.getUTCMinutes()]}:${TWO_DIGITS[value.getUTCSeconds()]}Z`;
  }
  override clone(value: Date): Date {
    return new Date(value.getTime());
  }
  /** Two Dates of the same instant are one member of a Set. */
  override setKey(value: Date): unknown {
    return value.getTime();
  }
  override describe(): TypeDescription {
    return { type: this.kind, precision: this.precision };
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two decimal digits at `i` as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  // `>>> 0` makes a negative difference huge: one comparison per digit.
  return a >>> 0 <= 9 && b >>> 0 <= 9 ? a * 10 + b : -1;
}

/** The wire forms `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS.sssZ`, parsed without a regex; NaN if not one. */
function parseCanonical(text: string): number {
  const len = text.length;
  if ((len !== 20 && len !== 24) || text.charCodeAt(len - 1) !== 90 /* Z */) return NaN;
  if (
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  )
    return NaN;
  const century = twoDigits(text, 0),
    yy = twoDigits(text, 2),
    mo = twoDigits(text, 5),
    d = twoDigits(text, 8);
  const h = twoDigits(text, 11),
    mi = twoDigits(text, 14),
    s = twoDigits(text, 17);
  let ms = 0;
  if (len === 24) {
    const hundreds = text.charCodeAt(20) - 48;
    const rest = twoDigits(text, 21);
    if (text.charCodeAt(19) !== 46 || hundreds < 0 || hundreds > 9 || rest < 0) return NaN;
    ms = hundreds * 100 + rest;
  }
  // Date.UTC maps years below 100 to 19xx: leave those to the general path.
  if (century < 1 || yy < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return NaN;
  const y = century * 100 + yy;
  if (d > 28) {
    const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (d > (DAYS_IN_MONTH[mo - 1] as number) + (leap ? 1 : 0)) return NaN;
  }
  return (((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): integer math, no Date.UTC. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** ISO 8601 with a date and a time; a missing offset means UTC (as oslo's tz-aware DateTime does). */
function parseIsoTime(text: string): number {
  const fast = parseCanonical(text);
  if (!Number.isNaN(fast)) return fast;
  const m = ISO_RE.exec(text);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = m;
  const offset =
    zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.length === 3 ? `${zone}:00` : zone;
  const ms = frac ? `.${frac.slice(1, 4).padEnd(3, '0')}` : '';
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${offset}`);
  // Date.parse rolls 2021-02-30 over into March; refuse dates that do not exist.
  if (Number.isNaN(t) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return NaN;
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  return check.getUTCDate() === Number(d) ? t : NaN;
}

export class EnumType<T extends string = string> extends FieldType<T> {
  readonly kind: string = 'Enum';
  readonly expected: string;
  readonly values: readonly T[];
  private readonly allowed: ReadonlySet<string>;
  constructor(values: readonly T[]) {
    super();
    if (values.length === 0) throw new TypeError('an Enum needs at least one value');
    this.values = [...values];
    this.allowed = new Set(values);
    this.expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  jsonSchema(): JsonSchema {
    return { type: 'string', enum: [...this.values] };
  }
  coerce(value: unknown): T {
    if (typeof value === 'string' && this.allowed.has(value)) return value as T;
    throw this.invalid(value);
  }
  override fromPrimitive(value: unknown): T {
    return this.coerce(value);
  }
  override describe(): TypeDescription {
    return { type: this.kind, values: [...this.values].sort() };
  }
}

/** An Enum whose value may only move along the allowed transitions once it is set. */
export class StateMachineType<T extends string = string> extends EnumType<T> {
  override readonly kind = 'StateMachine';
  readonly transitions: Readonly<Record<T, readonly T[]>>;
  constructor(transitions: Readonly<Record<T, readonly T[]>>) {
    super(Object.keys(transitions) as T[]);
    for (const [from, targets] of Object.entries(transitions) as [T, T[]][]) {
      for (const to of targets) {
        if (!(this.values as readonly string[]).includes(to)) throw new TypeError(`StateMachine: ${from} -> ${to}: ${to} is not a state`);
      }
    }
    this.transitions = transitions;
  }
  override coerce(value: unknown, current?: T): T {
    const next = super.coerce(value);
    if (current === undefined || current === next) return next;
    const allowed = this.transitions[current] ?? [];
    if (!allowed.includes(next)) {
      throw this.invalid(
        value,
        `not allowed to transition from ${JSON.stringify(current)}; allowed: ${allowed.length ? allowed.map((v) => JSON.stringify(v)).join(', ') : 'none (terminal state)'}`,
      );
    }
    return next;
  }
  override describe(): TypeDescription {
    const transitions: Record<string, string[]> = {};
    for (const key of Object.keys(this.transitions).sort()) transitions[key] = [...this.transitions[key as T]].sort();
    return { type: this.kind, values: [...this.values].sort(), transitions };
  }
}
