/**
 * Report language a phantom-trained model was taught, as anchors for judging whether a model knows a
 * phrase (scoring/phrase-familiarity.ts): the name of every finding it was taught and the distinct positive
 * sentences that state one of them alone in the generator's reports, each with its finding. The findings
 * default to the base eight (generator 1.0's, all that model 0.6.0 knew); a bundle that lists what it was
 * taught (manifest zeroShot.findings) gets those, so a never-seen finding is never an anchor. Canonical
 * wording (report variety off): what every generator version wrote. Deterministic.
 */
import { sampleCase } from './case.js';
import { BASE_FINDINGS, FINDINGS, type FindingName } from './findings.js';
import { writeReport } from './report.js';

export interface AnchorText {
  text: string;
  finding: FindingName;
}

const ANCHOR_SEED = 4242;

export function reportAnchors(taught: readonly FindingName[] = BASE_FINDINGS, cases = 400): AnchorText[] {
  const known = new Set<FindingName>(taught);
  // Findings not taught are absent from every case (and so from every sentence).
  const force = Object.fromEntries(FINDINGS.filter((f) => !known.has(f)).map((f) => [f, false]));
  const seen = new Map<string, FindingName>(taught.map((f) => [f.replace(/_/g, ' '), f]));
  for (let i = 0; i < cases; i++)
    for (const s of writeReport(sampleCase(ANCHOR_SEED, i, { force }), { variety: false }).sentences) {
      const only = s.findings.length === 1 ? s.findings[0]! : null;
      if (s.polarity === 'positive' && only && known.has(only)) seen.set(s.text.toLowerCase(), only);
    }
  return [...seen].map(([text, finding]) => ({ text, finding }));
}
