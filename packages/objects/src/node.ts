// The Node-only entry, `@versioned/objects/node`: helpers that use the file system. The default entry and
// `@versioned/objects/schema` import no `node:` module, so they bundle for a browser.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRegistry, type ObjectRegistry } from './registry.js';
import { jsonSchemaFor, schemaVersions } from './schema.js';

/** Write every schema as `<dir>/<Name>/<version>.schema.json`, for other languages. Returns the files written. */
export function exportSchemas(dir: string, registry: ObjectRegistry = defaultRegistry): string[] {
  const files: string[] = [];
  for (const { name, version } of schemaVersions(registry)) {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${version}.schema.json`);
    writeFileSync(file, `${JSON.stringify(jsonSchemaFor(name, version, registry), null, 2)}\n`);
    files.push(file);
  }
  return files;
}
