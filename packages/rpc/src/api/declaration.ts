import {
  FieldType,
  VersionedError,
  formatPath,
  isVersionedError,
  isVersionedObject,
  parseVersion,
  compareVersions,
  type DecodeContext,
  type EncodeContext,
  type Primitive,
} from '@versioned/objects';
import { isRecord } from '@versioned/objects/internal';
import { RpcError } from '../errors.js';
import type { ArgDecl, MethodDecl, VersionSpec, PreviousMethod } from './types.js';

/** One argument as the history builds it: its type, the version that added it, what an omitting caller gets. */
export interface ArgShape {
  readonly name: string;
  readonly since: string;
  readonly type: FieldType;
  /** Neither a default nor optional: every caller must pass it. */
  readonly required: boolean;
  readonly hasDefault: boolean;
  /** A fresh default value (a factory is called). */
  makeDefault(): unknown;
  /** Under a cap below `since`, the client drops the argument instead of failing. */
  readonly dropIfCapped: boolean;
}

export interface MethodShape {
  readonly name: string;
  readonly since: string;
  readonly args: ReadonlyMap<string, ArgShape>;
  readonly result: FieldType | undefined;
  /** Under a cap below `since`, the client calls this method instead. */
  readonly ifCapped: { readonly method: string; readonly args?: (args: Record<string, unknown>) => Record<string, unknown> } | undefined;
}

/** One major version of the API: its methods as of its newest minor, and how the previous major maps onto it. */
export interface MajorShape {
  readonly major: number;
  /** Every version of this major, oldest first. */
  readonly versions: readonly string[];
  readonly newest: string;
  readonly methods: ReadonlyMap<string, MethodShape>;
  /** The release that opened this major. */
  readonly openedIn: string;
  /** How each method of the previous major maps onto this one (old name -> new method and arguments). */
  readonly previous: ReadonlyMap<string, PreviousMethod>;
  /** The release from which this major is no longer served (set on the retired major). */
  readonly retiredIn: string | undefined;
}

