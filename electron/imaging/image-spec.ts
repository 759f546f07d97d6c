/**
 * How a model wants its input image: what the pixel pipeline (decode job, preprocess, grounding
 * geometry) needs of a model, without the model's files and graph names (inference/model-description.ts
 * adds those).
 */

export type ResizeMode = 'letterbox' | 'center-crop' | 'stretch';
export type Interpolation = 'area' | 'bicubic' | 'bilinear';

export interface ImageInputSpec {
  /** Model input size [height, width]. */
  size: [number, number];
  channels: 1 | 3;
  resize: ResizeMode;
  /** Letterbox/crop to this square first (e.g. CheXzero pads to 320 before resizing to 224). */
  resizeTo: number | null;
  interpolation: Interpolation;
  /** The scale mean/std are expressed in: 255 (0–255 pixel values) or 1 (0–1). */
  valueRange: 1 | 255;
  mean: number[];
  std: number[];
  /** How a DICOM frame becomes an 8-bit image before the above. */
  dicom: { window: 'default' | 'minmax'; invertMonochrome1: boolean };
}
