/** Scores from an existing index (`radsift query --index`): no file is read or encoded again. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { INDEX_FILE, IndexStore } from '../index/index-store.js';
import { phraseVectors, scorePhrases } from '../scoring/phrase-scores.js';
import { modelKey } from '../inference/model-key.js';
import { UsageError } from './command.js';
import type { FolderScores } from './folder-scores.js';
import type { CliSession } from './session.js';

export async function scoreIndex(session: CliSession, indexDir: string, phrases: string[]): Promise<FolderScores> {
  // Opening creates an index; a query must not leave an empty one behind where there was none.
  if (!existsSync(path.join(indexDir, INDEX_FILE)))
    throw new UsageError(`${indexDir} holds no RadSift index (radsift screen <folder> --index ${indexDir} makes one)`);
  // Read-only where the index may not be written (a shared or archived copy): a query writes nothing.
  const store = IndexStore.openToRead(indexDir);
  try {
    const m = session.loaded.model;
    const encoder = session.models.encoder;
    const loaded = session.loaded;
    const slot = store.storedModel(modelKey(loaded), loaded.dim, loaded.model.image.patchGrid);
    const dim = loaded.dim;
    const { scanIds, data } = slot ? store.embeddings(slot) : { scanIds: new Int32Array(0), data: new Float32Array(0) };
    if (!slot || !scanIds.length)
      throw new UsageError(
        `the index in ${indexDir} has no scans encoded with ${m.id} ${m.version} as its files are now; run radsift screen first`,
      );
    const vectors = await phraseVectors(phrases, (t) => encoder.encodeTexts(t));
    const images = { data, rows: scanIds.length, dim };
    // The best-region margins a screening run stored for these phrases; a scan without them is scored by
    // its whole image (no file is read here to compute them).
    const stored =
      m.regionOffset !== null
        ? store.regions(
            slot,
            vectors.map((v) => v.pair.phrase),
          )
        : null;
    const regions = Array.from(scanIds, (id) => stored?.get(id) ?? null);
    const scores = scorePhrases(images, vectors, m, regions);
    const paths = store.scans(Array.from(scanIds)).map((s) => s.path);
    return { ...scores, paths, failed: [], skipped: [], skippedLine: '', images, vectors, regions };
  } finally {
    store.close();
  }
}
