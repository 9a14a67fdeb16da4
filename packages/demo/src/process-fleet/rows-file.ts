import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { VolumeRow } from '../releases/host-environment.js';

/**
 * A host's volume rows kept in a JSON file, as a database keeps them: each change is written before the
 * manager answers, so the rows outlive a SIGKILL and the next release on the host (TypeScript or Python:
 * python/volume_host.py reads and writes the same file) finds them.
 */
export class FileRows extends Map<string, VolumeRow> {
  readonly #path: string;

  constructor(path: string) {
    super();
    this.#path = path;
    if (existsSync(path))
      for (const [id, row] of Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, VolumeRow>)) super.set(id, row);
  }

  override set(id: string, row: VolumeRow): this {
    super.set(id, row);
    this.#write();
    return this;
  }

  override delete(id: string): boolean {
    const had = super.delete(id);
    if (had) this.#write();
    return had;
  }

  #write(): void {
    writeFileSync(`${this.#path}.tmp`, JSON.stringify(Object.fromEntries(this)));
    renameSync(`${this.#path}.tmp`, this.#path);
  }
}
