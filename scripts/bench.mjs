// `pnpm bench`: @versioned/objects against a hand-written copy, class-transformer and oslo.versionedobjects,
// side by side in one run. Flags: --smoke (a few iterations, to prove the harness works), --time=<ms per task>,
// --write-docs (write the figures into docs/performance.md). Run after `tsc -b`; the root script does both.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBench, formatText, formatMarkdown } from '../packages/bench/dist/src/index.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const known = /^--(smoke|write-docs|time=\d+)$/;
const unknown = args.filter((a) => !known.test(a));
if (unknown.length) {
  console.error(`bench: unknown argument(s) ${unknown.join(' ')}; use --smoke, --time=<ms> or --write-docs`);
  process.exit(2);
}
const smoke = args.includes('--smoke');
const time = args.find((a) => a.startsWith('--time='));
const writeDocs = args.includes('--write-docs');
if (smoke && writeDocs) {
  console.error('bench: --smoke figures mean nothing; refusing to write them into the docs');
  process.exit(2);
}

const report = await runBench({
  smoke,
  timeMs: time ? Number(time.slice('--time='.length)) : undefined,
  log: (line) => console.error(line),
});
console.log(formatText(report));

if (writeDocs) {
  const docs = fileURLToPath(new URL('../docs/', import.meta.url));
  mkdirSync(docs, { recursive: true });
  const baseline = JSON.parse(readFileSync(new URL('../packages/bench/instructions-baseline.json', import.meta.url), 'utf8'));
  writeFileSync(`${docs}performance.md`, formatMarkdown({ ...report, instructions: baseline }));
  console.error(`bench: wrote ${docs}performance.md`);
}
