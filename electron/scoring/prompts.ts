/**
 * Phrases → the prompts that are embedded for them. Zero-shot scoring compares
 * a phrase with its negation (CheXzero's rule); prompt templates are averaged
 * as an ensemble (CLIP's prompt engineering). Phrases that are themselves
 * negative ("no finding", "no pleural effusion") get the right pair instead of
 * the nonsense "no no finding".
 */

export interface PromptPair {
  phrase: string;
  positive: string[];
  negative: string[];
}

/** Report-style templates: how findings are written in impressions. */
export const DEFAULT_TEMPLATES = ['{}', '{}.', 'there is {}.', 'findings consistent with {}.'];
export const DEFAULT_NEGATION = 'no {}';

/** Phrases whose negation is not "no <phrase>". */
const SPECIAL: Record<string, { positive: string[]; negative: string[] }> = {
  'no finding': {
    positive: ['no acute cardiopulmonary process.', 'normal chest radiograph.', 'lungs are clear.'],
    negative: ['acute cardiopulmonary process.', 'abnormal chest radiograph.', 'lungs are not clear.'],
  },
  normal: {
    positive: ['normal chest radiograph.', 'no acute cardiopulmonary process.'],
    negative: ['abnormal chest radiograph.', 'acute cardiopulmonary process.'],
  },
};

const fill = (template: string, phrase: string) => template.split('{}').join(phrase);

/**
 * A phrase (as promptPair normalises it) that says something is absent ("no pleural effusion", "normal"):
 * a property of the whole image, which no single region can show.
 */
export function describesAbsence(phrase: string): boolean {
  return SPECIAL[phrase] !== undefined || /^(no|without) /.test(phrase);
}

export function promptPair(rawPhrase: string, options: { templates?: string[]; negation?: string } = {}): PromptPair {
  const phrase = rawPhrase.trim().replace(/\s+/g, ' ').toLowerCase().replace(/[.]+$/, '');
  if (!phrase) throw new RangeError('empty phrase');
  const special = SPECIAL[phrase];
  if (special) return { phrase, ...special };
  const templates = options.templates ?? DEFAULT_TEMPLATES;
  const negation = options.negation ?? DEFAULT_NEGATION;
  // "no X" / "without X": the pair is the same, scored the other way round.
  const negated = /^(no|without) (.+)$/.exec(phrase);
  const core = negated ? negated[2]! : phrase;
  const pos = templates.map((t) => fill(t, core));
  const neg = templates.map((t) => fill(t, fill(negation, core)));
  return negated ? { phrase, positive: neg, negative: pos } : { phrase, positive: pos, negative: neg };
}
