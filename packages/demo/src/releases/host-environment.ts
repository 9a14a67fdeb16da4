import type { ObjectRegistry, Primitive, VersionedObject } from '@versioned/objects';

/** A volume as the host's database keeps it: its field values, whatever release wrote them. */
export type VolumeRow = Record<string, unknown>;

/** What a manager gets from its host: the host's volume rows (they outlive an upgrade, like a database) and a log. */
export interface HostEnvironment {
  readonly host: string;
  /** Where a volume lands when the caller names no zone. */
  readonly zone: string;
  readonly rows: Map<string, VolumeRow>;
  say(line: string): void;
}

export function toRow(obj: VersionedObject): VolumeRow {
  return { ...(obj.toPrimitive()['versioned_object.data'] as Primitive) };
}

/** A row read by this release's class (its newest version): a field an older release did not write is unset. */
export function fromRow<T extends VersionedObject>(registry: ObjectRegistry, name: string, row: VolumeRow): T {
  const { version } = registry.newest(name);
  const envelope = {
    'versioned_object.name': name,
    'versioned_object.namespace': 'versionedobjects',
    'versioned_object.version': version,
    'versioned_object.data': row,
  };
  return registry.fromPrimitive(envelope) as T;
}
