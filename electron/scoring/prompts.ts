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

/**
 * A size, width, curve or level of the whole thorax, as a phrase (as promptPair normalises it) names it: an
 * enlarged heart, a widened mediastinum, a curved spine, a raised hemidiaphragm. No single region shows one
 * either; on 2,000 validation phantoms scoring these by the whole image alone raised scoliosis from 0.752 to
 * 0.795 AUC and moved no other finding's P@10 (docs/region-scores.md).
 */
const WHOLE_THORAX = new RegExp(
  [
    'cardiomegaly',
    '(enlarged|large|increased) (heart|cardiac (silhouette|shadow|size))',
    '(cardiac|heart) (silhouette )?enlargement',
    'cardiothoracic ratio',
    '(widened|wide|widening of the) (superior )?mediastinum',
    'mediastinal widening',
    '\\w*scoliosis',
    'curvature of the (thoracic )?spine',
    '(spinal|thoracic) curvature',
    'curved (thoracic )?spine',
    '(elevated|raised|high) ((right|left) )?hemidiaphragm',
    'elevation of the ((right|left) )?hemidiaphragm',
  ]
    .map((p) => `\\b${p}\\b`)
    .join('|'),
);

export function describesWholeThorax(phrase: string): boolean {
  return WHOLE_THORAX.test(phrase);
}

/** A phrase the whole image alone is weighed for, even by a model that scores regions (docs/region-scores.md). */
export function scoresWholeImageOnly(phrase: string): boolean {
  return describesAbsence(phrase) || describesWholeThorax(phrase);
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
