#!/usr/bin/env node
// The installed `versioned` command: run the compiled CLI (build with `tsc -b` first).
import { run } from '../dist/src/cli.js';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
