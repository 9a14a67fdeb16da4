import { VersionedError } from './errors.js';
import { DROP, childVersionAt } from './history.js';
import { encoderFor, type EncoderHost } from './codegen.js';
import { LIST_BRAND, isVersionedObject, metaOf, type FieldDef, type ObjectMeta, type VersionedObjectLike } from './meta.js';
import { BASE_WHAT_CHANGED, VersionedObject as VersionedObjectBase, hasChanges, type VersionedObject } from './object.js';
import { changedInPlace } from './changes.js';
import { compareVersions } from './version.js';

/** An object envelope, as oslo.versionedobjects emits it. */
export type Primitive = Record<string, unknown>;

/** Object versions by name (oslo's version manifest). */
export type Manifest = Readonly<Record<string, string>>;

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

export interface ToPrimitiveOptions {
  /** Backport to this version (oslo's target_version). Default: the version the object speaks. */
  targetVersion?: string;
  /**
   * Versions for every object in the tree, by name (oslo's version_manifest): the root follows it too,
   * unless `targetVersion` is given. Entries newer than an object's version leave it as it is.
   */
  manifest?: Manifest;
  /** Default `allow`. */
  onDataLoss?: DataLossPolicy;
  /** Where `log` writes; default console. */
  logger?: { warn(message: string): void };
}

/** What field types see while encoding. */
export interface EncodeContext {
  readonly manifest: Manifest | undefined;
  /** Encode a child object of the field being encoded, at the version its parent decided. */
  encodeChild(obj: VersionedObjectLike): Primitive;
}

const MAX_ENCODE_DEPTH = 100;
/** A child field whose version no rule gives; an error only if a child is actually there. */
const NO_RULE = Symbol('no rule');
/** The version an ObjectList's items go at when nothing says otherwise (oslo's ObjectListBase). */
const LIST_ITEMS_DEFAULT = '1.0';

/**
 * How the children of the field being encoded are sent. `compat` is oslo's obj_make_compatible: the
 * child goes at `target` (its own version when undefined) and applies the rules to its own children in
 * turn. Without it, the child goes as it is: at the version it was received at, or its class's.
 */
interface ChildRule {
  readonly target: string | typeof NO_RULE | undefined;
  readonly compat: boolean;
  /** Only for children made here (not received): received ones go back as they came. */
  readonly freshOnly?: boolean;
}

const AS_IS: ChildRule = { target: undefined, compat: false };

class Encoder implements EncodeContext, EncoderHost {
  private depth = 0;
  /** Whether the object being encoded applies the version rules to its children. */
  private compat = false;
  /** Whether the object being encoded goes back at the older version it was received at. */
  private resent = false;
  /** The rule decided for children of the field being encoded. */
  private childRule: ChildRule = AS_IS;
  /** The object (and the version it goes at) whose field is being encoded: named in an error only. */
  private childOwner: ObjectMeta | undefined;
  private childOwnerVersion = '';
  /**
   * Whether each child encoded so far in this call, that has children of its own, has changes (hasChanges):
   * its parent reads it here rather than walking the subtree again. Leaves answer in constant time anyway.
   */
  private dirty: Map<VersionedObject, boolean> | undefined;

  constructor(
    readonly manifest: Manifest | undefined,
    private readonly onDataLoss: DataLossPolicy,
    private readonly logger: { warn(message: string): void },
  ) {}

  encodeChild(child: VersionedObjectLike): Primitive {
    const obj = child as VersionedObject;
    const { compat, freshOnly } = this.childRule;
    if (freshOnly && obj.$wireVersion !== undefined) return this.encode(obj, undefined, false);
    let target = this.childRule.target;
    if (target === NO_RULE) {
      if (obj.$wireVersion === undefined) {
        throw new VersionedError(
          'no_backport_rule',
          `no rule gives the ${obj.objName} version for ${this.childOwner?.name} ${this.childOwnerVersion}: record it in the history (children: { field: 'X.Y' }) or pass a manifest`,
        );
      }
      target = obj.$wireVersion;
    }
    // A receiver that reads a newer child version reads this older one too.
    if (target !== undefined && compareVersions(target, metaOf(obj).version) > 0) target = undefined;
    return this.encode(obj, target, compat);
  }

