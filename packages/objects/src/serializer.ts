import { VersionedError, atPath, isVersionedError } from './errors.js';
import { defineOwn, isPlainObject } from './records.js';
import { isVersionedObject } from './meta.js';
import { envelopeKeysOf, type DecodeLimits } from './from-primitive.js';
import { defaultRegistry, type ObjectRegistry } from './registry.js';
import type { VersionedObject } from './object.js';
import type { DataLossPolicy, Manifest, Primitive, ToPrimitiveOptions } from './to-primitive.js';
import { describeValue, stripRevision } from './version.js';

/**
 * Where a receiver asks for a backport of an object it cannot read (oslo's indirection API,
 * object_backport_versions): usually an RPC call to a service running the newer release.
 */
export interface IndirectionApi {
  /** Return `primitive` backported to `versions` (a manifest), by a process that has the newer class. */
  backportVersions(primitive: Primitive, versions: Manifest): Promise<Primitive> | Primitive;
}

/** The options of ObjectSerializer: registry, limits, the receiver's manifest, the data-loss policy, the indirection API. */
export interface ObjectSerializerOptions {
  registry?: ObjectRegistry;
  limits?: DecodeLimits;
  /**
   * The object versions the receiver reads, by name: objects (and their children) are backported to them.
   * A function is asked on every call, so a pin that changes at run time takes effect at once.
   */
  manifest?: Manifest | (() => Manifest | undefined);
  /** When a backport drops a set field (see ToPrimitiveOptions). */
  onDataLoss?: DataLossPolicy;
  /** Where the `log` data-loss policy writes (default: console). */
  logger?: {
    /** Called with one line per dropped field. */
    warn(message: string): void;
  };
  /** Asked to backport objects this side cannot read (used by deserializeEntityAsync). */
  indirection?: IndirectionApi;
}

const MAX_WALK_DEPTH = 64;

/**
 * oslo's VersionedObjectSerializer for RPC payloads: objects become envelopes on the way out and
 * instances on the way in, inside arrays, plain objects, Maps and Sets (which go out as objects and arrays).
 */
export class ObjectSerializer {
  readonly registry: ObjectRegistry;
  private readonly limits: DecodeLimits | undefined;
  private readonly manifest: ObjectSerializerOptions['manifest'];
  private readonly encodeOptions: Pick<ToPrimitiveOptions, 'onDataLoss' | 'logger'>;
  private readonly indirection: IndirectionApi | undefined;

  constructor(options: ObjectSerializerOptions = {}) {
    this.registry = options.registry ?? defaultRegistry;
    this.limits = options.limits;
    this.manifest = options.manifest;
    this.indirection = options.indirection;
    this.encodeOptions = {};
    if (options.onDataLoss) this.encodeOptions.onDataLoss = options.onDataLoss;
    if (options.logger) this.encodeOptions.logger = options.logger;
  }

  /** The manifest in force for this call: the explicit one, else the configured one. */
  currentManifest(explicit?: Manifest): Manifest | undefined {
    if (explicit) return explicit;
    return typeof this.manifest === 'function' ? this.manifest() : this.manifest;
  }

  /**
   * Encode `entity` for a message: versioned objects (anywhere inside arrays and plain objects) become envelopes,
   * backported to the manifest; other values are copied.
   */
  serializeEntity(entity: unknown, options: { manifest?: Manifest } = {}): unknown {
    const manifest = this.currentManifest(options.manifest);
    return this.walkOut(entity, manifest, 0);
  }

  /**
   * Decode a message value: every envelope inside it becomes a versioned object of the registry; an envelope this side
   * cannot read is an error (see deserializeEntityAsync).
   */
  deserializeEntity(primitive: unknown): unknown {
    return this.walkIn(primitive, 0, (envelope) => this.decodeObject(envelope));
  }

