import type { RpcClient } from '../client.js';
import { RpcError } from '../errors.js';
import { compileHistory, type CompiledApi } from './declaration.js';
import { RpcApiClient, type ApiClientOptions } from './client.js';
import { endpointsFor } from './serve.js';
import type { Implementation, VersionSpec } from './types.js';

const BRAND = Symbol.for('@versioned/rpc.RpcApi');

/** An argument or result type as the lock file records it (a field type's describe()). */
export type TypeRecord = { readonly type: string } & Readonly<Record<string, unknown>>;

/** What the fingerprint check locks for an API: every major's methods and argument types, with their versions. */
export interface RpcApiDescription {
  readonly topic: string;
  readonly namespace: string | null;
  readonly version: string;
  readonly majors: readonly {
    readonly major: number;
    readonly version: string;
    readonly retiredIn: string | null;
    readonly methods: Readonly<
      Record<
        string,
        {
          readonly since: string;
          readonly result: TypeRecord | null;
          readonly args: Readonly<Record<string, { readonly since: string; readonly type: TypeRecord; readonly required: boolean }>>;
        }
      >
    >;
  }[];
}

/** The declaration of an RPC API: its topic, namespace and version history (each version's methods and arguments). */
export interface RpcApiSpec<H extends readonly VersionSpec[]> {
  readonly topic: string;
  /** The API's namespace (unset: the default one). */
  readonly namespace?: string | undefined;
  /** Oldest first; never edit a released entry, add one. */
  readonly history: H;
}

/**
 * An RPC API declared once, as data: the typed client, the server endpoints, the release -> version aliases
 * and the fingerprint check's record all come from its history.
 */
export class RpcApi<H extends readonly VersionSpec[] = readonly VersionSpec[]> {
  readonly compiled: CompiledApi;
  readonly history: H;

  constructor(spec: RpcApiSpec<H>) {
    if (typeof spec?.topic !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(spec.topic)) {
      throw new RpcError('invalid_api', `an RPC API needs a topic name, got ${JSON.stringify(spec?.topic)}`);
    }
    if (spec.namespace !== undefined && (typeof spec.namespace !== 'string' || spec.namespace === '')) {
      throw new RpcError('invalid_api', `${spec.topic} API: the namespace must be a non-empty string`);
    }
    this.compiled = compileHistory(spec.topic, spec.namespace, spec.history);
    this.history = spec.history;
  }

  /** The topic the API's servers listen on. */
  get topic(): string {
    return this.compiled.topic;
  }

  /** The API's namespace, when it has one. */
  get namespace(): string | undefined {
    return this.compiled.namespace;
  }

  /** The newest version: what the endpoint serves. */
  get version(): string {
    return this.compiled.newest;
  }

  /**
   * Release name -> the newest version it ships, oldest first: what @versioned/upgrade's Releases takes as
   * a release's `rpc` version, and what `Releases.aliases(topic)` gives back.
   */
  aliases(): Readonly<Record<string, string>> {
    return Object.freeze(Object.fromEntries(this.compiled.releases.map((r) => [r.name, r.version])));
  }

  /** The typed client: from an RpcClient's options (the target comes from the API), or around an RpcClient. */
  client(options: ApiClientOptions | RpcClient): RpcApiClient<H> {
    return new RpcApiClient<H>(this.compiled, options);
  }

  /**
   * The endpoints to give an RpcServer: the implementation at the newest version, its arguments decoded and
   * checked by their declared types, and while the previous major is served, the generated proxy endpoint.
   */
  endpoints(implementation: Implementation<H>): object[] {
    return endpointsFor(this.compiled, implementation);
  }

  /** The record the fingerprint check compares with its lock file. */
  describe(): RpcApiDescription {
    return {
      topic: this.topic,
      namespace: this.namespace ?? null,
      version: this.version,
      majors: this.compiled.majors.map((m) => ({
        major: m.major,
        version: m.newest,
        retiredIn: m.retiredIn ?? null,
        methods: Object.fromEntries(
          [...m.methods.values()].map((method) => [
            method.name,
            {
              since: method.since,
              result: method.result ? (method.result.describe() as TypeRecord) : null,
              args: Object.fromEntries(
                [...method.args.values()].map((a) => [
                  a.name,
                  { since: a.since, type: a.type.describe() as TypeRecord, required: a.required },
                ]),
              ),
            },
          ]),
        ),
      })),
    };
  }

  /** Marks an RpcApi, also one made by another copy of this package. */
  get [BRAND](): true {
    return true;
  }
}

/** Declare an RPC API: `defineRpcApi({ topic, namespace?, history: [{ version: '1.0', release, note, methods }] })`. */
export function defineRpcApi<const H extends readonly VersionSpec[]>(spec: RpcApiSpec<H>): RpcApi<H> {
  return new RpcApi(spec);
}

/** Whether a value is an RpcApi, even from another copy of this package. */
export function isRpcApi(value: unknown): value is RpcApi {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
