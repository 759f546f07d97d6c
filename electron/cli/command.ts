/**
 * The shape of a `radsift` subcommand. Each lives in its own module under
 * commands/ and is listed in commands/index.ts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT = {
  OK: 0,
  USAGE: 1, // bad arguments
  PARTIAL: 2, // finished, but some inputs failed (each listed with its reason)
  FATAL: 3, // nothing useful could be done
  STOPPED: 130, // stopped by Ctrl+C or SIGTERM before the end: what was done is kept, the same command resumes
  OUTPUT_CLOSED: 141, // the reader of stdout or stderr stopped reading (… | head): 128 + SIGPIPE, as Unix tools end
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliIO {
  /** Machine-readable results. */
  stdout: (text: string) => void;
  /** Progress and human messages. */
  stderr: (text: string) => void;
  cwd: string;
  /** Standard input, for --files-from - (absent where there is none). */
  stdin?: AsyncIterable<string | Buffer>;
}

export interface Command {
  name: string;
  summary: string;
  /** Shown by `radsift help <name>` and on a usage error. */
  usage: string;
  run(argv: string[], io: CliIO): Promise<ExitCode>;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A command's arguments as parseArgs gives them: strict, positionals allowed. */
export type CommandArgs<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>
>;

/**
 * A subcommand that declares its options: `run` gets its arguments parsed against them (unknown options and
 * missing values are parse errors, which the runner prints with the usage, like a UsageError).
 */
export function defineCommand<const O extends OptionsConfig>(spec: {
  name: string;
  summary: string;
  usage: string;
  options: O;
  run(args: CommandArgs<O>, io: CliIO): Promise<ExitCode>;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    run: (argv, io) => spec.run(parseArgs({ args: argv, allowPositionals: true, options: spec.options }), io),
  };
}

/** Thrown for bad arguments; the runner prints it with the usage and exits 1. */
export class UsageError extends Error {
  /** False where the arguments' form is right but a file they name cannot be used: the usage would not help. */
  readonly showUsage: boolean;
  constructor(message: string, options: { showUsage?: boolean } = {}) {
    super(message);
    this.name = 'UsageError';
    this.showUsage = options.showUsage ?? true;
  }
}
