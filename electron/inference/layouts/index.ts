/**
 * The registry of model folder layouts. A new published format is one more
 * module here; nothing downstream changes.
 */
import { stat } from 'node:fs/promises';
import { ModelError } from '../errors.js';
import type { ModelDescription } from '../model-description.js';
import type { ModelLayout } from './layout.js';
import { hfClipLayout } from './hf-clip.js';
import { openClipLayout } from './openclip.js';
import { radsiftLayout } from './radsift.js';

export const LAYOUTS: ModelLayout[] = [radsiftLayout, hfClipLayout, openClipLayout];

export async function describeModel(dir: string): Promise<ModelDescription> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new ModelError('NOT_A_MODEL', `${dir} is not a folder`);
  for (const layout of LAYOUTS) {
    if (await layout.detect(dir)) return layout.load(dir);
  }
  throw new ModelError(
    'NOT_A_MODEL',
    `${dir} is not a model folder RadSift knows (${LAYOUTS.map((l) => l.name).join(', ')}); see docs/model-layouts.md`,
  );
}
