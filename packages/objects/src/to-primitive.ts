import { VersionedError } from './errors.js';
import { DROP, childVersionAt, fieldExistsAt } from './history.js';
import { metaOf, type FieldDef, type ObjectMeta, type VersionedObjectLike } from './meta.js';
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
  /** Versions for the objects in the tree, by name (oslo's version_manifest); children follow it. */
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

class Encoder implements EncodeContext {
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
    const backporting = version !== meta.version;
    if (backporting) checkTarget(meta, version);
    if (++this.depth > MAX_ENCODE_DEPTH) {
      throw new VersionedError('limit_exceeded', `objects nest deeper than ${MAX_ENCODE_DEPTH} levels (is there a cycle?)`);
    }
    const walkChildren = backporting || this.manifest !== undefined;
    // A class with its own makeCompatible sees every set field (it may move one into an old shape).
    const hooked = backporting && obj.makeCompatible !== VersionedObjectBase.prototype.makeCompatible;
    const values = obj.$values;
    const data: Record<string, unknown> = {};
    let absent: FieldDef[] | undefined;
    for (const def of meta.fields) {
      const value = values[def.name];
      if (value === undefined) continue;
      const exists = !backporting || fieldExistsAt(meta.history, def.name, version);
      if (!exists) {
        (absent ??= []).push(def);
        if (!hooked) continue;
      }
      if (value === null || def.type.identity) {
        data[def.name] = value;
        continue;
      }
      const savedTarget = this.childTarget;
      const savedOwner = this.childOwner;
      if (exists && walkChildren && def.type.objectTargets().length > 0) {
        const childTarget = this.childTargetFor(meta, def, version, backporting);
        if (childTarget === DROP) {
          this.lost(meta, def.name, version, `the child did not exist in ${meta.name} ${version}`);
          continue;
        }
        this.childTarget = childTarget;
        this.childOwner = `${meta.name} ${version}`;
      } else {
        this.childTarget = undefined;
      }
      try {
        data[def.name] = def.type.toPrimitive(value, this);
      } catch (err) {
        throw err instanceof VersionedError ? err.within(def.name) : err;
      } finally {
        this.childTarget = savedTarget;
        this.childOwner = savedOwner;
      }
    }
    if (hooked) obj.makeCompatible(data, version);
    if (absent) {
      for (const def of absent) {
        if (hooked && !Object.hasOwn(data, def.name)) continue; // the hook took care of it
        delete data[def.name];
        this.lost(meta, def.name, version, `${meta.name} ${version} has no such field`);
      }
    }
    this.depth--;
    const keys = meta.keys;
    const out: Primitive = {
      [keys.name]: meta.name,
      [keys.namespace]: meta.namespace,
      [keys.version]: version,
      [keys.data]: data,
    };
    const changed = obj.whatChanged();
    if (changed.size > 0) {
      const changes: string[] = [];
      for (const name of changed) if (Object.hasOwn(data, name)) changes.push(name);
      if (changes.length > 0) out[keys.changes] = changes;
    }
    return out;
  }

  /** oslo's order: the manifest names the child's class, else the relationships, else no rule. */
  private childTargetFor(meta: ObjectMeta, def: FieldDef, version: string, backporting: boolean): string | typeof DROP | typeof NO_RULE | undefined {
    const targetName = def.type.objectTargets()[0] as string;
    const fromManifest = this.manifest?.[targetName];
    if (fromManifest !== undefined) return fromManifest;
    const related = childVersionAt(meta.history, def.name, version);
    if (related !== undefined) return related;
    return backporting ? NO_RULE : undefined;
  }

  private lost(meta: ObjectMeta, field: string, targetVersion: string, reason: string): void {
    const policy = this.onDataLoss;
    if (policy === 'allow') return;
    const loss: DataLoss = { object: meta.name, field, targetVersion, reason };
    if (policy === 'refuse') {
      throw new VersionedError('data_loss', `is set, but backporting to ${meta.name} ${targetVersion} drops it: ${reason}`, {
        path: [field],
        details: { ...loss },
      });
    }
    if (policy === 'log') this.logger.warn(`${meta.name}.${field}: dropped by the backport to ${targetVersion} (${reason})`);
    else policy(loss);
  }
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
    return encoder.encode(obj, options.targetVersion);
  } catch (err) {
    if (err instanceof VersionedError && err.path[0] !== name) err.within(name);
    throw err;
  }
}
