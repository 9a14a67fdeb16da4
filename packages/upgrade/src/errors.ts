/** Every failure of @versioned/upgrade has one of these codes. */
export type UpgradeErrorCode =
  /** A release list is malformed: duplicate names, a bad version, a manifest key the history lacks. */
  | 'invalid_release'
  /** An option is wrong: an unknown release name, a malformed version, a version newer than the process knows. */
  | 'invalid_config'
  /** The database is unreachable or a query failed; the message names the URL (without its password). */
  | 'database'
  /** A live service is older than the oldest release this process can talk to (Nova's "too old" check). */
  | 'too_old'
  /** This service's release is older than the release the fleet was finalized at: a rollback past finalization. */
  | 'below_finalized'
  /** `finalize()` or `finish()` was refused: a live service of an older release still runs. */
  | 'older_service_live'
  /** No service row for that binary and host. */
  | 'unknown_service'
  /** The Upgrade (or the store) was closed. */
  | 'closed';

const BRAND = Symbol.for('@versioned/upgrade.UpgradeError');

/** The one error class of @versioned/upgrade; `code` says what failed, `details` carries the data (hosts, option). */
export class UpgradeError extends Error {
  readonly code: UpgradeErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: UpgradeErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UpgradeError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /** Marks an UpgradeError, also one thrown by another copy of this package: what {@link isUpgradeError} checks. */
  get [BRAND](): true {
    return true;
  }
}

/** True for an UpgradeError (of this or another loaded copy of the package), optionally of one code. */
export function isUpgradeError(value: unknown, code?: UpgradeErrorCode): value is UpgradeError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (value as UpgradeError).code === code)
  );
}
