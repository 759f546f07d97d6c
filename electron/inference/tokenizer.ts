/**
 * Text → token ids, from the model's own Hugging Face tokenizer.json (WordPiece
 * or byte-level BPE) via @huggingface/tokenizers. Batches are padded to the
 * longest sequence (or to maxLength when the model needs a fixed length) and
 * truncated so that the closing special token ([SEP] / <|endoftext|>) survives —
 * CLIP pools the text feature at that token.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelError } from './errors.js';
import type { TextSpec } from './model-description.js';

export interface TokenBatch {
  /** Row-major [batch, length]: token ids, padded. */
  ids: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  mask: Int32Array;
  batch: number;
  length: number;
  /** Indexes of the texts that were longer than the context and cut to it. */
  truncated: number[];
}

const PAD_CANDIDATES = ['[PAD]', '<pad>', '<|pad|>'];
const UNKNOWN_TOKENS = new Set(['[UNK]', '<unk>', '<|unk|>']);

export class TextTokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly #tokenizer: Tokenizer;
  readonly #spec: TextSpec;
  /** The tokenizer file, for messages. */
  readonly #file: string;

  private constructor(tokenizer: Tokenizer, spec: TextSpec, file: string, padId: number, padFrom: string) {
    this.#tokenizer = tokenizer;
    this.#spec = spec;
    this.#file = file;
    this.padId = padId;
    // A loop, not Math.max(...ids): a 250,000-piece vocabulary (XLM-R) is more arguments than a call takes.
    let largest = -1;
    for (const id of tokenizer.get_vocab(true).values()) if (id > largest) largest = id;
    this.vocabSize = largest + 1;
    // An empty vocabulary gives no ids at all (every text would embed as the same padding), and the load check's
    // id vocabSize - 1 would be -1, which onnxruntime's Gather takes as the last row.
    if (this.vocabSize < 2)
      throw new ModelError(
        'BAD_MANIFEST',
        `${file} holds ${this.vocabSize ? 'a single token' : 'no tokens'}: not a usable tokenizer`,
      );
    // A pad id outside the vocabulary would fail only at the first padded batch, with onnxruntime's words.
    if (!(Number.isInteger(padId) && padId >= 0 && padId < this.vocabSize))
      throw new ModelError(
        'BAD_MANIFEST',
        `${file}: pad id ${padId} (${padFrom}) is outside its vocabulary, ids 0–${this.vocabSize - 1}`,
      );
  }

  static async load(dir: string, spec: TextSpec): Promise<TextTokenizer> {
    const json = await readJson(path.join(dir, spec.tokenizer));
    const config = spec.tokenizerConfig ? await readJson(path.join(dir, spec.tokenizerConfig)) : {};
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, config);
    } catch (error) {
      throw new ModelError('BAD_MANIFEST', `${spec.tokenizer} could not be loaded: ${(error as Error).message}`);
    }
    // The pad token: the model's own setting, tokenizer.json's padding block, tokenizer_config's
    // pad_token (a string or an {content} AddedToken), a conventional name, else 0.
    const jsonPad = (json as { padding?: { pad_id?: unknown } | null }).padding?.pad_id;
    const configPad = (config as { pad_token?: unknown }).pad_token;
    const configPadText =
      typeof configPad === 'object' && configPad !== null ? (configPad as { content?: unknown }).content : configPad;
    const padToken = [configPadText, ...PAD_CANDIDATES]
      .filter((t): t is string => typeof t === 'string')
      .map((t) => tokenizer.token_to_id(t))
      .find((id) => id !== undefined);
    const [padId, padFrom] =
      spec.padId !== null
        ? [spec.padId, 'text.padId']
        : typeof jsonPad === 'number'
          ? [jsonPad, 'padding.pad_id']
          : [padToken ?? 0, padToken === undefined ? 'the default' : 'its pad token'];
    return new TextTokenizer(tokenizer, spec, path.join(dir, spec.tokenizer), Number(padId), padFrom);
  }

  /** Token ids of one text, with special tokens, truncated to maxLength. */
  ids(text: string, max = this.#spec.maxLength): number[] {
    return cut(this.#allIds(text), max);
  }

  /**
   * The words of a text the tokenizer does not know as words: split into more than one piece, or
   * mapped to an unknown token (scoring/phrase-familiarity.ts).
   */
  unknownWords(text: string): { count: number; unknown: string[] } {
    const input = this.#spec.lowercase ? text.toLowerCase() : text;
    const words = input.match(/[\p{L}\p{N}]+/gu) ?? [];
    const specials = this.#tokenizer.encode('').tokens.length;
    const unknown = words.filter((word) => {
      const tokens = this.#tokenizer.encode(word).tokens;
      return tokens.length - specials > 1 || tokens.some((t: string) => UNKNOWN_TOKENS.has(t));
    });
    return { count: words.length, unknown: [...new Set(unknown)] };
  }

  #allIds(text: string): number[] {
    const input = this.#spec.lowercase ? text.toLowerCase() : text;
    const encoding = this.#tokenizer.encode(input);
    const ids: number[] = encoding.ids.map(Number);
    // A piece the vocabulary lacks comes back as undefined, which an Int32Array would store as 0: refused, not
    // embedded as another text.
    const missing = ids.findIndex((id) => !Number.isInteger(id));
    if (missing >= 0)
      throw new ModelError(
        'BAD_MANIFEST',
        `${this.#file} gives no id for ${JSON.stringify(encoding.tokens[missing])} (in ${JSON.stringify(text.slice(0, 80))})`,
      );
    return ids;
  }

  /** Tokenizes and pads a batch: to `fixedLength` (a graph with a fixed text length), to maxLength, or to the longest. */
  encode(texts: readonly string[], fixedLength?: number): TokenBatch {
    if (texts.length === 0) throw new ModelError('BAD_INPUT', 'no text to encode');
    const max = Math.min(fixedLength ?? Infinity, this.#spec.maxLength);
    const truncated: number[] = [];
    const all = texts.map((t, i) => {
      const ids = this.#allIds(t);
      if (ids.length > max) truncated.push(i);
      return cut(ids, max);
    });
    const length =
      fixedLength ?? (this.#spec.padToMaxLength ? this.#spec.maxLength : Math.max(...all.map((a) => a.length)));
    const ids = new Int32Array(texts.length * length).fill(this.padId);
    const mask = new Int32Array(texts.length * length);
    all.forEach((row, b) => {
      row.forEach((id, i) => {
        ids[b * length + i] = id;
        mask[b * length + i] = 1;
      });
    });
    return { ids, mask, batch: texts.length, length, truncated };
  }
}

/** At most `max` ids, keeping the closing special token. */
function cut(ids: number[], max: number): number[] {
  return ids.length <= max ? ids : [...ids.slice(0, max - 1), ids[ids.length - 1]!];
}

async function readJson(file: string): Promise<object> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as object;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelError(
      missing ? 'MISSING_FILE' : 'BAD_MANIFEST',
      `${path.basename(file)}: ${missing ? 'missing' : (error as Error).message}`,
    );
  }
}
