/**
 * A model's fingerprint: what its embeddings are a function of, whatever its folder, id or version say — the
 * sha256 of its two ONNX towers, of the external-data files each tower's graph names (where a tower over 2 GiB
 * keeps its weights), and of its tokenizer files, and the description's image and text sections (preprocessing,
 * graph input and output names, token handling, the negation that best-region margins use) with the files' names
 * left out. Two folders with one fingerprint give the same embeddings; other weights, another preprocessing or
 * tokenizer give another. Id, name, version, licence and provenance are names, not weights, and logit scale and
 * region offset weigh scores when they are computed, never what an index stores.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from './errors.js';
import type { ModelDescription } from './model-description.js';
import { externalDataLocations } from './onnx-external-data.js';

export interface Fingerprint {
  fingerprint: string;
  /** Every file it digested, as absolute paths: what the sessions and tokenizer must still find unchanged. */
  files: string[];
}

/** `digest`: a file's sha256 (FileDigests, which remembers it). */
export async function modelFingerprint(
  model: ModelDescription,
  digest: (file: string) => Promise<string>,
): Promise<string> {
  return (await fingerprintModel(model, digest)).fingerprint;
}

/** The fingerprint and the files it is of. One file after the other: two multi-GB towers read at once only seek. */
export async function fingerprintModel(
  model: ModelDescription,
  digest: (file: string) => Promise<string>,
): Promise<Fingerprint> {
  const { file: imageFile, ...image } = model.image;
  const { file: textFile, tokenizer, tokenizerConfig, ...text } = model.text;
  const files: string[] = [];
  const sha = async (rel: string) => {
    const file = path.join(model.dir, rel);
    files.push(file);
    return digest(file);
  };
  const imageSha = await sha(imageFile);
  const imageData = await externalData(model, imageFile, sha);
  const textSha = await sha(textFile);
  const textData = await externalData(model, textFile, sha);
  const tokenizerSha = await sha(tokenizer);
  const configSha = tokenizerConfig ? await sha(tokenizerConfig) : null;
  const recipe = {
    fingerprint: 1,
    // Only where there is some: a tower without external data keeps the fingerprint it had before they counted.
    image: { ...image, sha256: imageSha, ...imageData },
    text: { ...text, sha256: textSha, ...textData, tokenizer: tokenizerSha, tokenizerConfig: configSha },
  };
  return { fingerprint: createHash('sha256').update(canonicalJson(recipe)).digest('hex'), files };
}

/** `{ externalData: { location: sha256 } }` for the files a graph names, or nothing when it names none. */
async function externalData(
  model: ModelDescription,
  graph: string,
  sha: (rel: string) => Promise<string>,
): Promise<{ externalData?: Record<string, string> }> {
  const locations = await externalDataLocations(path.join(model.dir, graph));
  if (locations.length === 0) return {};
  const digests: Record<string, string> = {};
  for (const location of locations) {
    // Resolved as onnxruntime does: beside the graph file.
    const rel = path.join(path.dirname(graph), location);
    const info = await stat(path.join(model.dir, rel)).catch(() => null);
    if (!info?.isFile())
      throw new ModelError(
        'MISSING_FILE',
        `${model.name}: ${graph} keeps its weights in ${location}, which is missing from ${path.join(model.dir, path.dirname(graph))}; copy it there beside the graph file`,
      );
    digests[location] = await sha(rel);
  }
  return { externalData: digests };
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
