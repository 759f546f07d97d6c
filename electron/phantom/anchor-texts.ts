/**
 * Report language the default model was trained on, as anchors for judging whether a model knows a
 * phrase (scoring/phrase-familiarity.ts): every finding's name and the distinct positive sentences
 * that state it alone in the generator's reports, each with its finding. Deterministic.
 */
import { sampleCase } from './case.js';
import { FINDINGS, type FindingName } from './findings.js';
import { writeReport } from './report.js';

export interface AnchorText {
  text: string;
  finding: FindingName;
}

const ANCHOR_SEED = 4242;

export function reportAnchors(cases = 400): AnchorText[] {
  const seen = new Map<string, FindingName>(FINDINGS.map((f) => [f.replace(/_/g, ' '), f]));
  for (let i = 0; i < cases; i++)
    for (const s of writeReport(sampleCase(ANCHOR_SEED, i)).sentences)
      if (s.polarity === 'positive' && s.findings.length === 1) seen.set(s.text.toLowerCase(), s.findings[0]!);
  return [...seen].map(([text, finding]) => ({ text, finding }));
}
