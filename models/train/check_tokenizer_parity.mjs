// Tokenizer parity: the JS tokenizer the app uses (@huggingface/tokenizers) against the
// Python re-implementation (models/train/radsift_train/tokenizer.py), id for id.
//   node models/train/check_tokenizer_parity.mjs <tokenizer.json> <corpus.json>
// corpus.json: [{ "text": str, "ids": [int] }] written by Python (untruncated ids).
// Prints a human line, then one JSON line; exits 1 on any mismatch.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

const [tokenizerPath, corpusPath] = process.argv.slice(2);
if (!tokenizerPath || !corpusPath) {
  console.error('usage: check_tokenizer_parity.mjs <tokenizer.json> <corpus.json>');
  process.exit(2);
}
const configPath = path.join(path.dirname(tokenizerPath), 'tokenizer_config.json');
const tokenizer = new Tokenizer(
  JSON.parse(readFileSync(tokenizerPath, 'utf8')),
  existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {},
);
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8'));

const mismatches = [];
for (const { text, ids } of corpus) {
  const js = tokenizer.encode(text).ids;
  if (js.length !== ids.length || js.some((v, i) => v !== ids[i])) {
    mismatches.push({ text, python: ids, js, tokens: tokenizer.encode(text).tokens });
  }
}
const same = corpus.length - mismatches.length;
console.log(`tokenizer parity: ${same}/${corpus.length} sentences identical id for id`);
for (const m of mismatches.slice(0, 5)) console.log('  mismatch:', JSON.stringify(m));
console.log(
  JSON.stringify({
    ok: mismatches.length === 0,
    sentences: corpus.length,
    identical: same,
    mismatches: mismatches.length,
  }),
);
process.exit(mismatches.length === 0 ? 0 : 1);
