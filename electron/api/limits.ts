/**
 * Sizes the API accepts, shared by the contract (which enforces them) and the renderer (whose inputs
 * stop there with a note, instead of sending what the contract would refuse). No imports: the renderer
 * bundles this file.
 */

/** A report phrase, in characters: well past what a text encoder reads (CLIP-style contexts are 77 tokens). */
export const PHRASE_MAX_LENGTH = 500;

/** A phrase must say something: at least one letter or digit (".." or "--" is refused, not scored). */
export const PHRASE_PATTERN = /[\p{L}\p{N}]/u;
