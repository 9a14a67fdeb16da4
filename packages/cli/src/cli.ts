import { globalHelp, reportError, runCommands, type CliIO, type CommandSpec } from './command.js';
import { FINGERPRINT_COMMANDS } from './fingerprint-command.js';
import { SERVICES_COMMANDS } from './services-command.js';
import { UPGRADE_COMMANDS } from './upgrade-command.js';
import { UsageError } from './errors.js';

export type { CliIO } from './command.js';

/**
 * The commands of `versioned`, one entry (or one spread) per line: a new subcommand is a file exporting a
 * CommandSpec (see command.ts and the README) and one line here.
 */
export const COMMANDS: readonly CommandSpec[] = [
  ...FINGERPRINT_COMMANDS,
  ...SERVICES_COMMANDS,
  ...UPGRADE_COMMANDS,
];

export const HELP = globalHelp(COMMANDS);

/** Run the command line `argv` (without `node versioned`); resolves to the exit code. */
export function run(argv: readonly string[], io: CliIO): Promise<number> {
  // `versioned migrations ...` parses its own arguments (src/migrations.ts).
  if (argv[0] === 'migrations') return migrations(argv.slice(1), io);
  return runCommands(COMMANDS, argv, io);
}

/** @versioned/migrations is an optional peer dependency (with its database drivers): loaded only for this command. */
async function migrations(argv: readonly string[], io: CliIO): Promise<number> {
  let module: typeof import('./migrations.js');
  try {
    module = await import('./migrations.js');
  } catch (err) {
    const missing = (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('@versioned/migrations');
    if (!missing) throw err;
    const error = new UsageError('module_load', '`versioned migrations` needs @versioned/migrations: install it next to @versioned/cli (npm install @versioned/migrations)');
    return reportError(error, io, argv.includes('--json'), (path) => path);
  }
  return module.runMigrations(argv, io);
}
