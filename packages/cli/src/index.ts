export { run, HELP, COMMANDS } from './cli.js';
export {
  runCommands,
  commandHelp,
  globalHelp,
  displayPath,
  reportError,
  type CliIO,
  type CommandSpec,
  type CommandContext,
  type OptionSpec,
  type OptionValues,
} from './command.js';
export { EXIT, UsageError, type UsageErrorCode } from './errors.js';
export { findConfig, setting, type FoundConfig } from './config.js';
export {
  describeObject,
  describeField,
  type ObjectDescription,
  type FieldDescription,
  type ChildDescription,
  type RelationshipDescription,
} from './describe.js';
export { fingerprintOf, fingerprintRegistry, hashDescription, type ObjectFingerprint } from './fingerprint.js';
export { diffDescriptions, requiredBump, typeText, type Bump, type ChangeKind, type SchemaChange } from './diff.js';
export { judgeBump, nextVersion, historyEntryFor, type BumpVerdict } from './bump.js';
export {
  readLockFile,
  parseLockFile,
  formatLockFile,
  writeLockFile,
  LOCK_FORMAT,
  LOCK_FILE_SCHEMA,
  type LockEntry,
  type LockFile,
  type HistoryRecord,
  type ManifestRecord,
  type LockContents,
} from './lock-file.js';
export { resolveFingerprintConfig, runCheck, DEFAULT_LOCK_FILE, FINGERPRINT_COMMANDS, type ResolvedConfig } from './fingerprint-command.js';
export { loadObjectModules, type LoadedObjects, type ManifestHistoryLike } from './load-modules.js';
export {
  checkRegistry,
  unbumpedObjects,
  type CheckReport,
  type CheckOptions,
  type ObjectReport,
  type ObjectStatus,
  type Problem,
  type ProblemSource,
} from './check.js';
export {
  planChanges,
  entryText,
  type Plan,
  type ClassAdvice,
  type ManifestAdvice,
  type EntryAdvice,
  type PlanInput,
} from './checks/plan.js';
export { formatCheckReport, checkReportJson } from './report.js';
