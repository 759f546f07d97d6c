/**
 * A model's fingerprint: what its embeddings are a function of, whatever its folder, id or version say — the
 * sha256 of its two ONNX towers and its tokenizer files, and the description's image and text sections
 * (preprocessing, graph input and output names, token handling, the negation that best-region margins use) with
 * the files' names left out. Two folders with one fingerprint give the same embeddings; other weights, another
 * preprocessing or tokenizer give another. Id, name, version, licence and provenance are names, not weights,
 * and logit scale and region offset weigh scores when they are computed, never what an index stores.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ModelDescription } from './model-description.js';

/** The files a fingerprint digests, as absolute paths. */
export function fingerprintFiles(model: ModelDescription): string[] {
  const { image, text } = model;
  return [image.file, text.file, text.tokenizer, ...(text.tokenizerConfig ? [text.tokenizerConfig] : [])].map((f) =>
    path.join(model.dir, f),
  );
}

/** `digest`: a file's sha256 (FileDigests, which remembers it). */
export async function modelFingerprint(
  model: ModelDescription,
  digest: (file: string) => Promise<string>,
): Promise<string> {
  const { file: _image, ...image } = model.image;
  const { file: _text, tokenizer: _tokenizer, tokenizerConfig: _config, ...text } = model.text;
  const [imageSha, textSha, tokenizerSha, configSha = null] = await sequentially(fingerprintFiles(model), digest);
  const recipe = {
    fingerprint: 1,
    image: { ...image, sha256: imageSha },
    text: { ...text, sha256: textSha, tokenizer: tokenizerSha, tokenizerConfig: configSha },
  };
  return createHash('sha256').update(canonicalJson(recipe)).digest('hex');
}

/** One file after the other: two multi-GB towers read at once only make a disk seek. */
async function sequentially(files: string[], digest: (file: string) => Promise<string>): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) out.push(await digest(f));
  return out;
}

/** JSON with every object's keys sorted: the same description always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
