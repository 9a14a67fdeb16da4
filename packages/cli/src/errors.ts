/** Exit codes of the `versioned` command. */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2 } as const;

/** Why the CLI exits 2: usage, configuration, a module that fails to load, a damaged lock file, an invalid class, git, internal. */
export type UsageErrorCode = 'usage' | 'config' | 'module_load' | 'lock_file' | 'invalid_class' | 'git' | 'internal' | (string & {});

/**
 * A problem with how the command was called or with what it was pointed at (bad flag, unreadable config,
 * a module that fails to load, a corrupt lock file): exit code 2, never a failed check.
 */
export class UsageError extends Error {
  readonly code: UsageErrorCode;
  /** The file at fault, when there is one (absolute; messages show it relative to the current directory). */
  readonly file: string | undefined;
  /** The command whose usage was wrong, for the `--help` hint. */
  readonly command: string | undefined;
  constructor(code: UsageErrorCode, message: string, options: { file?: string; cause?: unknown; command?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UsageError';
    this.code = code;
    this.file = options.file;
    this.command = options.command;
  }
}
