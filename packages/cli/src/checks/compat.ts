import { SchemaValidator, formatPath, isVersionedError, type ObjectMeta, type ObjectRegistry } from '@versioned/objects';
import { sampleObject } from '../sample.js';

const validators = new WeakMap<ObjectRegistry, SchemaValidator>();

/**
 * oslo's test_compatibility_routines, done properly: a sample object with every field set, backported to
 * every older version the class declares, must VALIDATE against that version's JSON Schema.
 */
export function compatProblems(meta: ObjectMeta, registry: ObjectRegistry): string[] {
  const older = meta.history.entries.slice(0, -1).map((e) => e.version);
  if (older.length === 0) return [];
  let validator = validators.get(registry);
  if (!validator) validators.set(registry, (validator = new SchemaValidator(registry)));
  let sample;
  try {
    sample = sampleObject(meta, registry);
  } catch (err) {
    return [`cannot build a sample ${meta.name} to backport: ${messageOf(err)}`];
  }
  const problems: string[] = [];
  for (const version of older) {
    let primitive;
    try {
      primitive = sample.toPrimitive({ targetVersion: version });
    } catch (err) {
      problems.push(`backporting a sample ${meta.name} ${meta.version} to ${version} fails: ${messageOf(err)}`);
      continue;
    }
    let result;
    try {
      result = validator.validate(primitive, { name: meta.name, version });
    } catch (err) {
      problems.push(`no JSON Schema for ${meta.name} ${version}: ${messageOf(err)}`);
      continue;
    }
    if (!result.valid) {
      const issues = result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
      problems.push(`a sample ${meta.name} ${meta.version} backported to ${version} does not validate against the ${version} schema: ${issues.join('; ')}`);
    }
  }
  return problems;
}

function messageOf(err: unknown): string {
  if (isVersionedError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}
