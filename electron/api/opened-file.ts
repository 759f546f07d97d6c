/**
 * A file the renderer names, resolved inside the folders the user opened, or the API error that says why not:
 * "not in a folder you opened" (FORBIDDEN) for a path outside them, whether it exists or not, and "no longer
 * exists" (NOT_FOUND) only for one listed inside them that has since been moved or deleted.
 */
import type { AllowedRoots } from '../security/allowed-roots.js';
import { ApiError } from './errors.js';

export const NOT_OPENED = 'That file is not in a folder you opened';
export const GONE = 'That file no longer exists (moved or deleted since it was opened)';

export async function resolveOpenedFile(roots: AllowedRoots, file: string): Promise<string> {
  const real = await roots.resolveInside(file);
  if (real) return real;
  if ((await roots.refusal(file)) === 'missing') throw new ApiError('NOT_FOUND', GONE);
  throw new ApiError('FORBIDDEN', NOT_OPENED);
}
