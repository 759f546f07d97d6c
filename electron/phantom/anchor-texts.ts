/**
 * Report language the default model was trained on, as anchors for judging whether a model knows a
 * phrase (scoring/phrase-familiarity.ts): every base finding's name and the distinct positive
 * sentences that state it alone in the generator's reports, each with its finding. Deterministic.
 * Only the base findings, in generator 1.0's words (no report variety): the default model was trained on
 * generator 1.0, which had no others and wrote its canonical sentences only.
 */
import { sampleCase } from './case.js';
import { BASE_FINDINGS, isBaseFinding, RARE_FINDINGS, type BaseFindingName } from './findings.js';
import { writeReport } from './report.js';

export interface AnchorText {
  text: string;
  finding: BaseFindingName;
}

const ANCHOR_SEED = 4242;
/** Generator 1.0's cases: the rare findings (and their sentences) are absent. */
const BASE_ONLY = Object.fromEntries(RARE_FINDINGS.map((f) => [f, false]));

export function reportAnchors(cases = 400): AnchorText[] {
  const seen = new Map<string, BaseFindingName>(BASE_FINDINGS.map((f) => [f.replace(/_/g, ' '), f]));
  for (let i = 0; i < cases; i++)
    for (const s of writeReport(sampleCase(ANCHOR_SEED, i, { force: BASE_ONLY }), { variety: false }).sentences) {
      const only = s.findings.length === 1 ? s.findings[0]! : null;
      if (s.polarity === 'positive' && only && isBaseFinding(only)) seen.set(s.text.toLowerCase(), only);
    }
  return [...seen].map(([text, finding]) => ({ text, finding }));
}
