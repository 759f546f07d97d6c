/**
 * A file the renderer names, resolved inside the folders the user opened, or the API error that says why not:
 * "not in a folder you opened" (FORBIDDEN) for a path outside them, whether it exists or not, and "no longer
 * exists" (NOT_FOUND) only for one listed inside them that has since been moved or deleted.
 */
import type { FileHandle } from 'node:fs/promises';
import { fileReadError } from '../dicom/errors.js';
import type { AllowedRoots, InsideFile } from '../security/allowed-roots.js';
import { scanFile, type OpenScanFile } from '../security/scan-protocol.js';
import { ApiError } from './errors.js';

export const NOT_OPENED = 'That file is not in a folder you opened';
export const GONE = 'That file no longer exists (moved or deleted since it was opened)';

/**
 * The real path of a file inside the opened folders. Only for a path that is not read afterwards: what it names
 * can change between this check and a read by path (a folder on the way swapped for a link); use openOpenedFile.
 */
export async function resolveOpenedFile(roots: AllowedRoots, file: string): Promise<string> {
  const real = await roots.resolveInside(file);
  if (real) return real;
  throw await refused(roots, file);
}

/** A file opened and checked inside the opened folders (as the scan:// guard's): read it, never its path. */
export interface OpenedFile extends OpenScanFile {
  readonly handle: FileHandle;
}

/**
 * Opens a file inside the opened folders and checks the open file (AllowedRoots.openInside), for a caller that
 * reads it: through `read`, `handle`, or `fd` given to a decode worker. The caller closes it. Refused as
 * resolveOpenedFile refuses; a file inside that cannot be read (a FIFO, a folder or a device: never opened for a
 * read that would wait; no permission) is a DicomError IO, "cannot read file: <reason>", as a decode's read said.
 */
export async function openOpenedFile(roots: AllowedRoots, file: string): Promise<OpenedFile> {
  let inside: InsideFile | null;
  try {
    inside = await roots.openInside(file);
  } catch (error) {
    throw fileReadError(error, file, 'cannot read file');
  }
  if (inside) return { ...scanFile(inside), handle: inside.handle };
  throw await refused(roots, file);
}

/** Runs `use` with the file opened and checked (openOpenedFile), and closes it however `use` ends. */
export async function withOpenedFile<T>(
  roots: AllowedRoots,
  file: string,
  use: (opened: OpenedFile) => Promise<T>,
): Promise<T> {
  const opened = await openOpenedFile(roots, file);
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

async function refused(roots: AllowedRoots, file: string): Promise<ApiError> {
  if ((await roots.refusal(file)) === 'missing') return new ApiError('NOT_FOUND', GONE);
  return new ApiError('FORBIDDEN', NOT_OPENED);
}
