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
// Not awaited at the top level: a user's module whose top-level await never settles is reported by the CLI
// (exit 2), not by Node's exit 13.
cli.run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`versioned: internal error: ${err?.message ?? err}\n`);
    process.exitCode = 2;
  },
);
