/**
 * "RadSift's model does not know this phrase well": for each phrase the active model flags
 * (docs/phrase-familiarity.md), the reason and the finding it is closest to. A zero-shot ranking
 * always has a top, so such a phrase's scores mean little. Known phrases show nothing.
 */
import type { Familiarity } from '../api';

export const UNFAMILIAR = "RadSift's model does not know this phrase well";
/** Where a phrase fails, the rare-finding workflow does not need one (docs/few-shot.md). */
export const EXAMPLES_INSTEAD =
  'For a finding the model was not taught, a few scans that show it work better: “Use as example” on them, then screen with the example set.';

const finding = (f: Familiarity) => f.nearest?.finding.replace(/_/g, ' ') ?? null;

/** One sentence: the reason, and what the phrase is closest to (once, even when the reason names it). */
export function unfamiliarText(f: Familiarity): string {
  const closest = finding(f);
  const parts = [f.reason, closest && !f.reason?.includes('closest:') ? `closest: ${closest}` : null].filter(Boolean);
  return `${UNFAMILIAR}${parts.length ? ` — ${parts.join('; ')}` : ''}. Its scores mean little. ${EXAMPLES_INSTEAD}`;
}

export function PhraseWarnings({
  familiarity,
  idPrefix,
  testId = 'phrase-warning',
}: {
  familiarity: readonly Familiarity[] | undefined;
  /** Each warning gets the id `${idPrefix}-${index}` (its phrase's index), for aria-describedby. */
  idPrefix?: string;
  testId?: string;
}) {
  const unknown = (familiarity ?? []).map((f, i) => ({ f, i })).filter(({ f }) => !f.known);
  if (!unknown.length) return null;
  return (
    <ul className="phrase-warnings" aria-label="Phrases the model does not know well">
      {unknown.map(({ f, i }) => (
        <li
          key={f.phrase}
          id={idPrefix ? `${idPrefix}-${i}` : undefined}
          className="phrase-warning"
          data-testid={testId}
        >
          <span aria-hidden="true">⚠ </span>
          <strong>“{f.phrase}”</strong>: {unfamiliarText(f)}
        </li>
      ))}
    </ul>
  );
}
