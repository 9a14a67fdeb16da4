import { Validator, format, type OutputUnit } from '@cfworker/json-schema';
import { WIRE_FORMATS, type JsonSchema } from '@versioned/objects';

// The formats the schemas name are the field types' own checks (a `date-time` without leap seconds...).
Object.assign(format, WIRE_FORMATS);

/**
 * JSON Schema validation for the compatibility check, by an interpreting validator. ajv compiles each
 * schema to code first, ~1-2 ms a schema here: too much for a check that must cover 1000 classes and
 * their older versions in a couple of seconds. A test holds the verdicts equal to ajv's.
 */
export interface SchemaIssue {
  /** JSON keys and array indexes from the root of the instance. */
  readonly path: readonly (string | number)[];
  readonly keyword: string;
  readonly message: string;
}

const validators = new WeakMap<JsonSchema, Validator>();

/** Every way `value` fails `schema`, most specific first-level causes only (empty when it is valid). */
export function validateAgainst(schema: JsonSchema, value: unknown): SchemaIssue[] {
  let validator = validators.get(schema);
  if (!validator) validators.set(schema, (validator = new Validator(schema as never, '7', false)));
  const result = validator.validate(value);
  if (result.valid) return [];
  // The validator reports each failure and every enclosing keyword that failed because of it: keep the innermost.
  const innermost = result.errors.filter(
    (e) => !result.errors.some((o) => o !== e && o.instanceLocation.startsWith(`${e.instanceLocation}/`)) && e.keyword !== 'properties',
  );
  return innermost.map((e) => toIssue(e, value));
}

function toIssue(error: OutputUnit, root: unknown): SchemaIssue {
  const path: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of error.instanceLocation.split('/').slice(1)) {
    const seg = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    path.push(Array.isArray(node) ? Number(seg) : seg);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  // `additionalProperties: false` fails on the extra key itself, as the `false` schema.
  const message = error.keyword === 'false' ? 'is not part of this version' : error.error;
  return { path, keyword: error.keyword, message };
}
