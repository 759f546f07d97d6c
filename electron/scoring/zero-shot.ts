/**
 * Zero-shot probability, CheXzero's rule: p = e^pos / (e^pos + e^neg) over the
 * image's scaled similarities to the phrase and to its negation.
 */

export function pairProbability(simPositive: number, simNegative: number, logitScale: number): number {
  const d = (simPositive - simNegative) * logitScale;
  // Logistic form of the two-way softmax, stable for large |d|.
  return d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d));
}

export function probabilities(pos: ArrayLike<number>, neg: ArrayLike<number>, logitScale: number): Float32Array {
  const out = new Float32Array(pos.length);
  for (let i = 0; i < pos.length; i++) out[i] = pairProbability(pos[i]!, neg[i]!, logitScale);
  return out;
}
