import {
  ObjectSerializer,
  type ObjectRegistry,
  isVersion,
  type DataLossPolicy,
  type DecodeLimits,
  type IndirectionApi,
  type Manifest,
} from '@versioned/objects';
import { RpcError } from './errors.js';

/** The request context a caller passes with every call (oslo's ctxt): user, project, request id... */
export type RequestContext = Record<string, unknown>;

/** What is being serialized: a call's argument (client side) or a call's result (server side). */
export type EntityRole = 'argument' | 'result';

/**
 * oslo.messaging's Serializer hook. The client serializes each argument and the context and
 * deserializes the result; the server does the reverse. Everything a serializer returns must be
 * JSON-safe: it is what crosses the wire.
 */
export interface RpcSerializer {
  /** `role` tells a reply from a request: replies may need the caller's pins rather than this process's. */
  serializeEntity(context: RequestContext, entity: unknown, role: EntityRole): unknown;
  /** May return a promise (an object backported through an indirection API, say); it is awaited. */
  deserializeEntity(context: RequestContext, primitive: unknown): unknown;
  /** The request context as it crosses the wire (oslo's serialize_context): JSON-safe. */
  serializeContext(context: RequestContext): Record<string, unknown>;
  /** The request context back from the wire (oslo's deserialize_context). */
  deserializeContext(primitive: Readonly<Record<string, unknown>>): RequestContext;
}

/** Passes everything through unchanged (oslo's NoOpSerializer). */
export class NoOpSerializer implements RpcSerializer {
  serializeEntity(_context: RequestContext, entity: unknown): unknown {
    return entity;
  }
  deserializeEntity(_context: RequestContext, primitive: unknown): unknown {
    return primitive;
  }
  serializeContext(context: RequestContext): Record<string, unknown> {
    return { ...context };
  }
  deserializeContext(primitive: Readonly<Record<string, unknown>>): RequestContext {
    return { ...primitive };
  }
}

/**
 * The context key that carries the caller's object pins (its manifest) to the server, so the reply is
 * backported to what the caller reads. On the oslo wire it becomes `_context_obj_manifest`.
 */
export const OBJ_MANIFEST_CONTEXT_KEY = 'obj_manifest';

/** The object versions to send: a manifest, or a function asked on every message (so a pin that moves applies to the next one). */
export type ManifestSource = Manifest | (() => Manifest | undefined);

/** The options of ObjectsRpcSerializer: the registry, the decoder's limits, the pins, what the context advertises. */
export interface ObjectsRpcSerializerOptions {
  registry?: ObjectRegistry;
  limits?: DecodeLimits;
  /**
   * The object versions this process is pinned to (what the oldest peer reads), by object name.
   * A function is read on every call, so a pin that changes at run time applies to the next message.
   */
  manifest?: ManifestSource;
  /**
   * What the call's context tells the server this process reads, so the reply is backported to it:
   * `readable` (default) sends the pins, or without pins the newest version of every registered class;
   * `pins` sends the pins only (nothing when unpinned: the server replies at its own pins).
   */
  advertise?: 'readable' | 'pins';
  /** Serializes the request context itself (a RequestContext class, say); default: a plain copy. */
  contextSerializer?: RpcSerializer;
  /** When a backport drops a set field (see @versioned/objects' ToPrimitiveOptions). */
  onDataLoss?: DataLossPolicy;
  logger?: {
    /** Called with one line per dropped field. */
    warn(message: string): void;
  };
  /** Asked to backport incoming objects this process cannot read (oslo's indirection API). */
  indirection?: IndirectionApi;
}

/**
 * Versioned objects across RPC. Arguments go out as envelopes backported to this process's manifest;
 * the manifest travels with the call in the context (`obj_manifest`), and the server backports its result
 * to the caller's manifest (to its own when the caller sent none). Incoming envelopes become instances.
 */
export class ObjectsRpcSerializer implements RpcSerializer {
  readonly objects: ObjectSerializer;
  readonly registry: ObjectRegistry;
  private readonly manifest: ManifestSource | undefined;
  private readonly contextSerializer: RpcSerializer;
  private readonly advertise: 'readable' | 'pins';
  private readonly async: boolean;
  /** The manifest each incoming call's caller sent, by the context object handed to the endpoint. */
  private readonly callerManifests = new WeakMap<object, Manifest>();

  constructor(options: ObjectsRpcSerializerOptions = {}) {
    this.objects = new ObjectSerializer({
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.onDataLoss ? { onDataLoss: options.onDataLoss } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.indirection ? { indirection: options.indirection } : {}),
    });
    this.registry = this.objects.registry;
    this.manifest = options.manifest;
    this.advertise = options.advertise ?? 'readable';
    this.async = options.indirection !== undefined;
    this.contextSerializer = options.contextSerializer ?? new NoOpSerializer();
  }

  /** This process's pins right now. */
  currentManifest(): Manifest | undefined {
    return typeof this.manifest === 'function' ? this.manifest() : this.manifest;
  }

  /** The caller's pins for a context this serializer deserialized, if the caller sent any. */
  callerManifest(context: RequestContext): Manifest | undefined {
    return this.callerManifests.get(context);
  }

  serializeEntity(context: RequestContext, entity: unknown, role: EntityRole): unknown {
    const manifest = role === 'result' ? (this.callerManifests.get(context) ?? this.currentManifest()) : this.currentManifest();
    // A pin newer than an object's class is no backport: the objects serializer sends such objects as they are.
    return this.objects.serializeEntity(entity, manifest ? { manifest } : {});
  }

  deserializeEntity(_context: RequestContext, primitive: unknown): unknown {
    return this.async ? this.objects.deserializeEntityAsync(primitive) : this.objects.deserializeEntity(primitive);
  }

  serializeContext(context: RequestContext): Record<string, unknown> {
    const out = this.contextSerializer.serializeContext(context);
    const manifest = this.currentManifest() ?? (this.advertise === 'readable' ? this.readableManifest() : undefined);
    if (manifest) out[OBJ_MANIFEST_CONTEXT_KEY] = { ...manifest };
    else delete out[OBJ_MANIFEST_CONTEXT_KEY];
    return out;
  }

  /** The newest version of every registered class: what this process reads. */
  readableManifest(): Manifest | undefined {
    const classes = this.registry.newestClasses();
    if (classes.length === 0) return undefined;
    const manifest: Record<string, string> = {};
    for (const meta of classes) manifest[meta.name] = meta.version;
    return manifest;
  }

  deserializeContext(primitive: Readonly<Record<string, unknown>>): RequestContext {
    const { [OBJ_MANIFEST_CONTEXT_KEY]: sent, ...rest } = primitive;
    const context = this.contextSerializer.deserializeContext(rest);
    if (sent !== undefined && sent !== null) this.callerManifests.set(context, readManifest(sent));
    return context;
  }
}

function readManifest(value: unknown): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RpcError('invalid_message', `context.${OBJ_MANIFEST_CONTEXT_KEY} must be an object of object name -> version`, {
      details: { got: value },
    });
  }
  const out: Record<string, string> = {};
  for (const [name, version] of Object.entries(value)) {
    if (!isVersion(version)) {
      throw new RpcError('invalid_message', `context.${OBJ_MANIFEST_CONTEXT_KEY}.${name} must be "X.Y", got ${JSON.stringify(version)}`, {
        details: { name, got: version },
      });
    }
    Object.defineProperty(out, name, { value: version, enumerable: true, writable: true, configurable: true });
  }
  return Object.freeze(out);
}
