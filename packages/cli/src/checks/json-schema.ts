import stableStringify from 'fast-json-stable-stringify';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { JsonSchema } from '@versioned/objects';

/**
 * A JSON Schema (draft-07) evaluator for the keywords @versioned/objects generates, with ajv-formats' own
 * format checks. It exists for speed: compiling a schema with ajv costs ~1-2 ms, which is too much for a
 * check that must cover 1000 classes in a couple of seconds. Any keyword it does not know makes it throw
 * UnsupportedSchema, and the caller falls back to ajv; a test holds its verdicts equal to ajv's.
 */
export class UnsupportedSchema extends Error {
  constructor(detail: string) {
    super(`the schema uses ${detail}, which the fast validator does not evaluate`);
    this.name = 'UnsupportedSchema';
  }
}

export interface FastIssue {
  /** JSON keys and array indexes from the root of the instance. */
  readonly path: readonly (string | number)[];
  readonly keyword: string;
  readonly message: string;
}

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'definitions', '$comment', 'examples', 'default']);
const patterns = new Map<string, RegExp>();

type FormatCheck = (value: string) => boolean;
const formats = new Map<string, FormatCheck>();
for (const [name, def] of Object.entries(fullFormats as Record<string, unknown>)) {
  const check = def instanceof RegExp ? def : typeof def === 'function' ? def : (def as { validate?: unknown }).validate;
  if (check instanceof RegExp) formats.set(name, (v) => check.test(v));
  else if (typeof check === 'function') formats.set(name, check as FormatCheck);
}

/** Every way `value` fails `schema` (empty when it is valid). `$ref`s resolve against `schema.definitions`. */
export function validateAgainst(schema: JsonSchema, value: unknown): FastIssue[] {
  const issues: FastIssue[] = [];
  const definitions = (schema.definitions ?? {}) as Record<string, JsonSchema>;
  evaluate(schema, value, [], issues, definitions);
  return issues;
}

function evaluate(schema: JsonSchema | boolean, value: unknown, path: (string | number)[], issues: FastIssue[], defs: Record<string, JsonSchema>): void {
  if (schema === true) return;
  if (schema === false) {
    issues.push({ path, keyword: 'false schema', message: 'is not allowed' });
    return;
  }
  const fail = (keyword: string, message: string, at = path): void => {
    issues.push({ path: at, keyword, message });
  };
  for (const [keyword, arg] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case '$ref': {
        const ref = String(arg);
        const target = ref.startsWith('#/definitions/') ? defs[decodeURIComponent(ref.slice('#/definitions/'.length))] : undefined;
        if (!target) throw new UnsupportedSchema(`$ref ${ref}`);
        evaluate(target, value, path, issues, defs);
        break;
      }
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
        if (!types.some((t) => hasType(value, t))) fail('type', `must be ${types.join(',')}`);
        break;
      }
      case 'const':
        if (!jsonEqual(value, arg)) fail('const', 'must be equal to constant');
        break;
      case 'enum':
        if (!(arg as unknown[]).some((v) => jsonEqual(value, v))) fail('enum', 'must be equal to one of the allowed values');
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (arg as number)) fail('minimum', `must be >= ${arg}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (arg as number)) fail('maximum', `must be <= ${arg}`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !patternOf(arg as string).test(value)) fail('pattern', `must match pattern "${arg}"`);
        break;
      case 'format': {
        const check = formats.get(arg as string);
        if (!check) throw new UnsupportedSchema(`format "${String(arg)}"`);
        if (typeof value === 'string' && !check(value)) fail('format', `must match format "${arg}"`);
        break;
      }
      case 'items':
        if (typeof arg !== 'object' || Array.isArray(arg)) throw new UnsupportedSchema('tuple items');
        if (Array.isArray(value)) value.forEach((item, i) => evaluate(arg as JsonSchema, item, [...path, i], issues, defs));
        break;
      case 'uniqueItems':
        if (arg === true && Array.isArray(value) && new Set(value.map((v) => stableStringify(v))).size !== value.length) {
          fail('uniqueItems', 'must NOT have duplicate items');
        }
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (arg as number)) fail('maxItems', `must NOT have more than ${arg} items`);
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (arg as number)) fail('minItems', `must NOT have fewer than ${arg} items`);
        break;
      case 'required':
        if (isObject(value)) for (const key of arg as string[]) if (!Object.hasOwn(value, key)) fail('required', 'is required', [...path, key]);
        break;
      case 'properties':
        if (isObject(value)) {
          for (const [key, sub] of Object.entries(arg as Record<string, JsonSchema>)) {
            if (Object.hasOwn(value, key)) evaluate(sub, value[key], [...path, key], issues, defs);
          }
        }
        break;
      case 'additionalProperties':
        if (isObject(value)) {
          const known = (schema.properties ?? {}) as Record<string, unknown>;
          if (schema.patternProperties !== undefined) throw new UnsupportedSchema('patternProperties');
          for (const key of Object.keys(value)) {
            if (Object.hasOwn(known, key)) continue;
            if (arg === false) fail('additionalProperties', 'is not part of this version', [...path, key]);
            else evaluate(arg as JsonSchema, value[key], [...path, key], issues, defs);
          }
        }
        break;
      case 'anyOf':
      case 'oneOf': {
        const passing = (arg as JsonSchema[]).filter((sub) => {
          const inner: FastIssue[] = [];
          evaluate(sub, value, path, inner, defs);
          return inner.length === 0;
        }).length;
        if (keyword === 'anyOf' ? passing === 0 : passing !== 1) fail(keyword, `must match ${keyword === 'anyOf' ? 'a' : 'exactly one'} schema in ${keyword}`);
        break;
      }
      case 'allOf':
        for (const sub of arg as JsonSchema[]) evaluate(sub, value, path, issues, defs);
        break;
      default:
        throw new UnsupportedSchema(`the keyword "${keyword}"`);
    }
  }
}

/** Structural equality of JSON values; scalars without serialising them. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return stableStringify(a) === stableStringify(b);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      throw new UnsupportedSchema(`the type "${type}"`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source, 'u')));
  return re;
}
