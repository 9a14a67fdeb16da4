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
  | 'invalid_message'
  /** An argument of a declared API is missing, unknown at the call's version, or does not fit its type. */
  | 'invalid_argument'
  /** An RPC API declaration (its version history) is inconsistent. */
  | 'invalid_api';

const BRAND = Symbol.for('@versioned/rpc.RpcError');

const CODES: ReadonlySet<string> = new Set<RpcErrorCode>([
  'version_cap',
  'timeout',
  'no_such_method',
  'unsupported_version',
  'remote',
  'transport',
  'invalid_target',
  'invalid_message',
  'invalid_argument',
  'invalid_api',
]);

/**
 * The one error class of @versioned/rpc, and the only one `RpcClient.call` rejects with: `code` says
 * what failed, the message starts with it (`timeout: no reply to ping on conductor within 500 ms`), and
 * `cause` holds the underlying error (the rebuilt remote exception, the amqplib error, ...).
 */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: RpcErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    const known: RpcErrorCode = CODES.has(code) ? code : 'remote';
    const text = message.startsWith(`${known}: `) ? message : `${known}: ${message}`;
    super(text, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RpcError';
    this.code = known;
    this.details = options.details ?? {};
  }

  /**
   * Any thrown value as an RpcError: an RpcError as it is, anything else wrapped with `code` (default
   * 'remote') and kept as the `cause`. For a catch block that wants one type to switch on.
   */
  static from(value: unknown, code: RpcErrorCode = 'remote'): RpcError {
    if (isRpcError(value)) return value;
    const text = value instanceof Error ? `${value.name}: ${value.message}` : describeThrown(value);
    return new RpcError(code, text, { cause: value });
  }

  /** Marks an RpcError, also one thrown by another copy of this package: what {@link isRpcError} checks. */
  get [BRAND](): true {
    return true;
  }
}

/**
 * Whether `value` is an RpcError (from any copy of the package), and with `code` whether it has that code:
 * `isRpcError(err, 'version_cap')`.
 */
export function isRpcError(value: unknown, code?: RpcErrorCode): value is RpcError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (value as RpcError).code === code)
  );
}

function describeThrown(value: unknown): string {
  try {
    return `a non-Error value was thrown: ${typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : String(value).slice(0, 200)}`;
  } catch {
    return `a non-Error value was thrown (${typeof value})`;
  }
}
