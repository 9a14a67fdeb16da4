export { extractBlocks, programsOf, FenceError, type BlockMode, type CodeBlock } from './extract.js';
export { assembleModule, type AssembledModule, type DocPosition } from './assemble.js';
export { testedByDirective } from './excerpts.js';
export { formatFailure, type DocFailure } from './failure.js';
export {
  compileDocs,
  runPage,
  findDocPages,
  type CompileDocsOptions,
  type CompiledDocs,
  type CompiledPage,
  type CompiledProgram,
} from './check.js';
