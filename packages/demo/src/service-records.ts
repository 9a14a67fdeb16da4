import type { Manifest, ManifestHistory } from '@versioned/objects';
import type { VersionCapSource } from '@versioned/rpc';

/** What a release speaks: the RPC API version it serves and the key of the object versions it reads. */
export interface ReleaseVersions {
  readonly name: string;
  readonly rpcVersion: string;
  /** A key of the ManifestHistory. */
  readonly objectsVersion: string;
}

/** One running service, as it reports itself when it starts (a row of Cinder's services table). */
export interface ServiceRecord {
  readonly binary: string;
  readonly host: string;
  readonly release: string;
}

/**
 * A stand-in for the services table: a list in memory, so that the demo needs no database. The real one
 * (@versioned/upgrade, planned) keeps the rows in a database, with heartbeats so that a dead row does not
 * hold the pins down. Here a row lives until its service reports again. Pins are those of the oldest
 * release among the rows of a binary, computed on every read: nothing to reload, nothing cached.
 */
export class ServiceRecords {
  private readonly rows = new Map<string, ServiceRecord>();

  /** `releases`: every release this process knows, oldest first. */
  constructor(
    private readonly releases: readonly ReleaseVersions[],
    private readonly objectVersions: ManifestHistory,
  ) {
    if (releases.length === 0) throw new Error('ServiceRecords needs at least one release');
    for (const release of releases) objectVersions.get(release.objectsVersion); // refuse a release naming unknown object versions
  }

  /** What a service does on start: write (or overwrite) its row. */
  report(record: ServiceRecord): void {
    this.rows.set(`${record.binary}@${record.host}`, Object.freeze({ ...record }));
  }

  live(binary: string): ServiceRecord[] {
    return [...this.rows.values()].filter((row) => row.binary === binary);
  }

  /** What a release speaks; a release this process does not know is newer than it, so speaks its newest. */
  versionsOf(release: string): ReleaseVersions {
    return this.releases.find((r) => r.name === release) ?? (this.releases.at(-1) as ReleaseVersions);
  }

  /**
   * The oldest release among the live services of `binary`: everyone talks at its level. No live service
   * means the oldest release known, never "no pin" (operators' bug: pins computed from an empty table).
   */
  oldestRelease(binary: string): ReleaseVersions {
    const rank = (row: ServiceRecord) => this.releases.indexOf(this.versionsOf(row.release));
    const ranks = this.live(binary).map(rank);
    return this.releases[ranks.length === 0 ? 0 : Math.min(...ranks)] as ReleaseVersions;
  }

  /** The client's version cap for `binary`, read on every call. */
  versionCapSource(binary: string): VersionCapSource {
    return () => this.oldestRelease(binary).rpcVersion;
  }

  /** The client's object pins for `binary`, read on every call. */
  manifestSource(binary: string): () => Manifest {
    return () => this.objectVersions.get(this.oldestRelease(binary).objectsVersion);
  }
}
