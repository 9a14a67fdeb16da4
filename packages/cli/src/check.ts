import { compareVersions, type HistoryEntry, type ObjectMeta, type ObjectRegistry } from '@versioned/objects';
import { judgeBump, type BumpVerdict } from './bump.js';
import { diffDescriptions, requiredBump, type Bump, type SchemaChange } from './diff.js';
import { fingerprintRegistry, type ObjectFingerprint } from './fingerprint.js';
import type { HistoryRecord, LockEntry, LockFile, ManifestRecord } from './lock-file.js';
import type { ManifestHistoryLike } from './load-modules.js';
import { compatProblems, manifestCompatProblems } from './checks/compat.js';
import { entryText, planChanges, type ClassAdvice, type ManifestAdvice } from './checks/plan.js';
import { checkRpcApis, type RpcApiRecord, type RpcApiReport } from './rpc-check.js';

/** Which check found a problem. */
export type ProblemSource = 'children' | 'history' | 'tree' | 'compat' | 'manifest' | 'removal' | 'declaration';

/** A problem one of the checks found, for a class or for the project. */
export interface Problem {
  readonly check: ProblemSource;
  readonly message: string;
}

/** How an object compares with the lock file: unchanged, changed, added (not locked yet) or removed (locked but not loaded). */
export type ObjectStatus = 'unchanged' | 'changed' | 'added' | 'removed';

/** What the check found for one object name. */
export interface ObjectReport {
  readonly name: string;
  readonly status: ObjectStatus;
  readonly lockedVersion?: string;
  readonly version?: string;
  readonly lockedFingerprint?: string;
  readonly fingerprint?: string;
  readonly changes: readonly SchemaChange[];
  /** The bump its changes need, child moves recorded in its own history included. */
  readonly requiredBump?: Bump;
  /** For a changed object: whether its version says so. */
  readonly verdict?: BumpVerdict;
  readonly problems: readonly Problem[];
  /** Everything to do for this class in one round: the version to set and the history entry to paste. */
  readonly advice?: ClassAdvice;
  /** A removed class acknowledged in the configuration: the release from which it is allowed. */
  readonly removalAcknowledged?: string;
}

/** The options of {@link checkRegistry}: the manifest history, the acknowledged removals, the `--against` mode. */
export interface CheckOptions {
  /** The project's manifest history: children without per-parent child versions move through it. */
  readonly manifests?: ManifestHistoryLike | undefined;
  /** The `removedClasses` setting: class name -> the release from which its removal is allowed. */
  readonly removedClasses?: Readonly<Record<string, string>> | undefined;
  /** Set for `--against <ref>`: the baseline is a revision, so a properly versioned change passes. */
  readonly against?: string | undefined;
  /** Declarations that failed to register (a version without its history entry): failed checks. */
  readonly invalid?: readonly { readonly file: string; readonly message: string }[];
  /** The RPC APIs the modules declare. */
  readonly rpcApis?: readonly RpcApiRecord[];
}

/** What {@link checkRegistry} found: ok, per-object reports, project problems, the plan, and what `update` writes. */
export interface CheckReport {
  /** True when the lock file matches the code and no check found a problem. */
  readonly ok: boolean;
  readonly lockFile: string;
  readonly lockFileExists: boolean;
  readonly against: string | undefined;
  readonly objects: readonly ObjectReport[];
  /** Problems of the project rather than of one class (the manifest history, declarations that failed). */
  readonly problems: readonly Problem[];
  /** The manifest entry to add when children moved through the manifest history. */
  readonly manifestAdvice: ManifestAdvice | undefined;
  /** The fingerprints computed from the code, for `update`. */
  readonly computed: ReadonlyMap<string, ObjectFingerprint>;
  /** What `update` records: each class's history, and the manifests. */
  readonly histories: ReadonlyMap<string, readonly HistoryRecord[]>;
  readonly manifests: readonly ManifestRecord[] | undefined;
  /** Each declared (or locked) RPC API against its lock file record. */
  readonly rpcApis: readonly RpcApiReport[];
  /** The RPC APIs as `update` records them. */
  readonly rpcRecords: readonly RpcApiRecord[];
}

/** Whether an RPC API passes: unchanged; or, against a revision, every change accounted for by its versions. */
export function rpcApiPasses(api: RpcApiReport, against: string | undefined): boolean {
  if (api.status === 'unchanged') return true;
  if (against === undefined) return false; // the lock file is stale: `update`
  return api.changes.every((c) => c.ok);
}

