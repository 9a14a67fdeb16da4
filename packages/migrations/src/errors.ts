/** What went wrong, when the check could not compare the schemas at all (exit code 2, never a finding). */
export type MigrationErrorCode =
  /** Bad options: an unknown dialect, a missing folder, an unknown git revision. */
  | 'usage'
  /** A migration file or command failed; `file` names it. */
  | 'migration_failed'
  /** The database server could not be reached or the scratch database could not be created. */
  | 'database_unreachable'
  /** The allow-list file is unreadable or malformed; `file` names it. */
  | 'allow_list';

/**
 * Why a check could not run (exit 2 in the CLI): bad usage, a migration that fails, an unreachable database, a bad allow-
 * list. Its `code` says which.
 */
export class MigrationCheckError extends Error {
  readonly code: MigrationErrorCode;
  /** The file (or command) at fault, when there is one. */
  readonly file: string | undefined;
  constructor(code: MigrationErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrationCheckError';
    this.code = code;
    this.file = options.file;
  }
}

/** True for a MigrationCheckError, also when two copies of this package are loaded. */
export function isMigrationCheckError(err: unknown): err is MigrationCheckError {
  return err instanceof Error && err.name === 'MigrationCheckError' && typeof (err as { code?: unknown }).code === 'string';
}

/** The message of anything thrown, on one line. */
export function messageOf(err: unknown): string {
  // Node reports a refused connection to a name with two addresses as an AggregateError without a message.
  if (err instanceof AggregateError && !err.message && err.errors.length) return messageOf(err.errors[0]);
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message || (typeof code === 'string' ? code : err.name) : String(err);
  return text.trim().split('\n')[0] ?? text;
}
