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
    if (await layout.detect(dir)) return checkBounds(await layout.load(dir));
  }
  throw new ModelError(
    'NOT_A_MODEL',
    `${dir} is not a model folder RadSift knows (${LAYOUTS.map((l) => l.name).join(', ')}); see docs/model-layouts.md`,
  );
}

/**
 * The bounds a RadSift manifest's schema sets, for every layout: a published config read as it is (a
 * preprocessor_config.json asking for 30000² images, a std of 0) would otherwise ask for gigabytes or give NaN
 * embeddings. Refused here, naming the folder and the value.
 */
function checkBounds(d: ModelDescription): ModelDescription {
  const bad = (what: string) => {
    throw new ModelError('BAD_MANIFEST', `${d.dir}: ${what}`);
  };
  const { image, text } = d;
  if (!image.size.every((n) => Number.isInteger(n) && n >= 8 && n <= 4096))
    bad(`image size ${image.size.join('×')} is outside 8–4096`);
  if (image.resizeTo !== null && !(Number.isInteger(image.resizeTo) && image.resizeTo > 0 && image.resizeTo <= 8192))
    bad(`image resize ${image.resizeTo} is outside 1–8192`);
  for (const [name, values] of [
    ['mean', image.mean],
    ['std', image.std],
  ] as const)
    if (values.length !== 1 && values.length !== image.channels)
      bad(`image ${name} has ${values.length} values for ${image.channels} channels`);
  if (!image.mean.every(Number.isFinite)) bad('image mean is not a number');
  if (!image.std.every((v) => Number.isFinite(v) && v >= 1e-6))
    bad(`image std ${image.std.join(', ')} must be above 0`);
  if (!(Number.isInteger(text.maxLength) && text.maxLength >= 2 && text.maxLength <= 4096))
    bad(`text length ${text.maxLength} is outside 2–4096`);
  return d;
}
