/**
 * What the model-using commands share: the model (by --model id or the active
 * one, with --model-dir for folders not installed), a decode pool, and input
 * expansion (files and folders from the command line or --files-from lists,
 * walked lazily).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { walkFiles } from '../dicom/catalog.js';
import type { DicomError } from '../dicom/errors.js';
import type { DecodePool } from '../screening/decode-pool.js';
import type { LoadedModel } from '../inference/encoder-protocol.js';
import { createServices } from '../api/create-services.js';
import type { ModelService } from '../api/model-service.js';
import { ModelError } from '../inference/errors.js';
import { describeReport } from '../inference/providers.js';
import { bundledModelRoots, dataDir } from '../app/paths.js';
import type { CliIO } from './command.js';
import { UsageError } from './command.js';
import { readPathList, standardInputOnce } from './options.js';

export interface CliSession {
  models: ModelService;
  loaded: LoadedModel;
  pool: DecodePool;
  close(): Promise<void>;
}

export const MODEL_OPTIONS = {
  model: { type: 'string' },
  'model-dir': { type: 'string', multiple: true },
} as const;

export async function openSession(values: { model?: string; 'model-dir'?: string[] }, io: CliIO): Promise<CliSession> {
  const extra = (values['model-dir'] ?? []).map((d) => path.resolve(io.cwd, d));
  // A mistyped --model-dir is a bad option value (exit 1, refused before any work), not a fatal error.
  for (const [i, dir] of extra.entries()) {
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory())
      throw new UsageError(`--model-dir ${values['model-dir']![i]}: ${info ? 'not a folder' : 'no such folder'}`, {
        showUsage: false,
      });
  }
  // The app's services (no dialog, no renderer to hear events); the CLI uses the models and the decode pool.
  const services = await createServices({ dataDir: dataDir(), modelRoots: bundledModelRoots(), modelDirs: extra });
  if (services.settingsWarning) io.stderr(`radsift: ${services.settingsWarning}\n`);
  const models = services.models;
  let loaded: LoadedModel;
  try {
    if (values.model) {
      const entries = await models.entries();
      const byDir = entries.find((m) => m.dir === path.resolve(io.cwd, values.model!));
      const byId = entries.filter((m) => m.description?.id === values.model);
      const entry = byDir ?? byId[0];
      if (!entry) throw new UsageError(`no installed model "${values.model}" (see radsift models)`);
      // Two folders with one id (a user's copy of a bundled model, two exports): not the first one by chance.
      if (!byDir && byId.length > 1)
        throw new UsageError(
          `${byId.length} installed models have the id "${values.model}": ${byId.map((m) => m.dir).join(', ')}; give the folder instead (--model <folder>)`,
        );
      loaded = await models.load(entry.dir);
    } else if (extra.length) {
      loaded = await models.load(extra[0]!).catch((error: unknown) => {
        if (error instanceof ModelError && error.code === 'NOT_A_MODEL')
          throw new UsageError(`--model-dir: ${error.message}`, { showUsage: false });
        throw error;
      });
    } else {
      loaded = await models.ready();
    }
  } catch (error) {
    await services.close();
    throw error;
  }
  io.stderr(`model: ${loaded.model.name} ${loaded.model.version} on ${describeReport(loaded.provider)}\n`);
  return { models, loaded, pool: services.decodePool, close: () => services.close() };
}

export const INPUT_OPTIONS = {
  /** One path per line ('-' = standard input): for more files than a command line holds. */
  'files-from': { type: 'string', multiple: true },
} as const;

export const FILES_FROM_USAGE = `--files-from <list|->: also read inputs from a file, one path per line, blank
lines skipped; - reads standard input, e.g. find scans -name '*.dcm' | radsift … --files-from -.
A relative path in a list is taken from the list file's folder (a list kept beside its
scans works from anywhere), and from the current folder for standard input.`;

/**
 * The inputs of a command as absolute paths: those on the command line (each must exist: a typo is a usage
 * error before any model loads), then those of each --files-from list (readPathList: relative to the list's
 * folder, or the current one for standard input). A listed path that does not exist is kept: it fails with its
 * reason like any unreadable file, instead of stopping a run of thousands.
 */
export async function readInputs(positionals: string[], lists: string[] | undefined, io: CliIO): Promise<string[]> {
  const inputs: string[] = [];
  for (const input of positionals) {
    const full = path.resolve(io.cwd, input);
    if (!(await stat(full).catch(() => null))) throw new UsageError(`${input} does not exist`);
    inputs.push(full);
  }
  standardInputOnce({ '--files-from': lists });
  for (const list of lists ?? [])
    for (const p of await readPathList('--files-from', list, io, { comments: false })) inputs.push(p.path);
  return inputs;
}

/**
 * Inputs (from readInputs) as files: folders walked lazily, in directory order; files as they are. A folder
 * that cannot be opened goes to `onUnreadable` (to be listed as failed, with a reason that names no path).
 */
export async function* expandInputs(
  inputs: string[],
  onUnreadable: (folder: string, error: DicomError) => void,
): AsyncGenerator<string> {
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info?.isDirectory()) yield* walkFiles(input, onUnreadable);
    else yield input;
  }
}

/** progressLine's writer: called with each new state, then `done()` once the work ends. */
export interface Progress {
  (text: string): void;
  /**
   * Ends the progress: a terminal's line is closed; elsewhere the last state is written if the throttle held
   * it back, so a log's last progress line is the final count (not "0 failed" from the first file).
   */
  done(): void;
}

/**
 * A progress line on stderr, rewritten in place when stderr is a terminal; elsewhere (a log, a pipe) one line
 * every 2 s at most, and the final state when the work ends (Progress.done).
 */
export function progressLine(io: CliIO): Progress {
  const tty = process.stderr.isTTY;
  let last = 0;
  let open = false; // a terminal line written and not yet ended
  let held: string | null = null; // the latest state not written (not a terminal)
  let written: string | null = null; // the last line written (not a terminal)
  const progress = (text: string) => {
    const now = Date.now();
    if (tty) {
      io.stderr(`\r${text}\x1b[K`);
      open = true;
    } else if (text === written) {
      held = null; // a run's final report often repeats its last state: a log gets it once
    } else if (now - last > 2000) {
      io.stderr(`${text}\n`);
      last = now;
      written = text;
      held = null;
    } else held = text;
  };
  progress.done = () => {
    if (open) io.stderr('\n');
    else if (held !== null) io.stderr(`${held}\n`);
    open = false;
    held = null;
  };
  return progress;
}
