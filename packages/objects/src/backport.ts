// Backports: which version an object tree goes at, and what that costs. oslo's obj_to_primitive with a
// target_version or a version_manifest, obj_make_compatible and obj_make_compatible_from_manifest, read in the
// order an encode meets the questions (the encoder, to-primitive.ts, asks them; codegen.ts drops the fields):
//   1. the root: its target version, and whether the version rules apply below it;
//   2. each object: the version it goes at, and whether that is a backport (with or without its hook);
//   3. its fields: the ones that exist at that version (the rest is dropped);
//   4. its object fields: the rule for the children's version (the manifest, else the relationships);
//   5. each child: its version under that rule;
//   6. a set field dropped on the way: the data-loss policy;
//   7. the indirection side: the versions a receiver asks for, and the backport it gets.
import { VersionedError } from './errors.js';
import { compareVersions } from './version.js';
import { changedInPlace } from './changes.js';
import { BASE_HOOKS, LIST_BRAND, metaOf, type FieldDef, type ObjectMeta } from './meta.js';
import type { VersionHistory } from './history.js';
import type { VersionedObject } from './object.js';
import type { ObjectRegistry } from './registry.js';
import type { Primitive, ToPrimitiveOptions } from './to-primitive.js';

/** Object versions by name (oslo's version manifest). */
export type Manifest = Readonly<Record<string, string>>;

// 1. The root.

/**
 * The root's version: `targetVersion`, else the manifest's, when older than what the object speaks (a
 * receiver that reads a newer version reads this one too); undefined: the version it speaks.
 */
export function rootTarget(obj: VersionedObject, options: ToPrimitiveOptions): string | undefined {
  if (options.targetVersion !== undefined) return options.targetVersion;
  const pinned = options.manifest?.[metaOf(obj).name];
  return pinned !== undefined && compareVersions(pinned, obj.objVersion) < 0 ? pinned : undefined;
}

/**
 * As oslo's obj_to_primitive: the version rules apply to the root's children when its version differs from
 * the object's, or under a manifest (an empty one is no manifest at the root, as Python's truthiness has it).
 */
export function rootCompat(obj: VersionedObject, target: string | undefined, manifest: Manifest | undefined): boolean {
  const manifested = manifest !== undefined && Object.keys(manifest).length > 0;
  return manifested || (target !== undefined && compareVersions(target, obj.objVersion) !== 0);
}

// 2. Each object.

/**
 * Whether an object of `meta` encoded at `version` (its target if `targeted`, else the version it was
 * received at) is backported. A version from before the declared history, received and sent back as it came,
 * is not: nothing is known of its fields, so it goes out as it is, as oslo would send it. A target must
 * lie within the history.
 */
export function isBackport(meta: ObjectMeta, version: string, targeted: boolean): boolean {
  if (version === meta.version || compareVersions(version, meta.version) >= 0) {
    if (targeted) checkTarget(meta, version);
    return false;
  }
  if (!targeted) return !predatesHistory(meta, version);
  checkTarget(meta, version);
  return true;
}

function predatesHistory(meta: ObjectMeta, version: string): boolean {
  return compareVersions(version, (meta.history.entries[0] as { version: string }).version) < 0;
}

function checkTarget(meta: ObjectMeta, target: string): void {
  if (compareVersions(target, meta.version) > 0) {
    throw new VersionedError('invalid_target_version', `cannot backport ${meta.name} ${meta.version} to the newer version ${target}`, {
      details: { name: meta.name, version: meta.version, target },
    });
  }
  const oldest = (meta.history.entries[0] as { version: string }).version;
  if (compareVersions(target, oldest) < 0) {
    throw new VersionedError(
      'invalid_target_version',
      `${meta.name} has no history before ${oldest}, so it cannot be backported to ${target}`,
      {
        details: { name: meta.name, version: meta.version, target, oldest },
      },
    );
  }
}

/** In a backport, a class with its own makeCompatible sees every set field (it may move one into an old shape). */
export function usesHook(obj: VersionedObject): boolean {
  return obj.makeCompatible !== BASE_HOOKS.makeCompatible;
}

// 3. Its fields.

/** Whether a current field exists at `target`. */
export function fieldExistsAt(history: VersionHistory, name: string, target: string): boolean {
  const since = history.fieldSince.get(name);
  return since !== undefined && compareVersions(target, since) >= 0;
}

// 4. Its object fields.

