import { compareVersions, type Manifest, type ManifestHistory } from '@versioned/objects';
import type { VersionCapSource } from '@versioned/rpc';

/** One running service, as it reports itself when it starts (a row of Cinder's services table). */
export interface ServiceRecord {
  readonly binary: string;
  readonly host: string;
  readonly release: string;
  /** The newest RPC API version it serves. */
  readonly rpcVersion: string;
  /** The key of the object versions it reads (in the release's ManifestHistory). */
  readonly objectsVersion: string;
}

/**
 * A stand-in for the services table: a list in memory, so that the demo needs no database. The real one
 * (@versioned/upgrade, planned) keeps the rows in a database, with heartbeats to tell live services from
 * dead ones. Caps and pins are the minimum over the live rows of a binary, computed on every read.
 */
export class ServiceRecords {
  private readonly rows = new Map<string, ServiceRecord>();

  constructor(private readonly objectVersions: ManifestHistory) {}

  /** What a service does on start: write (or overwrite) its row. */
  report(record: ServiceRecord): void {
    this.objectVersions.get(record.objectsVersion); // refuse a row naming unknown object versions
    this.rows.set(`${record.binary}@${record.host}`, Object.freeze({ ...record }));
  }

  live(binary: string): ServiceRecord[] {
    return [...this.rows.values()].filter((row) => row.binary === binary);
  }

  /** The live service of `binary` that serves and reads the least: everyone talks at its level. */
  oldest(binary: string): ServiceRecord {
    const rows = this.live(binary);
    const order = this.objectVersions.keys();
    const oldest = rows.reduce<ServiceRecord | undefined>((min, row) => {
      if (min === undefined) return row;
      const byRpc = compareVersions(row.rpcVersion, min.rpcVersion);
      const byObjects = order.indexOf(row.objectsVersion) - order.indexOf(min.objectsVersion);
      return byRpc < 0 || (byRpc === 0 && byObjects < 0) ? row : min;
    }, undefined);
    // No row yet: refuse rather than guess a cap that would then be used (operators' bug: pins from an empty table).
    if (oldest === undefined) throw new Error(`no live ${binary} service is recorded: no version cap can be computed`);
    return oldest;
  }

  /** The client's version cap for `binary`, read on every call. */
  versionCapSource(binary: string): VersionCapSource {
    return () => this.oldest(binary).rpcVersion;
  }

  /** The client's object pins for `binary`, read on every call. */
  manifestSource(binary: string): () => Manifest {
    return () => this.objectVersions.get(this.oldest(binary).objectsVersion);
  }
}
