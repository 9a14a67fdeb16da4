export { UpgradeError, isUpgradeError, type UpgradeErrorCode } from './errors.js';
export {
  Releases,
  newestReleaseProblems,
  assertNewestRelease,
  type ReleaseSpec,
  type Release,
  type ReleaseClaim,
  type ServedByCode,
} from './releases.js';
export { resolveConfig, type UpgradeConfig, type LiftPolicy, type ResolvedLevel, type ResolvedBinaryConfig } from './config.js';
export {
  serviceState,
  viewOf,
  DEFAULT_DOWN_TIME_MS,
  DEFAULT_LATE_GRACE_MS,
  DEFAULT_REPORT_INTERVAL_MS,
  type ServiceState,
  type ServiceView,
  type LivenessRule,
} from './liveness.js';
export { computePins, type Pins, type PinSource, type PinHolder } from './pins.js';
export { Upgrade, type UpgradeOptions, type UpgradeLogger, type PinsChange, type RegisterOptions, type UpgradeStatus } from './upgrade.js';
export { RunningService } from './service.js';
export { openServiceStore, type OpenStoreOptions } from './store/open.js';
export { migrationsDir, migrationFiles } from './store/migrate.js';
export type {
  ServiceStore,
  ServiceRow,
  ServiceRegistration,
  FinalizedState,
  ReleaseSeen,
  BinarySnapshot,
  PinSnapshot,
  ReleaseGroup,
  Dialect,
} from './store/types.js';
