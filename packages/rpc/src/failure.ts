import { VersionedError, isVersionedError, type ErrorCode } from '@versioned/objects';
import { isRecord } from '@versioned/objects/internal';
import { RpcError, isRpcError, type RpcErrorCode } from './errors.js';
import type { SerializedFailure } from './transport.js';

/** The `module` RpcError and VersionedError carry on the wire. */
export const RPC_ERROR_MODULE = '@versioned/rpc';
/** The `module` a VersionedError of @versioned/objects carries on the wire, so the client rebuilds it as one. */
export const OBJECTS_ERROR_MODULE = '@versioned/objects';
/** Built-in JavaScript errors go out under Python's name for the module of built-in exceptions. */
export const BUILTIN_ERROR_MODULE = 'builtins';

/**
 * An error class a client may rebuild from a remote failure (or a server may expose in full).
 * Matched by class name, and by `rpcModule` too when the class declares one.
 */
export type RemoteErrorClass = (abstract new (
  ...args: never[]
) => Error) & {
  readonly rpcModule?: string;
  /** Build the error from its failure; default: `new Class(...failure.args)` plus the kwargs as properties. */
  fromRpcFailure?(failure: SerializedFailure): Error;
};

/**
 * JavaScript's built-in errors go out as the Python built-in exception a Python caller can rebuild
 * (oslo rebuilds `builtins.<class>(*args)`; there is no `builtins.Error`).
 */
export const PYTHON_BUILTIN_FOR: Readonly<Record<string, string>> = Object.freeze({
  Error: 'Exception',
  TypeError: 'TypeError',
  RangeError: 'ValueError',
  SyntaxError: 'SyntaxError',
  ReferenceError: 'NameError',
  EvalError: 'Exception',
  URIError: 'ValueError',
  AggregateError: 'Exception',
});
const BUILTIN_ERRORS = new Set(Object.keys(PYTHON_BUILTIN_FOR));
const NOT_KWARGS = new Set(['message', 'stack', 'name', 'cause']);

/** The module an error is reported under. */
export function errorModule(err: Error): string {
  if (isRpcError(err)) return RPC_ERROR_MODULE;
  if (isVersionedError(err)) return OBJECTS_ERROR_MODULE;
  const ctor = err.constructor as { rpcModule?: unknown; name?: string } | undefined;
  if (ctor && typeof ctor.rpcModule === 'string') return ctor.rpcModule;
  if (ctor && BUILTIN_ERRORS.has(ctor.name ?? '') && (globalThis as Record<string, unknown>)[ctor.name as string] === ctor)
    return BUILTIN_ERROR_MODULE;
  return '';
}

function errorClassName(err: Error): string {
  if (isRpcError(err)) return 'RpcError';
  if (isVersionedError(err)) return 'VersionedError';
  const ctorName = (err.constructor as { name?: unknown } | undefined)?.name;
  return typeof ctorName === 'string' && ctorName !== '' ? ctorName : err.name || 'Error';
}

/** Whether `err` is an instance of one of the classes, matched as the client matches (name + module). */
export function matchesErrorClass(className: string, module: string, classes: readonly RemoteErrorClass[]): RemoteErrorClass | undefined {
  return classes.find((c) => c.name === className && (c.rpcModule === undefined || c.rpcModule === module));
}

/**
 * What the server sends back for a thrown value. Errors of the `exposed` classes, RpcError and
 * VersionedError go out with their own properties as kwargs; any other error with its message only,
 * so internals (a database error's connection string, say) stay on the server.
 */
export function toFailure(thrown: unknown, exposed: readonly RemoteErrorClass[] = []): SerializedFailure {
  const err = thrown instanceof Error ? thrown : new Error(`a non-Error value was thrown: ${safeString(thrown)}`);
  const className = errorClassName(err);
  const module = errorModule(err);
  const message = boundedMessage(err.message);
  // Python's built-in exceptions take no keyword arguments: a builtin goes out with its message only.
  if (module === BUILTIN_ERROR_MODULE)
    return { class: PYTHON_BUILTIN_FOR[className] ?? 'Exception', module, message, args: [message], kwargs: {} };
  const expose = isRpcError(err) || isVersionedError(err) || matchesErrorClass(className, module, exposed) !== undefined;
  return { class: className, module, message, args: [message], kwargs: expose ? ownProperties(err) : {} };
}

/**
 * The error a client throws for a failure: RpcError and VersionedError rebuilt with their code, allow-listed
 * classes rebuilt, anything else an RpcError 'remote' carrying the class, module and message in `details`.
 */
export function fromFailure(failure: SerializedFailure, allowed: readonly RemoteErrorClass[] = []): Error {
  const kwargs = (failure.kwargs ?? {}) as Record<string, unknown>;
  if (failure.class === 'RpcError' && failure.module === RPC_ERROR_MODULE && typeof kwargs['code'] === 'string') {
    const details = isRecord(kwargs['details']) ? kwargs['details'] : {};
    return new RpcError(kwargs['code'] as RpcErrorCode, failure.message, { details: { ...details, remote: true } });
  }
  if (failure.class === 'VersionedError' && failure.module === OBJECTS_ERROR_MODULE && typeof kwargs['code'] === 'string') {
    const path = Array.isArray(kwargs['path']) ? (kwargs['path'] as (string | number)[]) : [];
    const detail = typeof kwargs['detail'] === 'string' ? kwargs['detail'] : failure.message;
    const details = isRecord(kwargs['details']) ? kwargs['details'] : {};
    return new VersionedError(kwargs['code'] as ErrorCode, detail, { path, details: { ...details, remote: true } });
  }
  const cls = matchesErrorClass(failure.class, failure.module, allowed);
  if (cls) {
    const rebuilt = rebuild(cls, failure, kwargs);
    if (rebuilt) return rebuilt;
  }
  const where = failure.module ? `${failure.module}.${failure.class}` : failure.class;
  return new RpcError('remote', `remote error ${where}: ${failure.message}`, {
    details: { class: failure.class, module: failure.module, message: failure.message, args: failure.args ?? [], kwargs },
  });
}

function rebuild(cls: RemoteErrorClass, failure: SerializedFailure, kwargs: Record<string, unknown>): Error | undefined {
  try {
    if (typeof cls.fromRpcFailure === 'function') return cls.fromRpcFailure(failure);
    const args = (failure.args && failure.args.length > 0 ? failure.args : [failure.message]) as never[];
    const err = new (cls as unknown as new (...args: never[]) => Error)(...args);
    for (const [key, value] of Object.entries(kwargs)) {
      if (!NOT_KWARGS.has(key) && (err as unknown as Record<string, unknown>)[key] === undefined) {
        Object.defineProperty(err, key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    if (err.message !== failure.message) err.message = failure.message;
    return err;
  } catch {
    // A constructor that rejects the remote arguments: report the failure generically instead.
    return undefined;
  }
}

function ownProperties(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(err)) {
    if (NOT_KWARGS.has(key)) continue;
    const value = (err as unknown as Record<string, unknown>)[key];
    if (typeof value === 'function' || typeof value === 'symbol' || value === undefined) continue;
    try {
      JSON.stringify(value);
      out[key] = value;
    } catch {
      // Not JSON-safe (a cycle, a BigInt): leave it on the server.
    }
  }
  return out;
}

/** A message of a few kilobytes at most: a 10 MB error text is not worth a 10 MB reply. */
const MAX_MESSAGE = 4096;
function boundedMessage(message: unknown): string {
  const text = typeof message === 'string' ? message : String(message);
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE)}... (${text.length - MAX_MESSAGE} more characters)`;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}
