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

  /** The live service of `binary` serving the oldest API version (ties: the oldest objects): everyone talks at its level. */
  oldest(binary: string): ServiceRecord {
    const order = this.objectVersions.keys();
    const [oldest] = this.requireLive(binary).sort(
      (a, b) => compareVersions(a.rpcVersion, b.rpcVersion) || order.indexOf(a.objectsVersion) - order.indexOf(b.objectsVersion),
    );
    return oldest as ServiceRecord;
  }

  /** The minimum API version served (Cinder's determine_rpc_version_cap). */
  minimumRpcVersion(binary: string): string {
    return this.requireLive(binary)
      .map((row) => row.rpcVersion)
      .reduce((min, v) => (compareVersions(v, min) < 0 ? v : min));
  }

  /** The oldest object versions read (Cinder's determine_obj_version_cap), a key of the history. */
  minimumObjectsVersion(binary: string): string {
    const order = this.objectVersions.keys();
    return this.requireLive(binary)
      .map((row) => row.objectsVersion)
      .reduce((min, v) => (order.indexOf(v) < order.indexOf(min) ? v : min));
  }

  /** The live rows of `binary`; none is an error rather than a guess (operators' bug: pins computed from an empty table). */
  private requireLive(binary: string): ServiceRecord[] {
    const rows = this.live(binary);
    if (rows.length === 0) throw new Error(`no live ${binary} service is recorded: no version cap can be computed`);
    return rows;
  }

  /** The client's version cap for `binary`, read on every call. */
  versionCapSource(binary: string): VersionCapSource {
    return () => this.minimumRpcVersion(binary);
  }

  /** The client's object pins for `binary`, read on every call. */
  manifestSource(binary: string): () => Manifest {
    return () => this.objectVersions.get(this.minimumObjectsVersion(binary));
  }
}