/** Compare the registry with the lock file (or a revision's) and run the history, tree and compatibility checks. */
export function checkRegistry(
  registry: ObjectRegistry,
  lock: LockFile | undefined,
  lockFile: string,
  options: CheckOptions = {},
): CheckReport {
  const computed = fingerprintRegistry(registry);
  const locked: ReadonlyMap<string, LockEntry> = lock?.objects ?? new Map();
  const manifests = options.manifests;
  const names = [...new Set([...computed.keys(), ...locked.keys()])].sort();
  const metas = new Map(registry.newestClasses().map((m) => [m.name, m]));

  const changesOf = new Map<string, SchemaChange[]>();
  for (const name of names) {
    const now = computed.get(name);
    const was = locked.get(name);
    if (!now || !was || was.fingerprint === now.fingerprint) continue;
    const meta = metas.get(name) as ObjectMeta;
    let changes = softenRenames(diffDescriptions(was.description, now.description), meta);
    if (manifests)
      changes = changes.map((c) =>
        c.kind === 'child_version_moved' && c.field && !meta.history.relationships.has(c.field)
          ? { ...c, viaManifest: true, message: `${c.message} (through the manifest history)` }
          : c,
      );
    if (changes.length === 0 && was.version === now.version) {
      // The hashes differ, yet no difference the diff knows: a description from another CLI version.
      changes.push({
        kind: 'description_changed',
        bump: 'major',
        message: 'the schema description changed in a way this version of the CLI cannot name (compare the lock file entry)',
      });
    }
    changesOf.set(name, changes);
  }
  const lockedKeys = lock?.manifests ? new Set(lock.manifests.map((m) => m.key)) : lock ? new Set<string>() : undefined;
  const plan = planChanges(
    [...metas.values()].map((meta) => {
      const was = locked.get(meta.name);
      return {
        meta,
        locked: was?.version,
        changes: changesOf.get(meta.name) ?? [],
        lockedHistory: was?.history,
        lockedChildren: was
          ? new Map(was.description.children.flatMap((c) => (c.version === null ? [] : [[c.field, c.version] as const])))
          : undefined,
      };
    }),
    registry,
    manifests,
    lock?.manifests ? lockedKeys : undefined,
  );

  const objects: ObjectReport[] = [];
  for (const name of names) {
    const now = computed.get(name);
    const was = locked.get(name);
    if (!now && was) {
      // A module that stopped loading halfway registers only part of the classes: those are not removals.
      if (options.invalid?.length) continue;
      objects.push(
        removedReport(
          name,
          was.version,
          was.fingerprint,
          names.filter((n) => !locked.has(n)),
          options.removedClasses,
        ),
      );
      continue;
    }
    if (!now) continue;
    const meta = metas.get(name) as ObjectMeta;
    const advice = plan.classes.get(name);
    const problems: Problem[] = [];
    for (const child of now.description.children) {
      if (child.version === null)
        problems.push({
          check: 'children',
          message: `field \`${child.field}\` refers to ${child.target}, which no loaded module registers`,
        });
    }
    if (was) problems.push(...releasedHistoryProblems(meta, was.version, was.history));
    if (advice) problems.push(...adviceProblems(advice, meta, was?.version));
    problems.push(
      ...compatProblems(meta, registry, (field) => plan.viaManifest(meta, field)).map((message) => ({ check: 'compat' as const, message })),
    );
    const base = { name, version: now.version, fingerprint: now.fingerprint, ...(advice ? { advice } : {}) };
    if (!was) {
      objects.push({ ...base, status: 'added', changes: [], problems });
      continue;
    }
    const lockedPart = { lockedVersion: was.version, lockedFingerprint: was.fingerprint };
    const changes = changesOf.get(name);
    if (!changes) {
      objects.push({ ...base, ...lockedPart, status: 'unchanged', changes: [], problems });
      continue;
    }
    const bump = advice?.bump ?? requiredBump(changes);
    const verdict = judgeBump(was.version, now.version, bump, changes);
    objects.push({ ...base, ...lockedPart, status: 'changed', changes, ...(bump ? { requiredBump: bump } : {}), verdict, problems });
  }

  const problems: Problem[] = [];
  for (const bad of options.invalid ?? [])
    problems.push({ check: 'declaration', message: `${bad.message} (in ${bad.file}): give the class version its own history entry` });
  const manifestRecords = manifests ? recordManifests(manifests) : undefined;
  if (manifests) {
    problems.push(...manifestProblems(manifests, manifestRecords as ManifestRecord[], lock?.manifests, registry, plan.manifest));
    problems.push(...manifestCompatProblems(manifests, registry).map((message) => ({ check: 'manifest' as const, message })));
  }
  const passes = (o: ObjectReport): boolean => {
    if (o.problems.length) return false;
    if (o.status === 'unchanged') return true;
    if (options.against === undefined) return false; // the lock file is stale: `update`
    if (o.status === 'removed') return o.removalAcknowledged !== undefined;
    return o.advice === undefined && (o.verdict?.ok ?? true);
  };
  const rpcRecords = options.rpcApis ?? [];
  const rpcApis = checkRpcApis(rpcRecords, lock?.rpcApis ?? new Map());
  const ok =
    objects.length + rpcApis.length > 0 &&
    objects.every(passes) &&
    rpcApis.every((a) => rpcApiPasses(a, options.against)) &&
    problems.length === 0;
  const histories = new Map([...metas.values()].map((m) => [m.name, m.history.entries.map(historyRecord)]));
  return {
    ok,
    lockFile,
    lockFileExists: lock !== undefined,
    against: options.against,
    objects,
    problems,
    manifestAdvice: plan.manifest,
    computed,
    histories,
    manifests: manifestRecords,
    rpcApis,
    rpcRecords,
  };
}

