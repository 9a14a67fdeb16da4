import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assembleModule,
  compileDocs,
  extractBlocks,
  FenceError,
  programsOf,
  runPage,
  type CompiledDocs,
  type DocFailure,
} from '../src/index.js';
import { repositoryRoot } from './root.js';

const md = (...lines: string[]): string => lines.join('\n');

describe('extractBlocks', () => {
  test('finds ```ts and ```typescript blocks with the page line of their first code line', () => {
    const blocks = extractBlocks(md('# Title', '', '```ts', 'const a = 1;', '```', 'text', '```typescript', 'const b = 2;', '```'), 'p.md');
    assert.deepEqual(
      blocks.map((b) => [b.line, b.code, b.mode]),
      [
        [4, 'const a = 1;', 'run'],
        [8, 'const b = 2;', 'run'],
      ],
    );
  });

  test('leaves blocks of other languages alone', () => {
    assert.deepEqual(
      extractBlocks(md('```text', 'x', '```', '```sh', 'npx pnpm demo', '```', '```json', '{}', '```', '```', 'plain', '```'), 'p.md'),
      [],
    );
  });

  test('reads the no-run, ignore and continued flags', () => {
    const blocks = extractBlocks(md('```ts no-run', 'a', '```', '```ts ignore', 'b', '```', '```ts continued', 'c', '```'), 'p.md');
    assert.deepEqual(
      blocks.map((b) => [b.mode, b.continued]),
      [
        ['no-run', false],
        ['ignore', false],
        ['run', true],
      ],
    );
  });

  test('refuses a continued block with nothing before it to continue', () => {
    assert.throws(
      () => extractBlocks(md('```ts continued', 'a', '```'), 'p.md'),
      (err: unknown) => err instanceof FenceError && err.line === 1,
    );
  });

  test('refuses an unknown flag, naming the page line of the fence', () => {
    assert.throws(
      () => extractBlocks(md('intro', '```ts no_run', 'a', '```'), 'docs/x.md'),
      (err: unknown) => err instanceof FenceError && err.line === 2 && /no_run/.test(err.message) && err.message.startsWith('docs/x.md:2:'),
    );
  });

  test('a longer fence may contain a shorter one, and ~~~ fences count', () => {
    const blocks = extractBlocks(md('````md', '```ts', 'inside', '```', '````', '~~~ts', 'tilde', '~~~'), 'p.md');
    assert.deepEqual(
      blocks.map((b) => [b.line, b.code]),
      [[7, 'tilde']],
    );
  });

  test('removes the indentation of a fence inside a list item', () => {
    const [block] = extractBlocks(md('1. Step', '   ```ts', '   if (x) {', '     y();', '   }', '   ```'), 'p.md');
    assert.equal(block?.code, 'if (x) {\n  y();\n}');
  });
});

describe('programsOf', () => {
  test('each block starts a program; continued blocks join the one before; ignored blocks belong to none', () => {
    const blocks = extractBlocks(
      md('```ts', 'a', '```', '```ts ignore', 'x', '```', '```ts continued', 'b', '```', '```ts', 'c', '```'),
      'p.md',
    );
    assert.deepEqual(
      programsOf(blocks).map((program) => program.map((b) => b.code)),
      [['a', 'b'], ['c']],
    );
  });
});

