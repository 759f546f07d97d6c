/**
 * Paging through a QIDO-RS query. Servers cap what one answer holds below the `limit` asked for (dcm4chee-arc's
 * maximum results, Google's Healthcare API, a proxy), so a short page is not the end: the next page is asked
 * for from where this one stopped. The end is an answer that brings nothing new: an empty one, or one that only
 * repeats rows already seen (a server that ignores `offset`, which would otherwise be asked for ever).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PacsError } from './errors.js';

export interface QidoAnswer<T> {
  rows: T[];
  /** The server said it holds more results than it sent (a `Warning: 299 … additional results …` header). */
  more: boolean;
}

export interface WalkEnd {
  /** Rows yielded. */
  count: number;
  /**
   * The server said a short page was not the end, then sent nothing past it: it holds results it will not list
   * (a cap on the whole answer, not on a page). A full page that said so followed by nothing is no such sign:
   * some servers say "more" whenever a page is full.
   */
  cut: boolean;
}

export interface WalkOptions {
  /** Rows asked for per request. */
  page: number;
  /** The first row's offset (default 0). */
  from?: number;
  /** Stop once this many rows are yielded, asking for no more than that. */
  until?: number;
  /**
   * Which rows count as seen: every one ('all', for walks of bounded size), or those of the page before
   * ('page': memory stays flat however many rows; a server that ignores `offset` still repeats that page).
   */
  remember?: 'all' | 'page';
  /** More rows than this is a server answering without end: an error with this message. */
  max?: { rows: number; message: string };
}

/**
 * Whether a QIDO answer's Warning header says there are more results (PS3.18 8.3.4.4: `299 <service>: "There are
 * additional results that can be requested"`). Other 299 warnings (e.g. fuzzy matching not supported) say nothing
 * about paging.
 */
export function saysMoreResults(headers: IncomingHttpHeaders): boolean {
  const warning = headers.warning;
  const values = Array.isArray(warning) ? warning : warning ? [warning] : [];
  return values.some((v) => /(?:^|,)\s*299\s.*?additional results/i.test(v));
}

/** What a walk found when it ended. */
export const walkEnd = (): WalkEnd => ({ count: 0, cut: false });

/** Every row of a paged query, each once, in the server's order; `end` says how the walk ended. */
export async function* walkQido<T>(
  ask: (offset: number, limit: number) => Promise<QidoAnswer<T>>,
  key: (row: T) => string,
  options: WalkOptions,
  end: WalkEnd = walkEnd(),
): AsyncGenerator<T> {
  const { page, until, max } = options;
  let offset = options.from ?? 0;
  let saidMore = false;
  let seen = new Set<string>();
  for (;;) {
    const limit = until === undefined ? page : Math.min(page, until - end.count);
    if (limit <= 0) return;
    const answer = await ask(offset, limit);
    const kept = options.remember === 'page' ? new Set<string>() : seen;
    let fresh = 0;
    for (const row of answer.rows) {
      const k = key(row);
      if (seen.has(k) || kept.has(k)) continue;
      kept.add(k);
      fresh++;
      if (max && end.count >= max.rows) throw new PacsError('PROTOCOL', max.message);
      end.count++;
      yield row;
      if (until !== undefined && end.count >= until) return;
    }
    if (!fresh) {
      end.cut = saidMore;
      return;
    }
    saidMore = answer.more && answer.rows.length < limit;
    seen = kept;
    offset += answer.rows.length;
  }
}
