/** Transfer syntax UIDs the engine knows, and the properties the parser and frame reader need. */
export const TS = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  encapsulatedUncompressed: '1.2.840.10008.1.2.1.98',
  deflatedImageFrame: '1.2.840.10008.1.2.8.1',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegExtended35: '1.2.840.10008.1.2.4.52',
  jpegSpectral: '1.2.840.10008.1.2.4.53',
  jpegProgressive: '1.2.840.10008.1.2.4.55',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
  rle: '1.2.840.10008.1.2.5',
} as const;

export interface TransferSyntaxInfo {
  name: string;
  /** Pixel data held as fragments rather than one native value. */
  encapsulated: boolean;
  /** Whether a decode can differ from the original stored values. */
  lossy: boolean;
}

const NATIVE = { encapsulated: false, lossy: false };
const KNOWN: Record<string, TransferSyntaxInfo> = {
  [TS.implicitLittle]: { name: 'Implicit VR Little Endian', ...NATIVE },
  [TS.explicitLittle]: { name: 'Explicit VR Little Endian', ...NATIVE },
  [TS.deflatedExplicitLittle]: { name: 'Deflated Explicit VR Little Endian', ...NATIVE },
  [TS.explicitBig]: { name: 'Explicit VR Big Endian', ...NATIVE },
  [TS.encapsulatedUncompressed]: { name: 'Encapsulated Uncompressed', encapsulated: true, lossy: false },
  [TS.deflatedImageFrame]: { name: 'Deflated Image Frame Compression', encapsulated: true, lossy: false },
  [TS.jpegBaseline]: { name: 'JPEG Baseline (Process 1)', encapsulated: true, lossy: true },
  [TS.jpegExtended]: { name: 'JPEG Extended (Process 2 & 4)', encapsulated: true, lossy: true },
  [TS.jpegExtended35]: { name: 'JPEG Extended (Process 3 & 5)', encapsulated: true, lossy: true },
  [TS.jpegSpectral]: { name: 'JPEG Spectral Selection (Process 6 & 8)', encapsulated: true, lossy: true },
  [TS.jpegProgressive]: { name: 'JPEG Full Progression (Process 10 & 12)', encapsulated: true, lossy: true },
  [TS.jpegLossless]: { name: 'JPEG Lossless (Process 14)', encapsulated: true, lossy: false },
  [TS.jpegLosslessSV1]: { name: 'JPEG Lossless SV1 (Process 14)', encapsulated: true, lossy: false },
  [TS.jpegLsLossless]: { name: 'JPEG-LS Lossless', encapsulated: true, lossy: false },
  [TS.jpegLsNearLossless]: { name: 'JPEG-LS Near-Lossless', encapsulated: true, lossy: true },
  [TS.jpeg2000Lossless]: { name: 'JPEG 2000 Lossless', encapsulated: true, lossy: false },
  [TS.jpeg2000]: { name: 'JPEG 2000', encapsulated: true, lossy: true },
  [TS.htj2kLossless]: { name: 'HTJ2K Lossless', encapsulated: true, lossy: false },
  [TS.htj2kLosslessRpcl]: { name: 'HTJ2K Lossless RPCL', encapsulated: true, lossy: false },
  [TS.htj2k]: { name: 'HTJ2K', encapsulated: true, lossy: true },
  [TS.rle]: { name: 'RLE Lossless', encapsulated: true, lossy: false },
  '1.2.840.10008.1.2.4.110': { name: 'JPEG XL Lossless', encapsulated: true, lossy: false },
  '1.2.840.10008.1.2.4.111': { name: 'JPEG XL JPEG Recompression', encapsulated: true, lossy: true },
  '1.2.840.10008.1.2.4.112': { name: 'JPEG XL', encapsulated: true, lossy: true },
};

export function transferSyntaxInfo(uid: string): TransferSyntaxInfo | undefined {
  return KNOWN[uid];
}
