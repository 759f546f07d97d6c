/**
 * How often and in which frame a report departs from its canonical sentences: a stream of its
 * own ('language'), so the 'report' stream draws exactly what generator 1.0 drew and turning the
 * variety off gives its reports back. A report may name a prior study; only then do sentences
 * compare ("Unchanged …", "New …", "Previously noted … has resolved.").
 *
 * The wordings themselves are in report-wordings.ts (base findings) and rare-wordings.ts.
 */
import type { PhantomCase } from './case.js';
import { Random } from './random.js';
import { cap } from './report-text.js';

/** Share of sentences that take a variant instead of the canonical wording. */
const VARY = 0.4;
/** Share of reports of a case that name a prior study on their own (rare findings may add one). */
const PRIOR = 0.35;
/** With a prior, share of a present finding's sentences worded as a comparison. */
const COMPARE = 0.3;

export type Change = 'stable' | 'new' | 'increased' | 'decreased';

/** A present finding as comparison sentences name it. */
export interface Compared {
  /** "small left pleural effusion": after "Unchanged", "New". */
  np: string;
  /** Without the size, for "Increased left pleural effusion, now moderate." (absent: no size changes). */
  bare?: string;
  /** The size now: "moderate". */
  now?: string;
  /** Chronic findings and devices are only ever unchanged. */
  chronic?: boolean;
  /** A chronic finding that may still grow (scoliosis): unchanged or increased (1.10). */
  progresses?: boolean;
}

const PRIORS: readonly ((r: Random) => string)[] = [
  (r) => `Radiograph from ${r.int(2, 6)} days prior.`,
  () => 'Chest radiograph from yesterday.',
  (r) => `Portable chest radiograph from ${r.int(2, 4)} days earlier.`,
  () => 'PA and lateral chest radiographs from last month.',
  (r) => `Chest radiograph dated ${r.int(2, 11)} weeks ago.`,
  () => 'Prior chest radiograph from earlier this year.',
];

export class Language {
  /** null: variety off, every sentence canonical. */
  private readonly rng: Random | null;
  /** The prior this report compares with; null: none named. */
  prior: string | null = null;

  constructor(c: PhantomCase, enabled = true) {
    this.rng = enabled ? new Random('language', c.seed, c.index) : null;
    if (this.rng && this.rng.chance(PRIOR)) this.prior = this.rng.pick(PRIORS)(this.rng);
  }

  get on(): boolean {
    return this.rng !== null;
  }

  /** The comparison section names a prior (this one, or the one a rare finding brought). */
  adoptPrior(text: string | undefined): void {
    if (text && this.on) this.prior = text;
  }

  chance(p: number): boolean {
    return this.rng !== null && this.rng.chance(p);
  }

  pick<T>(items: readonly T[]): T {
    if (!this.rng) return items[0]!;
    return this.rng.pick(items);
  }

  int(lo: number, hi: number): number {
    return this.rng ? this.rng.int(lo, hi) : lo;
  }

  /** The canonical sentence, or now and then one of the variants (built only when used). */
  or(canonical: string, variants: () => readonly string[], rate = VARY): string {
    if (!this.chance(rate)) return canonical;
    const list = variants();
    return list.length ? this.pick(list) : canonical;
  }

  /**
   * A present finding's sentence: with a prior, now and then a comparison (one change per `key`
   * and report, so findings and impression agree); else `or`.
   */
  say(key: string, canonical: string, variants: () => readonly string[], compared?: () => Compared): string {
    if (compared && this.prior !== null && this.chance(COMPARE)) return this.comparison(key, compared());
    return this.or(canonical, variants);
  }

  private readonly changes = new Map<string, Change>();

  private comparison(key: string, c: Compared): string {
    const allowed: Change[] = c.chronic
      ? c.progresses
        ? ['stable', 'increased']
        : ['stable']
      : c.bare
        ? ['stable', 'new', 'increased', 'decreased']
        : ['stable', 'new'];
    let change = this.changes.get(key);
    if (!change || !allowed.includes(change)) {
      change = this.pick(allowed);
      this.changes.set(key, change);
    }
    const bare = c.bare ?? c.np;
    const now = c.now ? `, now ${c.now}` : '';
    switch (change) {
      case 'stable':
        return this.pick([
          `Unchanged ${c.np}.`,
          `Stable ${c.np}.`,
          `${cap(c.np)}, unchanged from the prior study.`,
          `${cap(c.np)}, not significantly changed since the prior exam.`,
          // 1.6: the positive frames of follow-up reports, beside 1.5's negation frames.
          `Persistent ${c.np}.`,
          `Redemonstrated ${c.np}.`,
          `${cap(c.np)}, again demonstrated.`,
          // 1.10: "stable" after the noun, as follow-up reports also write it.
          `${cap(c.np)}, stable since the prior examination.`,
        ]);
      case 'new':
        return this.pick([`New ${c.np}.`, `${cap(c.np)}, new since the prior radiograph.`, `Newly seen ${c.np}.`]);
      case 'increased':
        return this.pick([
          `Increased ${bare}${now}.`,
          `${cap(bare)}, increased since the prior study${now}.`,
          `Interval increase in the ${bare}${now}.`,
          `Worsening ${bare}${now}.`,
          `${cap(bare)} has progressed${now}.`,
        ]);
      case 'decreased':
        return this.pick([
          `Decreased ${bare}${now}.`,
          `${cap(bare)}, smaller than on the prior study${now}.`,
          `Improving ${bare}.`,
        ]);
    }
  }

  /** An absent finding that the prior showed ("Previously noted pneumothorax has resolved."): negated. */
  resolved(noun: string): string {
    return this.pick([
      `Interval resolution of the previously seen ${noun}.`,
      `Previously noted ${noun} has resolved.`,
      `The ${noun} seen on the prior study has resolved.`,
      `${cap(noun)} has resolved since the prior study.`,
      `No residual ${noun}.`,
      // 1.5: the labeler's "clearing of", "disappearance of" and "no longer" frames.
      `The ${noun} has cleared.`,
      `Clearing of the previously seen ${noun}.`,
      `Disappearance of the previously noted ${noun}.`,
      `The ${noun} is no longer seen.`,
    ]);
  }
}
