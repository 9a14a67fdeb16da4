import stableStringify from 'fast-json-stable-stringify';
import { compareVersions, parseVersion } from '@versioned/objects';

/** A type as the lock file records it (a field type's describe()). */
export type TypeRecord = { readonly type: string } & Readonly<Record<string, unknown>>;

export interface RpcArgRecord {
  readonly since: string;
  readonly type: TypeRecord;
  readonly required: boolean;
}

export interface RpcMethodRecord {
  readonly since: string;
  readonly result: TypeRecord | null;
  readonly args: Readonly<Record<string, RpcArgRecord>>;
}

export interface RpcMajorRecord {
  readonly major: number;
  readonly version: string;
  readonly retiredIn: string | null;
  readonly methods: Readonly<Record<string, RpcMethodRecord>>;
}

/** What the lock file holds per RPC API (the structure @versioned/rpc's `RpcApi.describe()` returns). */
export interface RpcApiRecord {
  readonly topic: string;
  readonly namespace: string | null;
  readonly version: string;
  readonly majors: readonly RpcMajorRecord[];
}

export type RpcChangeKind =
  | 'method_added'
  | 'method_removed'
  | 'argument_added'
  | 'argument_removed'
  | 'argument_retyped'
  | 'argument_made_required'
  | 'argument_made_optional'
  | 'result_retyped'
  | 'history_rewritten'
  | 'major_added'
  | 'major_removed'
  | 'major_retired'
  | 'version_backwards';

/** One difference between the locked API and the declared one, and whether its version accounts for it. */
export interface RpcChange {
  readonly kind: RpcChangeKind;
  readonly method?: string;
  readonly argument?: string;
  /** What the change needs: a new minor, a new major, or (for a rewritten history) to be undone. */
  readonly bump: 'minor' | 'major' | 'revert';
  /** Whether the declaration's versions account for the change. */
  readonly ok: boolean;
  /** The version to declare it in, when `ok` is false and a bump would do. */
  readonly suggested?: string;
  readonly message: string;
}

export type RpcApiStatus = 'unchanged' | 'changed' | 'added' | 'removed';

export interface RpcApiReport {
  /** `topic`, or `topic:namespace`. */
  readonly name: string;
  readonly status: RpcApiStatus;
  readonly version: string | null;
  readonly lockedVersion: string | null;
  readonly changes: readonly RpcChange[];
}

/** The lock file key of an API. */
export function rpcApiKey(api: Pick<RpcApiRecord, 'topic' | 'namespace'>): string {
  return api.namespace === null ? api.topic : `${api.topic}:${api.namespace}`;
}

const same = (a: unknown, b: unknown): boolean => stableStringify(a) === stableStringify(b);
const typeText = (t: TypeRecord | null): string => (t === null ? 'nothing' : stableStringify(t));
const nextMinor = (v: string): string => `${parseVersion(v)[0]}.${(parseVersion(v)[1] as number) + 1}`;

/**
 * Compare each declared API with its lock file record. Inside a major that the lock file knows: removing or
 * renaming a method or argument, changing a type, or making an argument required breaks callers (a new major
 * restates the API instead); an addition must be declared in a version newer than the locked one.
 */
export function checkRpcApis(declared: readonly RpcApiRecord[], locked: ReadonlyMap<string, RpcApiRecord>): RpcApiReport[] {
  const now = new Map(declared.map((a) => [rpcApiKey(a), a]));
  const reports: RpcApiReport[] = [];
  for (const name of [...new Set([...now.keys(), ...locked.keys()])].sort()) {
    const api = now.get(name);
    const was = locked.get(name);
    if (!api) {
      const message = `the RPC API ${name} ${was?.version} is in the lock file but no loaded module declares it: services of older releases still call it. Restore it (or its module in the configuration)`;
      reports.push({
        name,
        status: 'removed',
        version: null,
        lockedVersion: was?.version ?? null,
        changes: [{ kind: 'major_removed', bump: 'revert', ok: false, message }],
      });
      continue;
    }
    if (!was) {
      reports.push({ name, status: 'added', version: api.version, lockedVersion: null, changes: [] });
      continue;
    }
    const changes = diffApi(was, api);
    reports.push({ name, status: changes.length ? 'changed' : 'unchanged', version: api.version, lockedVersion: was.version, changes });
  }
  return reports;
}

function diffApi(was: RpcApiRecord, api: RpcApiRecord): RpcChange[] {
  const out: RpcChange[] = [];
  const majors = new Map(api.majors.map((m) => [m.major, m]));
  const newestLocked = Math.max(...was.majors.map((m) => m.major));
  for (const old of was.majors) {
    const cur = majors.get(old.major);
    if (!cur) {
      out.push({
        kind: 'major_removed',
        bump: 'revert',
        ok: false,
        message: `the history of ${old.major}.x (up to ${old.version}) was removed: a released version stays in the history; put it back`,
      });
      continue;
    }
    out.push(...diffMajor(old, cur, old.major === newestLocked));
  }
  for (const cur of api.majors) {
    if (was.majors.some((m) => m.major === cur.major)) continue;
    const ok = cur.major > newestLocked;
    out.push({
      kind: 'major_added',
      bump: 'major',
      ok,
      message: ok
        ? `new major ${cur.major}.0 (newest ${cur.version}); the previous major is served alongside until it is retired`
        : `${cur.major}.x is older than the locked ${newestLocked}.x`,
    });
  }
  return out;
}

