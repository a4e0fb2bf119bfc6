import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from './suggest.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a command's `run` receives: its options by name, typed by its option table, and its arguments. */
export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** One entry of the CLI: its name, its help, its options and what it does. */
export interface Command<O extends Options = Options> {
  /** One or two words: `hunt`, `rules validate`. */
  name: string;
  /** What follows the name in the usage line: `[--format table|ndjson] FILE...`. */
  synopsis: string;
  /** One line, Chinese first: `离线狩猎 / run the rules over log files`. */
  summary: string;
  /** More lines for `taishi help <command>`: what the options mean, exit codes. */
  details?: string;
  options: O;
  /** Takes arguments besides its options (files, paths, a profile). */
  positionals: boolean;
  run(parsed: Parsed<O>): Promise<number> | number;
}

/** Keeps each command's option types for its `run`, and files it in one table with the others. */
export function command<const O extends Options>(spec: Command<O>): Command {
  return spec as unknown as Command;
}

/** A command line the CLI cannot run: said with the usage that would have worked. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

const SETTINGS_NOTE = `Settings come from the environment (see README), as for the service: with no DATABASE_URL the
command uses the embedded database in TAISHI_DATA_DIR, attaching to it if the service runs.
`;

export function usageLine(c: Command): string {
  return `${c.name} ${c.synopsis}`.trim();
}

/** Every command with its one-line summary, for `taishi --help`. */
export function generalUsage(commands: readonly Command[]): string {
  const lines = commands.map((c) => {
    const head = `  ${usageLine(c)}`;
    return head.length < 40 ? `${head.padEnd(40)}${c.summary}` : `${head}\n${' '.repeat(40)}${c.summary}`;
  });
  return `用法 / Usage: taishi <command> [options]\n\n${lines.join('\n')}\n\n` + `taishi help <command> 或 / or taishi <command> --help: 单个命令的说明 / one command's help\n\n${SETTINGS_NOTE}`;
}

/** One command's usage, summary, details and options, for `taishi help <command>` and `taishi <command> --help`. */
export function commandUsage(c: Command): string {
  const options = Object.keys(c.options).map((name) => `--${name}`);
  return (
    `用法 / Usage: taishi ${usageLine(c)}\n\n  ${c.summary}\n` +
    (c.details ? `\n${c.details.replace(/^/gm, '  ')}\n` : '') +
    (options.length ? `\n  选项 / Options: ${options.join(', ')}\n` : '') +
    `\n${SETTINGS_NOTE}`
  );
}

/** The command named by the first words of argv, and the arguments after its name. */
export function findCommand(commands: readonly Command[], argv: string[]): { command: Command; rest: string[] } {
  const words = argv.slice(0, 2);
  const match = commands.find((c) => c.name.split(' ').every((w, i) => words[i] === w));
  if (match) return { command: match, rest: argv.slice(match.name.split(' ').length) };
  const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
  if (group.length) {
    const subcommands = group.map((c) => c.name.split(' ')[1]);
    const meant = argv[1] === undefined ? undefined : closest(argv[1], subcommands);
    throw new UsageError(
      argv[1] === undefined
        ? `'${argv[0]}' 需要子命令 / needs a subcommand: ${subcommands.join(', ')}`
        : `未知命令 / unknown command: '${argv[0]} ${argv[1]}'${meant ? `; 是否想用 / did you mean '${argv[0]} ${meant}'?` : ''}`,
    );
  }
  const meant = closest(argv[0], [...new Set(commands.map((c) => c.name.split(' ')[0]))]);
  throw new UsageError(`未知命令 / unknown command: '${argv[0]}'${meant ? `; 是否想用 / did you mean '${meant}'?` : ''}`);
}

/** Parses a command's arguments; an unknown option is named with the option closest to it. */
export function parseCommandArgs(c: Command, args: string[]): Parsed<Options> {
  try {
    return parseArgs({ args, options: c.options, allowPositionals: c.positionals, strict: true }) as Parsed<Options>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const typed = /'(-{1,2}[^']*)'/.exec((error as Error).message)?.[1] ?? '';
      const meant = closest(typed.replace(/^-+/, '').split('=')[0], Object.keys(c.options));
      throw new UsageError(`未知选项 / unknown option '${typed}' for '${c.name}'${meant ? `; 是否想用 / did you mean '--${meant}'?` : ''}`, c);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`'${c.name}' 不接受参数 / takes no arguments: ${/'[^']*'/.exec((error as Error).message)?.[0] ?? ''}`, c);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError((error as Error).message, c);
    throw error;
  }
}

const isHelp = (arg: string) => arg === '--help' || arg === '-h';

/**
 * Runs the command argv names. `taishi`, `taishi --help`, `taishi help [command]` and
 * `taishi <command> --help` print usage instead (on stdout, exit 0; with no command at all on
 * stderr, exit 2).
 */
export async function runCommandLine(commands: readonly Command[], argv: string[], out: (text: string) => void): Promise<number> {
  if (argv.length === 0) throw new UsageError('未给出命令 / no command given');
  if (isHelp(argv[0]) || (argv[0] === 'help' && argv.length === 1)) {
    out(generalUsage(commands));
    return 0;
  }
  if (argv[0] === 'help') {
    out(commandUsage(findCommand(commands, argv.slice(1)).command));
    return 0;
  }
  const { command: c, rest } = findCommand(commands, argv);
  const beforeSeparator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeSeparator.some(isHelp)) {
    out(commandUsage(c));
    return 0;
  }
  try {
    return await c.run(parseCommandArgs(c, rest));
  } catch (error) {
    // A command's own argument checks are answered with that command's usage.
    if (error instanceof UsageError && !error.command) throw new UsageError(error.message, c);
    throw error;
  }
}
