// The issue's rule: examples in the docs must run. Every ```ts block of README.md, docs/**/*.md and
// packages/*/README.md is compiled (one program, the project's compiler options) and each page is run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocs, findDocPages, formatFailure, runPage } from '../src/index.js';
import { repositoryRoot } from './root.js';

const root = repositoryRoot();
const compiled = compileDocs({ root, pages: findDocPages(root) });

test('the doc examples compile without diagnostics outside the pages (options, typings)', () => {
  assert.deepEqual(compiled.globalFailures, []);
});

test('README.md has runnable TypeScript examples', () => {
  const readme = compiled.pages.find((p) => p.file === 'README.md');
  assert.ok(readme, 'README.md is missing');
  assert.ok(
    readme.blocks.some((b) => b.mode === 'run'),
    'README.md has no ```ts block that runs',
  );
});

for (const page of compiled.pages) {
  const claim = page.testedBy ? `is an excerpt of ${page.testedBy}, which runs it` : 'compiles and runs';
  test(`${page.file}: every TypeScript example ${claim} (${page.blocks.length})`, async () => {
    const failures = [...page.failures, ...(page.failures.length ? [] : await runPage(page))];
    assert.equal(failures.length, 0, `\n${failures.map(formatFailure).join('\n\n')}\n`);
  });
}
