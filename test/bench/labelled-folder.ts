/**
 * What the few-shot and region benches share: a labelled phantom folder (labels.csv beside the scans, as
 * `radsift demo` writes it) read, and its scans encoded with a model through the CLI's own session.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { scoreFolder } from '../../electron/cli/folder-scores.js';
import { openSession } from '../../electron/cli/session.js';
import type { CliIO } from '../../electron/cli/command.js';

export interface LabelledFolder {
  dir: string;
  /** labels.csv's finding columns, in order. */
  findings: string[];
  /** Each scan's absolute path → its labels (0/1, in `findings` order). */
  labelled: Map<string, number[]>;
}

export async function readLabelled(folder: string | undefined): Promise<LabelledFolder> {
  if (!folder) throw new Error('give a folder with labels.csv (radsift demo writes one)');
  const dir = path.resolve(folder);
  const [head, ...lines] = (await readFile(path.join(dir, 'labels.csv'), 'utf8')).trim().split('\n');
  const findings = head!.split(',').slice(1);
  const labelled = new Map(lines.map((l) => l.split(',')).map(([p, ...ys]) => [path.join(dir, p!), ys.map(Number)]));
  return { dir, findings, labelled };
}

/** The labelled scans encoded (with their patch grids) and scored for `phrases`, and the model that did it. */
export async function encodeLabelled(
  { labelled }: LabelledFolder,
  modelDir: string | undefined,
  phrases: string[] = [],
  stderr: (s: string) => void = () => {},
) {
  const io: CliIO = { stdout: () => {}, stderr, cwd: process.cwd() };
  const session = await openSession(modelDir ? { 'model-dir': [modelDir] } : {}, io);
  const model = session.loaded.model;
  try {
    return { scores: await scoreFolder(session, [...labelled.keys()], phrases, io, { keepPatches: true }), model };
  } finally {
    await session.close();
  }
}
