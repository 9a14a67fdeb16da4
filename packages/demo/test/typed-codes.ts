import type { RpcErrorCode } from '@versioned/rpc';

/** The RpcError codes a call of the fleet's load may fail with under a fault: anything else is a bug. */
export const TYPED_FAILURES: ReadonlySet<string> = new Set<RpcErrorCode>([
  'version_cap',
  'timeout',
  'no_such_method',
  'unsupported_version',
  'remote',
  'transport',
  'invalid_target',
  'invalid_message',
]);
