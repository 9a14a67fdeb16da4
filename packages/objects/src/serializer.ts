import { VersionedError } from './errors.js';
import { defineOwn } from './fields/containers.js';
import { isVersionedObject } from './meta.js';
import { envelopeNamespace, type DecodeLimits } from './from-primitive.js';
import { defaultRegistry, type ObjectRegistry } from './registry.js';
import type { VersionedObject } from './object.js';
import type { ToPrimitiveOptions } from './to-primitive.js';
import { describeValue } from './version.js';

export type Manifest = Readonly<Record<string, string>>;

export interface ObjectSerializerOptions {
  registry?: ObjectRegistry;
  limits?: DecodeLimits;
  /**
   * The object versions the receiver reads, by name: objects (and their children) are backported to them.
   * A function is asked on every call, so a pin that changes at run time takes effect at once.
   */
  manifest?: Manifest | (() => Manifest | undefined);
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

  constructor(options: ObjectSerializerOptions = {}) {
    this.registry = options.registry ?? defaultRegistry;
    this.limits = options.limits;
    this.manifest = options.manifest;
  }

  /** The manifest in force for this call: the explicit one, else the configured one. */
  currentManifest(explicit?: Manifest): Manifest | undefined {
    if (explicit) return explicit;
    return typeof this.manifest === 'function' ? this.manifest() : this.manifest;
  }

  serializeEntity(entity: unknown, options: { manifest?: Manifest } = {}): unknown {
    const manifest = this.currentManifest(options.manifest);
    return this.walkOut(entity, manifest, 0);
  }

  deserializeEntity(primitive: unknown): unknown {
    return this.walkIn(primitive, 0);
  }

  /** Encode one object at the version the manifest names for it (its own version otherwise). */
  serializeObject(obj: VersionedObject, manifest?: Manifest): Record<string, unknown> {
    const options: ToPrimitiveOptions = {};
    if (manifest) {
      options.manifest = manifest;
      const target = manifest[obj.objName];
      if (target !== undefined) options.targetVersion = target;
    }
    return obj.toPrimitive(options);
  }

  private walkOut(value: unknown, manifest: Manifest | undefined, depth: number): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (depth > MAX_WALK_DEPTH) throw new VersionedError('limit_exceeded', `the payload nests deeper than ${MAX_WALK_DEPTH} levels (is there a cycle?)`);
    if (isVersionedObject(value)) return this.serializeObject(value as VersionedObject, manifest);
    if (Array.isArray(value)) return value.map((v, i) => this.at(i, () => this.walkOut(v, manifest, depth + 1)));
    if (value instanceof Set) return [...value].map((v, i) => this.at(i, () => this.walkOut(v, manifest, depth + 1)));
    if (value instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value) {
        if (typeof k !== 'string') throw new VersionedError('invalid_value', `a Map sent over RPC needs string keys, got ${describeValue(k)}`);
        defineOwn(out, k, this.at(k, () => this.walkOut(v, manifest, depth + 1)));
      }
      return out;
    }
    if (isPlain(value)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value)) defineOwn(out, k, this.at(k, () => this.walkOut((value as Record<string, unknown>)[k], manifest, depth + 1)));
      return out;
    }
    return value;
  }

  private walkIn(value: unknown, depth: number): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (depth > MAX_WALK_DEPTH) throw new VersionedError('limit_exceeded', `the payload nests deeper than ${MAX_WALK_DEPTH} levels`);
    if (Array.isArray(value)) return value.map((v, i) => this.at(i, () => this.walkIn(v, depth + 1)));
    if (envelopeNamespace(value, this.registry.serialNamespaces) !== undefined) {
      return this.registry.fromPrimitive(value, this.limits ? { limits: this.limits } : {});
    }
    if (isPlain(value)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value)) defineOwn(out, k, this.at(k, () => this.walkIn((value as Record<string, unknown>)[k], depth + 1)));
      return out;
    }
    return value;
  }

  private at<T>(segment: string | number, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof VersionedError ? err.within(segment) : err;
    }
  }
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
