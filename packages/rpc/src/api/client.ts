import { defineOwn } from '@versioned/objects/internal';
import { RpcClient, type PrepareOptions, type RpcClientOptions } from '../client.js';
import { RpcError } from '../errors.js';
import type { RequestContext } from '../serializer.js';
import { ARGUMENT_DECODE_CONTEXT, argumentError, encodeValue, type CompiledApi } from './declaration.js';
import { planCall, type PlannedCall } from './plan.js';
import type { ArgsParam, MethodName, ResultOf } from './types.js';

/** An RpcClient's options, but the target comes from the API: give a server, or prepare() one per call. */
export type ApiClientOptions = Omit<RpcClientOptions, 'target'> & { readonly server?: string | undefined };

/** What prepare() may change on a declared client: never the version, which each call works out. */
export type ApiPrepareOptions = Pick<PrepareOptions, 'server' | 'fanout' | 'timeoutMs' | 'timeout' | 'versionCap'>;

/**
 * The calling side of a declared API. `call(ctx, 'create_volume', { ... })` is checked by tsc (method name,
 * argument names and types, result type) and goes at the lowest version that has the method and every
 * argument passed, so no caller picks the version; the cap is read on every call.
 */
export class RpcApiClient<H extends readonly unknown[]> {
  readonly rpc: RpcClient;
  readonly #api: CompiledApi;

  constructor(api: CompiledApi, options: ApiClientOptions | RpcClient) {
    this.#api = api;
    this.rpc =
      options instanceof RpcClient
        ? options
        : new RpcClient({
            ...options,
            target: {
              topic: api.topic,
              ...(api.namespace !== undefined ? { namespace: api.namespace } : {}),
              ...(options.server ? { server: options.server } : {}),
            },
          });
  }

  /** The cap in force right now. */
  get versionCap(): string | undefined {
    return this.rpc.versionCap;
  }

  /** Whether `version` may be sent under the current cap (for hand-written branches). */
  canSendVersion(version: string): boolean {
    return this.rpc.canSendVersion(version);
  }

  /** A client with another server, fanout, timeout or cap; this one is unchanged. */
  prepare(options: ApiPrepareOptions): RpcApiClient<H> {
    return new RpcApiClient<H>(this.#api, this.rpc.prepare(options));
  }

  /** What the call would be sent as right now (version, method, arguments), or the error it would fail with. */
  plan<M extends MethodName<H>>(method: M, ...[args]: ArgsParam<H, M>): PlannedCall {
    return planCall(this.#api, method, (args ?? {}) as Record<string, unknown>, this.rpc.versionCap);
  }

  /** Call `method` at the newest version the cap allows, with its typed arguments; resolves to its typed result. */
  async call<M extends MethodName<H>>(context: RequestContext, method: M, ...[args]: ArgsParam<H, M>): Promise<ResultOf<H, M>> {
    const planned = this.#checked(method, args);
    const result = await this.rpc.prepare({ version: planned.version }).call(context, planned.method, planned.args);
    const type = planned.major.methods.get(planned.method)?.result;
    if (type === undefined) return undefined as ResultOf<H, M>;
    try {
      return type.fromPrimitive(result, ARGUMENT_DECODE_CONTEXT) as ResultOf<H, M>;
    } catch (err) {
      throw new RpcError(
        'invalid_message',
        `the result of ${this.#api.topic}.${planned.method}: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
          details: { topic: this.#api.topic, method: planned.method },
        },
      );
    }
  }

  /** Send `method` without waiting for a result, at the newest version the cap allows. */
  async cast<M extends MethodName<H>>(context: RequestContext, method: M, ...[args]: ArgsParam<H, M>): Promise<void> {
    const planned = this.#checked(method, args);
    await this.rpc.prepare({ version: planned.version }).cast(context, planned.method, planned.args);
  }

  /** Plan the call, then check each argument against its declared type and put it in its wire form, before anything is sent. */
  #checked(method: string, args: unknown): PlannedCall {
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      throw new RpcError('invalid_argument', `the arguments of ${this.#api.topic}.${method} must be an object of name -> value`, {
        details: { method },
      });
    }
    const planned = planCall(this.#api, method, (args ?? {}) as Record<string, unknown>, this.rpc.versionCap);
    const shape = planned.major.methods.get(planned.method);
    const wire: Record<string, unknown> = {};
    for (const arg of shape?.args.values() ?? []) {
      const value = planned.args[arg.name];
      if (value === undefined) {
        if (!arg.required) continue;
        throw new RpcError('invalid_argument', `${planned.method}.${arg.name}: missing (a required argument)`, {
          details: { topic: this.#api.topic, method: planned.method, argument: arg.name },
        });
      }
      try {
        defineOwn(wire, arg.name, encodeValue(arg.type, value));
      } catch (err) {
        throw argumentError(this.#api.topic, planned.method, arg.name, err);
      }
    }
    return { ...planned, args: wire };
  }
}
