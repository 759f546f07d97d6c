/**
 * Real report text → sentences labelled with the findings they state or negate, for measuring a
 * model's report language on a corpus it was not trained on (Open-i/IU, MIMIC-CXR, a hospital's own).
 * A conservative rule labeller in the spirit of NegBio/CheXpert: a sentence is kept only where its
 * polarity is unambiguous — hedged, comparative ("improved", "resolved") and mixed sentences are left
 * out, because a wrong label would count against the model.
 */
import type { LanguageSentence, Polarity } from './report-language-set.js';

/** Where each finding is named. Word-bounded; broad enough for the usual wordings, no broader. */
const MENTIONS: Readonly<Record<string, RegExp>> = {
  pleural_effusion:
    /(?<!pericardial )\b(pleural )?effusions?\b|\bpleural fluid\b|costophrenic (angles? )?blunting|blunt\w* (of )?(the )?(\w+ )?costophrenic/,
  cardiomegaly:
    /\bcardiomegaly\b|\b(heart|cardiac silhouette|cardiac shadow|cardiomediastinal silhouette)( size)?\b|\bcardiac (size|enlargement)\b|\benlarged heart\b/,
  pneumothorax: /\bpneumothora(x|ces)\b/,
  nodule: /\bnodules?\b|\bmass(es)?\b/,
  consolidation: /\bconsolidat\w*|\b(airspace|air space|alveolar) (disease|opacit\w*|consolidation)\b|\binfiltrates?\b/,
  atelectasis: /\batelecta\w*/,
  edema: /(?<!soft tissue )\bedema\b/,
  support_devices:
    /\b(endotracheal|et|nasogastric|ng|enteric|feeding|tracheostomy|chest) tubes?\b|\b(central venous|central|picc|dialysis|swan-ganz) (line|catheter)s?\b|\bpacemaker\b|\bpacer\b|\bdefibrillator\b|\bport-?a-?cath\b/,
  rib_fracture: /\bribs?\b:?(\s+\S+){0,3}?\s+fractur\w*|\bfractur\w*(\s+\S+){0,5}?\s+ribs?\b/,
  pneumoperitoneum:
    /\bpneumoperitoneum\b|\bfree (intraperitoneal |subdiaphragmatic |intra-abdominal )?air\b|\bsubdiaphragmatic (free )?air\b/,
  hiatal_hernia: /\bhiatal hernia\b|\bhiatus hernia\b/,
  pneumomediastinum: /\bpneumomediastinum\b/,
  widened_mediastinum:
    /\bmediastin\w* (is |are )?(not )?(widen\w*|wide)\b|\bwiden\w* (of )?(the )?(superior )?mediastin\w*/,
  hilar_adenopathy: /\bhilar (lymph)?adenopathy\b|\bhilar lymph node enlargement\b|\benlarged hilar (lymph )?nodes?\b/,
  calcified_granuloma: /\bgranulomas?\b|\bgranulomatous\b/,
  cavitary_lesion: /\bcavit(y|ies|ary|ation|ating)\b/,
  subcutaneous_emphysema: /\bsubcutaneous (emphysema|air|gas)\b/,
  sternotomy_wires: /\bsternotomy\b|\bsternal wires?\b|\bcabg\b/,
  scoliosis: /\b(dextro|levo)?scolio\w*/,
  elevated_hemidiaphragm:
    /\belevat\w* (of )?(the )?(right |left )?(hemi)?diaphragms?\b|\b(hemi)?diaphragms? (is |are )?(mildly |moderately )?elevated\b/,
};

