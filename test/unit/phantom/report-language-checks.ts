/**
 * Test-side readers of report sentences for the language-variety checks: which held-out everyday
 * wordings a sentence contains, and which findings its words belong to. Written independently of
 * the report writer's wordings.
 */
import { FINDINGS, type FindingName } from '../../../electron/phantom/findings.js';
import { EVERYDAY_SYNONYMS } from '../../../electron/scoring/report-language-set.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The wordings of a synonym list that a text contains, each matched case-insensitively as a whole phrase. */
export function wordingsIn(synonyms: Readonly<Record<string, readonly string[]>>): (text: string) => string[] {
  const patterns = Object.values(synonyms)
    .flat()
    .map((phrase) => ({ phrase, re: new RegExp(`\\b${escape(phrase)}\\b`, 'i') }));
  return (text) => patterns.filter((p) => p.re.test(text)).map((p) => p.phrase);
}

/** The held-out everyday wordings a text contains. */
export const heldOutWordings = wordingsIn(EVERYDAY_SYNONYMS);

/** A sentence as a form: lower case, numbers as #, so that one entry stands for every size and distance. */
export const form = (text: string): string => text.toLowerCase().replace(/\d+(\.\d+)?/g, '#');

/**
 * Words of a finding's name that every finding's sentences may use: "pleural" (a pneumothorax's
 * visceral pleural margin) and "hemidiaphragm" (a consolidation obscuring it, free air under it).
 */
export const GENERIC_NAME_WORDS: readonly string[] = ['pleural', 'hemidiaphragm'];

/** Compounds whose words are not the finding they would otherwise name ("air bronchograms" is not free air). */
export const GENERIC_COMPOUNDS: readonly RegExp[] = [/\bair bronchograms?\b/gi, /\bair-fluid levels?\b/gi];

/** Words beyond the names that belong to findings: a sentence using one must be labelled with one of them. */
const OWNED_WORDS: [RegExp, FindingName[]][] = [
  [/^effusions?$/, ['pleural_effusion']],
  [/^fluid$/, ['pleural_effusion', 'edema']],
  [/^pneumothora(x|ces)$/, ['pneumothorax']],
  [/^(nodules?|nodular|mass(es)?)$/, ['nodule']],
  [/^(consolidat\w*|pneumonia)$/, ['consolidation']],
  [/^atelecta\w*$/, ['atelectasis']],
  [/^collapsed?$/, ['atelectasis', 'pneumothorax']],
  [/^(devices?|tubes?|catheters?|pacemakers?|pacer|picc|cvc)$/, ['support_devices']],
  [/^(ribs?|fractures?|fractured|fx|callus)$/, ['rib_fracture']],
  [/^(\w*peritone\w*|subdiaphragmatic)$/, ['pneumoperitoneum']],
  [/^(hiatal|hiatus|hernias?|herniated)$/, ['hiatal_hernia']],
  [/^(air|gas)$/, ['pneumoperitoneum', 'pneumomediastinum', 'subcutaneous_emphysema']],
  [/^mediastin\w*$/, ['widened_mediastinum', 'pneumomediastinum']],
  [/^widen\w*$/, ['widened_mediastinum']],
  [/^(hilar|hila|hilum|bihilar|\w*adenopathy|lymph|nodes?|nodal)$/, ['hilar_adenopathy']],
  [/^(granulom\w*|calcified|calcifications?)$/, ['calcified_granuloma']],
  [/^(cavit\w*|cavity|lesions?|abscess)$/, ['cavitary_lesion']],
  [/^(subcutaneous|emphysema)$/, ['subcutaneous_emphysema']],
  [/^(sternotomy|sternal|wires?|cabg)$/, ['sternotomy_wires']],
  [/^(\w*scoliosis|scoliotic|curvature|curve)$/, ['scoliosis']],
  [/^elevat\w*$/, ['elevated_hemidiaphragm']],
];

/** Each finding's name words (less the generic ones), then the owned words above. */
const OWNERS: [RegExp, FindingName[]][] = [
  ...FINDINGS.flatMap((f) =>
    f
      .split('_')
      .filter((w) => !GENERIC_NAME_WORDS.includes(w))
      .map((w): [RegExp, FindingName[]] => [new RegExp(`^${w}$`), [f]]),
  ),
  ...OWNED_WORDS,
];

/** Words of a sentence that belong to a finding it is not labelled with: [word, the findings it may name]. */
export function foreignWords(text: string, labelled: readonly FindingName[]): [string, FindingName[]][] {
  let t = text.toLowerCase();
  for (const c of GENERIC_COMPOUNDS) t = t.replace(c, ' ');
  const out: [string, FindingName[]][] = [];
  for (const word of t.split(/[^a-z0-9]+/).filter(Boolean)) {
    const owners = OWNERS.filter(([re]) => re.test(word)).flatMap(([, o]) => o);
    if (owners.length && !owners.some((o) => labelled.includes(o))) out.push([word, [...new Set(owners)]]);
  }
  return out;
}
