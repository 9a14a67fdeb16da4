import { VersionedError } from './errors.js';
import { DROP, childVersionAt } from './history.js';
import { encoderFor, type EncoderHost } from './codegen.js';
import { childHasChanges, metaOf, type FieldDef, type ObjectMeta, type VersionedObjectLike } from './meta.js';
import { VersionedObject as VersionedObjectBase, type VersionedObject } from './object.js';
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

class Encoder implements EncodeContext, EncoderHost {
  private depth = 0;
  /** The version decided for children of the field being encoded. */
  private childTarget: string | typeof NO_RULE | undefined;
  private childOwner = '';

  constructor(
    readonly manifest: Manifest | undefined,
    private readonly onDataLoss: DataLossPolicy,
    private readonly logger: { warn(message: string): void },
  ) {}

  encodeChild(child: VersionedObjectLike): Primitive {
    const obj = child as VersionedObject;
    let target = this.childTarget;
    if (target === NO_RULE) {
      if (obj.$wireVersion === undefined) {
        throw new VersionedError(
          'no_backport_rule',
          `no rule gives the ${obj.objName} version for ${this.childOwner}: record it in the history (children: { field: 'X.Y' }) or pass a manifest`,
        );
      }
      target = obj.$wireVersion;
    }
    // A receiver that reads a newer child version reads this older one too.
    if (target !== undefined && compareVersions(target, metaOf(obj).version) > 0) target = undefined;
    return this.encode(obj, target);
  }

  encode(obj: VersionedObject, target: string | undefined): Primitive {
    const meta = metaOf(obj);
    const version = target ?? obj.$wireVersion ?? meta.version;
    let backporting = version !== meta.version;
    // Sent back at the version it came in at, from before the declared history: nothing is known of that
    // version's fields, so the object goes out as it is, as oslo would send it.
    const verbatim = backporting && target === undefined && predatesHistory(meta, version);
    if (verbatim) backporting = false;
    else if (backporting) checkTarget(meta, version);
    if (++this.depth > MAX_ENCODE_DEPTH) {
      throw new VersionedError('limit_exceeded', `objects nest deeper than ${MAX_ENCODE_DEPTH} levels (is there a cycle?)`);
    }
    // A class with its own makeCompatible sees every set field (it may move one into an old shape).
    const hooked = backporting && obj.makeCompatible !== VersionedObjectBase.prototype.makeCompatible;
    const out = encoderFor(meta, backporting ? version : meta.version, hooked)(obj.$values, this, obj);
    if (verbatim) out[meta.keys.version] = version;
    this.depth--;
    const changes = changedFields(obj, meta, out[meta.keys.data] as Record<string, unknown>);
    if (changes !== undefined) out[meta.keys.changes] = changes;
    return out;
  }

  /** Called by compiled encoders for fields that hold objects: decide the children's version, then encode. */
  objectField(value: unknown, def: FieldDef, meta: ObjectMeta, version: string, backporting: boolean): unknown {
    const savedTarget = this.childTarget;
    const savedOwner = this.childOwner;
    if (backporting || this.manifest !== undefined) {
      const childTarget = this.childTargetFor(meta, def, version, backporting);
      if (childTarget === DROP) {
        this.lost(meta, def.name, version, `the child did not exist in ${meta.name} ${version}`);
        return DROP;
      }
      this.childTarget = childTarget;
      this.childOwner = `${meta.name} ${version}`;
    } else {
      this.childTarget = undefined;
    }
    try {
      return def.type.toPrimitive(value, this);
    } finally {
      this.childTarget = savedTarget;
      this.childOwner = savedOwner;
    }
  }

  /** oslo's order: the manifest names the child's class, else the relationships, else no rule. */
  private childTargetFor(meta: ObjectMeta, def: FieldDef, version: string, backporting: boolean): string | typeof DROP | typeof NO_RULE | undefined {
    const fromManifest = this.manifest?.[def.objectTarget as string];
    if (fromManifest !== undefined) return fromManifest;
    const related = childVersionAt(meta.history, def.name, version);
    if (related !== undefined) return related;
    return backporting ? NO_RULE : undefined;
  }

  lost(meta: ObjectMeta, field: string, targetVersion: string, reason: string): void {
    const policy = this.onDataLoss;
    if (policy === 'allow') return;
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

/** what_changed in declaration order (deterministic), limited to the keys still in data; undefined when empty. */
function changedFields(obj: VersionedObject, meta: ObjectMeta, data: Record<string, unknown>): string[] | undefined {
  const own = obj.$changes;
  if (own.size === 0 && meta.objectFields.length === 0) return undefined;
  let changes: string[] | undefined;
  for (const def of meta.fields) {
    const name = def.name;
    if ((own.has(name) || (def.objectTarget !== undefined && childHasChanges(obj.$values[name]))) && Object.hasOwn(data, name)) (changes ??= []).push(name);
  }
  return changes;
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
  const name = metaOf(obj).name;
  try {
    return encoder.encode(obj, options.targetVersion ?? manifestTarget(obj, options.manifest));
  } catch (err) {
    if (err instanceof VersionedError && err.path[0] !== name) err.within(name);
    throw err;
  }
}
