/** Verifies a model folder's files against the sizes and sha256 its manifest declares. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from './errors.js';
import { sha256File } from './file-digests.js';
import type { ModelDescription } from './model-description.js';

/** Every file the model needs exists; every declared checksum matches (`digest`: a file's sha256). */
export async function verifyModelFiles(
  model: ModelDescription,
  digest: (file: string) => Promise<string> = sha256File,
): Promise<void> {
  const required = new Set([model.image.file, model.text.file, model.text.tokenizer, ...Object.keys(model.checksums)]);
  if (model.text.tokenizerConfig) required.add(model.text.tokenizerConfig);
  for (const rel of required) {
    const full = path.join(model.dir, rel);
    const info = await stat(full).catch(() => null);
    if (!info?.isFile()) throw new ModelError('MISSING_FILE', `${model.name}: ${rel} is missing from ${model.dir}`);
    const declared = model.checksums[rel];
    if (!declared) continue;
    if (info.size !== declared.bytes || (await digest(full)) !== declared.sha256) {
      throw new ModelError(
        'CHECKSUM_MISMATCH',
        `${model.name}: ${rel} does not match the checksum in its manifest (altered or incomplete copy); reinstall the model`,
      );
    }
  }
}
