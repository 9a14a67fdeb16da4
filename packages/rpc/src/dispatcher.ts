import { RpcError } from './errors.js';
import type { RequestContext } from './serializer.js';
import { DEFAULT_MESSAGE_VERSION, isVersion, requireVersion, versionIsCompatible } from './version.js';

/** What an endpoint serves: its namespace (unset = the default one) and the version it implements. */
export interface EndpointTarget {
  readonly namespace?: string | undefined;
  /** Default 1.0, as in oslo. */
  readonly version?: string | undefined;
  /** Older names of the namespace this endpoint still answers to. */
  readonly legacyNamespaces?: readonly string[] | undefined;
}

/**
 * An object whose methods are callable over RPC as `method(context, args)`, with an optional
 * `target: EndpointTarget` property (checked when the server is built). Methods whose names start
 * with `_` are private; so is everything inherited from Object.prototype.
 */
export type RpcEndpoint = object;

/** The third argument says which version and method the caller sent (declared APIs' endpoints use it). */
export type EndpointMethod = (
  context: RequestContext,
  args: Record<string, unknown>,
  call: { readonly version: string; readonly method: string },
) => unknown;

/** Names never callable whatever the endpoint defines: `constructor`, `toString`, `__proto__`, ... */
const FORBIDDEN = new Set<string>(Object.getOwnPropertyNames(Object.prototype));

interface Entry {
  /** The endpoint object. */
  readonly endpoint: object;
  readonly version: string;
  readonly namespaces: ReadonlySet<string | null>;
  readonly namespace: string | null;
}

/** Where a message goes: the endpoint chosen by the version rule and the method to call. */
export interface Dispatch {
  readonly endpoint: object;
  /** Its method, bound to nothing: call it with the endpoint as `this`. */
  readonly method: EndpointMethod;
  /** The version the chosen endpoint implements. */
  readonly endpointVersion: string;
}

/**
 * oslo's RPCDispatcher rule: endpoints in order, the first whose namespace matches, whose version is
 * compatible with the message's and which has the method wins. Some compatible endpoint but no method:
 * 'no_such_method'; none compatible: 'unsupported_version'.
 */
export class RpcDispatcher {
  private readonly entries: readonly Entry[];

  constructor(endpoints: readonly RpcEndpoint[]) {
    if (!Array.isArray(endpoints) || endpoints.length === 0) {
      throw new RpcError('invalid_target', 'a server needs at least one endpoint');
    }
    this.entries = endpoints.map((endpoint, i) => {
      if (typeof endpoint !== 'object' || endpoint === null) throw new RpcError('invalid_target', `endpoints[${i}] must be an object`);
      const target = readEndpointTarget((endpoint as { target?: unknown }).target, i);
      const version = requireVersion(target.version ?? DEFAULT_MESSAGE_VERSION, `endpoints[${i}].target.version`);
      const namespace = target.namespace ?? null;
      const namespaces = new Set<string | null>([namespace, ...(target.legacyNamespaces ?? [])]);
      return Object.freeze({ endpoint, version, namespace, namespaces });
    });
  }

  /** What the endpoints serve, for error messages and diagnostics: `[{namespace, version}]` in order. */
  served(): { namespace: string | null; version: string }[] {
    return this.entries.map((e) => ({ namespace: e.namespace, version: e.version }));
  }

  /** The endpoint and method for a message, or a typed RpcError. A missing version means 1.0. */
  resolve(namespace: string | null | undefined, version: string | undefined, method: string): Dispatch {
    const requested = version ?? DEFAULT_MESSAGE_VERSION;
    if (!isVersion(requested)) {
      throw new RpcError('invalid_message', `the message version must be "X.Y" or "X.Y.Z", got ${JSON.stringify(requested)}`, {
        details: { version: requested, method },
      });
    }
    if (typeof method !== 'string' || method === '') {
      throw new RpcError('invalid_message', `the message method must be a non-empty string, got ${JSON.stringify(method)}`);
    }
    const ns = namespace ?? null;
    let compatibleFound = false;
    for (const entry of this.entries) {
      if (!entry.namespaces.has(ns) || !versionIsCompatible(entry.version, requested)) continue;
      const fn = findMethod(entry.endpoint, method);
      if (fn) return { endpoint: entry.endpoint, method: fn, endpointVersion: entry.version };
      compatibleFound = true;
    }
    const nsText = ns === null ? 'the default namespace' : `namespace ${JSON.stringify(ns)}`;
    if (compatibleFound) {
      throw new RpcError(
        'no_such_method',
        `no endpoint of ${nsText} at a version compatible with ${requested} has a method ${JSON.stringify(method)}`,
        {
          details: { method, version: requested, namespace: ns },
        },
      );
    }
    const served = this.entries.filter((e) => e.namespaces.has(ns)).map((e) => e.version);
    const servedText = served.length > 0 ? `versions served: ${served.join(', ')}` : 'that namespace is not served here';
    throw new RpcError('unsupported_version', `${method} at version ${requested} of ${nsText} is not supported (${servedText})`, {
      details: { method, version: requested, namespace: ns, served },
    });
  }
}

/** A public method of the endpoint's own object or class chain, never one inherited from Object.prototype. */
export function findMethod(endpoint: object, name: string): EndpointMethod | undefined {
  if (name.startsWith('_') || FORBIDDEN.has(name) || name === 'target') return undefined;
  for (let o: object | null = endpoint; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    const desc = Object.getOwnPropertyDescriptor(o, name);
    if (desc) return typeof desc.value === 'function' ? (desc.value as EndpointMethod) : undefined;
  }
  return undefined;
}

function readEndpointTarget(value: unknown, index: number): EndpointTarget {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object')
    throw new RpcError('invalid_target', `endpoints[${index}].target must be an object of {namespace, version, legacyNamespaces}`);
  const target = value as EndpointTarget;
  if (target.namespace !== undefined && (typeof target.namespace !== 'string' || target.namespace === '')) {
    throw new RpcError('invalid_target', `endpoints[${index}].target.namespace must be a non-empty string`);
  }
  if (
    target.legacyNamespaces !== undefined &&
    (!Array.isArray(target.legacyNamespaces) || !target.legacyNamespaces.every((n) => typeof n === 'string'))
  ) {
    throw new RpcError('invalid_target', `endpoints[${index}].target.legacyNamespaces must be an array of strings`);
  }
  return target;
}
