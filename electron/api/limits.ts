/**
 * Sizes the API accepts, shared by the contract (which enforces them) and the renderer (whose inputs
 * stop there with a note, instead of sending what the contract would refuse). No imports: the renderer
 * bundles this file.
 */

/** A report phrase, in characters: well past what a text encoder reads (CLIP-style contexts are 77 tokens). */
export const PHRASE_MAX_LENGTH = 500;

/** A phrase must say something: at least one letter or digit (".." or "--" is refused, not scored). */
export const PHRASE_PATTERN = /[\p{L}\p{N}]/u;

/** A PACS connection's name, as the list and the CLI show it. */
export const CONNECTION_NAME_MAX_LENGTH = 64;

/** The PACS retrieve cache's size, in GB (0.1 GB to 100 TB). */
export const CACHE_GB_MIN = 0.1;
export const CACHE_GB_MAX = 100_000;
