import type { ObjectMeta } from '@versioned/objects';

/**
 * The class metadata that @versioned/objects is growing (remotable methods, version history,
 * relationships), read defensively in one place so the rest of the CLI does not care whether
 * the installed @versioned/objects has it yet.
 */

/** One remotable method as the fingerprint sees it. */
export interface RemotableSignature {
  readonly name: string;
  /** Called on the class (oslo's remotable_classmethod) rather than on an instance. */
  readonly static: boolean;
  /** Declared parameter count. */
  readonly arity: number;
}

/** The remotable methods of a class, sorted by name; empty when the metadata has none. */
export function remotablesOf(meta: ObjectMeta): RemotableSignature[] {
  const declared = (meta as { remotables?: unknown }).remotables;
  if (!Array.isArray(declared)) return [];
  return declared
    .map((r: { name: string; static?: boolean; arity?: number }) => ({ name: r.name, static: r.static ?? false, arity: r.arity ?? 0 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : Number(a.static) - Number(b.static)));
}