  /**
   * Encode `obj` at `target` (else at the version it was received at, else its class's). `compat`: the
   * version rules apply to its children (the manifest, else the relationships at that version).
   */
  encode(obj: VersionedObject, target: string | undefined, compat: boolean): Primitive {
    const meta = metaOf(obj);
    const version = target ?? obj.$wireVersion ?? meta.version;
    let older = version !== meta.version && compareVersions(version, meta.version) < 0;
    // Sent back at the version it came in at, from before the declared history: nothing is known of that
    // version's fields, so the object goes out as it is, as oslo would send it.
    if (older && target === undefined && predatesHistory(meta, version)) older = false;
    else if (target !== undefined) checkTarget(meta, version);
    if (++this.depth > MAX_ENCODE_DEPTH) {
      throw new VersionedError('limit_exceeded', `objects nest deeper than ${MAX_ENCODE_DEPTH} levels (is there a cycle?)`);
    }
    // A class with its own makeCompatible sees every set field (it may move one into an old shape).
    const hooked = older && obj.makeCompatible !== VersionedObjectBase.prototype.makeCompatible;
    const encodedAt = older ? version : meta.version;
    // Saved and restored without a finally: an error ends the whole call, and an Encoder serves one call.
    const savedCompat = this.compat;
    const savedResent = this.resent;
    this.compat = compat;
    this.resent = older && target === undefined && !compat;
    const out = encoderFor(meta, encodedAt, hooked)(obj.$values, this, obj);
    this.compat = savedCompat;
    this.resent = savedResent;
    // The label is the version decided, as written: "1.0.0" received is "1.0.0" re-sent.
    if (version !== encodedAt) out[meta.keys.version] = version;
    this.depth--;
    const changes = this.changedFields(obj, meta, out);
    if (changes !== undefined) out[meta.keys.changes] = changes;
    return out;
  }

  /**
   * whatChanged(), in declaration order (deterministic), limited to the keys still in data; undefined when
   * empty. Records, for a child with children, whether whatChanged() is empty (its parent asks).
   */
  private changedFields(obj: VersionedObject, meta: ObjectMeta, out: Primitive): string[] | undefined {
    let changes: string[] | undefined;
    const data = out[meta.keys.data] as Record<string, unknown>;
    if (obj.whatChanged !== BASE_WHAT_CHANGED) {
      const changed = obj.whatChanged();
      this.record(obj, meta, changed.size > 0);
      for (const def of meta.fields) if (changed.has(def.name) && Object.hasOwn(data, def.name)) (changes ??= []).push(def.name);
      return changes;
    }
    // whatChanged() without the Set: what was assigned, changed in place, or holds a child with changes.
    const own = obj.$changes;
    const inPlace = changedInPlace(obj);
    if (own.size === 0 && inPlace === undefined) {
      let dirty = false;
      for (const def of meta.objectFields) if (this.childHasChanges(obj.$values[def.name])) { dirty = true; break; }
      this.record(obj, meta, dirty);
      if (!dirty) return undefined;
    } else this.record(obj, meta, true);
    for (const def of meta.fields) {
      const name = def.name;
      if (!Object.hasOwn(data, name)) continue;
      if (own.has(name) || inPlace?.includes(name) || (def.objectTarget !== undefined && this.childHasChanges(obj.$values[name]))) (changes ??= []).push(name);
    }
    return changes;
  }

  private record(obj: VersionedObject, meta: ObjectMeta, dirty: boolean): void {
    // The root (depth 0 once encoded) has no parent to ask; a leaf's hasChanges is cheap.
    if (this.depth > 0 && meta.objectFields.length > 0) (this.dirty ??= new Map()).set(obj, dirty);
  }

  /** childHasChanges (object.ts), reading what was recorded for children encoded in this call. */
  private childHasChanges(value: unknown): boolean {
    if (Array.isArray(value)) {
      for (const item of value) if (isVersionedObject(item) && this.hasChanges(item as VersionedObject)) return true;
      return false;
    }
    return isVersionedObject(value) && this.hasChanges(value as VersionedObject);
  }

  private hasChanges(obj: VersionedObject): boolean {
    return this.dirty?.get(obj) ?? hasChanges(obj);
  }

