import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocFailure } from './failure.js';
import type { CodeBlock } from './extract.js';

const TESTED_BY = /<!--\s*doccheck:\s*tested-by\s+(\S+)\s*-->/;

/** `<!-- doccheck: tested-by packages/<pkg>/test/<file>.test.ts -->`: the file whose code the page's examples are excerpts of. */
export function testedByDirective(markdown: string): string | undefined {
  return TESTED_BY.exec(proseOf(markdown))?.[1];
}

/** The page without its fenced blocks: a directive shown in an example is not a directive. */
function proseOf(markdown: string): string {
  const out: string[] = [];
  let fence: RegExp | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    if (fence) {
      if (fence.test(line)) fence = undefined;
      continue;
    }
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (open) fence = new RegExp(`^\\s*\\${(open[1] as string)[0]}{${(open[1] as string).length},}\\s*$`);
    else out.push(line);
  }
  return out.join('\n');
}

/** Each block that is not `ignore` must appear in `source`, line for line, whatever the indentation. */
export function checkExcerpts(root: string, file: string, blocks: readonly CodeBlock[], source: string): DocFailure[] {
  const path = join(root, source);
  if (!existsSync(path))
    return [{ file, line: 1, stage: 'excerpt', message: `the page says its examples are tested by ${source}, which does not exist` }];
  const normalise = (text: string): string[] =>
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  const haystack = normalise(readFileSync(path, 'utf8'));
  const failures: DocFailure[] = [];
  for (const block of blocks) {
    if (block.mode === 'ignore') continue;
    const needle = normalise(block.code);
    const found = needle.length === 0 || haystack.some((_, i) => needle.every((line, j) => haystack[i + j] === line));
    if (!found)
      failures.push({
        file,
        line: block.line,
        stage: 'excerpt',
        message: `this block is not an excerpt of ${source}, which the page says tests its examples`,
      });
  }
  return failures;
}
