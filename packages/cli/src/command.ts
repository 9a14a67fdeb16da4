import { readFileSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from './errors.js';
import { findConfig, type FoundConfig } from './config.js';

/**
 * The small framework every `versioned` subcommand is written in: a table of commands, each with its own
 * options and help; argument parsing with clear messages; `--json`, `--config` and `--help` on every command;
 * configuration found upward from the current directory; exit codes 0 ok, 1 check failed, 2 usage, config or
 * load error; `--json` honoured for every outcome; paths in messages relative to the current directory.
 */

/** Where the command writes; a test or an embedding tool can pass its own. */
export interface CliIO {
  readonly stdout: {
    /** Write text as it is (no newline added). */
    write(text: string): unknown;
  };
  readonly stderr: {
    /** Write text as it is (no newline added). */
    write(text: string): unknown;
  };
  readonly cwd: string;
}

/** One option of a command: its type, whether it repeats, its short letter, its help line. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** The value placeholder in the help: `<file>`. */
  readonly value?: string;
  readonly help: string;
}

/** The parsed options of a command line, by option name: strings, booleans, arrays for repeated options. */
export type OptionValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** What a command's `run` receives: the IO, the parsed options and arguments, `--json`, the configuration. */
export interface CommandContext {
  readonly io: CliIO;
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly json: boolean;
  /** The configuration: `--config`, else found upward from the current directory; undefined when there is none. */
  config(): Promise<FoundConfig | undefined>;
  /** A path as messages show it: relative to the current directory. */
  display(path: string): string;
  /** Print `value` as the JSON answer (stable: two-space indents, one trailing newline). */
  printJson(value: unknown): void;
}

/** A subcommand of `versioned`: its words, help texts, options, the settings it reads, and what it runs. */
export interface CommandSpec {
  /** The words that select it: `fingerprint check`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** More text for `versioned <name> --help`. */
  readonly description?: string;
  /** Positional arguments, for the usage line (`<file>...`); none are accepted unless `maxPositionals`. */
  readonly args?: string;
  readonly maxPositionals?: number;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The configuration keys it reads (`modules`, `lockFile`): any other key is an "unknown setting". */
  readonly settings?: readonly string[];
  /** Resolves to the exit code. Throw a UsageError for usage, configuration and load errors (exit 2). */
  run?(ctx: CommandContext): Promise<number>;
  /** Instead of `run`, for a command that parses its own arguments: the arguments after its words. */
  raw?(argv: readonly string[], io: CliIO): Promise<number>;
}

/** On every command. */
const COMMON: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', help: 'Print a machine-readable answer on stdout (errors too)' },
  config: {
    type: 'string',
    value: '<file>',
    help: 'The config file (default: versioned.config.json, versioned.config.mjs or the "versioned" key of package.json, searched upward from the current directory)',
  },
  help: { type: 'boolean', short: 'h', help: 'Show this help' },
};

const EXIT_TEXT = 'Exit codes: 0 ok, 1 check failed, 2 usage, config or load error.';

/** Run `argv` (without `node versioned`) against the command table; resolves to the exit code, never throws. */
export async function runCommands(commands: readonly CommandSpec[], argv: readonly string[], io: CliIO): Promise<number> {
  const args = [...argv];
  let json = args.includes('--json');
  const display = (path: string): string => displayPath(path, io.cwd);
  try {
    if (args[0] === '--version') {
      io.stdout.write(json ? `${JSON.stringify({ ok: true, version: cliVersion() })}\n` : `${cliVersion()}\n`);
      return EXIT.ok;
    }
    const help = (text: string): number => {
      io.stdout.write(json ? `${JSON.stringify({ ok: true, help: text }, null, 2)}\n` : text);
      return EXIT.ok;
    };
    const words: string[] = [];
    while (args.length && !String(args[0]).startsWith('-')) words.push(args.shift() as string);
    const command = longestMatch(commands, words);
    if (!command) {
      if (words.length === 0 && (args.includes('--help') || args.includes('-h'))) return help(globalHelp(commands));
      if (words.length === 0 && args.length) {
        throw new UsageError(
          'usage',
          `unknown option ${String(args[0]).slice(0, 60)}: the command comes first (versioned <command> [options])`,
        );
      }
      throw unknownCommand(commands, words);
    }
    const extraWords = words.slice(command.name.split(' ').length);
    if (command.raw) return await command.raw([...extraWords, ...args], io);
    const options = { ...command.options, ...COMMON };
    const { values, positionals } = parseOptions(command, options, [...extraWords, ...args]);
    json = values.json === true;
    if (values.help) return help(commandHelp(command));
    if (positionals.length > (command.maxPositionals ?? 0)) {
      throw new UsageError('usage', `unexpected argument "${positionals[command.maxPositionals ?? 0]}" for \`versioned ${command.name}\``, {
        command: command.name,
      });
    }
    const known = new Set(commands.flatMap((c) => c.settings ?? []));
    let found: Promise<FoundConfig | undefined> | undefined;
    const ctx: CommandContext = {
      io,
      values,
      positionals,
      json,
      config: () => (found ??= findConfig(io.cwd, typeof values.config === 'string' ? values.config : undefined, known, display)),
      display,
      printJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    };
    if (!command.run) throw new UsageError('internal', `internal error: \`versioned ${command.name}\` has nothing to run`);
    return await command.run(ctx);
  } catch (err) {
    return reportError(err, io, json, display);
  }
}

