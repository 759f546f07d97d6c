/** The contract every codec module implements. */
import type { PixelModule } from '../pixel-module.js';
import type { Scratch } from '../../util/scratch.js';
import type { PixelArray } from '../../util/typed-arrays.js';

export interface FrameContext {
  module: PixelModule;
  transferSyntaxUID: string;
  /** Reusable memory for the decoded samples, passed only when they will not outlive the caller's
   * job (see Scratch); codecs that allocate their output in JS use it, others ignore it. Its presence
   * also says that `frame` outlives the samples unchanged, so a codec may return a view of it. */
  output?: Scratch;
}

export interface CodecOutput {
  /** rows × columns × samples values, colour pixel-interleaved (RGBRGB…). Signed arrays carry the sign. */
  pixels: PixelArray;
  /** Colour space of `pixels`: codecs that convert colour (libjpeg, J2K MCT, 4:2:2 upsampling) say what they made. */
  photometric: string;
  /** True when values may differ from the originals: unused bits are then clamped, never masked. */
  lossy: boolean;
}

export interface Codec {
  readonly name: string;
  decode(frame: Uint8Array, context: FrameContext): CodecOutput;
}