function removedReport(
  name: string,
  version: string,
  fingerprint: string,
  added: readonly string[],
  acknowledged: Readonly<Record<string, string>> | undefined,
): ObjectReport {
  const release = acknowledged?.[name];
  const base = { name, status: 'removed' as const, lockedVersion: version, lockedFingerprint: fingerprint, changes: [] };
  if (release !== undefined) return { ...base, problems: [], removalAcknowledged: release };
  const renamed = added.length
    ? ` If it was renamed (to ${added.join(' or ')}?), the wire name changed too: old releases still send "${name}".`
    : '';
  return {
    ...base,
    problems: [
      {
        check: 'removal',
        message:
          `${name} ${version} is in the lock file but no loaded module registers it: services still running a release that sends ${name} will send objects this release cannot decode (an unsupported object type).${renamed} ` +
          `Restore it, or acknowledge it in the configuration: "removedClasses": { "${name}": "<the first release from which no running service sends it>" }`,
      },
    ],
  };
}

/** A released history entry (at or below the locked version) must stay as the lock file recorded it. */
function releasedHistoryProblems(meta: ObjectMeta, lockedVersion: string, recorded: readonly HistoryRecord[] | undefined): Problem[] {
  const out: Problem[] = [];
  const entries = meta.history.entries;
  const oldest = entries[0] as HistoryEntry;
  if (compareVersions(oldest.version, lockedVersion) > 0) {
    out.push({
      check: 'history',
      message: `the history starts at ${oldest.version}, but ${lockedVersion} was released (the lock file records it): declare every version from ${lockedVersion} on`,
    });
  }
  // Declaring child versions for a field that had none is allowed (the relationships diff calls it minor); the rest is frozen.
  const hadChildren = new Set((recorded ?? []).flatMap((r) => Object.keys(r.children ?? {})));
  const frozen = (r: HistoryRecord): HistoryRecord => {
    const children = Object.entries(r.children ?? {}).filter(([f]) => hadChildren.has(f));
    const { children: _, ...rest } = r;
    return children.length ? { ...rest, children: Object.fromEntries(children) } : rest;
  };
  for (const was of recorded ?? []) {
    const now = entries.find((e) => e.version === was.version);
    if (!now) {
      if (compareVersions(was.version, oldest.version) >= 0)
        out.push({ check: 'history', message: `the released history entry ${was.version} was removed: put it back` });
      continue;
    }
    const a = JSON.stringify(frozen(historyRecord(now)));
    const b = JSON.stringify(frozen(was));
    if (a !== b)
      out.push({
        check: 'history',
        message: `the released history entry ${was.version} was rewritten (${b} became ${a}): released versions cannot change; record the change in a new version`,
      });
  }
  return out;
}

/** The advice as problems: each missing record, each child version to declare. */
function adviceProblems(advice: ClassAdvice, meta: ObjectMeta, locked: string | undefined): Problem[] {
  const out: Problem[] = [];
  const where = advice.extend
    ? `the ${advice.extends} entry${advice.extends !== advice.version ? ` (to become ${advice.version})` : ''}`
    : `a new ${advice.version} entry`;
  const since = locked ? ` since ${locked}` : '';
  for (const f of advice.missing.added ?? [])
    out.push({ check: 'history', message: `no history entry${since} records field \`${f}\` (add it to \`added\` in ${where})` });
  for (const f of advice.missing.removed ?? [])
    out.push({
      check: 'history',
      message: `no history entry${since} records the removal of field \`${f}\` (add it to \`removed\` in ${where})`,
    });
  for (const f of advice.missing.changed ?? [])
    out.push({
      check: 'history',
      message: `no history entry${since} records the change to field \`${f}\` (add it to \`changed\` in ${where})`,
    });
  for (const [field, version] of Object.entries(advice.missing.children ?? {})) {
    const target = meta.fields.find((d) => d.name === field)?.type.objectTargets()[0] ?? field;
    out.push({
      check: 'tree',
      message: `field \`${field}\` must declare ${target} ${version}, ${target}'s version after this change: children: { ${field}: '${version}' } in ${where}`,
    });
  }
  if (out.length === 0 && advice.version !== meta.version)
    out.push({ check: 'history', message: `add ${where}: ${entryText(advice.entry)}` });
  return out;
}

