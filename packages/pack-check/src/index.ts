export { packAll, publicPackages, run, type PackedPackage, type PublicPackage, type Ran } from './pack.js';
export { consumers, runConsumer, type Consumer, type ConsumerRun } from './consumer.js';
export { REQUIRED_FIELDS, deadReadmeLinks, manifestProblems, missingEntryPoints, sameLicense, unresolvedMaps } from './inspect.js';
