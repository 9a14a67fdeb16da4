import { globalHelp, runCommands, type CliIO, type CommandSpec } from './command.js';
import { FINGERPRINT_COMMANDS } from './fingerprint-command.js';
import { SERVICES_COMMANDS } from './services-command.js';
import { UPGRADE_COMMANDS } from './upgrade-command.js';
import { runMigrations } from './migrations.js';

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
  if (argv[0] === 'migrations') return runMigrations(argv.slice(1), io);
  return runCommands(COMMANDS, argv, io);
}
