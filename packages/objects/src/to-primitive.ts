import { VersionedError } from './errors.js';
import { metaOf, type VersionedObjectLike } from './meta.js';
import type { VersionedObject } from './object.js';

/** An object envelope, as oslo.versionedobjects emits it. */
export type Primitive = Record<string, unknown>;

export interface ToPrimitiveOptions {
  /** Backport to this version (oslo's target_version). */
  targetVersion?: string;
  /** Versions for every object in the tree, by name (oslo's version_manifest). */
  manifest?: Readonly<Record<string, string>>;
}

/** What field types see while encoding. */
export interface EncodeContext {
  readonly manifest: Readonly<Record<string, string>> | undefined;
  /** Encode a child object of the field being encoded. */
  encodeChild(obj: VersionedObjectLike): Primitive;
}

const MAX_ENCODE_DEPTH = 100;

class Encoder implements EncodeContext {
  depth = 0;
  constructor(readonly manifest: Readonly<Record<string, string>> | undefined) {}

  encodeChild(obj: VersionedObjectLike): Primitive {
    return this.encode(obj as VersionedObject);
  }

  encode(obj: VersionedObject): Primitive {
    const meta = metaOf(obj);
    if (++this.depth > MAX_ENCODE_DEPTH) {
      throw new VersionedError('limit_exceeded', `objects nest deeper than ${MAX_ENCODE_DEPTH} levels (is there a cycle?)`, { path: [meta.name] });
    }
    const values = obj.$values;
    const data: Record<string, unknown> = {};
    for (const def of meta.fields) {
      const value = values[def.name];
      if (value === undefined) continue;
      if (value === null || def.type.identity) {
        data[def.name] = value;
        continue;
      }
      try {
        data[def.name] = def.type.toPrimitive(value, this);
      } catch (err) {
        throw err instanceof VersionedError ? err.within(def.name) : err;
      }
    }
    this.depth--;
    const keys = meta.keys;
    const out: Primitive = {
      [keys.name]: meta.name,
      [keys.namespace]: meta.namespace,
      // An object decoded at an older minor answers at that minor, as oslo does, so its sender can read it back.
      [keys.version]: obj.objVersion,
      [keys.data]: data,
    };
    const changed = obj.whatChanged();
    if (changed.size > 0) {
      const changes: string[] = [];
      for (const name of changed) if (name in data) changes.push(name);
      if (changes.length > 0) out[keys.changes] = changes;
    }
    return out;
  }
}

export function encodeObject(obj: VersionedObject, options: ToPrimitiveOptions = {}): Primitive {
  try {
    return new Encoder(options.manifest).encode(obj);
  } catch (err) {
    if (err instanceof VersionedError && err.path[0] !== metaOf(obj).name) err.within(metaOf(obj).name);
    throw err;
  }
}