/** Marks a child field dropped because the target precedes its first relationship (oslo's gap rule). */
export const DROP = Symbol('drop');
/** A child field whose version no rule gives; an error only if a child is actually there. */
const NO_RULE = Symbol('no rule');
/** The version an ObjectList's items go at when nothing says otherwise (oslo's ObjectListBase). */
const LIST_ITEMS_DEFAULT = '1.0';

/**
 * How the children of an object field are sent. `compat` is oslo's obj_make_compatible: the child goes at
 * `target` (its own version when undefined) and applies the rules to its own children in turn. Without it,
 * the child goes as it is: at the version it was received at, or its class's.
 */
export interface ChildRule {
  readonly target: string | typeof NO_RULE | undefined;
  readonly compat: boolean;
  /** Only for children made here (not received): received ones go back as they came. */
  readonly freshOnly?: boolean;
}

/** The child goes as it is. */
export const AS_IS: ChildRule & ChildVersion = { target: undefined, compat: false };

/** A child's version (undefined: as it is), and whether the rules apply to its own children. */
export interface ChildVersion {
  readonly target: string | undefined;
  readonly compat: boolean;
}

/** How the object being encoded came to its version: what decides its children's rule. */
export interface ParentState {
  /** The version rules apply to its children (a backport, a manifest). */
  readonly compat: boolean;
  /** It goes back at the older version it was received at, without the rules. */
  readonly resent: boolean;
  readonly manifest: Manifest | undefined;
}

/** Whether a backported object goes back at the older version it was received at, outside the rules (see freshChildRule). */
export function isResent(targeted: boolean, compat: boolean): boolean {
  return !targeted && !compat;
}

/**
 * The rule for the children of `def`, a field of `meta` encoded at `version`, or DROP: as they are unless the
 * rules apply or the parent is resent (the encoder skips the call then). A field kept only for the hook (it
 * does not exist at `version`) goes as it is.
 */
export function childRule(meta: ObjectMeta, def: FieldDef, version: string, exists: boolean, parent: ParentState): ChildRule | typeof DROP {
  if (!exists) return AS_IS;
  if (parent.compat) return compatChildRule(meta, def, version, parent.manifest);
  if (parent.resent) return freshChildRule(meta, def, version);
  return AS_IS;
}

/**
 * oslo's order (obj_make_compatible_from_manifest): with a manifest, only the manifest counts: a class
 * it leaves out goes as it is (a list's items go at 1.0). Without one, the relationships at `version`
 * (past the last pair, as it is); a backport with no rule is an error, a list's items go at 1.0.
 */
function compatChildRule(meta: ObjectMeta, def: FieldDef, version: string, manifest: Manifest | undefined): ChildRule | typeof DROP {
  const listItems = def.name === 'objects' && isObjectList(meta);
  if (manifest !== undefined) {
    const pinned = manifest[def.objectTarget as string];
    if (pinned !== undefined) return { target: pinned, compat: true };
    return listItems ? { target: LIST_ITEMS_DEFAULT, compat: true } : AS_IS;
  }
  const pairs = meta.history.relationships.get(def.name);
  // oslo backports by the pair at or before the version; past the last pair, the child goes as it is.
  if (pairs !== undefined && pairs.length > 0 && compareVersions(version, (pairs.at(-1) as readonly [string, string])[0]) > 0) return AS_IS;
  const related = childVersionAt(meta.history, def.name, version);
  if (related === DROP) return DROP;
  if (related !== undefined) return { target: related, compat: true };
  if (listItems) return { target: LIST_ITEMS_DEFAULT, compat: true };
  return compareVersions(version, meta.version) < 0 ? { target: NO_RULE, compat: true } : AS_IS;
}

/**
 * Beyond oslo: an object going back at the older version it came at sends a child made here (not
 * received) at the version its relationships give for that version, so the old receiver reads it too.
 */
function freshChildRule(meta: ObjectMeta, def: FieldDef, version: string): ChildRule {
  const related = childVersionAt(meta.history, def.name, version);
  return typeof related === 'string' ? { target: related, compat: true, freshOnly: true } : AS_IS;
}

/**
 * The child version of an object field at a parent version, by oslo's gap rules: before the first
 * pair the field is dropped; otherwise the child version of the latest pair at or below the target.
 */
