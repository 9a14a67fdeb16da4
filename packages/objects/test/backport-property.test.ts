import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareVersions, metaOf, type ObjectRegistry } from '../src/index.js';
import { SchemaValidator } from '../src/schema.js';
import { objectFor } from './fixtures/arbitraries.js';
import { current, releaseA, releaseB } from './fixtures/storage.js';

const validator = new SchemaValidator(current);

/** Change lists are sets: order them, at every level. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k.endsWith('.changes') && Array.isArray(v) ? [...v].sort() : normalise(v);
  return out;
}
/** Registries of older releases, each holding some classes at exactly an older version. */
const releases: ObjectRegistry[] = [releaseA, releaseB];
/** Backup records no child versions, so its backports take a manifest for the Volume inside. */
const manifests: Record<string, Record<string, string>> = { Backup: { Volume: '1.2', Attachment: '1.0' } };

for (const meta of current.newestClasses()) {
  for (const { version } of meta.history.entries.filter((e) => compareVersions(e.version, meta.version) < 0)) {
    test(`${meta.name} backported to ${version}: validates against that version's schema and decodes at that version`, () => {
      fc.assert(
        fc.property(objectFor(meta, current), (obj) => {
          const manifest = manifests[meta.name];
          const p = obj.toPrimitive({ targetVersion: version, ...(manifest ? { manifest } : {}) });
          const result = validator.validate(p, { version });
          assert.equal(result.valid, true, JSON.stringify(result.issues));
          const decoded = current.fromPrimitive(p);
          assert.equal(decoded.objVersion, version);
          // Decoding keeps the wire version, so re-encoding gives back exactly what was received.
          assert.deepEqual(normalise(decoded.toPrimitive(manifest ? { manifest } : {})), normalise(p));
          for (const release of releases) {
            if (release.has(meta.name) && release.versions(meta.name).includes(version)) {
              const old = release.fromPrimitive(p);
              assert.equal(metaOf(old).version, version, 'decoded by the class registered at exactly that version');
            }
          }
        }),
        { numRuns: 60 },
      );
    });
  }
}
