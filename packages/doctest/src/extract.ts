/** How the harness treats a code block, from its fence's info string. */
export type BlockMode =
  /** ```ts — compiled and run. */
  | 'run'
  /** ```ts no-run — compiled (type-checked) but not run: for code that needs something the test cannot give. */
  | 'no-run'
  /** ```ts ignore — neither compiled nor run: a fragment that is not a whole program. */
  | 'ignore';

/** A fenced TypeScript block of a Markdown page. */
export interface CodeBlock {
  /** The page, as given to extractBlocks (a path relative to the repository root). */
  readonly file: string;
  /** The 1-based line of the block's first code line in the page. */
  readonly line: number;
  readonly mode: BlockMode;
  /** ```ts continued: the block goes on from the previous (not ignored) block, in the same program. */
  readonly continued: boolean;
  /** The code, with the fence's indentation removed. */
  readonly code: string;
}

/** A fence whose info string the harness does not understand: reported rather than silently skipped. */
export class FenceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'FenceError';
  }
}

const TS_LANGUAGES = new Set(['ts', 'typescript']);
const MODE_FLAGS: Record<string, BlockMode> = { 'no-run': 'no-run', ignore: 'ignore' };
const CONTINUED = 'continued';
const KNOWN_FLAGS = [...Object.keys(MODE_FLAGS), CONTINUED];
const OPEN_FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/**
 * The ```ts / ```typescript blocks of a Markdown page, in order. Other languages (```text, ```sh,
 * ```json...) are not code for the harness. A fence may be indented (inside a list item); its
 * indentation is removed from the code lines.
 */
export function extractBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN_FENCE.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = '', fence = '', rest = ''] = open;
    // A backtick fence's info string may not contain backticks (CommonMark): that line is inline code.
    if (fence[0] === '`' && rest.includes('`')) continue;
    const [language = '', ...flags] = rest.trim().split(/\s+/).filter(Boolean);
    const closeAt = findClose(lines, i + 1, fence);
    const body = lines.slice(i + 1, closeAt).map((l) => stripIndent(l, indent.length));
    if (TS_LANGUAGES.has(language.toLowerCase())) {
      let mode: BlockMode = 'run';
      let continued = false;
      for (const flag of flags) {
        if (flag === CONTINUED) continued = true;
        else if (MODE_FLAGS[flag]) mode = MODE_FLAGS[flag];
        else
          throw new FenceError(
            file,
            i + 1,
            `unknown flag ${JSON.stringify(flag)} on a \`\`\`${language} fence (known: ${KNOWN_FLAGS.join(', ')})`,
          );
      }
      if (continued && mode !== 'ignore' && !blocks.some((b) => b.mode !== 'ignore')) {
        throw new FenceError(file, i + 1, `a \`\`\`${language} ${CONTINUED} block needs an earlier block on the page to continue`);
      }
      blocks.push({ file, line: i + 2, mode, continued, code: body.join('\n') });
    }
    i = closeAt;
  }
  return blocks;
}

/** The index of the closing fence line (or of the end of the page: an unclosed fence runs to the end). */
function findClose(lines: readonly string[], from: number, fence: string): number {
  const char = fence[0] === '`' ? '`' : '~';
  const close = new RegExp(`^\\s*\\${char}{${fence.length},}\\s*$`);
  for (let j = from; j < lines.length; j++) if (close.test(lines[j] as string)) return j;
  return lines.length;
}

function stripIndent(line: string, width: number): string {
  let n = 0;
  while (n < width && line[n] === ' ') n++;
  return line.slice(n);
}

/**
 * The programs of a page: each block starts one, and a `continued` block joins the one before.
 * Ignored blocks belong to none.
 */
export function programsOf(blocks: readonly CodeBlock[]): CodeBlock[][] {
  const programs: CodeBlock[][] = [];
  for (const block of blocks) {
    if (block.mode === 'ignore') continue;
    const last = programs.at(-1);
    if (block.continued && last) last.push(block);
    else programs.push([block]);
  }
  return programs;
}
