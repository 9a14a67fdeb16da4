/** Every RPC failure has one of these codes. */
export type RpcErrorCode =
  /** The call's version is above the client's version cap (oslo's RPCVersionCapError). Nothing was sent. */
  | 'version_cap'
  /** No reply within the timeout (oslo's MessagingTimeout). */
  | 'timeout'
  /** A compatible endpoint exists but none has the method (oslo's NoSuchMethod). */
  | 'no_such_method'
  /** No endpoint serves the namespace at a compatible version (oslo's UnsupportedVersion). */
  | 'unsupported_version'
  /** The remote method raised an error that is not on the caller's allow-list (oslo's RemoteError). */
  | 'remote'
  /** The transport failed: connection lost, broker gone, delivery impossible. */
  | 'transport'
  /** A target or call options are malformed. */
  | 'invalid_target'
  /** A message on the wire is malformed. */
  | 'invalid_message';

const BRAND = Symbol.for('@versioned/rpc.RpcError');

/** The one error class of @versioned/rpc; `code` says what failed. */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: RpcErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RpcError';
    this.code = code;
    this.details = options.details ?? {};
  }

  get [BRAND](): true {
    return true;
  }
}

export function isRpcError(value: unknown, code?: RpcErrorCode): value is RpcError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (value as RpcError).code === code)
  );
}
