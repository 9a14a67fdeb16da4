import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import type { ObjectMeta, ObjectRegistry } from '@versioned/objects';
import { describeObject, type ObjectDescription } from './describe.js';

/** A class's fingerprint: `<version>-<sha256 of the canonical description>`, and what it was computed from. */
export interface ObjectFingerprint {
  readonly name: string;
  readonly version: string;
  readonly fingerprint: string;
  readonly description: ObjectDescription;
}

/** The sha256 (hex) of the description's canonical JSON (keys sorted at every level). */
export function hashDescription(description: ObjectDescription): string {
  return createHash('sha256').update(stableStringify(description), 'utf8').digest('hex');
}

/** The fingerprint of a class: its name and version, `<version>-<sha256>` of its canonical description, and the description. */
export function fingerprintOf(meta: ObjectMeta, registry: ObjectRegistry): ObjectFingerprint {
  const description = describeObject(meta, registry);
  return { name: meta.name, version: meta.version, fingerprint: `${meta.version}-${hashDescription(description)}`, description };
}

/** The fingerprint of the newest class of every registered name, by name. */
export function fingerprintRegistry(registry: ObjectRegistry): Map<string, ObjectFingerprint> {
  const out = new Map<string, ObjectFingerprint>();
  for (const meta of registry.newestClasses()) out.set(meta.name, fingerprintOf(meta, registry));
  return out;
}