/** The differences inside one major; `open` when it is the newest locked major (unreleased minors may follow it). */
function diffMajor(was: RpcMajorRecord, cur: RpcMajorRecord, open: boolean): RpcChange[] {
  const out: RpcChange[] = [];
  const k = was.major;
  const needMajor = `${k + 1}.0`;
  const breaking = (kind: RpcChangeKind, what: string, method: string, argument?: string): RpcChange => ({
    kind,
    method,
    ...(argument ? { argument } : {}),
    bump: 'major',
    ok: false,
    suggested: needMajor,
    message: `${what} in ${k}.x breaks callers of ${was.version}: it needs a new major (${needMajor}, restating the API with the change) — the released ${k}.x stays as locked`,
  });
  if (compareVersions(cur.version, was.version) < 0) {
    out.push({
      kind: 'version_backwards',
      bump: 'revert',
      ok: false,
      message: `${k}.x went back from ${was.version} to ${cur.version}: released versions stay in the history`,
    });
  }
  if (was.retiredIn !== null && cur.retiredIn !== was.retiredIn) {
    out.push({
      kind: 'history_rewritten',
      bump: 'revert',
      ok: false,
      message: `${k}.x was retired in ${was.retiredIn}; the history now says ${cur.retiredIn ?? 'it is served'}`,
    });
  } else if (was.retiredIn === null && cur.retiredIn !== null) {
    out.push({
      kind: 'major_retired',
      bump: 'major',
      ok: true,
      message: `${k}.x is retired from release ${cur.retiredIn} (its proxy endpoint is gone)`,
    });
  }
  const added = (kind: RpcChangeKind, what: string, since: string, method: string, argument?: string): RpcChange => {
    const ok = open && compareVersions(since, was.version) > 0;
    const where = open ? nextMinor(was.version) : `a new major (${needMajor} restates the API)`;
    return {
      kind,
      method,
      ...(argument ? { argument } : {}),
      bump: open ? 'minor' : 'major',
      ok,
      ...(ok ? {} : { suggested: open ? nextMinor(was.version) : needMajor }),
      message: ok
        ? `${what} in ${since}`
        : `${what} in ${since}, a version already released (locked ${was.version}): it needs a minor bump — declare it in a new ${where} entry`,
    };
  };
  for (const name of [...new Set([...Object.keys(was.methods), ...Object.keys(cur.methods)])].sort()) {
    const a = was.methods[name];
    const b = cur.methods[name];
    if (a && !b) {
      out.push(breaking('method_removed', `method ${name} was removed (or renamed)`, name));
      continue;
    }
    if (!a && b) {
      out.push(added('method_added', `method ${name} added`, b.since, name));
      continue;
    }
    if (!a || !b) continue;
    if (a.since !== b.since)
      out.push({
        kind: 'history_rewritten',
        method: name,
        bump: 'revert',
        ok: false,
        message: `method ${name} was added in ${a.since}; the history now says ${b.since}: put it back`,
      });
    if (!same(a.result, b.result))
      out.push(breaking('result_retyped', `the result of ${name} changed from ${typeText(a.result)} to ${typeText(b.result)}`, name));
    for (const arg of [...new Set([...Object.keys(a.args), ...Object.keys(b.args)])].sort()) {
      const x = a.args[arg];
      const y = b.args[arg];
      const label = `${name}.${arg}`;
      if (x && !y) out.push(breaking('argument_removed', `argument ${label} was removed (or renamed)`, name, arg));
      else if (!x && y) out.push(added('argument_added', `argument ${label} added (${typeText(y.type)})`, y.since, name, arg));
      else if (x && y) {
        if (!same(x.type, y.type))
          out.push(
            breaking('argument_retyped', `argument ${label} changed type from ${typeText(x.type)} to ${typeText(y.type)}`, name, arg),
          );
        if (x.since !== y.since)
          out.push({
            kind: 'history_rewritten',
            method: name,
            argument: arg,
            bump: 'revert',
            ok: false,
            message: `argument ${label} was added in ${x.since}; the history now says ${y.since}: put it back`,
          });
        if (!x.required && y.required)
          out.push(
            breaking('argument_made_required', `argument ${label} became required (callers of ${was.version} may omit it)`, name, arg),
          );
        if (x.required && !y.required)
          out.push(added('argument_made_optional', `argument ${label} became optional`, cur.version, name, arg));
      }
    }
  }
  return out;
}