/** Print an error the way every command does, and give its exit code (2: only usage, config and load errors get here). */
export function reportError(err: unknown, io: CliIO, json: boolean, display: (path: string) => string): number {
  const typed = err instanceof UsageError ? err : new UsageError('internal', `internal error: ${describeUnknown(err)} (please report it)`);
  const file = typed.file === undefined ? null : display(typed.file);
  if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: { code: typed.code, message: typed.message, file } }, null, 2)}\n`);
  const hint = typed.code === 'usage' ? `Run \`versioned ${typed.command ?? ''}${typed.command ? ' ' : ''}--help\` for usage.\n` : '';
  io.stderr.write(`versioned: ${typed.message}\n${hint}`);
  return EXIT.usage;
}

function describeUnknown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${(err.message.split('\n')[0] ?? '').slice(0, 500)}`;
  return String(err).slice(0, 500);
}

function longestMatch(commands: readonly CommandSpec[], words: readonly string[]): CommandSpec | undefined {
  let best: CommandSpec | undefined;
  for (const c of commands) {
    const parts = c.name.split(' ');
    if (parts.every((p, i) => words[i] === p) && (!best || parts.length > best.name.split(' ').length)) best = c;
  }
  return best;
}

function unknownCommand(commands: readonly CommandSpec[], words: readonly string[]): UsageError {
  if (words.length === 0)
    return new UsageError('usage', `missing command: expected one of ${commands.map((c) => `\`versioned ${c.name}\``).join(', ')}`);
  // The longest prefix that some command starts with: `fingerprint` of `fingerprint verify`.
  let depth = 0;
  while (depth < words.length && commands.some((c) => words.slice(0, depth + 1).every((w, i) => c.name.split(' ')[i] === w))) depth++;
  const group = words.slice(0, depth).join(' ');
  const next = [
    ...new Set(commands.filter((c) => c.name.startsWith(group ? `${group} ` : '')).map((c) => c.name.split(' ')[depth])),
  ].filter(Boolean);
  if (depth === words.length) return new UsageError('usage', `missing subcommand after "${group}": expected ${orList(next)}`);
  const bad = words[depth] as string;
  const what = depth === 0 ? 'command' : 'subcommand';
  return new UsageError('usage', `unknown ${what} "${[...words.slice(0, depth), bad].join(' ')}": expected ${orList(next)}`);
}

function orList(items: readonly string[]): string {
  const quoted = items.map((i) => `"${i}"`);
  return quoted.length <= 1 ? (quoted[0] ?? 'nothing') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** parseArgs with messages that say which command, which option and what it wants. */
function parseOptions(
  command: CommandSpec,
  options: Readonly<Record<string, OptionSpec>>,
  args: string[],
): { values: OptionValues; positionals: string[] } {
  const fail = (message: string): UsageError => new UsageError('usage', message, { command: command.name });
  const shorts = new Map(Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])));
  const config = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  const { tokens } = parseArgs({ args, options: config, allowPositionals: true, strict: false, tokens: true });
  const known = Object.keys(options)
    .map((n) => `--${n}`)
    .join(', ');
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const name = token.name.length === 1 ? (shorts.get(token.name) ?? token.name) : token.name;
    const spec = options[name];
    const shown = token.rawName.length > 60 ? `${token.rawName.slice(0, 60)}...` : token.rawName;
    if (!spec) throw fail(`unknown option ${shown} for \`versioned ${command.name}\` (its options: ${known})`);
    if (spec.type === 'string' && (token.value === undefined || (token.inlineValue !== true && token.value.startsWith('-')))) {
      throw fail(`option --${name} needs a value: --${name} ${spec.value ?? '<value>'}`);
    }
    if (spec.type === 'boolean' && token.value !== undefined) throw fail(`option --${name} takes no value`);
    if (spec.type === 'string' && token.value === '') throw fail(`option --${name} needs a non-empty value`);
  }
  try {
    const parsed = parseArgs({ args, options: config, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (err) {
    throw fail(`${(err as Error).message.split('\n')[0]}`);
  }
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const heads = Object.entries(options).map(
    ([name, o]) =>
      [
        `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}${o.multiple ? ' (repeatable)' : ''}`,
        o.help,
      ] as const,
  );
  const width = Math.max(...heads.map(([h]) => h.length)) + 2;
  return heads.map(([h, text]) => `  ${h.padEnd(width)}${text}`);
}

/** The `--help` text of a command: usage, summary, description, options (its own and the common ones), exit codes. */
export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: versioned ${command.name}${command.args ? ` ${command.args}` : ''} [options]`, '', command.summary];
  if (command.description) lines.push('', command.description);
  lines.push('', 'Options:', ...optionLines({ ...command.options, ...COMMON }), '', EXIT_TEXT, '');
  return lines.join('\n');
}

/** The text of `versioned --help`: one line per command. */
export function globalHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: versioned <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `versioned <command> --help` for the options of one command; `versioned --version` prints the version.',
    EXIT_TEXT,
    '',
  ].join('\n');
}

/** A path relative to the working directory (`../object-hashes.json` from a subdirectory). */
export function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  if (rel === '') return '.';
  return isAbsolute(rel) || rel.split(/[\\/]/).filter((s) => s === '..').length > 3 ? file : rel;
}

export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
