// The encoder: an object tree to its envelope (oslo's obj_to_primitive). Which version each object goes at, and
// what a backport drops, is decided in backport.ts; the per-class field code is made in codegen.ts.
import { VersionedError } from './errors.js';
import { encoderFor, type EncoderHost } from './codegen.js';
import { BASE_HOOKS, isVersionedObject, metaOf, type FieldDef, type ObjectMeta, type VersionedObjectLike } from './meta.js';
import type { VersionedObject } from './object.js';
import { changedInPlace, hasChanges } from './changes.js';
import {
  AS_IS,
  DROP,
  childRule,
  childTarget,
  isBackport,
  isResent,
  reportLoss,
  rootCompat,
  rootTarget,
  usesHook,
  type ChildRule,
  type DataLossPolicy,
  type Manifest,
  type ParentState,
} from './backport.js';
export type { DataLoss, DataLossPolicy, Manifest } from './backport.js';

/** An object envelope, as oslo.versionedobjects emits it. */
export type Primitive = Record<string, unknown>;

/** The options of `toPrimitive`: the version (or manifest) to backport to, and what to do when a backport drops data. */
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
  logger?: {
    /** Called with one line per dropped field. */
    warn(message: string): void;
  };
}

/** What field types see while encoding. */
export interface EncodeContext {
  readonly manifest: Manifest | undefined;
  /** Encode a child object of the field being encoded, at the version its parent decided. */
  encodeChild(obj: VersionedObjectLike): Primitive;
}

const MAX_ENCODE_DEPTH = 100;

class Encoder implements EncodeContext, EncoderHost, ParentState {
  private depth = 0;
  /** Whether the object being encoded applies the version rules to its children. */
  compat = false;
  /** Whether the object being encoded goes back at the older version it was received at. */
  resent = false;
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
    // Without a rule (no backport above), the child goes as it is: the common case, without a call.
    const { target, compat } =
      this.childRule === AS_IS
        ? AS_IS
        : childTarget(this.childRule, child as VersionedObject, `${this.childOwner?.name} ${this.childOwnerVersion}`);
    return this.encode(child as VersionedObject, target, compat);
  }

  /**
   * Encode `obj` at `target` (else at the version it was received at, else its class's). `compat`: the
   * version rules apply to its children (the manifest, else the relationships at that version).
   */
  encode(obj: VersionedObject, target: string | undefined, compat: boolean): Primitive {
    const meta = metaOf(obj);
    const version = target ?? obj.$wireVersion ?? meta.version;
    // At the class's own version (the common case) nothing is backported and any target is valid.
    const older = version !== meta.version && isBackport(meta, version, target !== undefined);
    if (++this.depth > MAX_ENCODE_DEPTH) {
      throw new VersionedError('limit_exceeded', `objects nest deeper than ${MAX_ENCODE_DEPTH} levels (is there a cycle?)`);
    }
    const hooked = older && usesHook(obj);
    const encodedAt = older ? version : meta.version;
    // Saved and restored without a finally: an error ends the whole call, and an Encoder serves one call.
    const savedCompat = this.compat;
    const savedResent = this.resent;
    this.compat = compat;
    this.resent = older && isResent(target !== undefined, compat);
    const out = encoderFor(meta, encodedAt, hooked)(obj.$values, this, obj);
    this.compat = savedCompat;
    this.resent = savedResent;
    // The label is the version decided, as written: "1.0.0" received is "1.0.0" re-sent.
    if (version !== encodedAt) out[meta.keys.version] = version;
    this.depth--;
    const changes = this.changedFields(obj, meta, out[meta.keys.data] as Record<string, unknown>);
    if (changes !== undefined) out[meta.keys.changes] = changes;
    return out;
  }

  /**
   * whatChanged(), in declaration order (deterministic), limited to the keys still in data; undefined when
   * empty. Records, for a child with children, whether whatChanged() is empty (its parent asks).
   */
  private changedFields(obj: VersionedObject, meta: ObjectMeta, data: Record<string, unknown>): string[] | undefined {
    let changes: string[] | undefined;
    if (obj.whatChanged !== BASE_HOOKS.whatChanged) {
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
      for (const def of meta.objectFields)
        if (this.childHasChanges(obj.$values[def.name])) {
          dirty = true;
          break;
        }
      this.record(obj, meta, dirty);
      if (!dirty) return undefined;
    } else this.record(obj, meta, true);
    for (const def of meta.fields) {
      const name = def.name;
      if (!Object.hasOwn(data, name)) continue;
      if (own.has(name) || inPlace?.includes(name) || (def.objectTarget !== undefined && this.childHasChanges(obj.$values[name])))
        (changes ??= []).push(name);
    }
    return changes;
  }

  private record(obj: VersionedObject, meta: ObjectMeta, dirty: boolean): void {
    // The root (depth 0 once encoded) has no parent to ask; a leaf's hasChanges is cheap.
    if (this.depth > 0 && meta.objectFields.length > 0) (this.dirty ??= new Map()).set(obj, dirty);
  }

  /** childHasChanges (changes.ts), reading what was recorded for children encoded in this call. */
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
    const rule = this.compat || this.resent ? childRule(meta, def, version, exists, this) : AS_IS;
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

  lost(meta: ObjectMeta, field: string, targetVersion: string, reason: string, obj: VersionedObject): void {
    reportLoss(this.onDataLoss, this.logger, meta, field, targetVersion, reason, obj);
  }
}

export function encodeObject(obj: VersionedObject, options: ToPrimitiveOptions = {}): Primitive {
  const encoder = new Encoder(options.manifest, options.onDataLoss ?? 'allow', options.logger ?? console);
  const target = rootTarget(obj, options);
  try {
    return encoder.encode(obj, target, rootCompat(obj, target, options.manifest));
  } catch (err) {
    const name = metaOf(obj).name;
    if (err instanceof VersionedError && err.path[0] !== name) err.within(name);
    throw err;
  }
}
