import { defineOwn } from '@versioned/objects/internal';
import { RpcError } from '../errors.js';
import type { RequestContext } from '../serializer.js';
import {
  ARGUMENT_DECODE_CONTEXT,
  argumentError,
  encodeValue,
  hasVersion,
  mapArgs,
  type CompiledApi,
  type MajorShape,
} from './declaration.js';
import type { CallInfo } from './types.js';

/** Marks the endpoints an API generates: the server names the argument when the serializer cannot decode it. */
export const DECLARED_ENDPOINT: unique symbol = Symbol.for('@versioned/rpc.declaredEndpoint') as never;

type ImplementationMethod = (context: RequestContext, args: Record<string, unknown>, call: CallInfo) => unknown;

/**
 * The arguments of a call at `version`, as the method of `major` receives them: each decoded by its field type
 * (`wire`: from the wire form; `value`: an in-memory value, as the proxy's mapping returns), defaults filled in.
 * An argument the version does not have, a missing required one or a bad value is an RpcError 'invalid_argument'.
 */
export function decodeArgs(
  api: CompiledApi,
  major: MajorShape,
  method: string,
  version: string,
  raw: Readonly<Record<string, unknown>>,
  mode: 'wire' | 'value',
): Record<string, unknown> {
  const shape = major.methods.get(method);
  if (!shape || !hasVersion(version, shape.since)) {
    throw new RpcError(
      'no_such_method',
      `${api.topic} ${version} has no method ${JSON.stringify(method)}${shape ? ` (it is new in ${shape.since})` : ''}`,
      {
        details: { topic: api.topic, method, version, ...(shape ? { since: shape.since } : {}) },
      },
    );
  }
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(raw)) {
    const arg = shape.args.get(name);
    if (!arg || !hasVersion(version, arg.since)) {
      const why = arg
        ? `new in ${arg.since}, but the call is at ${version}`
        : `not an argument of ${method} (it takes ${[...shape.args.keys()].join(', ') || 'none'})`;
      throw new RpcError('invalid_argument', `${method}.${name}: ${why}`, {
        details: { topic: api.topic, method, argument: name, path: `${method}.${name}`, version },
      });
    }
    const value = raw[name];
    try {
      defineOwn(out, name, mode === 'wire' ? arg.type.fromPrimitive(value, ARGUMENT_DECODE_CONTEXT) : arg.type.coerce(value));
    } catch (err) {
      throw argumentError(api.topic, method, name, err, version);
    }
  }
  for (const arg of shape.args.values()) {
    if (Object.hasOwn(out, arg.name)) continue;
    if (arg.hasDefault) defineOwn(out, arg.name, arg.makeDefault());
    else if (arg.required) {
      throw new RpcError('invalid_argument', `${method}.${arg.name}: missing (a required argument)`, {
        details: { topic: api.topic, method, argument: arg.name, path: `${method}.${arg.name}`, version },
      });
    }
  }
  return out;
}

/**
 * The endpoints that serve an API: the implementation at the newest version, and while the previous major is
 * still served, a proxy endpoint at its newest version whose methods map each call onto the new major.
 */
export function endpointsFor(api: CompiledApi, implementation: object): object[] {
  const current = api.current;
  const implemented = (name: string): ImplementationMethod => {
    const fn = (implementation as Record<string, unknown>)[name];
    if (typeof fn !== 'function')
      throw new RpcError('invalid_api', `the ${api.topic} implementation has no method ${name} (${current.newest} declares it)`, {
        details: { method: name },
      });
    return fn as ImplementationMethod;
  };
  /** Run the implementation's method and put its result in its declared type's wire form. */
  const run = async (name: string, context: RequestContext, args: Record<string, unknown>, call: CallInfo): Promise<unknown> => {
    const result = await implemented(name).call(implementation, context, args, call);
    const type = current.methods.get(name)?.result;
    if (type === undefined) return result;
    try {
      return encodeValue(type, result);
    } catch (err) {
      throw new RpcError('invalid_message', `the result of ${api.topic}.${name}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
        details: { topic: api.topic, method: name },
      });
    }
  };
  const main = endpointObject(api, current);
  for (const name of current.methods.keys()) {
    implemented(name);
    defineOwn(main, name, (context: RequestContext, raw: Record<string, unknown>, call?: CallInfo) => {
      const version = call?.version ?? current.newest;
      return run(name, context, decodeArgs(api, current, name, version, raw, 'wire'), { version, method: name });
    });
  }
  const older = api.proxied;
  if (!older) return [main];
  const proxy = endpointObject(api, older);
  for (const old of older.methods.keys()) {
    const map = current.previous.get(old);
    const target = map?.method ?? old;
    defineOwn(proxy, old, (context: RequestContext, raw: Record<string, unknown>, call?: CallInfo) => {
      const version = call?.version ?? older.newest;
      const args = decodeArgs(api, older, old, version, raw, 'wire');
      const mapped = map?.upgrade ? mapArgs(map.upgrade, args, `${api.topic} ${current.newest} previous.${old}.upgrade`) : args;
      return run(target, context, decodeArgs(api, current, target, current.newest, mapped, 'value'), { version, method: old });
    });
  }
  return [main, proxy];
}

function endpointObject(api: CompiledApi, major: MajorShape): Record<string | symbol, unknown> {
  const endpoint = Object.create(null) as Record<string | symbol, unknown>;
  endpoint['target'] = Object.freeze({ version: major.newest, ...(api.namespace !== undefined ? { namespace: api.namespace } : {}) });
  endpoint[DECLARED_ENDPOINT] = api.topic;
  return endpoint;
}
