import type { ObjectMeta } from '@versioned/objects';
import type { SchemaChange } from '../diff.js';

/**
 * Whether the class's version history records the changes made since `lockedVersion`
 * ("version bumped to 1.3 but no history entry records field `bootable`"). Empty while
 * @versioned/objects has no version history.
 */
export function historyProblems(_meta: ObjectMeta, _lockedVersion: string, _changes: readonly SchemaChange[]): string[] {
  return [];
}
