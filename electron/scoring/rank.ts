/**
 * Ranking scans for a query and marking the matches (threshold.ts says why a ranking needs a match rule):
 * by zero-shot probability, then similarity; a scan matches when its probability reaches the threshold
 * (a phrase against its negation) or, for queries without a negation, when its similarity stands out.
 * The app's Query view and `radsift query` rank with this one function.
 */
export type MatchRule = { probabilityAtLeast: number } | { similarityAbove: number };

export interface ScoredScan {
  similarity: number;
  /** Zero-shot probability of the phrase against its negation; null when the query has no negation. */
  probability: number | null;
}

export function rankScans<T extends ScoredScan>(scored: readonly T[], rule: MatchRule): (T & { match: boolean })[] {
  const matches = (r: T) =>
    'probabilityAtLeast' in rule
      ? (r.probability ?? -Infinity) >= rule.probabilityAtLeast
      : r.similarity > rule.similarityAbove;
  return scored
    .map((r) => ({ ...r, match: matches(r) }))
    .sort((a, b) => (b.probability ?? 0) - (a.probability ?? 0) || b.similarity - a.similarity);
}
