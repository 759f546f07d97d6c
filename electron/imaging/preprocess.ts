/**
 * A display image (8-bit scale, from the DICOM pipeline) → the model's input
 * tensor, exactly as the model's manifest says: letterbox / centre-crop /
 * stretch, antialiased resampling, channel count, value range, mean/std.
 * Deterministic; checked against PIL + numpy in the tests.
 */
import { CodedError } from '../util/coded-error.js';
import type { ImageInputSpec } from './image-spec.js';
import type { IntegerArray } from '../util/typed-arrays.js';
import { resamplePlane, type Plane, type SampleTable, type SourcePlane } from './resample.js';

export interface DisplayImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Interleaved samples on the 0–255 scale; or, with `lut`, integer samples that it maps onto that scale. */
  data: Uint8Array | Uint8ClampedArray | Float32Array | IntegerArray;
  /** One channel only: sample v is lut.table[v − lut.offset] (a DICOM display transform, applied while resampling). */
  lut?: SampleTable;
}

export interface ImageTensor {
  data: Float32Array;
  dims: [number, number, number, number];
}

/** Splits interleaved samples into planes with the model's channel count. */
function planes(image: DisplayImage, channels: 1 | 3): SourcePlane[] {
  const { width, height, data } = image;
  const n = width * height;
  if (data.length !== n * image.channels) {
    throw new CodedError('BAD_INPUT', `image data has ${data.length} samples, expected ${n * image.channels}`);
  }
  if (image.lut) {
    if (image.channels !== 1) throw new CodedError('BAD_INPUT', 'a sample table needs a one-channel image');
    return [{ width, height, data, lut: image.lut }];
  }
  if (image.channels === 1) return [{ width, height, data }];
  const split: Float32Array[] = [];
  for (let c = 0; c < image.channels; c++) {
    const p = new Float32Array(n);
    for (let i = 0; i < n; i++) p[i] = data[i * image.channels + c]!;
    split.push(p);
  }
  let out = split;
  if (image.channels === 3 && channels === 1) {
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = 0.299 * split[0]![i]! + 0.587 * split[1]![i]! + 0.114 * split[2]![i]!;
    out = [y];
  }
  return out.map((d) => ({ width, height, data: d }));
}

/** Geometry: resize and pad/crop one plane to the model's input size. */
export function fitPlane(
  plane: SourcePlane,
  spec: Pick<ImageInputSpec, 'size' | 'resize' | 'resizeTo' | 'interpolation'>,
): Plane {
  const [H, W] = spec.size;
  const { width: w, height: h } = plane;
  const filter = spec.interpolation;
  if (spec.resize === 'stretch') return resamplePlane(plane, W, H, filter);

  if (spec.resize === 'center-crop') {
    // Shortest edge to S (keeping aspect, truncating the long edge), then a centred crop.
    const S = spec.resizeTo ?? Math.min(H, W);
    const [nw, nh] = w <= h ? [S, Math.trunc((S * h) / w)] : [Math.trunc((S * w) / h), S];
    const resized = resamplePlane(plane, nw, nh, filter);
    const top = Math.trunc((nh - H) / 2);
    const left = Math.trunc((nw - W) / 2);
    const out = new Float32Array(W * H);
    for (let y = 0; y < H; y++) {
      const sy = y + top;
      if (sy < 0 || sy >= nh) continue;
      for (let x = 0; x < W; x++) {
        const sx = x + left;
        if (sx >= 0 && sx < nw) out[y * W + x] = resized.data[sy * nw + sx]!;
      }
    }
    return { width: W, height: H, data: out };
  }

  // Letterbox.
  if (spec.resizeTo !== null) {
    // Two stages, as CheXzero does: long side to resizeTo (sizes truncated), pasted centred on a
    // zero square, then that square resized to the model size.
    const R = spec.resizeTo;
    const ratio = R / Math.max(w, h);
    const nw = Math.max(1, Math.trunc(w * ratio));
    const nh = Math.max(1, Math.trunc(h * ratio));
    const inner = resamplePlane(plane, nw, nh, filter);
    const square = new Float32Array(R * R);
    const ox = Math.trunc((R - nw) / 2);
    const oy = Math.trunc((R - nh) / 2);
    for (let y = 0; y < nh; y++) square.set(inner.data.subarray(y * nw, y * nw + nw), (y + oy) * R + ox);
    const padded = { width: R, height: R, data: square };
    return R === W && R === H ? padded : resamplePlane(padded, W, H, filter);
  }
  // One stage: the image centred in a zero canvas of the model's aspect, resampled directly
  // (the padding is implicit: samples outside the image are zero).
  const canvasW = Math.max(w, (h * W) / H);
  const canvasH = (canvasW * H) / W;
  const x = -Math.floor((canvasW - w) / 2);
  const y = -Math.floor((canvasH - h) / 2);
  return resamplePlane(plane, W, H, filter, { x, y, width: canvasW, height: canvasH });
}

/** One or more images → an NCHW float32 tensor for the image encoder. */
export function toImageTensor(
  images: readonly DisplayImage[],
  spec: Pick<
    ImageInputSpec,
    'size' | 'channels' | 'resize' | 'resizeTo' | 'interpolation' | 'valueRange' | 'mean' | 'std'
  >,
): ImageTensor {
  if (images.length === 0) throw new CodedError('BAD_INPUT', 'no image to encode');
  const [H, W] = spec.size;
  const C = spec.channels;
  const data = new Float32Array(images.length * C * H * W);
  const scale = spec.valueRange === 1 ? 1 / 255 : 1;
  images.forEach((image, n) => {
    if (image.width < 1 || image.height < 1) throw new CodedError('BAD_INPUT', 'empty image');
    const fitted = planes(image, C).map((p) => fitPlane(p, spec));
    for (let c = 0; c < C; c++) {
      const src = (fitted[c] ?? fitted[0]!).data; // gray → every channel
      const mean = spec.mean[c] ?? spec.mean[0]!;
      const std = spec.std[c] ?? spec.std[0]!;
      const base = (n * C + c) * H * W;
      for (let i = 0; i < H * W; i++) data[base + i] = (src[i]! * scale - mean) / std;
    }
  });
  return { data, dims: [images.length, C, H, W] };
}
