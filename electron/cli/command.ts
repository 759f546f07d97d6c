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

/**
 * Whether a command's results on stdout are JSON: 'always' (info, decode, embed), 'option' with --json (models,
 * query, eval, eval-language, pacs); text where absent. Where they are, a failure is said there too (failureJson).
 */
export type JsonOutput = 'always' | 'option';

export interface Command {
  name: string;
  summary: string;
  /** Shown by `radsift help <name>` and on a usage error. */
  usage: string;
  json?: JsonOutput;
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
  json?: JsonOutput;
  options: O;
  run(args: CommandArgs<O>, io: CliIO): Promise<ExitCode>;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    ...(spec.json ? { json: spec.json } : {}),
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

/**
 * A failure a command has put in words itself (a DICOM file's or an archive's coded error): the runner says
 * `radsift <command>: <message>` on stderr, and where stdout carries JSON the error object with `code`
 * (failureJson); the command exits with `exit`.
 */
export class CommandFailure extends Error {
  readonly code: string;
  readonly exit: ExitCode;
  constructor(code: string, message: string, exit: ExitCode = EXIT.FATAL) {
    super(message);
    this.name = 'CommandFailure';
    this.code = code;
    this.exit = exit;
  }
}

/** The code of every usage error in the error object: bad arguments, whatever was wrong with them. */
export const USAGE_CODE = 'USAGE';

/**
 * The one shape of a failure on stdout, for a command whose results are JSON (a script that parses them gets
 * an object either way): `{"error":{"code":"…","message":"…"}}` on one line. `code`: USAGE for a usage error
 * (exit 1); for decode's file that failed (exit 2), a fatal error (exit 3) or a stop (130) the error's own code
 * (ENOSPC, IO, MALFORMED, CANCELLED…), FATAL where it has none. `message`: the text stderr gives after `radsift <command>: `.
 */
export function failureJson(code: string, message: string): string {
  return `${JSON.stringify({ error: { code, message } })}\n`;
}
