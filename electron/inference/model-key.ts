/**
 * The key a loaded model's embeddings are kept under — an index's slot, the examples a screening job stores, the
 * anchors of phrase checks — and its one spelling. Keyed by the model's fingerprint (model-fingerprint.ts), not
 * its name: two exports in folders of the same name, or a folder whose files were replaced, never share a slot,
 * and one model copied to another folder (or renamed) keeps its own.
 */
import type { LoadedModel } from './encoder-protocol.js';

/**
 * Slots written before fingerprints were keyed `<id>@<version>`. The bundles shipped then keep that key, so
 * that indexes keep their embeddings, but only while their files are the ones shipped: each of these versions
 * was only ever shipped with one set of files (git history of models/), so such a slot holds their embeddings.
 * Any other model's old slot, whose weights nothing records, is left unused: its scans are encoded again.
 */
export const KEYED_BY_NAME: Readonly<Record<string, string>> = {
  'radsift-phantom-convirt-rare@0.7.11': '6f829cba2d59f25203db7be66567e4b276ac8dd409b8cc8109c3f4084e27ab5b',
  'radsift-phantom-convirt@0.6.0': '625691e052b23b631899be4498b5ce0348b52b23b38e929d453379879130b199',
};

export function modelKey(loaded: Pick<LoadedModel, 'model' | 'fingerprint'>): string {
  const named = `${loaded.model.id}@${loaded.model.version}`;
  return KEYED_BY_NAME[named] === loaded.fingerprint ? named : `sha256:${loaded.fingerprint}`;
}