describe('assembleModule', () => {
  test('merges the same import made by several blocks into one', () => {
    const mod = assembleModule([
      { file: 'p.md', line: 3, mode: 'run', continued: false, code: "import { a, b } from 'm';\nuse(a);" },
      {
        file: 'p.md',
        line: 10,
        mode: 'run',
        continued: false,
        code: "import { b, c as d } from 'm';\nimport type { T } from 't';\nuse(d);",
      },
    ]);
    assert.equal(mod.problems.length, 0);
    assert.match(mod.source, /^import \{ a, b, c as d \} from "m";$/m);
    assert.match(mod.source, /^import \{ type T \} from "t";$/m);
    assert.equal(mod.source.match(/from "m"/g)?.length, 1);
  });

  test('keeps every block line at its page line number', () => {
    const mod = assembleModule([
      { file: 'p.md', line: 3, mode: 'run', continued: false, code: "import { a } from 'm';\nuse(a);" },
      { file: 'p.md', line: 10, mode: 'run', continued: false, code: 'first();\nsecond();' },
    ]);
    const lines = mod.source.split('\n');
    const at = (text: string) => mod.lineMap[lines.findIndex((l) => l.includes(text))];
    assert.deepEqual(at('use(a)'), { file: 'p.md', line: 4 });
    assert.deepEqual(at('second()'), { file: 'p.md', line: 11 });
  });

  test('reports one name imported from two modules', () => {
    const mod = assembleModule([
      { file: 'p.md', line: 3, mode: 'run', continued: false, code: "import { a } from 'm';" },
      { file: 'p.md', line: 9, mode: 'run', continued: false, code: "import { a } from 'n';" },
    ]);
    assert.deepEqual(
      mod.problems.map((p) => p.at),
      [{ file: 'p.md', line: 9 }],
    );
  });
});