export function childVersionAt(history: VersionHistory, field: string, target: string): string | typeof DROP | undefined {
  const pairs = history.relationships.get(field);
  if (!pairs || pairs.length === 0) return undefined;
  let found: string | typeof DROP = DROP;
  for (const [parent, child] of pairs) {
    if (compareVersions(target, parent) < 0) break;
    found = child;
  }
  return found;
}

function isObjectList(meta: ObjectMeta): boolean {
  return (meta.cls as unknown as Record<symbol, unknown>)[LIST_BRAND] === true;
}

// 5. Each child.

/**
 * The rule resolved for one child (`owner` names the parent, for the error): a received child under a
 * fresh-only rule goes as it came; with no rule, a received child goes at its version and a new one is an
 * error; a target newer than the child's class leaves it at its own (a receiver of the newer reads it too).
 */
export function childTarget(rule: ChildRule, child: VersionedObject, owner: string): ChildVersion {
  if (rule.freshOnly && child.$wireVersion !== undefined) return AS_IS;
  let target = rule.target;
  if (target === NO_RULE) {
    if (child.$wireVersion === undefined) {
      throw new VersionedError(
        'no_backport_rule',
        `no rule gives the ${child.objName} version for ${owner}: record it in the history (children: { field: 'X.Y' }) or pass a manifest`,
      );
    }
    target = child.$wireVersion;
  }
  if (target !== undefined && compareVersions(target, metaOf(child).version) > 0) target = undefined;
  return target === rule.target && !rule.freshOnly ? (rule as ChildVersion) : { target, compat: rule.compat };
}

// 6. What a backport drops.

/** A set field that a backport dropped. */
export interface DataLoss {
  readonly object: string;
  readonly field: string;
  readonly targetVersion: string;
  readonly reason: string;
}

/**
 * What to do when a backport drops a field that is set: `allow` (oslo's behaviour), `log` (a warning
 * through `logger`), `refuse` (a `data_loss` error naming the field), or a function of your own.
 */
export type DataLossPolicy = 'allow' | 'log' | 'refuse' | ((loss: DataLoss) => void);

/** Apply the policy to a set field of `obj` that the backport to `targetVersion` drops; a refusal throws without a path. */
export function reportLoss(
  policy: DataLossPolicy,
  logger: { warn(message: string): void },
  meta: ObjectMeta,
  field: string,
  targetVersion: string,
  reason: string,
  obj: VersionedObject,
): void {
  if (policy === 'allow' || wasFilled(obj, field)) return;
  const loss: DataLoss = { object: meta.name, field, targetVersion, reason };
  if (policy === 'refuse') {
    throw new VersionedError('data_loss', `is set, but backporting to ${meta.name} ${targetVersion} drops it: ${reason}`, {
      details: { ...loss },
    });
  }
  if (policy === 'log') logger.warn(`${meta.name}.${field}: dropped by the backport to ${targetVersion} (${reason})`);
  else policy(loss);
}

/**
 * Filled in by the decoder and neither assigned (that forgets the fill) nor changed in place since: the
 * sender never had it, so dropping it loses nothing, even when the sender's `changes` names it.
 */
function wasFilled(obj: VersionedObject, field: string): boolean {
  return obj.$filled?.has(field) === true && !changedInPlace(obj)?.includes(field);
}

// 7. The indirection side.

/**
 * oslo's obj_tree_get_versions: the newest version of `name` and of every object that can appear inside
 * it, by name. A receiver sends this when it asks for a backport.
 */
export function treeVersions(registry: ObjectRegistry, name: string, tree: Record<string, string> = {}): Manifest {
  if (Object.hasOwn(tree, name)) return tree;
  const meta = registry.newest(name);
  registry.checkTargets(meta);
  tree[name] = meta.version;
  for (const def of meta.fields) for (const child of def.type.objectTargets()) treeVersions(registry, child, tree);
  return tree;
}

/**
 * oslo's object_backport_versions: decode a primitive the registry reads and re-encode it at the versions
 * a receiver asked for (the root at its entry, when there is one).
 */
export function backportVersions(
  registry: ObjectRegistry,
  primitive: unknown,
  versions: Manifest,
  options: Omit<ToPrimitiveOptions, 'manifest' | 'targetVersion'>,
): Primitive {
  const obj = registry.fromPrimitive(primitive);
  const target = versions[obj.objName];
  return obj.toPrimitive({ ...options, manifest: versions, ...(target !== undefined ? { targetVersion: target } : {}) });
}
