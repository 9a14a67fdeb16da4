import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { assembleModule, type DocPosition } from './assemble.js';
import { checkExcerpts, testedByDirective } from './excerpts.js';
import type { DocFailure } from './failure.js';
import { extractBlocks, FenceError, programsOf, type CodeBlock } from './extract.js';
import { prepareWorkDir, projectCompilerOptions } from './workspace.js';

/** One program of a page, compiled: the module to run and where its lines come from. */
export interface CompiledProgram {
  /** The page line of the program's first block. */
  readonly line: number;
  readonly tsPath: string;
  readonly jsPath: string;
  readonly lineMap: readonly (DocPosition | undefined)[];
}

/** A page after the shared compilation: its compile failures, and the programs to run. */
export interface CompiledPage {
  readonly file: string;
  readonly blocks: readonly CodeBlock[];
  readonly failures: readonly DocFailure[];
  /** The page's programs with runnable blocks, in page order. */
  readonly runnable: readonly CompiledProgram[];
  /** The file the page says runs its examples (they are then only checked to be excerpts of it). */
  readonly testedBy: string | undefined;
}

export interface CompiledDocs {
  readonly workDir: string;
  readonly pages: readonly CompiledPage[];
  /** Diagnostics not located in any page (compiler options, library typings). */
  readonly globalFailures: readonly string[];
}

export interface CompileDocsOptions {
  /** The repository root: where tsconfig.base.json and packages/ are. */
  readonly root: string;
  /** Pages relative to root; default findDocPages(root). */
  readonly pages?: readonly string[];
  /** A scratch directory inside the repository (so the root's node_modules resolve); default `<root>/.doccheck/docs`. */
  readonly workDir?: string;
}

/** README.md, every Markdown page under docs/, and each package's README.md: relative paths, sorted. */
export function findDocPages(root: string): string[] {
  const pages: string[] = [];
  if (existsSync(join(root, 'README.md'))) pages.push('README.md');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.md')) pages.push(rel);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  if (existsSync(join(root, 'packages'))) {
    for (const pkg of readdirSync(join(root, 'packages')).sort()) {
      if (existsSync(join(root, 'packages', pkg, 'README.md'))) pages.push(`packages/${pkg}/README.md`);
    }
  }
  return pages;
}

/**
 * Extract every page's blocks, write each program (a block and the `continued` blocks after it) as a
 * module into the scratch directory, and compile them all in one TypeScript program with the project's
 * compiler options. Nothing is run yet (see runPage).
 */
export function compileDocs(options: CompileDocsOptions): CompiledDocs {
  const root = resolve(options.root);
  const workDir = resolve(options.workDir ?? join(root, '.doccheck', 'docs'));
  prepareWorkDir(root, workDir);

  interface Pending {
    file: string;
    blocks: CodeBlock[];
    failures: DocFailure[];
    modules: { tsPath: string; line: number; lineMap: readonly (DocPosition | undefined)[]; runs: boolean }[];
    testedBy?: string;
  }
  const pending: Pending[] = [];
  for (const file of options.pages ?? findDocPages(root)) {
    const page: Pending = { file, blocks: [], failures: [], modules: [] };
    pending.push(page);
    let markdown: string;
    try {
      markdown = readFileSync(join(root, file), 'utf8');
      page.blocks = extractBlocks(markdown, file);
    } catch (err) {
      if (!(err instanceof FenceError)) throw err;
      page.failures.push({ file, line: err.line, stage: 'fence', message: err.message });
      continue;
    }
    const testedBy = testedByDirective(markdown);
    if (testedBy) {
      page.testedBy = testedBy;
      // The page's examples run elsewhere; only hold the page to its word that they are excerpts of that file.
      page.failures.push(...checkExcerpts(root, file, page.blocks, testedBy));
      continue;
    }
    const base = join(workDir, file.replace(/[\\/]/g, '__').replace(/\.md$/i, ''));
    for (const program of programsOf(page.blocks)) {
      const line = (program[0] as CodeBlock).line;
      const runBlocks = program.filter((b) => b.mode === 'run');
      if (runBlocks.length) page.modules.push(writeModule(`${base}.L${line}.ts`, line, runBlocks, page, true));
      // no-run blocks are type-checked in a module of their own, after the runnable blocks they build on.
      if (program.length > runBlocks.length) page.modules.push(writeModule(`${base}.L${line}.check.ts`, line, program, page, false));
    }
  }

  const compilerOptions = projectCompilerOptions(root, workDir);
  const rootNames = pending.flatMap((p) => p.modules.map((m) => m.tsPath));
  const program = ts.createProgram({ rootNames, options: compilerOptions });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];

  const byPath = new Map<string, { page: Pending; lineMap: readonly (DocPosition | undefined)[] }>();
  for (const page of pending) for (const m of page.modules) byPath.set(resolve(m.tsPath), { page, lineMap: m.lineMap });
  const globalFailures: string[] = [];
  const seen = new Set<string>();
  for (const diag of diagnostics) {
    const message = `TS${diag.code}: ${ts.flattenDiagnosticMessageText(diag.messageText, '\n')}`;
    const owner = diag.file ? byPath.get(resolve(diag.file.fileName)) : undefined;
    if (!owner || !diag.file || diag.start === undefined) {
      globalFailures.push(diag.file ? `${relative(root, diag.file.fileName)}: ${message}` : message);
      continue;
    }
    const at = owner.lineMap[diag.file.getLineAndCharacterOfPosition(diag.start).line] ?? {
      file: owner.page.file,
      line: owner.page.blocks[0]?.line ?? 1,
    };
    const key = `${at.file}:${at.line}:${message}`;
    if (seen.has(key)) continue; // a runnable block is compiled twice when its page also has no-run blocks
    seen.add(key);
    owner.page.failures.push({ file: at.file, line: at.line, stage: 'compile', message });
  }

  const pages: CompiledPage[] = pending.map((p) => ({
    file: p.file,
    blocks: p.blocks,
    testedBy: p.testedBy,
    failures: p.failures.sort((a, b) => a.line - b.line),
    runnable: p.modules
      .filter((m) => m.runs)
      .map((m) => ({ line: m.line, tsPath: m.tsPath, jsPath: m.tsPath.replace(/\.ts$/, '.js'), lineMap: m.lineMap })),
  }));
  return { workDir, pages, globalFailures };
}