describe('compileDocs and runPage on fixture pages', () => {
  const root = repositoryRoot();
  const source = join(root, '.doccheck', 'fixture-pages');
  const pages: Record<string, string> = {
    'good.md': md(
      '# A page whose blocks build on each other',
      '```ts',
      "import { VersionedObject, ObjectRegistry, field, f, versionedObject } from '@versioned/objects';",
      'const registry = new ObjectRegistry();',
      "@versionedObject({ name: 'Thing', version: '1.0', registry })",
      'class Thing extends VersionedObject {',
      '  @field(f.integer()) declare size: number;',
      '}',
      '```',
      'Later on the page:',
      '```ts continued',
      "import assert from 'node:assert/strict';",
      "import { VersionedObject } from '@versioned/objects';",
      'const thing = Thing.create({ size: 3 });',
      "assert.equal(registry.fromPrimitive(thing.toPrimitive()).objVersion, '1.0');",
      '```',
      '```ts no-run continued',
      "throw new Error('a no-run block is never run');",
      '```',
      'A block of its own may declare the same names again:',
      '```ts',
      "import { ObjectRegistry } from '@versioned/objects';",
      'const registry = new ObjectRegistry();',
      "if (registry.names().length !== 0) throw new Error('a fresh program');",
      '```',
    ),
    'dependency.md': md(
      '```ts',
      "import stringify from 'fast-json-stable-stringify'; // a dependency of @versioned/objects, not of the root",
      `if (stringify({ b: 1, a: 2 }) !== '{"a":2,"b":1}') throw new Error('not stable');`,
      '```',
    ),
    'tested-elsewhere.md': md(
      '<!-- doccheck: tested-by packages/doctest/test/harness.test.ts -->',
      'These blocks are excerpts of a test file, which runs them:',
      '```ts',
      "  test('reads the no-run, ignore and continued flags', () => {",
      '```',
    ),
    'shows-directive.md': md(
      'How to say it:',
      '```text',
      '<!-- doccheck: tested-by no/such/file.ts -->',
      '```',
      '```ts',
      'const ran = true;',
      '```',
    ),
    'stale-excerpt.md': md(
      '<!-- doccheck: tested-by packages/doctest/test/harness.test.ts -->',
      '',
      '```ts',
      'thisLineIsInNoFile();',
      '```',
    ),
    'alone.md': md('```ts', 'const x = 1;', '```', '```ts', 'x;', '```'),
    'type-error.md': md('# Type error', '', '```ts', 'const n: number = 1;', 'const s: string = n;', '```'),
    'no-run-type-error.md': md('```ts no-run', 'const n: number = 1;', '', 'const s: string = n;', '```'),
    'assert-fails.md': md(
      '# Fails at run time',
      '```ts',
      'const x = 1;',
      '```',
      'prose',
      '```ts continued',
      "import assert from 'node:assert/strict';",
      '',
      'assert.equal(x + 1, 3);',
      '```',
    ),
    'hangs.md': md('```ts', 'setInterval(() => {}, 1000);', '```'),
    'bad-fence.md': md('```ts norun', '1', '```'),
  };
  let docs: CompiledDocs;
  const page = (name: string) => docs.pages.find((p) => p.file.endsWith(`/${name}`))!;
  const failuresOf = async (name: string, timeoutMs = 30_000): Promise<DocFailure[]> => [
    ...page(name).failures,
    ...(page(name).failures.length ? [] : await runPage(page(name), { timeoutMs })),
  ];

  before(() => {
    rmSync(source, { recursive: true, force: true });
    mkdirSync(source, { recursive: true });
    for (const [name, text] of Object.entries(pages)) writeFileSync(join(source, name), text);
    docs = compileDocs({
      root,
      pages: Object.keys(pages).map((n) => `.doccheck/fixture-pages/${n}`),
      workDir: join(root, '.doccheck', 'fixture-run'),
    });
  });

  test('a page whose later blocks use the classes of earlier ones compiles and runs, legacy decorators included', async () => {
    assert.deepEqual(await failuresOf('good.md'), []);
    assert.deepEqual(docs.globalFailures, []);
  });

  test('an example may import the dependencies of any workspace package', async () => {
    assert.deepEqual(await failuresOf('dependency.md'), []);
  });

  test('a page whose examples are tested by another file is not run, only checked to be excerpts of it', async () => {
    assert.deepEqual(await failuresOf('tested-elsewhere.md'), []);
    assert.equal(page('tested-elsewhere.md').runnable.length, 0);
    assert.deepEqual(
      (await failuresOf('stale-excerpt.md')).map((f) => [f.line, f.stage]),
      [[4, 'excerpt']],
    );
  });

  test('a directive shown inside a fenced block is an example, not a directive', async () => {
    assert.deepEqual(await failuresOf('shows-directive.md'), []);
    assert.equal(page('shows-directive.md').runnable.length, 1);
  });

  test('a block without `continued` is a program of its own: it cannot see the names of the block before', async () => {
    const failures = await failuresOf('alone.md');
    assert.deepEqual(
      failures.map((f) => [f.line, f.stage]),
      [[5, 'compile']],
    );
    assert.match(failures[0]!.message, /Cannot find name 'x'/);
  });

  test('a type error is reported at the page line that has it', async () => {
    const failures = await failuresOf('type-error.md');
    assert.deepEqual(
      failures.map((f) => [f.line, f.stage]),
      [[5, 'compile']],
    );
    assert.match(failures[0]!.message, /TS2322/);
  });

  test('no-run blocks are type-checked too', async () => {
    assert.deepEqual(
      (await failuresOf('no-run-type-error.md')).map((f) => [f.line, f.stage]),
      [[4, 'compile']],
    );
  });

  test('a failed assertion is reported at the page line of the assert', async () => {
    const failures = await failuresOf('assert-fails.md');
    assert.deepEqual(
      failures.map((f) => [f.file, f.line, f.stage]),
      [['.doccheck/fixture-pages/assert-fails.md', 9, 'run']],
    );
    assert.match(failures[0]!.message, /AssertionError/);
  });

  test('a page that never exits fails on the timeout instead of hanging the suite', async () => {
    const failures = await failuresOf('hangs.md', 3000);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.message, /did not finish within 3 s/);
  });

  test('an unknown fence flag fails the page at the fence line', async () => {
    assert.deepEqual(
      (await failuresOf('bad-fence.md')).map((f) => [f.line, f.stage]),
      [[1, 'fence']],
    );
  });
});
