/** Encode every image under the inputs and score it against phrases: what query and matrix share. */
import { phraseVectors, scorePhrases, type PhraseScores, type PhraseVectors } from '../scoring/phrase-scores.js';
import { maxPoolPatches } from '../scoring/example-features.js';
import { regionMargins } from '../scoring/region-score.js';
import type { Matrix } from '../scoring/vectors.js';
import { encodeFiles } from '../screening/pipeline.js';
import type { CliIO } from './command.js';
import { SkippedFiles } from './skipped-files.js';
import { expandInputs, progressLine, type CliSession } from './session.js';

export interface FolderScores extends PhraseScores {
  paths: string[];
  /** The image embeddings, one row per path. */
  images: Matrix;
  /** The phrases' prompt-ensemble embeddings the scores come from. */
  vectors: PhraseVectors[];
  /** Patch embeddings per path ([cells × dim]), when asked for and the model has them. */
  patches?: (Float32Array | null)[];
  /**
   * Per path, its best region's margin per phrase (regionMargins; null for an image without patch
   * embeddings): the probabilities weigh them with the whole image's, as the app does.
   */
  regions: (Float32Array | null)[];
  /** The patch embeddings max-pooled, one row per path, when every image has them (few-shot descriptors). */
  pooled?: Matrix | null;
  failed: { path: string; code: string; reason: string }[];
  /** Files that are not DICOM at all (or DICOMDIRs, or DICOM objects that hold no image): skipped, neither rows nor failures. */
  skipped: string[];
  /** What they are, counted: the count line (SkippedFiles.line; '' when none). */
  skippedLine: string;
}

export { csvCell } from '../util/csv.js';

export async function scoreFolder(
  session: CliSession,
  /** Absolute paths of files and folders (readInputs). */
  inputs: string[],
  phrases: string[],
  io: CliIO,
  options: { keepPatches?: boolean; poolPatches?: boolean } = {},
): Promise<FolderScores> {
  const encoder = session.models.encoder;
  const vectors = await phraseVectors(phrases, (texts) => encoder.encodeTexts(texts));
  const paths: string[] = [];
  const rows: Float32Array[] = [];
  const patches: (Float32Array | null)[] = [];
  const pooled: (Float32Array | null)[] = [];
  const regions: (Float32Array | null)[] = [];
  const failed: FolderScores['failed'] = [];
  const skipped = new SkippedFiles();
  const progress = progressLine(io);
  const scoresRegions = vectors.length > 0 && session.loaded.model.regionOffset !== null;
  const files = expandInputs(inputs, (folder, error) =>
    failed.push({ path: folder, code: error.code, reason: error.message }),
  );
  for await (const r of encodeFiles(files, session.pool, encoder)) {
    if (r.embedding) {
      paths.push(r.path);
      rows.push(r.embedding);
      if (options.keepPatches) patches.push(r.patches ?? null);
      regions.push(r.patches && scoresRegions ? regionMargins(r.patches, vectors) : null);
      if (options.poolPatches) pooled.push(r.patches ? maxPoolPatches(r.patches, r.embedding.length) : null);
    } else if (r.notDicom) skipped.add(r.path, r.error);
    else failed.push({ path: r.path, code: r.error!.code, reason: r.error!.message });
    progress(`encoded ${paths.length} images, ${failed.length} failed, ${skipped.count} not DICOM`);
  }
  progress.done();
  reportSkipped(skipped, io);
  const dim = rows[0]?.length ?? vectors[0]?.positive.length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((v, i) => data.set(v, i * dim));
  const images: Matrix = { data, rows: rows.length, dim };
  const scores = scorePhrases(images, vectors, session.loaded.model, regions);
  const pooledRows = pooled.length && pooled.every((p) => p) ? (pooled as Float32Array[]) : null;
  const pooledMatrix: Matrix | null = pooledRows
    ? { data: new Float32Array(rows.length * dim), rows: rows.length, dim }
    : null;
  pooledRows?.forEach((p, i) => pooledMatrix!.data.set(p, i * dim));
  return {
    ...scores,
    paths,
    failed,
    skipped: skipped.paths,
    skippedLine: skipped.line(),
    images,
    vectors,
    regions,
    ...(options.keepPatches ? { patches } : {}),
    ...(options.poolPatches ? { pooled: pooledMatrix } : {}),
  };
}

/** A line on stderr per input that failed, with its reason (what exit 2 promises; JSON outputs list them). */
export function reportFailed(failed: readonly { path: string; reason: string }[], io: CliIO): void {
  for (const f of failed) io.stderr(`failed: ${f.path}: ${f.reason}\n`);
}

/** One line on stderr for the files skipped, by what they are (JSON outputs list them). */
export function reportSkipped(skipped: SkippedFiles, io: CliIO): void {
  if (skipped.count) io.stderr(`${skipped.line()}\n`);
}
