// `pnpm bundle-size`: what a browser app pays for @versioned/objects. esbuild bundles a minimal use (one class,
// create, toPrimitive, fromPrimitive) for the browser platform, minified, from the built package through its
// `exports` (as an app would import it), and the same with the schema entry's validator. Fails (exit 1) when
// the minimal bundle is over the committed limit (scripts/bundle-size.json) or when any bundle pulls in a Node
// builtin (`node:fs`, `util`...). Flags: --json (the figures as JSON). Run after `tsc -b`. docs/bundle-size.md
// quotes the figures.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const args = process.argv.slice(2).filter((a) => a !== '--');
const unknown = args.filter((a) => a !== '--json');
if (unknown.length) {
  console.error(`bundle-size: unknown argument(s) ${unknown.join(' ')}; use --json`);
  process.exit(2);
}
const limits = JSON.parse(readFileSync(new URL('./bundle-size.json', import.meta.url), 'utf8'));
// A package that depends on @versioned/objects: the import resolves as in an app, through node_modules.
const resolveDir = fileURLToPath(new URL('../packages/bench/', import.meta.url));

const MODEL = `
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '@versioned/objects';
const registry = new ObjectRegistry();
@versionedObject({ name: 'Note', version: '1.0', registry })
class Note extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string()) declare text: string;
}
const wire = JSON.stringify(Note.create({ id: crypto.randomUUID(), text: 'hello' }).toPrimitive());
`;
const USES = {
  core: `${MODEL}\nexport const note = Note.fromPrimitive(JSON.parse(wire), { registry });`,
  schema: `${MODEL}\nimport { SchemaValidator } from '@versioned/objects/schema';\nexport const result = new SchemaValidator(registry).validate(JSON.parse(wire));`,
};

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

async function measure(name, contents) {
  const pulled = new Set();
  const result = await esbuild.build({
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: `${name}-use.ts` },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    plugins: [
      {
        name: 'node-builtins',
        setup(build) {
          build.onResolve({ filter: /^[a-z:_/]+$/ }, (a) => {
            if (!builtins.has(a.path)) return undefined;
            pulled.add(`${a.path} (from ${a.importer.replace(/^.*node_modules\//, '')})`);
            return { path: a.path, external: true };
          });
        },
      },
    ],
  });
  const code = result.outputFiles[0].contents;
  const byPackage = new Map();
  for (const [file, { bytesInOutput }] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file);
    const pkg = m ? m[1] : file.includes('packages/objects/') ? '@versioned/objects' : '(the use)';
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return {
    name,
    minified: code.length,
    gzip: gzipSync(code).length,
    packages: Object.fromEntries([...byPackage].sort((a, b) => b[1] - a[1])),
    builtins: [...pulled],
  };
}

const results = [];
for (const [name, contents] of Object.entries(USES)) results.push(await measure(name, contents));
const failures = [];
for (const r of results) if (r.builtins.length) failures.push(`the ${r.name} bundle pulls in Node builtins: ${r.builtins.join(', ')}`);
const core = results.find((r) => r.name === 'core');
if (core.minified > limits.coreMinifiedBytes)
  failures.push(
    `the minimal bundle is ${core.minified} bytes minified, over the limit of ${limits.coreMinifiedBytes} (scripts/bundle-size.json)`,
  );

if (args.includes('--json')) console.log(JSON.stringify({ limits, results, ok: failures.length === 0 }, null, 2));
else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log('bundle          minified    gzip   largest parts');
  for (const r of results) {
    const parts = Object.entries(r.packages)
      .slice(0, 4)
      .map(([p, n]) => `${p} ${kb(n)}`)
      .join(', ');
    console.log(`${r.name.padEnd(14)} ${kb(r.minified).padStart(9)} ${kb(r.gzip).padStart(8)}   ${parts}`);
  }
  console.log(`limit (core, minified): ${kb(limits.coreMinifiedBytes)}`);
}
for (const f of failures) console.error(`bundle-size: ${f}`);
process.exit(failures.length ? 1 : 0);
