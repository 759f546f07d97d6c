import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from '../errors.js';

/** Reads a JSON file of a model folder, with a ModelError that names it when absent or invalid. */
export async function readModelJson(dir: string, rel: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path.join(dir, rel), 'utf8');
  } catch {
    throw new ModelError('MISSING_FILE', `${rel} is missing from ${dir}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelError('BAD_MANIFEST', `${rel} in ${dir} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Whether the folder holds that file (looked at, not read: an ONNX file may be gigabytes). */
export async function exists(dir: string, rel: string): Promise<boolean> {
  return stat(path.join(dir, rel)).then(
    (s) => s.isFile(),
    () => false,
  );
}
