#!/usr/bin/env node
// The installed `versioned` command: run the compiled CLI.
let cli;
try {
  cli = await import('../dist/src/cli.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/src/cli.js')) throw err;
  process.stderr.write('versioned: @versioned/cli is not built: run `tsc -b` (or `pnpm build`) first\n');
  process.exit(2);
}
process.exitCode = await cli.run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