  /** Called by compiled encoders for fields that hold objects: decide the children's version, then encode. */
  objectField(value: unknown, def: FieldDef, meta: ObjectMeta, version: string, obj: VersionedObject, exists: boolean): unknown {
    const rule = !exists ? AS_IS : this.compat ? this.childRuleFor(meta, def, version) : this.resent ? this.freshChildRule(meta, def, version) : AS_IS;
    if (rule === DROP) {
      // A null child goes too, as in oslo: the field did not exist at that version.
      this.lost(meta, def.name, version, `the child did not exist in ${meta.name} ${version}`, obj);
      return DROP;
    }
    if (value === null) return null;
    const savedRule = this.childRule;
    const savedOwner = this.childOwner;
    const savedOwnerVersion = this.childOwnerVersion;
    this.childRule = rule;
    this.childOwner = meta;
    this.childOwnerVersion = version;
    const encoded = def.type.toPrimitive(value, this);
    this.childRule = savedRule;
    this.childOwner = savedOwner;
    this.childOwnerVersion = savedOwnerVersion;
    return encoded;
  }

  /**
   * oslo's order (obj_make_compatible_from_manifest): with a manifest, only the manifest counts: a class
   * it leaves out goes as it is (a list's items go at 1.0). Without one, the relationships at `version`
   * (past the last pair, as it is); a backport with no rule is an error, a list's items go at 1.0.
   */
  private childRuleFor(meta: ObjectMeta, def: FieldDef, version: string): ChildRule | typeof DROP {
    const listItems = def.name === 'objects' && isObjectList(meta);
    if (this.manifest !== undefined) {
      const pinned = this.manifest[def.objectTarget as string];
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
  private freshChildRule(meta: ObjectMeta, def: FieldDef, version: string): ChildRule {
    const related = childVersionAt(meta.history, def.name, version);
    return typeof related === 'string' ? { target: related, compat: true, freshOnly: true } : AS_IS;
  }

  lost(meta: ObjectMeta, field: string, targetVersion: string, reason: string, obj: VersionedObject): void {
    const policy = this.onDataLoss;
    if (policy === 'allow' || wasFilled(obj, field)) return;
    const loss: DataLoss = { object: meta.name, field, targetVersion, reason };
    if (policy === 'refuse') {
      throw new VersionedError('data_loss', `is set, but backporting to ${meta.name} ${targetVersion} drops it: ${reason}`, {
        details: { ...loss },
      });
    }
    if (policy === 'log') this.logger.warn(`${meta.name}.${field}: dropped by the backport to ${targetVersion} (${reason})`);
    else policy(loss);
  }
}

/**
 * Filled in by the decoder and neither assigned (that forgets the fill) nor changed in place since: the
 * sender never had it, so dropping it loses nothing, even when the sender's `changes` names it.
 */
function wasFilled(obj: VersionedObject, field: string): boolean {
  return obj.$filled !== undefined && obj.$filled.has(field) && !changedInPlace(obj)?.includes(field);
}

function isObjectList(meta: ObjectMeta): boolean {
  return (meta.cls as unknown as Record<symbol, unknown>)[LIST_BRAND] === true;
}

/**
 * The root's version under a manifest that covers the whole tree: the manifest's, when it is older than
 * what the object speaks (a receiver that reads a newer version reads this one too).
 */
function manifestTarget(obj: VersionedObject, manifest: Manifest | undefined): string | undefined {
  const pinned = manifest?.[metaOf(obj).name];
  return pinned !== undefined && compareVersions(pinned, obj.objVersion) < 0 ? pinned : undefined;
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
    throw new VersionedError('invalid_target_version', `${meta.name} has no history before ${oldest}, so it cannot be backported to ${target}`, {
      details: { name: meta.name, version: meta.version, target, oldest },
    });
  }
}

export function encodeObject(obj: VersionedObject, options: ToPrimitiveOptions = {}): Primitive {
  const encoder = new Encoder(options.manifest, options.onDataLoss ?? 'allow', options.logger ?? console);
  const target = options.targetVersion ?? manifestTarget(obj, options.manifest);
  // As oslo's obj_to_primitive: the rules apply when the version differs from the object's, or under a
  // manifest (an empty one is no manifest at the root, as Python's truthiness has it).
  const manifested = options.manifest !== undefined && Object.keys(options.manifest).length > 0;
  const compat = manifested || (target !== undefined && compareVersions(target, obj.objVersion) !== 0);
  try {
    return encoder.encode(obj, target, compat);
  } catch (err) {
    const name = metaOf(obj).name;
    if (err instanceof VersionedError && err.path[0] !== name) err.within(name);
    throw err;
  }
}