/** The history, checked and compiled: what clients plan with, servers decode with and the lock file records. */
export interface CompiledApi {
  readonly topic: string;
  readonly namespace: string | undefined;
  readonly majors: readonly MajorShape[];
  /** The newest major: what the typed client speaks and the implementation serves. */
  readonly current: MajorShape;
  /** The previous major while it is still served alongside (through the generated proxy endpoint). */
  readonly proxied: MajorShape | undefined;
  readonly newest: string;
  /** Each release, oldest first, with the newest version it shipped. */
  readonly releases: readonly { readonly name: string; readonly version: string }[];
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const RESERVED = new Set<string>([...Object.getOwnPropertyNames(Object.prototype), 'target']);

function fail(where: string, why: string): never {
  throw new RpcError('invalid_api', `${where}: ${why}`, { details: { where } });
}

function checkName(where: string, name: string, what: string): void {
  if (!NAME_RE.test(name) || RESERVED.has(name))
    fail(where, `${JSON.stringify(name)} is not a valid ${what} name (letters, digits and _, starting with a letter)`);
}

function argShape(where: string, name: string, decl: ArgDecl, since: string): ArgShape {
  checkName(where, name, 'argument');
  const spec = decl instanceof FieldType ? { type: decl } : decl;
  if (!isRecord(spec) || !(spec.type instanceof FieldType))
    fail(where, 'expected a field type (f.string()) or { type, default?, optional?, ifCapped? }');
  const hasDefault = Object.hasOwn(spec, 'default');
  const dflt = (spec as { default?: unknown }).default;
  const type = spec.type as FieldType;
  if (hasDefault && typeof dflt !== 'function') {
    try {
      type.coerce(dflt);
    } catch (err) {
      fail(where, `the default does not fit the type: ${isVersionedError(err) ? err.message : String(err)}`);
    }
  }
  const optional = (spec as { optional?: unknown }).optional === true;
  const ifCapped = (spec as { ifCapped?: unknown }).ifCapped;
  if (ifCapped !== undefined && ifCapped !== 'drop') fail(where, `ifCapped must be 'drop', got ${JSON.stringify(ifCapped)}`);
  return Object.freeze({
    name,
    since,
    type,
    required: !hasDefault && !optional,
    hasDefault,
    makeDefault: () => (typeof dflt === 'function' ? (dflt as () => unknown)() : type.clone(type.coerce(dflt), new Map())),
    dropIfCapped: ifCapped === 'drop',
  });
}

function methodShape(where: string, name: string, decl: MethodDecl, since: string): MethodShape {
  checkName(where, name, 'method');
  if (!isRecord(decl)) fail(where, 'expected { args?, result?, ifCapped? }');
  if (decl.result !== undefined && !(decl.result instanceof FieldType)) fail(`${where}.result`, 'expected a field type');
  const args = new Map<string, ArgShape>();
  if (decl.args !== undefined && !isRecord(decl.args)) fail(`${where}.args`, 'expected an object of argument name -> type');
  for (const [arg, a] of Object.entries(decl.args ?? {})) args.set(arg, argShape(`${where}.args.${arg}`, arg, a as ArgDecl, since));
  const ifCapped = decl.ifCapped;
  if (ifCapped !== undefined && (!isRecord(ifCapped) || typeof ifCapped.method !== 'string'))
    fail(`${where}.ifCapped`, 'expected { method, args? }');
  return Object.freeze({ name, since, args, result: decl.result, ifCapped: ifCapped as MethodShape['ifCapped'] });
}

/** A major as the history builds it (mutable until compileHistory freezes it). */
type MajorDraft = {
  major: number;
  versions: string[];
  methods: Map<string, MethodShape>;
  openedIn: string;
  previous: Map<string, PreviousMethod>;
  retiredIn: string | undefined;
};

/** An X.0 entry: the whole API of the new major, and how each method of the previous one maps onto it. */
function openMajor(where: string, entry: VersionSpec, majors: readonly MajorDraft[]): MajorDraft {
  const { version, release } = entry;
  const last = majors.at(-1);
  const older = majors.at(-2);
  if (older && older.retiredIn === undefined)
    fail(`${where}.version`, `${older.major}.x is still served: retire it (retires: ${older.major}) before opening ${version}`);
  if (entry.args !== undefined)
    fail(`${where}.args`, `a new major restates every method in \`methods\`; \`args\` adds to a method of the same major`);
  if (!entry.methods || Object.keys(entry.methods).length === 0) fail(`${where}.methods`, `${version} must declare the methods it serves`);
  if (entry.retires !== undefined) fail(`${where}.retires`, `${version} opens a major; the previous one is retired in a later release`);
  const methods = new Map<string, MethodShape>();
  for (const [name, decl] of Object.entries(entry.methods))
    methods.set(name, methodShape(`${where}.methods.${name}`, name, decl as MethodDecl, version));
  const previous = new Map<string, PreviousMethod>();
  if (entry.previous !== undefined) {
    if (!last) fail(`${where}.previous`, 'the first major has no previous major');
    if (!isRecord(entry.previous)) fail(`${where}.previous`, 'expected an object of old method name -> { method?, upgrade?, downgrade? }');
    for (const [old, map] of Object.entries(entry.previous as Record<string, PreviousMethod>)) {
      if (!last.methods.has(old)) fail(`${where}.previous.${old}`, `${old} is not a method of ${last.major}.x`);
      if (!isRecord(map)) fail(`${where}.previous.${old}`, 'expected { method?, upgrade?, downgrade? }');
      previous.set(old, map);
    }
  }
  for (const old of last?.methods.keys() ?? []) {
    const target = previous.get(old)?.method ?? old;
    if (!methods.has(target))
      fail(
        `${where}.previous`,
        `${old} of ${last?.major}.x has no ${version} counterpart: the proxy endpoint must serve it; map it with previous: { ${old}: { method, upgrade } }`,
      );
  }
  return { major: parseVersion(version)[0], versions: [version], methods, openedIn: release, previous, retiredIn: undefined };
}

/** A minor entry: new methods, new (omittable) arguments of existing ones, and perhaps the previous major retired. */
function extendMajor(where: string, entry: VersionSpec, majors: readonly MajorDraft[]): void {
  const { version, release } = entry;
  const current = majors.at(-1) as MajorDraft;
  if (entry.previous !== undefined) fail(`${where}.previous`, 'only a new major (X.0) maps the previous major');
  for (const [name, decl] of Object.entries(entry.methods ?? {})) {
    if (current.methods.has(name))
      fail(
        `${where}.methods.${name}`,
        `${name} exists since ${current.methods.get(name)?.since}; add arguments with \`args\`, change it only at a new major`,
      );
    const shape = methodShape(`${where}.methods.${name}`, name, decl as MethodDecl, version);
    const alternative = shape.ifCapped?.method;
    if (alternative !== undefined && !current.methods.has(alternative))
      fail(
        `${where}.methods.${name}.ifCapped.method`,
        `${JSON.stringify(alternative)} is not a method of an older ${current.major}.x version`,
      );
    current.methods.set(name, shape);
  }
  for (const [method, added] of Object.entries(entry.args ?? {})) {
    const shape = current.methods.get(method);
    if (!shape) fail(`${where}.args.${method}`, `${method} is not a method of ${current.major}.x; declare new methods in \`methods\``);
    if (!isRecord(added)) fail(`${where}.args.${method}`, 'expected an object of argument name -> type');
    const args = new Map(shape.args);
    for (const [name, decl] of Object.entries(added)) {
      const at = `${where}.args.${method}.${name}`;
      if (args.has(name)) fail(at, `${method} has ${name} since ${args.get(name)?.since}; change it only at a new major`);
      const a = argShape(at, name, decl as ArgDecl, version);
      if (a.required) fail(at, `callers older than ${version} do not send ${name}: give it a default, or make it optional`);
      args.set(name, a);
    }
    current.methods.set(method, Object.freeze({ ...shape, args }));
  }
  if (entry.retires !== undefined) {
    const retired = majors.find((m) => m.major === entry.retires);
    if (typeof entry.retires !== 'number' || retired === undefined || entry.retires !== current.major - 1)
      fail(`${where}.retires`, `only ${current.major - 1}, the previous major, can be retired`);
    if (retired.retiredIn !== undefined) fail(`${where}.retires`, `${retired.major}.x is already retired (in ${retired.retiredIn})`);
    if (release === current.openedIn) {
      fail(
        `${where}.retires`,
        `${current.major}.0 opened in release ${release}: ${retired.major}.x must be served alongside for that whole release, so a rolling upgrade from the release before keeps working; retire it in the next release`,
      );
    }
    retired.retiredIn = release;
  }
  current.versions.push(version);
}

/**
 * Check a version history and compile it. Versions go up one minor at a time, or open the next major at X.0;
 * a minor adds methods and arguments (a new argument of an existing method needs a default or `optional`,
 * since older callers omit it); a new major restates the whole API (what it leaves out is removed) and says
 * in `previous` how the old major's calls map onto it; `retires` drops the previous major, in a later release
 * than the one that opened the new major. Every mistake is an RpcError 'invalid_api' naming the entry.
 */
export function compileHistory(topic: string, namespace: string | undefined, history: readonly VersionSpec[]): CompiledApi {
  if (!Array.isArray(history) || history.length === 0) fail(`${topic} API`, 'the version history is empty; declare at least 1.0');
  const majors: MajorDraft[] = [];
  const releases: { name: string; version: string }[] = [];
  for (const [index, entry] of history.entries()) {
    const where = `${topic} API history[${index}]${isRecord(entry as unknown) && typeof entry?.version === 'string' ? ` (${entry.version})` : ''}`;
    if (!isRecord(entry as unknown)) fail(where, 'expected { version, release, note, methods?, args?, previous?, retires? }');
    const { version, release, note } = entry;
    if (typeof version !== 'string' || !/^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/.test(version))
      fail(`${where}.version`, `expected "X.Y", got ${JSON.stringify(version)}`);
    if (typeof release !== 'string' || release.trim() === '') fail(`${where}.release`, 'expected the name of the release it ships in');
    if (typeof note !== 'string' || note.trim() === '') fail(`${where}.note`, 'expected a note saying what changed');
    const [maj, min] = parseVersion(version);
    const last = majors.at(-1);
    const lastVersion = last?.versions.at(-1);
    const opens = last === undefined ? maj >= 1 && min === 0 : maj === last.major + 1 && min === 0;
    const continues =
      last !== undefined && maj === last.major && lastVersion !== undefined && min === (parseVersion(lastVersion)[1] as number) + 1;
    if (!opens && !continues) {
      fail(
        `${where}.version`,
        last === undefined
          ? 'the history starts at a major version X.0'
          : `after ${lastVersion} comes ${last.major}.${(parseVersion(lastVersion as string)[1] as number) + 1} (a minor) or ${last.major + 1}.0 (a new major)`,
      );
    }
    const previousRelease = releases.at(-1);
    if (previousRelease?.name !== release) {
      if (releases.some((r) => r.name === release))
        fail(
          `${where}.release`,
          `${JSON.stringify(release)} comes again after ${JSON.stringify(previousRelease?.name)}; list versions oldest first`,
        );
      releases.push({ name: release, version });
    } else previousRelease.version = version;
    if (entry.methods !== undefined && !isRecord(entry.methods))
      fail(`${where}.methods`, 'expected an object of method name -> { args, result }');
    if (entry.args !== undefined && !isRecord(entry.args)) fail(`${where}.args`, 'expected an object of method name -> { argument: type }');
    if (opens) majors.push(openMajor(where, entry, majors));
    else extendMajor(where, entry, majors);
  }
  const frozen: MajorShape[] = majors.map((m) =>
    Object.freeze({ ...m, versions: Object.freeze([...m.versions]), newest: m.versions.at(-1) as string }),
  );
  const current = frozen.at(-1) as MajorShape;
  const before = frozen.at(-2);
  return Object.freeze({
    topic,
    namespace,
    majors: Object.freeze(frozen),
    current,
    proxied: before && before.retiredIn === undefined ? before : undefined,
    newest: current.newest,
    releases: Object.freeze(releases.map((r) => Object.freeze(r))),
  });
}

/** Whether `version` (same major) is at or above `since`. */
export function hasVersion(version: string, since: string): boolean {
  return compareVersions(version, since) >= 0;
}

/** The newest of some versions of one major. */
export function maxVersion(versions: readonly string[]): string {
  return versions.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));
}

