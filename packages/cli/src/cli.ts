import { globalHelp, runCommands, type CliIO, type CommandSpec } from './command.js';
import { UsageError } from './errors.js';
import { FINGERPRINT_COMMANDS } from './fingerprint-command.js';
import { SERVICES_COMMANDS } from './services-command.js';
import { UPGRADE_COMMANDS } from './upgrade-command.js';

export type { CliIO } from './command.js';

/**
 * The commands of `versioned`, one entry (or one spread) per line: a new subcommand is a file exporting a
 * CommandSpec (see command.ts and the README) and one line here.
 */
export const COMMANDS: readonly CommandSpec[] = [
  ...FINGERPRINT_COMMANDS,
  ...SERVICES_COMMANDS,
  ...UPGRADE_COMMANDS,
  // `versioned migrations check`: parses its own arguments (see migrations.ts); loaded only when used.
  {
    name: 'migrations',
    summary: "check: whether release N+1's migrations break code written for N (`versioned migrations --help`)",
    options: {},
    raw: async (argv, io) =>
      (await optional(() => import('./migrations.js'), '@versioned/migrations', 'versioned migrations')).runMigrations(argv, io),
  },
];

/** The text of `versioned --help`. */
export const HELP = globalHelp(COMMANDS);

/** Import a command's module, which needs an optional package: a clear message when it is not installed. */
async function optional<T>(load: () => Promise<T>, pkg: string, command: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${pkg}'`)) {
      throw new UsageError('config', `\`${command}\` needs the ${pkg} package: npm install -D ${pkg} (or pnpm add -D ${pkg})`);
    }
    throw err;
  }
}

/** Run the command line `argv` (without `node versioned`); resolves to the exit code. */
export function run(argv: readonly string[], io: CliIO): Promise<number> {
  return runCommands(COMMANDS, argv, io);
}
