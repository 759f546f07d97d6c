/** Option values the commands share, parsed with one set of rules and messages. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PHRASE_PATTERN } from '../api/limits.js';
import { DEFAULT_PROBABILITY_THRESHOLD } from '../scoring/threshold.js';
import { UsageError } from './command.js';

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
  const n = Number(value);
  if (max === undefined) {
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got "${value}"`);
  } else if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number ${min}–${max}`);
  return n;
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
  return listOption(value).map(phraseOption);
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  ENAMETOOLONG: 'name too long',
  EISDIR: 'a folder, not a file',
};

/** The text of a file named by an option; a usage error (with the name cut short) when it cannot be read. */
export async function readOptionFile(option: string, file: string): Promise<string> {
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    const shown = file.length > 120 ? `${file.slice(0, 60)}…${file.slice(-40)}` : file;
    const why = FILE_ERRORS[e.code ?? ''] ?? e.message;
    throw new UsageError(`${option} ${shown}: ${why}`);
  });
}

/** A path from a path-list option, with its name as given (for messages). */
export interface GivenPath {
  path: string;
  given: string;
}

/**
 * The paths of an option given any number of times, each value comma-separated and relative to `cwd`, then of
 * its list files (`fromOption`): one path per line as written, so a comma is part of the path; blank lines and
 * lines starting with # skipped; relative to the list file's folder, so a list can sit beside its scans.
 */
export async function pathListOption(
  values: readonly string[] | undefined,
  lists: readonly string[] | undefined,
  fromOption: string,
  cwd: string,
): Promise<GivenPath[]> {
  const paths = (values ?? [])
    .flatMap((v) => listOption(v))
    .map((given) => ({ path: path.resolve(cwd, given), given }));
  for (const list of lists ?? []) {
    const file = path.resolve(cwd, list);
    for (const [i, line] of (await readOptionFile(fromOption, file)).split('\n').entries()) {
      const p = line.replace(/\r$/, '');
      if (p.trim() && !p.trimStart().startsWith('#'))
        paths.push({ path: path.resolve(path.dirname(file), p), given: `${p} (${list} line ${i + 1})` });
    }
  }
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
