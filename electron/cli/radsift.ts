#!/usr/bin/env node
/**
 * The `radsift` command: the app's services, headless. Results on stdout,
 * progress on stderr; exit 0 ok, 1 usage, 2 some inputs failed, 3 fatal, 130 stopped, 141 stdout's reader
 * gone.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { readIdentity } from '../app/app-identity.js';
import { CommandFailure, EXIT, failureJson, USAGE_CODE, UsageError, type CliIO, type ExitCode } from './command.js';
import { COMMANDS } from './commands/index.js';
import { loggableError } from '../util/error-text.js';

export async function main(argv: string[], io: CliIO): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    if (rest[0] !== undefined && !topic) return unknownCommand(rest[0], 'radsift help', argv, io);
    io.stdout(topic ? `${topic.usage}\n` : help());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === '--version' || name === 'version') {
    io.stdout(`${readIdentity().version}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return unknownCommand(name, 'radsift', argv, io);
  // `radsift <command> --help` asks for the command's usage, as `radsift help <command>` does (only right after
  // the command: later on the line, "-h" may be a file's name).
  if (rest[0] === '--help' || rest[0] === '-h') {
    io.stdout(`${command.usage}\n`);
    return EXIT.OK;
  }
  // Where the results are JSON, a failure is one JSON object there too (failureJson), unless results were already
  // written (an error in the cleanup after them): stdout holds one object, whatever the outcome.
  const json = command.json === 'always' || (command.json === 'option' && asksForJson(rest));
  let wrote = false;
  const commandIo: CliIO = {
    ...io,
    stdout: (t) => {
      wrote = true;
      io.stdout(t);
    },
  };
  const fail = (code: string, message: string, exit: ExitCode, usage = ''): ExitCode => {
    io.stderr(`radsift ${name}: ${message}\n${usage}`);
    if (json && !wrote) io.stdout(failureJson(code, message));
    return exit;
  };
  try {
    return await command.run(rest, commandIo);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const usage = error instanceof UsageError && !error.showUsage ? '' : `\nusage: ${command.usage}\n`;
      return fail(USAGE_CODE, (error as Error).message, EXIT.USAGE, usage);
    }
    if (error instanceof CommandFailure) return fail(error.code, error.message, error.exit);
    // Logs of runs are kept: the code, and no path (folders are often named after their patient).
    const code = (error as { code?: unknown } | null)?.code;
    return fail(typeof code === 'string' && code ? code : 'FATAL', loggableError(error), EXIT.FATAL);
  }
}

/**
 * A command name that is none of them: a usage error, with the list of commands on stderr. A script that asked for
 * JSON (--json anywhere on the line: which command's options apply cannot be known) gets the error object on
 * stdout as every JSON command's usage errors do (a typo in a script's command name left it nothing to parse).
 */
function unknownCommand(name: string, prefix: string, argv: readonly string[], io: CliIO): ExitCode {
  const message = `unknown command "${name}"`;
  io.stderr(`${prefix}: ${message}\n\n${help()}`);
  if (asksForJson(argv)) io.stdout(failureJson(USAGE_CODE, message));
  return EXIT.USAGE;
}

/** --json among a command's options (before a `--` that ends them), read before they are parsed: they may not parse. */
function asksForJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--json' || a.startsWith('--json='));
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: radsift <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nradsift help <command> shows a command's options.\n`;
}

// Run as a script, not imported: the script's own URL, escaped as file URLs are ("#", "%", "?" in a folder's name) and
// through any link to it (an installed bin).
const invokedDirectly = !!process.argv[1] && import.meta.url === scriptUrl(process.argv[1]);
if (invokedDirectly) {
  // A reader of the results that stops early (`radsift info scans | head`): end at once and quietly, as a Unix tool
  // killed by SIGPIPE does (Node ignores that signal), not with an unhandled EPIPE's stack trace. Stderr carries
  // only progress and messages: a long screen whose log reader went away goes on writing its results.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT.OUTPUT_CLOSED);
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    // `npm run radsift -- …` runs in the package's folder; relative paths mean the folder it was typed in.
    cwd: (process.env.npm_lifecycle_event === 'radsift' && process.env.INIT_CWD) || process.cwd(),
    stdin: process.stdin,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}

function scriptUrl(file: string): string | null {
  try {
    return pathToFileURL(realpathSync(file)).href;
  } catch {
    return null; // not a file (node -e, a REPL)
  }
}
