/**
 * Does the model know a phrase? A zero-shot ranking always has a top, so a phrase the model never
 * learned ("banana", or a rare finding it was not taught) still "matches" some scans, with confident
 * probabilities. Two signals, measured on nonsense words, off-domain phrases, unseen findings, known
 * findings and their everyday synonyms (docs/phrase-familiarity.md):
 *  - words the tokenizer does not know as words (split into pieces, or unknown): more than half of
 *    the phrase's words;
 *  - the phrase's embedding far from every anchor of report language (the findings and the report
 *    sentences the model was trained on): best cosine below 0.9.
 * Either one flags the phrase. Known findings and most everyday synonyms pass both.
 */
import { dot } from './vectors.js';

export const FAMILIARITY_RULE = { maxUnknownWordShare: 0.5, minAnchorSimilarity: 0.9 } as const;

export interface PhraseFamiliarity {
  phrase: string;
  /** False when the model does not know the phrase well: its scores mean little. */
  known: boolean;
  /** Words the tokenizer does not know as words. */
  unknownWords: string[];
  /** unknownWords / words in the phrase. */
  unknownWordShare: number;
  /** The nearest anchor of report language, and the finding it states. */
  nearest: { text: string; finding: string; similarity: number } | null;
  /** Why it is flagged, in words; null when known. */
  reason: string | null;
}

export interface Anchors {
  texts: readonly string[];
  findings: readonly string[];
  /** Row-major [texts.length, dim], L2-normalised. */
  vectors: Float32Array;
  dim: number;
}

export function judgeFamiliarity(
  phrase: string,
  vector: Float32Array,
  words: { count: number; unknown: string[] },
  anchors: Anchors,
): PhraseFamiliarity {
  let best = -Infinity;
  let at = -1;
  for (let i = 0; i < anchors.texts.length; i++) {
    const s = dot(vector, anchors.vectors.subarray(i * anchors.dim, (i + 1) * anchors.dim));
    if (s > best) [best, at] = [s, i];
  }
  const share = words.count ? words.unknown.length / words.count : 0;
  const nearest = at >= 0 ? { text: anchors.texts[at]!, finding: anchors.findings[at]!, similarity: best } : null;
  const reasons: string[] = [];
  if (share > FAMILIARITY_RULE.maxUnknownWordShare)
    reasons.push(
      `${words.unknown.length} of its ${words.count} words are new to the model (${words.unknown.join(', ')})`,
    );
  if (nearest && best < FAMILIARITY_RULE.minAnchorSimilarity)
    reasons.push(
      `it is far from the report language the model learned (closest: ${nearest.finding.replace(/_/g, ' ')})`,
    );
  return {
    phrase,
    known: reasons.length === 0,
    unknownWords: words.unknown,
    unknownWordShare: share,
    nearest,
    reason: reasons.length ? reasons.join('; ') : null,
  };
}
