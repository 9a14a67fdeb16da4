import { ObjectSerializer, type ObjectRegistry, type ToPrimitiveOptions, type VersionedObject } from '@versioned/objects';

/**
 * A service of one release: it reads the object versions its release registered. Objects travel between
 * services as JSON text, as they would inside an RPC message.
 */
export class Service {
  readonly serializer: ObjectSerializer;

  constructor(
    readonly name: string,
    readonly release: string,
    readonly registry: ObjectRegistry,
  ) {
    this.serializer = new ObjectSerializer({ registry });
  }

  /** The newest version of every object this service reads: what a peer must backport to when sending here. */
  manifest(): Record<string, string> {
    return Object.fromEntries(this.registry.newestClasses().map((meta) => [meta.name, meta.version]));
  }

  /** Encode an object for the wire. */
  send(obj: VersionedObject, options: ToPrimitiveOptions = {}): string {
    return JSON.stringify(obj.toPrimitive(options));
  }

  /** Decode what arrived from the wire with this service's registry. */
  receive(wire: string): VersionedObject {
    return this.registry.fromPrimitive(JSON.parse(wire));
  }

  toString(): string {
    return `${this.name} (release ${this.release})`;
  }
}
