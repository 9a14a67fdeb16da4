import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import ts from 'typescript';

/**
 * A fresh scratch directory: an ESM package whose node_modules links every workspace package by name, so
 * `import ... from '@versioned/objects'` resolves to packages/objects whatever the docs import, and the
 * dependencies of every workspace package (`amqplib`, `pg`...), so an example may use them too.
 */
export function prepareWorkDir(root: string, workDir: string): void {
  if (!(workDir + sep).startsWith(root + sep)) throw new Error(`the doctest work directory ${workDir} must be inside ${root}`);
  rmSync(workDir, { recursive: true, force: true });
  const modules = join(workDir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  writeFileSync(join(workDir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
  const packagesDir = join(root, 'packages');
  if (!existsSync(packagesDir)) return;
  const link = (name: string, target: string): void => {
    const at = join(modules, ...name.split('/'));
    if (existsSync(at)) return;
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(target, at, 'dir');
  };
  const dirs = readdirSync(packagesDir).filter((dir) => existsSync(join(packagesDir, dir, 'package.json')));
  for (const dir of dirs) {
    const name = (JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as { name?: string }).name;
    if (name) link(name, join(packagesDir, dir));
  }
  for (const dir of dirs) {
    const deps = join(packagesDir, dir, 'node_modules');
    if (!existsSync(deps)) continue;
    for (const entry of readdirSync(deps)) {
      if (entry.startsWith('.')) continue;
      if (!entry.startsWith('@')) link(entry, realpathSync(join(deps, entry)));
      else for (const scoped of readdirSync(join(deps, entry))) link(`${entry}/${scoped}`, realpathSync(join(deps, entry, scoped)));
    }
  }
}

/** tsconfig.base.json's options (legacy decorators and all), adjusted to emit plain modules beside their sources. */
export function projectCompilerOptions(root: string, workDir: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.base.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(`cannot read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent({ ...read.config, files: [] }, ts.sys, workDir, undefined, configPath);
  // Out of the parsed options: no outDir (the output lands beside the sources) and no build info.
  const { outDir: _outDir, tsBuildInfoFile: _buildInfo, ...options } = parsed.options;
  return {
    ...options,
    composite: false,
    incremental: false,
    declaration: false,
    declarationMap: false,
    sourceMap: true,
    noEmit: false,
    noEmitOnError: false,
    rootDir: workDir,
    // An example may declare what the reader would go on to use (a function to call at start-up).
    noUnusedLocals: false,
  };
}
