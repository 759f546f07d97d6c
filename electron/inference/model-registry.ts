/**
 * The models a user can choose from: every model folder under the bundled
 * models directory plus folders the user added, each described by its layout.
 * Folders that fail to describe are listed with their reason, not dropped.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from './errors.js';
import { describeModel } from './layouts/index.js';
import type { ModelDescription } from './model-description.js';

export interface ModelEntry {
  dir: string;
  /** Where it came from: shipped with the app, or added by the user. */
  source: 'bundled' | 'user';
  description: ModelDescription | null;
  error: string | null;
}

/** Subfolders of `root` that look like model folders (anything but train/ and export/ recipes). */
async function candidates(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !['train', 'export'].includes(e.name) && !e.name.startsWith('.'))
    .map((e) => path.join(root, e.name))
    .sort();
}

export async function listModels(bundledRoots: string[], userDirs: string[]): Promise<ModelEntry[]> {
  const found: ModelEntry[] = [];
  const seen = new Set<string>();
  const add = async (dir: string, source: ModelEntry['source']) => {
    const key = path.resolve(dir);
    if (seen.has(key)) return;
    seen.add(key);
    try {
      found.push({ dir: key, source, description: await describeModel(key), error: null });
    } catch (error) {
      // A folder in the bundled root that is not a model at all is not worth listing; one with a broken
      // manifest.json is (BAD_MANIFEST, radsift.ts), with its reason, as a user's folder is.
      if (source === 'bundled' && error instanceof ModelError && error.code === 'NOT_A_MODEL') return;
      found.push({
        dir: key,
        source,
        description: null,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  for (const root of bundledRoots) for (const dir of await candidates(root)) await add(dir, 'bundled');
  for (const dir of userDirs) await add(dir, 'user');
  return found;
}
