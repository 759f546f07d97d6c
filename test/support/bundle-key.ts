/** A model folder's fingerprint and index slot key, as the app computes them (model-fingerprint.ts, model-key.ts). */
import { sha256File } from '../../electron/inference/file-digests.js';
import { describeModel } from '../../electron/inference/layouts/index.js';
import { modelFingerprint } from '../../electron/inference/model-fingerprint.js';
import { modelKey } from '../../electron/inference/model-key.js';

export async function fingerprintOf(dir: string): Promise<string> {
  return modelFingerprint(await describeModel(dir), sha256File);
}

export async function bundleKey(dir: string): Promise<string> {
  return modelKey({ model: await describeModel(dir), fingerprint: await fingerprintOf(dir) });
}
