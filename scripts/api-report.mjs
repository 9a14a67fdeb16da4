// The API reports (api-extractor): one per public entry point of each published package, read from the built
// .d.ts in dist (run `tsc -b` first), kept in packages/<pkg>/api/<name>.api.md.
//   node scripts/api-report.mjs           check: fails when a report differs from the built surface (CI: pnpm api:check)
//   node scripts/api-report.mjs --update  rewrite the reports, drop those of entry points that are gone (pnpm api:update)
// The entry points are the package.json "exports" of every package that is not private, less "./internal"
// and "./package.json": a new subpath gets its report on the next --update.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const update = process.argv.includes('--update');
const REPORT = /\.api\.md$/;

/** The `types` file of an exports entry, through nested conditions (`{ node: { types, default } }` too). */
function typesOf(entry) {
  if (typeof entry === 'string') return entry.endsWith('.d.ts') ? entry : undefined;
  if (entry === null || typeof entry !== 'object') return undefined;
  if (typeof entry.types === 'string') return entry.types;
  for (const value of Object.values(entry)) {
    const found = typesOf(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** [report name, .d.ts path] for each public entry point of the package in `dir`. */
function entryPoints(dir, pkg) {
  const short = pkg.name.replace(/^@[^/]+\//, '');
  const exports =
    typeof pkg.exports === 'object' && pkg.exports !== null && !('types' in pkg.exports) ? pkg.exports : { '.': pkg.exports ?? pkg.types };
  const out = [];
  for (const [subpath, entry] of Object.entries(exports)) {
    if (subpath === './package.json' || subpath === './internal' || subpath.startsWith('./internal/')) continue;
    const types = typesOf(entry);
    if (types === undefined) throw new Error(`${pkg.name}: exports["${subpath}"] names no .d.ts`);
    const name = subpath === '.' ? short : `${short}-${subpath.replace(/^\.\//, '').replaceAll('/', '-')}`;
    out.push([name, join(dir, types)]);
  }
  return out;
}

function extract(dir, pkgPath, name, entry) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (tsc -b)`);
  const config = ExtractorConfig.prepare({
    configObjectFullPath: undefined,
    packageJsonFullPath: pkgPath,
    configObject: {
      projectFolder: dir,
      mainEntryPointFilePath: entry,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            lib: ['ES2023'],
            types: ['node'],
            strict: true,
          },
          files: [entry],
        },
      },
      apiReport: { enabled: true, reportFileName: name, reportFolder: join(dir, 'api'), reportTempFolder: join(dir, 'dist', 'api') },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'error' } },
        extractorMessageReporting: {
          default: { logLevel: 'error' },
          // No release tags (@public, @beta) are used: everything exported is public.
          'ae-missing-release-tag': { logLevel: 'none' },
          'ae-internal-missing-underscore': { logLevel: 'none' },
          // Doc comments are welcome, not required of every member.
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
          // A type the surface uses but does not export is noted in the report, for the reviewer to see.
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
        },
        // The doc comments are prose for readers, not TSDoc.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  });
  mkdirSync(join(dir, 'api'), { recursive: true });
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (message) => {
      // A changed report is told below, with its diff.
      if (message.messageId === 'console-api-report-not-copied') message.logLevel = 'none';
      if (message.logLevel === 'error' || message.logLevel === 'warning') {
        console.error(`${name}: ${message.formatMessageWithLocation(dir)}`);
      }
      message.handled = true;
    },
  });
  return { ok: result.succeeded && result.errorCount === 0 && !(result.apiReportChanged && !update), changed: result.apiReportChanged };
}

let failed = 0;
for (const folder of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', folder);
  const pkgPath = join(dir, 'package.json');
  if (!existsSync(pkgPath)) continue;
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  if (pkg.private) continue;
  const names = new Set();
  for (const [name, entry] of entryPoints(dir, pkg)) {
    names.add(`${name}.api.md`);
    const { ok, changed } = extract(dir, pkgPath, name, entry);
    const report = `packages/${folder}/api/${name}.api.md`;
    if (!ok) {
      failed++;
      if (changed && !update) {
        const fresh = `packages/${folder}/dist/api/${name}.api.md`;
        console.error(`${report}: the public API differs from the report (the new one is ${fresh}):`);
        console.error(spawnSync('diff', ['-u', report, fresh], { cwd: root, encoding: 'utf8' }).stdout);
        console.error('  If the change is meant, run `pnpm api:update` and commit the report with it.');
      }
    } else console.log(`${report}: ${changed ? 'updated' : 'up to date'}`);
  }
  const apiDir = join(dir, 'api');
  for (const file of existsSync(apiDir) ? readdirSync(apiDir).filter((f) => REPORT.test(f) && !names.has(f)) : []) {
    if (update) {
      rmSync(join(apiDir, file));
      console.log(`packages/${folder}/api/${file}: removed (no such entry point)`);
    } else {
      failed++;
      console.error(`packages/${folder}/api/${file}: no entry point has this report any more; run \`pnpm api:update\``);
    }
  }
}
if (failed > 0) {
  console.error(`api reports: ${failed} problem(s)`);
  process.exit(1);
}
