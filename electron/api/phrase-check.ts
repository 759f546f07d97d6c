/**
 * Whether the active model knows each phrase (scoring/phrase-familiarity.ts), for the Query, Matrix and
 * Screening views and the CLI. The anchors (phantom/anchor-texts.ts: the findings the model was taught, when
 * its bundle says) are embedded once per model.
 */
import { readBundleTraining } from '../inference/bundle-training.js';
import type { Encoder } from '../inference/encoder.js';
import { modelKey } from '../inference/model-key.js';
import { reportAnchors } from '../phantom/anchor-texts.js';
import { isFinding } from '../phantom/findings.js';
import { judgeFamiliarity, type Anchors, type PhraseFamiliarity } from '../scoring/phrase-familiarity.js';

export class PhraseCheck {
  #anchors: { key: string; value: Promise<Anchors> } | null = null;

  constructor(private readonly encoder: Encoder) {}

  async check(phrases: string[]): Promise<PhraseFamiliarity[]> {
    if (!phrases.length) return [];
    const anchors = await this.#anchorsFor();
    const [embedded, words] = await Promise.all([
      this.encoder.encodeTexts(phrases),
      this.encoder.unknownWords(phrases),
    ]);
    return phrases.map((p, i) =>
      judgeFamiliarity(p, embedded.data.subarray(i * embedded.dim, (i + 1) * embedded.dim), words[i]!, anchors),
    );
  }

  #anchorsFor(): Promise<Anchors> {
    const loaded = this.encoder.loaded;
    if (!loaded) throw new Error('PhraseCheck needs a loaded model');
    const model = loaded.model;
    // The anchors are the model's embeddings of the findings its bundle (in its folder) says it was taught.
    const key = `${modelKey(loaded)}\0${model.dir}`;
    if (this.#anchors?.key !== key) {
      const value = readBundleTraining(model.dir).then(async (training) => {
        const taught = (training.findings ?? []).filter((f) => isFinding(f));
        const list = reportAnchors(taught.length ? taught : undefined);
        const e = await this.encoder.encodeTexts(list.map((a) => a.text));
        return { texts: list.map((a) => a.text), findings: list.map((a) => a.finding), vectors: e.data, dim: e.dim };
      });
      this.#anchors = { key, value };
      value.catch(() => {
        if (this.#anchors?.value === value) this.#anchors = null;
      });
    }
    return this.#anchors.value;
  }
}
