/** Option values the commands share, parsed with one set of rules and messages. */
import { constants } from 'node:fs';
import { access, lstat, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { PHRASE_PATTERN } from '../api/limits.js';
import { DEFAULT_PROBABILITY_THRESHOLD } from '../scoring/threshold.js';
import { distinctPhrases } from '../scoring/phrase-list.js';
import { systemErrorReason } from '../util/error-text.js';
import { UsageError, type CliIO } from './command.js';

/** "a, b,,c" → ["a", "b", "c"]. */
export function listOption(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * A whole-number option in [min, max] (max: none when not given); undefined when the option is absent.
 * The two messages are the ones the commands have always printed for a bounded and an open range.
 */
export function integerOption(value: string | undefined, name: string, min: number, max?: number): number | undefined {
  if (value === undefined) return undefined;
  // Digits only: Number() reads "" as 0 and "0x2" as 2, so `--seed=` quietly meant seed 0.
  const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (max === undefined) {
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got "${value}"`);
  } else if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number ${min}–${max}`);
  return n;
}

/** --batch: images encoded together (default 16). */
export function batchOption(value: string | undefined): number {
  if (value === undefined) return 16;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 256)) throw new UsageError('--batch must be a whole number from 1 to 256');
  return n;
}

/**
 * A file an option names for output, resolved and checked before any work: its folder must exist and be one this
 * process may create files in (the output is written aside there and renamed over the name), and it must not be
 * a folder itself, or a long run would end in an error and nothing written. The file to write is returned: for a
 * symbolic link, the file it names (linkedOutput), so that the link stays and its target is replaced.
 */
export async function outputOption(option: string, value: string, cwd: string): Promise<string> {
  const out = await linkedOutput(option, path.resolve(cwd, value));
  const folder = path.dirname(out);
  if (!(await stat(folder).catch(() => null))?.isDirectory())
    throw new UsageError(`${option}: the folder ${folder} does not exist`);
  const info = await stat(out).catch(() => null);
  if (info?.isDirectory()) throw new UsageError(`${option}: ${out} is a folder`);
  // A device, a pipe or a socket: renamed over, it would be replaced by a file (/dev/null by root's results).
  if (info && !info.isFile())
    throw new UsageError(`${option}: ${out} is not a regular file (a device, a pipe or a socket)`, {
      showUsage: false,
    });
  // Asked of the system, as the write will be: a read-only folder, disk or mount, an ACL, root's own rights.
  if (
    !(await access(folder, constants.W_OK | constants.X_OK).then(
      () => true,
      () => false,
    ))
  )
    throw new UsageError(`${option}: the folder ${folder} is not writable`);
  return out;
}

/**
 * The file an output named through a symbolic link is written to: the one the link names (through every link on
 * the way), as editors that keep links write. The output is written aside beside it and renamed onto it, and the
 * link stays a link; renamed over the link, it became a file of its own and the link's target kept the old
 * contents. A link to nothing (or to a loop) is refused, as is a link to a folder or to something that is not a
 * regular file (outputOption): a usage error before any work.
 */
async function linkedOutput(option: string, file: string): Promise<string> {
  if (!(await lstat(file).catch(() => null))?.isSymbolicLink()) return file;
  const target = await realpath(file).catch(async (error: NodeJS.ErrnoException) => {
    const to = await readlink(file).catch(() => '?');
    const why =
      error.code === 'ENOENT' || error.code === 'ENOTDIR'
        ? 'which does not exist'
        : error.code === 'ELOOP'
          ? 'which leads back to itself (a loop of links)'
          : `which cannot be followed: ${systemErrorReason(error) ?? error.message}`;
    throw new UsageError(`${option}: ${file} is a link to ${to}, ${why}`, { showUsage: false });
  });
  const info = await stat(target);
  if (!info.isFile())
    throw new UsageError(
      `${option}: ${file} is a link to ${target}, which is ${info.isDirectory() ? 'a folder' : 'not a regular file (a device, a pipe or a socket)'}`,
      { showUsage: false },
    );
  return target;
}

/** --threshold: a probability in [0, 1], default the zero-shot decision boundary. */
export function thresholdOption(value: string | undefined): number {
  // Number('') is 0: an empty value must not quietly mean "flag everything".
  const threshold = value === undefined ? DEFAULT_PROBABILITY_THRESHOLD : value.trim() ? Number(value) : NaN;
  if (!(threshold >= 0 && threshold <= 1)) throw new UsageError('--threshold must be between 0 and 1');
  return threshold;
}

/** A report phrase from the command line: refused with a usage error when it has no letter or digit. */
export function phraseOption(value: string): string {
  if (!PHRASE_PATTERN.test(value))
    throw new UsageError(`"${value.slice(0, 40)}" is not a phrase: it needs a letter or digit`);
  return value;
}

/** --phrases "a, b": each one a phrase (phraseOption). */
export function phrasesOption(value: string | undefined): string[] {
  return distinctPhrases(listOption(value).map(phraseOption));
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  ENAMETOOLONG: 'name too long',
  EISDIR: 'a folder, not a file',
};

/** The text of a file named by an option; a usage error (with the name cut short) when it cannot be read. */
export async function readOptionFile(option: string, file: string): Promise<string> {
  const shown = file.length > 120 ? `${file.slice(0, 60)}…${file.slice(-40)}` : file;
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    const why = FILE_ERRORS[e.code ?? ''] ?? e.message;
    throw new UsageError(`${option} ${shown}: ${why}`);
  });
  return utf8Text(bytes, `${option} ${shown}`);
}

/**
 * A text file's bytes as UTF-8, without the byte-order mark some editors put first (Notepad before 2019, Excel's
 * "CSV UTF-8", PowerShell's `Out-File -Encoding utf8`): it is no part of the first line. UTF-16 (what Windows
 * PowerShell 5 writes with `>` or a plain `Out-File`) is refused by name rather than read as garbled paths.
 */