  /**
   * Like deserializeEntity, but an object this side cannot read is sent to the indirection API for a
   * backport to the versions this registry reads (a `.Z` revision is stripped and retried first, as oslo does).
   */
  async deserializeEntityAsync(primitive: unknown): Promise<unknown> {
    if (!this.indirection) return this.deserializeEntity(primitive);
    const indirection = this.indirection;
    const decoded = new Map<object, VersionedObject>();
    const unreadable: { envelope: object; name: string }[] = [];
    // First pass: decode what this side reads, and collect what it cannot.
    this.walkIn(primitive, 0, (envelope) => {
      try {
        decoded.set(envelope, this.decodeObject(envelope));
      } catch (err) {
        const name = isVersionedError(err, 'incompatible_version') ? String(err.details['name']) : '';
        if (!name || !this.registry.has(name)) throw err;
        unreadable.push({ envelope, name });
      }
      return undefined;
    });
    await Promise.all(
      unreadable.map(async ({ envelope, name }) => {
        const backported = await indirection.backportVersions(envelope as Primitive, this.registry.treeVersions(name));
        decoded.set(envelope, this.decodeObject(backported));
      }),
    );
    return this.walkIn(primitive, 0, (envelope) => decoded.get(envelope));
  }

  /** Decode one envelope; an unreadable `X.Y.Z` is retried as `X.Y` (the revision is safe to ignore). */
  private decodeObject(envelope: object): VersionedObject {
    const options = this.limits ? { limits: this.limits } : {};
    try {
      return this.registry.fromPrimitive(envelope, options);
    } catch (err) {
      const key = envelopeKeysOf(envelope, this.registry.envelopeKeys)?.version ?? '';
      const version = (envelope as Record<string, unknown>)[key];
      if (!isVersionedError(err, 'incompatible_version') || typeof version !== 'string' || version.split('.').length !== 3) throw err;
      return this.registry.fromPrimitive({ ...envelope, [key]: stripRevision(version) }, options);
    }
  }

  /** Encode one object at the version the manifest names for it (its own version otherwise). */
  serializeObject(obj: VersionedObject, manifest?: Manifest): Record<string, unknown> {
    return obj.toPrimitive(manifest ? { ...this.encodeOptions, manifest } : this.encodeOptions);
  }

  private walkOut(value: unknown, manifest: Manifest | undefined, depth: number): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (depth > MAX_WALK_DEPTH)
      throw new VersionedError('limit_exceeded', `the payload nests deeper than ${MAX_WALK_DEPTH} levels (is there a cycle?)`);
    if (isVersionedObject(value)) return this.serializeObject(value as VersionedObject, manifest);
    if (Array.isArray(value)) return value.map((v, i) => atPath(() => this.walkOut(v, manifest, depth + 1), i));
    if (value instanceof Set) return [...value].map((v, i) => atPath(() => this.walkOut(v, manifest, depth + 1), i));
    if (value instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value) {
        if (typeof k !== 'string')
          throw new VersionedError('invalid_value', `a Map sent over RPC needs string keys, got ${describeValue(k)}`);
        defineOwn(
          out,
          k,
          atPath(() => this.walkOut(v, manifest, depth + 1), k),
        );
      }
      return out;
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value))
        defineOwn(
          out,
          k,
          atPath(() => this.walkOut((value as Record<string, unknown>)[k], manifest, depth + 1), k),
        );
      return out;
    }
    return value;
  }

  private walkIn(value: unknown, depth: number, onEnvelope: (envelope: object) => unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (depth > MAX_WALK_DEPTH) throw new VersionedError('limit_exceeded', `the payload nests deeper than ${MAX_WALK_DEPTH} levels`);
    if (Array.isArray(value)) return value.map((v, i) => atPath(() => this.walkIn(v, depth + 1, onEnvelope), i));
    if (envelopeKeysOf(value, this.registry.envelopeKeys) !== undefined) return onEnvelope(value);
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value))
        defineOwn(
          out,
          k,
          atPath(() => this.walkIn((value as Record<string, unknown>)[k], depth + 1, onEnvelope), k),
        );
      return out;
    }
    return value;
  }
}
