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
 * enlarged heart, a widened mediastinum, a curved spine, a raised hemidiaphragm, in the orders reports write them
 * ("enlarged heart", "the heart is enlarged", "enlargement of the cardiac silhouette"). No single region shows one
 * either; on 2,000 validation phantoms scoring these by the whole image alone raised scoliosis from 0.837 to 0.846
 * AUC and its P@10 from 0.5 to 0.8 with model 0.7.16 (docs/region-scores.md).
 */
const HEART = '(heart|heart size|cardiac (silhouette|shadow|size)|cardiomediastinal (silhouette|contour))';
const MEDIASTINUM = '((upper|superior) )?(mediastinum|mediastinal (silhouette|contour|shadow))';
const HEMIDIAPHRAGM = '(((right|left) )?hemi-?diaphragms?|diaphragm|dome of the (hemi-?)?diaphragm)';
/** Up to three words between a noun and its state: "the cardiac silhouette is moderately enlarged". */
const IS = '( (is|are|appears|remains|now|again|still|mildly|moderately|markedly|severely|slightly|\\w+ly)){0,3}';
const WHOLE_THORAX = new RegExp(
  [
    'cardiomegaly',
    `(enlarged|large|big|increased|prominent) ${HEART}`,
    `${HEART}${IS} (enlarged|increased|large)`,
    `(cardiac|heart|cardiomediastinal) (silhouette )?enlargement`,
    `enlargement of the ${HEART}`,
    'cardiothoracic ratio',
    `(widened|wide|broad|enlarged) ${MEDIASTINUM}`,
    `${MEDIASTINUM}${IS} (widened|wide|broad)`,
    `widening of the ${MEDIASTINUM}`,
    '((upper|superior) )?mediastinal (widening|width)',
    '\\w*scoli(osis|otic)',
    'curvature of the (thoracic |thoracolumbar )?spine',
    '(spinal|thoracic) curvature',
    '(curved|s-shaped) (thoracic )?spine',
    `(elevated|raised|high|high-riding) ${HEMIDIAPHRAGM}`,
    `${HEMIDIAPHRAGM}${IS} elevated`,
    `elevation of (the )?${HEMIDIAPHRAGM}`,
    '(hemi-?diaphragm(atic)?|diaphragmatic) (elevation|eventration)',
  ]
    .map((p) => `\\b${p}\\b`)
    .join('|'),
);
/** A phrase that names more than one thing: the others may be small, so the best region stays in the score. */
const COMBINED = /\b(and|with|or|plus|but|versus|vs)\b|[,;/+&]/;
const wholeThorax = new Map<string, boolean>();

/** A shape of the whole thorax, named alone (not beside another finding: "cardiomegaly and a nodule"). */
export function describesWholeThorax(phrase: string): boolean {
  let known = wholeThorax.get(phrase);
  if (known === undefined) {
    known = WHOLE_THORAX.test(phrase) && !COMBINED.test(phrase);
    // Scores ask once per scan and phrase: remember the answer (a bounded cache of the phrases typed).
    if (wholeThorax.size >= 4096) wholeThorax.clear();
    wholeThorax.set(phrase, known);
  }
  return known;
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
