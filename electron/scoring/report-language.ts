/**
 * How well a text encoder reads report language, measured against the finding phrases the app scores
 * with (each finding's label name with spaces, in the prompt pair of prompts.ts):
 * - everyday synonyms: a wording maps to its finding when, of all the findings' phrases, its own is the
 *   nearest (cosine of the prompt-ensemble embeddings, as a typed query is embedded);
 * - polarity: a sentence that states a finding is nearer "phrase" than "no phrase", one that negates it
 *   the other way round (accuracy), and positive sentences rank above negated ones by their cosine to the
 *   phrase (ordering, a ROC AUC, as `radsift eval` measures on a phantom folder's reports).
 * Text encoding is passed in, so this module stays pure.
 */
import { negationOrdering } from './evaluation.js';
import { phraseVectors, type EncodeTexts, type PhraseVectors } from './phrase-scores.js';
import { dot } from './vectors.js';
import type { LanguageSentence } from './report-language-set.js';

export const findingPhrase = (finding: string): string => finding.replace(/_/g, ' ');

/** Each finding's phrase and its negation, embedded once for every measure below. */
export type FindingAnchors = ReadonlyMap<string, PhraseVectors>;

export async function findingAnchors(findings: readonly string[], encode: EncodeTexts): Promise<FindingAnchors> {
  const vectors = await phraseVectors(findings.map(findingPhrase), encode);
  return new Map(findings.map((f, k) => [f, vectors[k]!]));
}

export interface SynonymResult {
  synonym: string;
  finding: string;
  /** The finding whose phrase is nearest. */
  nearest: string;
  cosine: number;
}

export interface PolarityResult {
  finding: string;
  positives: number;
  negated: number;
  /** Share of sentences on the right side of "phrase" vs "no phrase"; NaN with no sentences. */
  accuracy: number;
  /** ROC AUC of positive over negated sentences by cosine to the phrase; NaN unless both kinds exist. */
  ordering: number;
  /** Up to three sentences on the wrong side, for the reader to judge. */
  wrong: { text: string; polarity: string }[];
}

/** Each synonym against every anchor's phrase (the candidates are the anchors' findings). */
export async function mapSynonyms(
  synonyms: { synonym: string; finding: string }[],
  anchors: FindingAnchors,
  encode: EncodeTexts,
): Promise<SynonymResult[]> {
  if (!synonyms.length) return [];
  const queries = await phraseVectors(
    synonyms.map((s) => s.synonym),
    encode,
  );
  return synonyms.map((s, i) => {
    let nearest = '';
    let cosine = -Infinity;
    for (const [finding, a] of anchors) {
      const c = dot(queries[i]!.positive, a.positive);
      if (c > cosine) [nearest, cosine] = [finding, c];
    }
    return { ...s, nearest, cosine };
  });
}

/** Per finding (in `findings` order, each among the anchors), the polarity accuracy and ordering of its sentences. */
export async function measurePolarity(
  sentences: readonly LanguageSentence[],
  findings: readonly string[],
  anchors: FindingAnchors,
  encode: EncodeTexts,
): Promise<PolarityResult[]> {
  const out: PolarityResult[] = [];
  for (const finding of findings) {
    const own = sentences.filter((s) => s.finding === finding);
    const empty = { finding, positives: 0, negated: 0, accuracy: NaN, ordering: NaN, wrong: [] };
    if (!own.length) {
      out.push(empty);
      continue;
    }
    const { data, dim } = await encode(own.map((s) => s.text));
    const row = (i: number) => data.subarray(i * dim, (i + 1) * dim);
    const { positive, negative } = anchors.get(finding)!;
    let right = 0;
    const wrong: PolarityResult['wrong'] = [];
    own.forEach((s, i) => {
      const saysPositive = dot(row(i), positive) > dot(row(i), negative);
      if (saysPositive === (s.polarity === 'positive')) right++;
      else if (wrong.length < 3) wrong.push({ text: s.text, polarity: s.polarity });
    });
    const pick = (polarity: string) => {
      const idx = own.flatMap((s, i) => (s.polarity === polarity ? [i] : []));
      const m = new Float32Array(idx.length * dim);
      idx.forEach((i, r) => m.set(row(i), r * dim));
      return { data: m, rows: idx.length, dim };
    };
    const pos = pick('positive');
    const neg = pick('negated');
    out.push({
      finding,
      positives: pos.rows,
      negated: neg.rows,
      accuracy: right / own.length,
      ordering: pos.rows && neg.rows ? negationOrdering(positive, pos, neg) : NaN,
      wrong,
    });
  }
  return out;
}
