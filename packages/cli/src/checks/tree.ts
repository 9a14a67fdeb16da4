import { childVersionAt, compareVersions, type ObjectMeta, type ObjectRegistry } from '@versioned/objects';

/**
 * oslo's test_relationships: for the newest version of `meta`, the child version its history declares for
 * each object field must be the child's current version, so that the child's move is recorded in the parent.
 * A field without any declared child version is a problem only when the class has older versions (backports
 * to them would have no rule).
 */
export function treeProblems(meta: ObjectMeta, registry: ObjectRegistry): string[] {
  const problems: string[] = [];
  const olderVersions = meta.history.entries.length > 1;
  for (const def of meta.fields) {
    for (const target of def.type.objectTargets()) {
      if (!registry.has(target)) continue; // reported by the children check
      const current = registry.newest(target).version;
      const declared = childVersionAt(meta.history, def.name, meta.version);
      if (declared === undefined) {
        if (olderVersions) {
          problems.push(
            `field \`${def.name}\` (${target}) has no declared child version, so backports of ${meta.name} have no rule for it: add children: { ${def.name}: '${current}' } to a history entry`,
          );
        }
      } else if (typeof declared === 'string' && declared !== current) {
        const fix =
          compareVersions(declared, current) < 0
            ? `record the move in a new ${meta.name} version: { version: '<next>', children: { ${def.name}: '${current}' }, note }`
            : `no ${target} ${declared} is registered`;
        problems.push(`${meta.name} ${meta.version} declares ${target} ${declared} for field \`${def.name}\`, but ${target} is at ${current}: ${fix}`);
      }
    }
  }
  return problems;
}
