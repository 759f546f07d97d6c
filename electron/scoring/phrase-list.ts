/**
 * A list of phrases as asked, each once: two that differ only in case or spacing ("Pleural effusion",
 * "pleural  effusion") ask the same thing of an uncased text encoder, and listed twice they made two columns of
 * one phrase (and two rows of one key in a view).
 */
export function distinctPhrases(phrases: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const phrase of phrases) {
    const written = phrase.trim().replace(/\s+/g, ' ');
    const key = written.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(written);
  }
  return out;
}
