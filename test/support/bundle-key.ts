/** The index slot a model folder's embeddings are kept under, as the app computes it (model-key.ts). */
import { sha256File } from '../../electron/inference/file-digests.js';
import { describeModel } from '../../electron/inference/layouts/index.js';
import { modelFingerprint } from '../../electron/inference/model-fingerprint.js';
import { modelKey } from '../../electron/inference/model-key.js';

export async function bundleKey(dir: string): Promise<string> {
  const model = await describeModel(dir);
  return modelKey({ model, fingerprint: await modelFingerprint(model, sha256File) });
}