/**
 * What field types see when the API decodes a wire value: objects were already decoded by the RPC serializer,
 * so a child is taken as it is; an envelope left undecoded (no ObjectsRpcSerializer) is refused.
 */
export const ARGUMENT_DECODE_CONTEXT: DecodeContext = Object.freeze({
  registry: undefined as never,
  limits: { maxDepth: 32, maxListLength: 1_000_000 },
  decodeChild(value: unknown) {
    if (isVersionedObject(value)) return value;
    throw new VersionedError(
      'invalid_value',
      'expected a versioned object (envelopes are decoded by an ObjectsRpcSerializer; give one to the client and the server)',
    );
  },
});

/**
 * What field types see when the API encodes a value for the wire: a child object is left as it is, for the
 * RPC serializer to encode at the pinned versions; the rest takes its wire form (a DateTime its oslo text).
 */
export const ARGUMENT_ENCODE_CONTEXT: EncodeContext = Object.freeze({
  manifest: undefined,
  encodeChild: (obj: unknown) => obj as Primitive,
});

/** A value checked by its declared type and put in its wire form; a VersionedError if it does not fit. */
export function encodeValue(type: FieldType, value: unknown): unknown {
  return type.toPrimitive(type.coerce(value), ARGUMENT_ENCODE_CONTEXT);
}

