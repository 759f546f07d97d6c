/** RadSift's own bundle: manifest.json (format radsift-bundle/1) + two ONNX towers + tokenizer.json. */
import { ModelError } from '../errors.js';
import { BundleManifest } from '../manifest.js';
import type { ModelLayout } from './layout.js';
import { exists, readModelJson } from './json-file.js';

export const radsiftLayout: ModelLayout = {
  name: 'radsift',
  // Any manifest.json: one that is not valid JSON or names another format is a bundle that load() refuses with
  // its reason, not a folder RadSift does not know (nor a bundled model silently left out of the list).
  detect: (dir) => exists(dir, 'manifest.json'),
  async load(dir) {
    const json = await readModelJson(dir, 'manifest.json');
    const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
    if (format !== 'radsift-bundle/1')
      throw new ModelError(
        'BAD_MANIFEST',
        `manifest.json in ${dir}: format ${JSON.stringify(format) ?? '(none)'} is not supported; radsift-bundle/1 expected`,
      );
    const parsed = BundleManifest.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ModelError('BAD_MANIFEST', `manifest.json in ${dir}: ${first?.path.join('.')}: ${first?.message}`);
    }
    const m = parsed.data;
    return {
      layout: 'radsift',
      dir,
      id: m.id,
      name: m.name,
      version: m.version,
      licence: m.licence,
      intendedUse: m.intendedUse,
      trainedOnSyntheticData: m.trainedOnSyntheticData,
      provenance: m.provenance,
      embeddingDim: m.embeddingDim,
      logitScale: m.logitScale,
      regionOffset: m.regionOffset,
      regionWeight: m.regionWeight,
      image: { ...m.image },
      text: {
        file: m.text.file,
        tokenizer: m.text.tokenizer,
        tokenizerConfig: null,
        inputs: m.text.inputs,
        output: m.text.output,
        maxLength: m.text.maxLength,
        padToMaxLength: m.text.padToMaxLength,
        padId: m.text.padId,
        lowercase: m.text.lowercase,
        negationTemplate: m.text.negationTemplate,
      },
      checksums: m.files,
    };
  },
};
