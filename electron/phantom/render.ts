/**
 * Renders a case: layers on a work raster (half the detector resolution for
 * large matrices — smooth anatomy gains nothing from more), then exposure,
 * processing and quantisation at the full matrix, plus the finding mask.
 */
import { attenuation, expose, quantize, type StoredImage } from './acquisition.js';
import { renderAnatomy } from './anatomy.js';
import { renderBones } from './bones.js';
import type { PhantomCase } from './case.js';
import { createFields, type Fields } from './fields.js';
import { markingOptions, prepareFindings, renderFindings } from './lesions/index.js';
import { Random } from './random.js';
import { resampleNearest } from './raster.js';
import { Thorax } from './thorax.js';
import { renderMarkings } from './vessels.js';

export interface RenderedPhantom {
  image: StoredImage;
  /** Finding bits per detector pixel (labels.csv order; see maskBit). */
  mask: Uint32Array;
  fields: Fields;
}

export function renderCase(c: PhantomCase): RenderedPhantom {
  const acq = c.acquisition;
  const factor = Math.max(acq.width, acq.height) >= 1200 ? 2 : 1;
  const w = Math.ceil(acq.width / factor);
  const h = Math.ceil(acq.height / factor);
  const thorax = new Thorax(c);
  const f = createFields(w, h, acq.pixelMm * factor, thorax);
  renderAnatomy(f);
  // A pneumothorax must clear the markings before they are drawn.
  prepareFindings(f);
  renderMarkings(f, markingOptions(c));
  renderFindings(f);
  renderBones(f);
  const a = attenuation(f, acq);
  const processed = expose(a, acq);
  const image = quantize(processed, f, acq, new Random('acquisition', c.seed, c.index));
  const mask = factor === 1 ? f.mask.slice() : resampleNearest(f.mask, w, h, acq.width, acq.height);
  return { image, mask, fields: f };
}