/** The arguments a declaration's mapping function returns, or an RpcError 'invalid_api' naming it. */
export function mapArgs(
  fn: (args: Record<string, unknown>) => Record<string, unknown>,
  args: Record<string, unknown>,
  where: string,
): Record<string, unknown> {
  let out: unknown;
  try {
    out = fn({ ...args });
  } catch (err) {
    throw new RpcError('invalid_api', `${where} threw: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      details: { where },
    });
  }
  if (!isRecord(out))
    throw new RpcError(
      'invalid_api',
      `${where} must return an object of argument name -> value, got ${out === null ? 'null' : typeof out}`,
      { details: { where } },
    );
  return out;
}

/** A VersionedError from an argument's field type as the API's typed error: `create_volume.volume.size: expected ...`. */
export function argumentError(topic: string, method: string, argument: string, err: unknown, version?: string): RpcError {
  const inner = isVersionedError(err) ? err : undefined;
  const path = formatPath([method, argument, ...(inner?.path ?? [])]);
  const detail = inner ? inner.detail : err instanceof Error ? err.message : String(err);
  return new RpcError('invalid_argument', `${path}: ${detail}`, {
    cause: err,
    details: { topic, method, argument, path, ...(version ? { version } : {}), ...(inner ? { expected: inner.details['expected'] } : {}) },
  });
}