/** Sentences whose polarity a rule cannot be sure of: hedges, questions, change over time. */
const UNSURE =
  /\b(possib\w*|may|might|could|cannot|can't|questionable|question of|suspect\w*|suspicious|likely|probabl\w*|suggest\w*|borderline|versus|vs|differential|concern\w*|consider\w*|rule out|evaluat\w*|recommend\w*|resolv\w*|resolution|improv\w*|decreas\w*|increas\w*|remov\w*|cleared|pulled|withdrawn|returned|previous\w*|worse\w*|chang\w*|interval|apparent\w*|equivocal|indeterminate|exclude\w*|if)\b|\?/;
/** A negation that reaches forward to the mentions after it ("no effusion, pneumothorax or …"). */
const NEGATION_BEFORE = /\b(no|not|without|negative for|free of|clear|absence of|absent)\b/g;
/** A negation after the mention: "pneumothorax is not seen", "wires are absent", "effusions: none". */
const NEGATION_AFTER =
  /^[^,;]{0,30}?\b(is|are|was|were)\s+(absent|no longer (seen|present|visualized)|not (seen|identified|present|visualized|evident|demonstrated|appreciated|noted))\b|^\s*(absent|not (seen|identified|present|visualized|evident))\b|^\s*:\s*(none|absent|no)\b/;
/** A negation inside the mention itself ("ribs are intact without fracture", "ribs: no fracture"). */
const NEGATION_WITHIN = /\b(no|not|without|intact)\b/;
/** Normal size or contour said of the heart: negated cardiomegaly. */
const NORMAL_HEART = /\b(normal|within normal limits|unremarkable|not enlarged|upper limits of normal)\b/;
const ENLARGED_HEART = /\bcardiomegaly\b|\benlarg\w*|\bincreased\b/;
/** What ends a negation's reach inside a sentence. */
const CLAUSE_WORDS = 'but|however|although|otherwise|with|which|though|except';
const CLAUSE_BREAK = new RegExp(`\\b(${CLAUSE_WORDS})\\b|[;:]`);
/** Where the clause after a mention ends: at a clause word or a comma, and also at "and" (`TAIL_END`). */
const CLAUSE_END = new RegExp(`[,;]|\\b(?:${CLAUSE_WORDS})\\b`);
const TAIL_END = new RegExp(`[,;]|\\b(?:and|${CLAUSE_WORDS})\\b`);
/**
 * A list item after a negation that may start a positive of its own ("no pneumothorax, small left effusion",
 * "lungs are clear, mild cardiomegaly") or may still be negated ("no consolidation, large effusion or
 * pneumothorax"): a rule cannot tell, so such a mention is no label.
 */
const AMBIGUOUS_ITEM =
  /,\s*(and |or )?(small|mild|moderate|large|severe|stable|new|trace|minimal|persistent|unchanged|heart|cardiac|there|lungs?|the)\b/;
/** Findings named as alternatives ("atelectasis or infiltrate", "atelectasis/scarring"): a hedge. */
const ALTERNATIVES = /\bor\b|\//;

export function splitSentences(report: string): string[] {
  return (
    report
      .replace(/\s+/g, ' ')
      // a full stop ends a sentence even before a lower-case word (reports are not always capitalised)
      .split(/(?<=[.!?])\s+|(?<=\.)(?=[A-Z][a-z])/)
      .map((s) => s.trim().replace(/^\d+\.\s*/, ''))
      .filter((s) => s.length > 3 && /[a-z]/i.test(s))
  );
}

function polarityAt(lower: string, finding: string, at: number, end: number): Polarity | null {
  const before = lower.slice(0, at);
  const named = lower.slice(at, end);
  const after = lower.slice(end);
  let negated = false;
  let ambiguous = false;
  for (const m of before.matchAll(NEGATION_BEFORE)) {
    const reach = before.slice(m.index + m[0].length);
    negated = !CLAUSE_BREAK.test(reach);
    ambiguous = negated && AMBIGUOUS_ITEM.test(reach);
  }
  if (ambiguous) return null;
  // The clause the mention stands in, up to what ends it ("heart size, enlarged aorta": not the heart).
  const tail = after.split(TAIL_END)[0]!;
  if (finding === 'cardiomegaly') {
    if (/^cardiomegaly$|^enlarged heart$|^cardiac enlargement$/.test(named)) return negated ? 'negated' : 'positive';
    if (/\bnormal\s+$/.test(before)) return 'negated'; // "normal heart size"
    if (/\benlarged\s+$/.test(before)) return negated ? 'negated' : 'positive'; // "enlarged cardiac silhouette"
    // "heart size is normal", "the heart is not enlarged" (before "enlarged": it holds the word)
    if (NORMAL_HEART.test(tail)) return 'negated';
    if (ENLARGED_HEART.test(tail)) return negated ? 'negated' : /\bnot\b/.test(tail) ? null : 'positive';
    // "heart size and mediastinal contours are normal": the subjects joined by "and" share the predicate
    const clause = after.split(CLAUSE_END)[0]!;
    if (NORMAL_HEART.test(clause) && !ENLARGED_HEART.test(clause)) return 'negated';
    return null; // the heart named without its size ("no evidence of heart failure"): no label
  }
  if (NEGATION_WITHIN.test(named)) return 'negated';
  if (negated) return 'negated';
  // A device "not visualized" is most often a tip out of view, not a device absent.
  if (finding !== 'support_devices' && NEGATION_AFTER.test(after)) return 'negated';
  return 'positive';
}

/**
 * The findings one sentence states or negates, or null where a label would be a guess: hedged or
 * comparative wording, no finding, or findings of both polarities in one sentence (its embedding would
 * stand for both).
 */
export function labelSentence(sentence: string): Map<string, Polarity> | null {
  const lower = sentence.toLowerCase();
  if (UNSURE.test(lower)) return null;
  const out = new Map<string, Polarity>();
  for (const [finding, pattern] of Object.entries(MENTIONS)) {
    const m = pattern.exec(lower);
    if (!m) continue;
    const polarity = polarityAt(lower, finding, m.index, m.index + m[0].length);
    if (!polarity) return null;
    out.set(finding, polarity);
  }
  if (!out.size || new Set(out.values()).size > 1) return null;
  if (out.values().next().value === 'positive' && ALTERNATIVES.test(lower)) return null;
  // a nodule named with "calcified" is a granuloma; one of the two names is then wrong
  if (out.has('nodule') && /calcifi/.test(lower)) out.delete('nodule');
  return out.size ? out : null;
}

/** Every distinct (sentence, finding, polarity) the labeller is sure of, in the reports' order. */
export function labelReports(reports: Iterable<string>): LanguageSentence[] {
  const seen = new Set<string>();
  const out: LanguageSentence[] = [];
  for (const report of reports)
    for (const sentence of splitSentences(report)) {
      const labels = labelSentence(sentence);
      if (!labels) continue;
      for (const [finding, polarity] of labels) {
        const key = `${finding}\u0000${sentence.toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ text: sentence, finding, polarity });
      }
    }
  return out;
}