export function utf8Text(bytes: Buffer, named: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)))
    throw new UsageError(`${named}: written as UTF-16; save it as UTF-8 (e.g. Out-File -Encoding utf8)`);
  const text = bytes.toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** A path from a path-list option, with its name as given (for messages). */
export interface GivenPath {
  path: string;
  given: string;
}

/** The list name that reads standard input, in every list option (--files-from, --examples-from, …). */
export const STANDARD_INPUT = '-';

/**
 * Standard input can be read once: a usage error, before any list is read, when list options (name → values)
 * ask for it more than once in one run.
 */
export function standardInputOnce(lists: Record<string, readonly string[] | undefined>): void {
  const readers = Object.entries(lists).flatMap(([option, values]) =>
    (values ?? []).filter((v) => v === STANDARD_INPUT).map(() => option),
  );
  if (readers.length < 2) return;
  const [first, second] = readers as [string, string, ...string[]];
  throw new UsageError(
    `standard input can feed one list only: ${first === second ? `${first} - is given twice` : `${first} - and ${second} - both ask for it`}; save the other list in a file`,
  );
}

async function readStream(stream: AsyncIterable<string | Buffer>, named: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return utf8Text(Buffer.concat(chunks), named);
}

/**
 * The paths of one list (a file, or `-` for standard input) of a list option: one path per line as written, so a
 * comma or a leading space is part of the path; CRLF line ends taken; blank lines skipped, and with `comments`
 * lines starting with #. Each is named for messages by its line and where it came from.
 *
 * Relative paths, the one rule of every list option: a line is taken from the list file's folder, and from the
 * current folder for standard input. A list names files as seen from where it was written. Kept beside the scans
 * it names, or moved with them to another disk or a colleague, it stays right from whatever folder the command
 * runs in, as a playlist's lines do and as rsync reads --files-from against a base given with the list, not the
 * shell's folder. Standard input comes from a pipeline run here (`find scans -name '*.dcm' | radsift …`), which
 * writes paths as seen from the current folder. A list written elsewhere from here (`find scans > /tmp/list`) is
 * what this rule reads wrong: write absolute paths (`find "$PWD/scans"`) or pipe it.
 */
export async function readPathList(
  option: string,
  list: string,
  io: CliIO,
  { comments }: { comments: boolean },
): Promise<GivenPath[]> {
  let text: string;
  let base: string;
  let source: string;
  if (list === STANDARD_INPUT) {
    if (!io.stdin) throw new UsageError(`${option} -: no standard input`);
    text = await readStream(io.stdin, `${option} -`);
    base = io.cwd;
    source = 'standard input';
  } else {
    const file = path.resolve(io.cwd, list);
    text = await readOptionFile(option, file);
    base = path.dirname(file);
    source = list;
  }
  const paths: GivenPath[] = [];
  const relative: string[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    const p = line.replace(/\r$/, '');
    if (!p.trim() || (comments && p.trimStart().startsWith('#'))) continue;
    paths.push({ path: path.resolve(base, p), given: `${p} (${source} line ${i + 1})` });
    if (!path.isAbsolute(p)) relative.push(p);
  }
  if (base !== io.cwd) await refuseCurrentFolderList(option, list, relative, base, io.cwd);
  return paths;
}

/** Relative lines looked at to tell a list written from the current folder (statted, so a few). */
const LINES_CHECKED = 20;

/**
 * A list whose relative lines name nothing from its own folder but do from the current one was written for the
 * rule it is not read by (`find scans > lists/all.txt`, as --files-from once read its lists): a usage
 * error that says so, rather than thousands of files failing one by one as missing.
 */
async function refuseCurrentFolderList(
  option: string,
  list: string,
  relative: readonly string[],
  base: string,
  cwd: string,
): Promise<void> {
  const sample = relative.slice(0, LINES_CHECKED);
  if (!sample.length) return;
  const exists = (p: string) =>
    stat(p).then(
      () => true,
      () => false,
    );
  const fromList = await Promise.all(sample.map((p) => exists(path.resolve(base, p))));
  if (fromList.some(Boolean)) return;
  const fromHere = await Promise.all(sample.map((p) => exists(path.resolve(cwd, p))));
  if (!fromHere.some(Boolean)) return;
  throw new UsageError(
    `${option} ${list}: no relative path in it (${sample.length} checked) exists from the list's folder, which is where a list's relative paths are taken from, and from the current folder some do: write the list with absolute paths (find "$PWD/…"), or pipe it (… | radsift … ${option} -)`,
  );
}

/**
 * The paths of an option given any number of times, each value comma-separated and relative to the current
 * folder, then of its lists (`fromOption`, readPathList: # lines skipped).
 */
export async function pathListOption(
  values: readonly string[] | undefined,
  lists: readonly string[] | undefined,
  fromOption: string,
  io: CliIO,
): Promise<GivenPath[]> {
  const paths = (values ?? [])
    .flatMap((v) => listOption(v))
    .map((given) => ({ path: path.resolve(io.cwd, given), given }));
  for (const list of lists ?? []) paths.push(...(await readPathList(fromOption, list, io, { comments: true })));
  return paths;
}

/** A warning line per phrase the model does not know well (scoring/phrase-familiarity.ts). */
export function familiarityWarnings(
  familiarity: readonly { phrase: string; known: boolean; reason: string | null }[],
): string {
  return familiarity
    .filter((f) => !f.known)
    .map(
      (f) =>
        `warning: the model does not know "${f.phrase}" well: ${f.reason}. Its scores mean little; for a finding it was not taught, screen with --examples (a few scans that show it)\n`,
    )
    .join('');
}
