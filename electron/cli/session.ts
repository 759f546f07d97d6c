/**
 * What the model-using commands share: the model (by --model id or the active
 * one, with --model-dir for folders not installed), a decode pool, and input
 * expansion (files and folders, walked lazily).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { SettingsStore } from '../app-settings.js';
import { walkFiles } from '../dicom/catalog.js';
import { DecodePool } from '../dicom/decode-pool.js';
import type { LoadedModel } from '../inference/encoder-protocol.js';
import { ModelService } from '../inference/model-service.js';
import { describeReport } from '../inference/providers.js';
import { bundledModelRoots, dataDir } from '../paths.js';
import type { CliIO } from './command.js';
import { UsageError } from './command.js';

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
  const settings = new SettingsStore(dataDir());
  const { warning } = await settings.load();
  if (warning) io.stderr(`radsift: ${warning}\n`);
  const extra = (values['model-dir'] ?? []).map((d) => path.resolve(io.cwd, d));
  const models = new ModelService(bundledModelRoots(), settings, extra);
  let loaded: LoadedModel;
  try {
    if (values.model) {
      const entry = (await models.entries()).find(
        (m) => m.description?.id === values.model || m.dir === path.resolve(io.cwd, values.model!),
      );
      if (!entry) throw new UsageError(`no installed model "${values.model}" (see radsift models)`);
      loaded = await models.load(entry.dir);
    } else if (extra.length) {
      loaded = await models.load(extra[0]!);
    } else {
      loaded = await models.ready();
    }
  } catch (error) {
    await models.close();
    throw error;
  }
  io.stderr(`model: ${loaded.model.name} ${loaded.model.version} on ${describeReport(loaded.provider)}\n`);
  const pool = new DecodePool();
  return {
    models,
    loaded,
    pool,
    async close() {
      await pool.close();
      await models.close();
    },
  };
}

/** Files named on the command line, folders walked (lazily, in directory order). */
export async function* expandInputs(inputs: string[], cwd: string): AsyncGenerator<string> {
  for (const input of inputs) {
    const full = path.resolve(cwd, input);
    const info = await stat(full).catch(() => null);
    if (!info) throw new UsageError(`${input} does not exist`);
    if (info.isDirectory()) yield* walkFiles(full);
    else yield full;
  }
}

/** A progress line on stderr, rewritten in place when stderr is a terminal. */
export function progressLine(io: CliIO): (text: string) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (text) => {
    const now = Date.now();
    if (tty) io.stderr(`\r${text}\x1b[K`);
    else if (now - last > 2000) {
      io.stderr(`${text}\n`);
      last = now;
    }
  };
}
