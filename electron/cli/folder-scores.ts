/** Encode every image under the inputs and score it against phrases: what query and matrix share. */
import { phraseVectors, scorePhrases, type PhraseScores, type PhraseVectors } from '../scoring/phrase-scores.js';
import type { Matrix } from '../scoring/vectors.js';
import { encodeFiles } from '../screening/pipeline.js';
import type { CliIO } from './command.js';
import { expandInputs, progressLine, type CliSession } from './session.js';

export interface FolderScores extends PhraseScores {
  paths: string[];
  /** The image embeddings, one row per path. */
  images: Matrix;
  /** The phrases' prompt-ensemble embeddings the scores come from. */
  vectors: PhraseVectors[];
  /** Patch embeddings per path ([cells × dim]), when asked for and the model has them. */
  patches?: (Float32Array | null)[];
  failed: { path: string; code: string; reason: string }[];
}

export { csvCell } from '../util/csv.js';

export async function scoreFolder(
  session: CliSession,
  inputs: string[],
  phrases: string[],
  io: CliIO,
  options: { keepPatches?: boolean } = {},
): Promise<FolderScores> {
  const encoder = session.models.encoder;
  const vectors = await phraseVectors(phrases, (texts) => encoder.encodeTexts(texts));
  const paths: string[] = [];
  const rows: Float32Array[] = [];
  const patches: (Float32Array | null)[] = [];
  const failed: FolderScores['failed'] = [];
  const progress = progressLine(io);
  for await (const r of encodeFiles(expandInputs(inputs, io.cwd), session.pool, encoder)) {
    if (r.embedding) {
      paths.push(r.path);
      rows.push(r.embedding);
      if (options.keepPatches) patches.push(r.patches ?? null);
    } else failed.push({ path: r.path, code: r.error!.code, reason: r.error!.message });
    progress(`encoded ${paths.length} images, ${failed.length} failed`);
  }
  io.stderr('\n');
  const dim = rows[0]?.length ?? vectors[0]?.positive.length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((v, i) => data.set(v, i * dim));
  const images: Matrix = { data, rows: rows.length, dim };
  const scores = scorePhrases(images, vectors, session.loaded.model.logitScale);
  return { ...scores, paths, failed, images, vectors, ...(options.keepPatches ? { patches } : {}) };
}
