import type { RpcErrorCode } from '../errors.js';
import { RPC_ERROR_MODULE } from '../failure.js';
import type { SerializedFailure } from '../transport.js';

/** Where oslo's dispatcher errors live, and their codes on our side. */
export const OSLO_DISPATCHER_MODULE = 'oslo_messaging.rpc.dispatcher';
const OSLO_CLASS_BY_CODE: Partial<Record<RpcErrorCode, string>> = {
  unsupported_version: 'UnsupportedVersion',
  no_such_method: 'NoSuchMethod',
};
const CODE_BY_OSLO_CLASS = new Map(Object.entries(OSLO_CLASS_BY_CODE).map(([code, cls]) => [cls, code as RpcErrorCode]));

/**
 * A dispatcher failure from a Python server (UnsupportedVersion, NoSuchMethod) read as the RpcError our
 * client rebuilds with its code; anything else unchanged.
 */
export function failureFromOslo(failure: SerializedFailure): SerializedFailure {
  const code = failure.module === OSLO_DISPATCHER_MODULE ? CODE_BY_OSLO_CLASS.get(failure.class) : undefined;
  if (code === undefined) return failure;
  return {
    ...failure,
    class: 'RpcError',
    module: RPC_ERROR_MODULE,
    kwargs: { code, details: { remoteClass: `${failure.module}.${failure.class}` } },
  };
}

/**
 * Our dispatcher's RpcErrors sent as oslo's own classes, so a Python caller sees the UnsupportedVersion
 * or NoSuchMethod its code already handles (a RemoteError of that class, or the class itself if allowed).
 */
export function failureToOslo(failure: SerializedFailure): SerializedFailure {
  const code = failure.kwargs?.['code'];
  if (failure.class !== 'RpcError' || failure.module !== RPC_ERROR_MODULE || typeof code !== 'string') return failure;
  const osloClass = OSLO_CLASS_BY_CODE[code as RpcErrorCode];
  if (osloClass === undefined) return failure;
  // Python rebuilds with cls(*args, **kwargs): one positional message, no kwargs it would not accept.
  return {
    class: osloClass,
    module: OSLO_DISPATCHER_MODULE,
    message: failure.message,
    args: [failure.message],
    kwargs: {},
    ...(failure.tb ? { tb: failure.tb } : {}),
  };
}
