/** Locations tests share: the project root, and the reference corpus (RADSIFT_SHARED, or `shared` beside the checkout). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/support/paths.js → project root is three levels up. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SHARED = process.env.RADSIFT_SHARED ?? path.resolve(PROJECT_ROOT, '..', 'shared');
export const CORPUS = path.join(SHARED, 'corpus');
