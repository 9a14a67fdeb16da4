export { runBench, BAD_INPUTS, JS_PEERS, type BenchOptions } from './run.js';
export { formatText, formatMarkdown, type BenchReport, type InstructionsBaseline, type Machine } from './report.js';
export { TARGETS, checkTargets, type Target, type TargetResult, type Figures } from './targets.js';
export { OPERATIONS, PEERS, VALIDATING_PEERS, type OperationId, type PeerId } from './operations.js';
export { VOLUME, type VolumeData } from './volume-data.js';
export { runGrowth, growthVerdicts, GROWTH_OPERATIONS, type GrowthReport, type GrowthRow } from './growth.js';
export { versionedOperations } from './peers/versioned.js';
