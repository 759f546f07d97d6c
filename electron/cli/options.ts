/** Option values the commands share, parsed with one set of rules and messages. */
import { DEFAULT_PROBABILITY_THRESHOLD } from '../scoring/threshold.js';
import { UsageError } from './command.js';

/** "a, b,,c" → ["a", "b", "c"]. */
export function listOption(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** --threshold: a probability in [0, 1], default the zero-shot decision boundary. */
export function thresholdOption(value: string | undefined): number {
  const threshold = value === undefined ? DEFAULT_PROBABILITY_THRESHOLD : Number(value);
  if (!(threshold >= 0 && threshold <= 1)) throw new UsageError('--threshold must be between 0 and 1');
  return threshold;
}
