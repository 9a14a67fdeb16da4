/** Every failure this package reports has one of these codes. */
export type ErrorCode =
  /** A value does not fit its field's type or constraints. */
  | 'invalid_value'
  /** A primitive is not a well-formed envelope. */
  | 'invalid_primitive'
  /** No class is registered under the object name. */
  | 'unsupported_object'
  /** The envelope's project namespace is not the registered class's. */
  | 'foreign_namespace'
  /** Classes exist for the name, but none can read the incoming version. */
  | 'incompatible_version'
  /** A version string is not `X.Y` or `X.Y.Z`. */
  | 'invalid_version'
  /** A backport target is newer than the object's version. */
  | 'invalid_target_version'
  /** A read-only field that is already set was assigned again. */
  | 'read_only'
  /** An unset field was read and the class cannot lazy-load it. */
  | 'not_lazy_loadable'
  /** A name is not a field of the object. */
  | 'unknown_field'
  /** A class definition is inconsistent (found when it is registered). */
  | 'registration'
  /** Input exceeded a decoding limit (nesting depth, list length). */
  | 'limit_exceeded'
  /** A backport would drop a set field and the data-loss policy refuses it. */
  | 'data_loss'
  /** A child object's version cannot be derived for a backport. */
  | 'no_backport_rule';

const BRAND = Symbol.for('@versioned/objects.VersionedError');

/** One step of an error's path: a field or dict key (a string), or a list index (a number). */
export type PathSegment = string | number;

/**
 * The one error class of @versioned/objects. `code` says what went wrong, `path` where
 * (`Volume.attachments[2].id`). Use `isVersionedError()` rather than `instanceof` when two
 * copies of the package may be loaded.
 */
export class VersionedError extends Error {
  readonly code: ErrorCode;
  /** Where the bad value is, outermost first: `['Volume', 'attachments', 2, 'id']`. */
  readonly path: PathSegment[];
  /** The message without the path. */
  readonly detail: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, detail: string, options: { path?: PathSegment[]; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VersionedError';
    this.code = code;
    this.detail = detail;
    this.path = options.path ?? [];
    this.details = options.details ?? {};
    this.message = formatMessage(this.path, detail);
  }

  /** The path as text: `Volume.attachments[2].id`. */
  get pathString(): string {
    return formatPath(this.path);
  }

  /** Prepend path segments as the error bubbles out of containers. Returns this error. */
  within(...segments: PathSegment[]): this {
    this.path.unshift(...segments);
    this.message = formatMessage(this.path, this.detail);
    return this;
  }

  /** Marks a VersionedError, also one thrown by another copy of this package: what {@link isVersionedError} checks. */
  get [BRAND](): true {
    return true;
  }
}

/**
 * Whether `value` is a VersionedError (from any copy of the package), and with `code` whether it has that code:
 * `isVersionedError(err, 'incompatible_version')`.
 */
export function isVersionedError(value: unknown, code?: ErrorCode): value is VersionedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (value as VersionedError).code === code)
  );
}

const MAX_SEGMENT = 60;

/** A path as errors print it: `['attachments', 2, 'id']` is `attachments[2].id`; odd or very long keys are quoted (and cut). */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (seg.length <= MAX_SEGMENT && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    // A key from the input can be megabytes long: the message quotes its start.
    else out += `[${JSON.stringify(seg.length > MAX_SEGMENT ? `${seg.slice(0, MAX_SEGMENT - 3)}...` : seg)}]`;
  }
  return out;
}

function formatMessage(path: readonly PathSegment[], detail: string): string {
  return path.length ? `${formatPath(path)}: ${detail}` : detail;
}

/** `err`, with `segments` put before its path when it is a VersionedError: `catch (err) { throw within(err, i); }`. */
export function within(err: unknown, ...segments: PathSegment[]): unknown {
  return isVersionedError(err) ? err.within(...segments) : err;
}

/** Run `fn`, adding `segments` to the path of a VersionedError it throws. */
export function atPath<T>(fn: () => T, ...segments: PathSegment[]): T {
  try {
    return fn();
  } catch (err) {
    throw within(err, ...segments);
  }
}
