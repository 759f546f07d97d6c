/**
 * Texts are encoded in runs of at most TEXT_CHUNK whatever their number (a report corpus can hold many
 * thousands), and the chunks join in order: the same embeddings as encoding each text on its own.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ModelRuntime, TEXT_CHUNK } from '../../../electron/inference/runtime.js';
import { REPORT_SENTENCES } from '../../../electron/scoring/report-language-set.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { cosine } from '../../support/model-fixtures.js';

describe('text encoding in chunks', () => {
  it('more texts than one run holds: every row is the text encoded alone, in order', async () => {
    const runtime = await ModelRuntime.load(path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt'), {
      providers: ['cpu'],
    });
    try {
      const texts = Array.from({ length: 2 * TEXT_CHUNK + 17 }, (_, i) => {
        const s = REPORT_SENTENCES[i % REPORT_SENTENCES.length]!.text;
        return i < REPORT_SENTENCES.length ? s : `${s} Compared with study ${i}.`;
      });
      const all = await runtime.encodeTexts(texts);
      assert.equal(all.count, texts.length);
      for (const i of [0, TEXT_CHUNK - 1, TEXT_CHUNK, 2 * TEXT_CHUNK, texts.length - 1]) {
        const alone = await runtime.encodeTexts([texts[i]!]);
        const c = cosine(all.data.subarray(i * all.dim, (i + 1) * all.dim), alone.data);
        assert.ok(c > 0.9999, `text ${i}: cosine ${c}`);
      }
    } finally {
      await runtime.release();
    }
  });
});
