export { extractBlocks, programsOf, FenceError, type BlockMode, type CodeBlock } from './extract.js';
export { assembleModule, type AssembledModule, type DocPosition } from './assemble.js';
export { compileDocs, runPage, findDocPages, formatFailure, testedByDirective, type CompileDocsOptions, type CompiledDocs, type CompiledPage, type CompiledProgram, type DocFailure } from './check.js';
