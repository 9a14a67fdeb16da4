import type { ObjectMeta, ObjectRegistry } from '@versioned/objects';

/**
 * oslo's test_compatibility_routines, done properly: a sample object backported to every older version the
 * class declares must validate against that version's JSON Schema. Empty while @versioned/objects has no
 * version history.
 */
export function compatProblems(_meta: ObjectMeta, _registry: ObjectRegistry): string[] {
  return [];
}