function historyRecord(entry: HistoryEntry): HistoryRecord {
  const out: Record<string, unknown> = { version: entry.version };
  for (const key of ['added', 'changed', 'removed'] as const) if (entry[key]?.length) out[key] = [...(entry[key] as string[])].sort();
  if (entry.children && Object.keys(entry.children).length)
    out.children = Object.fromEntries(Object.entries(entry.children).sort(([a], [b]) => (a < b ? -1 : 1)));
  return out as unknown as HistoryRecord;
}

/** The manifests as the lock file records them: each key with the versions it moved. */
function recordManifests(manifests: ManifestHistoryLike): ManifestRecord[] {
  let previous: Readonly<Record<string, string>> = {};
  return manifests.keys().map((key) => {
    const manifest = manifests.get(key);
    const updates = Object.fromEntries(
      Object.entries(manifest)
        .filter(([name, v]) => previous[name] !== v)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    previous = manifest;
    return { key, updates };
  });
}

function manifestProblems(
  manifests: ManifestHistoryLike,
  now: readonly ManifestRecord[],
  locked: readonly ManifestRecord[] | undefined,
  registry: ObjectRegistry,
  advice: ManifestAdvice | undefined,
): Problem[] {
  const out: Problem[] = [];
  const current = new Map(now.map((m) => [m.key, m]));
  for (const was of locked ?? []) {
    const is = current.get(was.key);
    if (!is)
      out.push({ check: 'manifest', message: `the released manifest ${was.key} was removed from the manifest history: put it back` });
    else if (JSON.stringify(is.updates) !== JSON.stringify(was.updates)) {
      out.push({
        check: 'manifest',
        message: `the released manifest ${was.key} was rewritten (${JSON.stringify(was.updates)} became ${JSON.stringify(is.updates)}): add a new manifest instead`,
      });
    }
  }
  for (const key of manifests.keys()) {
    for (const [name, version] of Object.entries(manifests.get(key))) {
      if (!registry.has(name)) continue;
      const declared = registry.versions(name).some((v) => registry.lookup(name, v).history.entries.some((e) => e.version === version));
      if (!declared)
        out.push({ check: 'manifest', message: `manifest ${key} names ${name} ${version}, a version no ${name} history declares` });
    }
  }
  if (advice) {
    const text = `${Object.entries(advice.updates)
      .map(([n, v]) => `${n}: '${v}'`)
      .join(', ')}`;
    out.push({
      check: 'manifest',
      message: advice.extend
        ? `the unreleased manifest ${advice.key} must list { ${text} }: add them to it`
        : `the newest manifest does not list { ${text} }: add one manifest entry, .add('${advice.key}', { ${text} })`,
    });
  }
  return out;
}

/**
 * A removed field is a break, unless the class reshapes data both ways (makeCompatible for older readers,
 * upgradePrimitive for older data): that is a rename, a minor change, and the compatibility check verifies
 * the old shape.
 */
function softenRenames(changes: SchemaChange[], meta: ObjectMeta): SchemaChange[] {
  if (!overrides(meta.cls.prototype, 'makeCompatible') || !overrides(meta.cls, 'upgradePrimitive')) return changes;
  return changes.map((c) =>
    c.kind === 'field_removed' ? { ...c, bump: 'minor', message: `${c.message}, reshaped by makeCompatible/upgradePrimitive` } : c,
  );
}

/** Whether `key` is overridden below the base class that first defines it (found by walking up, not by identity). */
function overrides(start: object, key: string): boolean {
  const owners: object[] = [];
  for (let o: object | null = start; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, key)) owners.push(o);
  }
  return owners.length > 1;
}

/** Objects whose version or history does not account for their changes, and unacknowledged removals: `update` refuses them without --force. */
export function unbumpedObjects(report: CheckReport): ObjectReport[] {
  return report.objects.filter(
    (o) =>
      (o.status === 'changed' && (!o.verdict?.ok || o.advice !== undefined || o.problems.some((p) => p.check === 'history'))) ||
      (o.status === 'removed' && o.removalAcknowledged === undefined),
  );
}
