import { isCompatible, isVersion, parseVersion, compareVersions } from '@versioned/objects';
import { RpcError } from './errors.js';

/** What a message without a version claims (oslo: `message.get('version', '1.0')`). */
export const DEFAULT_MESSAGE_VERSION = '1.0';

/**
 * oslo's version_is_compatible(implemented, requested): @versioned/objects' isCompatible under oslo.messaging's
 * name. Same major, requested minor no higher than the implemented one; parts are integers (1.10 > 1.9).
 */
export { isCompatible as versionIsCompatible, isVersion, parseVersion, compareVersions };

/** A version string from user input, or a typed error naming what it was for. */
export function requireVersion(value: unknown, what: string): string {
  if (!isVersion(value)) {
    throw new RpcError('invalid_target', `${what} must be "X.Y" or "X.Y.Z", got ${JSON.stringify(value) ?? String(value)}`, {
      details: { what, got: value },
    });
  }
  return value;
}