/** Run a compiled page's programs with node, a few at a time; the failures say which page line threw. */
export async function runPage(page: CompiledPage, options: { timeoutMs?: number; concurrency?: number } = {}): Promise<DocFailure[]> {
  const queue = [...page.runnable];
  const failures: DocFailure[] = [];
  const worker = async (): Promise<void> => {
    for (let program = queue.shift(); program; program = queue.shift()) {
      const failure = await runProgram(page, program, options.timeoutMs ?? 60_000);
      if (failure) failures.push(failure);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? availableParallelism(), queue.length) }, worker));
  return failures.sort((a, b) => a.line - b.line);
}

async function runProgram(page: CompiledPage, program: CompiledProgram, timeoutMs: number): Promise<DocFailure | undefined> {
  const outcome = await new Promise<{ code: number | null; killed: boolean; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      ['--enable-source-maps', program.jsPath],
      { cwd: dirname(program.jsPath), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const failed = err as (Error & { code?: number | string; killed?: boolean }) | null;
        done({ code: failed ? (typeof failed.code === 'number' ? failed.code : 1) : 0, killed: failed?.killed ?? false, stdout, stderr });
      },
    );
  });
  if (outcome.code === 0 && !outcome.killed) return undefined;

  // Stack frames point into the generated module (through its source map): point them at the page instead.
  let first: DocPosition | undefined;
  const frame = new RegExp(`(?:file://)?${escapeRegExp(program.tsPath)}:(\\d+)(?::\\d+)?`, 'g');
  const stderr = outcome.stderr.replace(frame, (_all, line: string) => {
    const at = program.lineMap[Number(line) - 1];
    if (!at) return `${page.file} (generated line ${line})`;
    first ??= at;
    return `${at.file}:${at.line}`;
  });
  const at = first ?? { file: page.file, line: program.line };
  const why = outcome.killed
    ? `did not finish within ${timeoutMs / 1000} s (is a server, timer or connection left open?)`
    : `exited with code ${outcome.code}`;
  return {
    file: at.file,
    line: at.line,
    stage: 'run',
    message: `${why}\n${tail(stderr, 40)}${outcome.stdout ? `\n--- stdout ---\n${tail(outcome.stdout, 15)}` : ''}`,
  };
}

function writeModule(tsPath: string, line: number, blocks: readonly CodeBlock[], page: { failures: DocFailure[] }, runs: boolean) {
  const assembled = assembleModule(blocks);
  for (const p of assembled.problems) page.failures.push({ file: p.at.file, line: p.at.line, stage: 'compile', message: p.message });
  writeFileSync(tsPath, assembled.source);
  return { tsPath, line, lineMap: assembled.lineMap, runs };
}

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.length > lines ? [`... (${all.length - lines} lines above)`, ...all.slice(-lines)].join('\n') : all.join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
