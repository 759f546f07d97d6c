/**
 * Codec registry keyed by transfer syntax UID. Each family module loads its
 * decoders (WASM) on first use, once per thread (again after dropping a
 * broken instance); callers get a ready codec.
 */
import { DicomError } from '../errors.js';
import { TS, transferSyntaxInfo } from '../transfer-syntax.js';
import { deflateFrameCodec } from './deflate-frame.js';
import { loadJpegCodec } from './jpeg.js';
import { decodeHtj2k, decodeJpeg2000, loadHtj2k, loadJpeg2000 } from './jpeg2000.js';
import { nativeCodec } from './native.js';
import { rleCodec } from './rle.js';
import type { Codec } from './types.js';

type CodecLoader = () => Promise<Codec>;

const ready =
  (codec: Codec): CodecLoader =>
  async () =>
    codec;

const jpeg2000: CodecLoader = async () => {
  await loadJpeg2000();
  return { name: 'jpeg2000', decode: decodeJpeg2000 };
};

const htj2k: CodecLoader = async () => {
  await loadHtj2k();
  return { name: 'htj2k', decode: decodeHtj2k };
};

const LOADERS = new Map<string, CodecLoader>([
  [TS.implicitLittle, ready(nativeCodec)],
  [TS.explicitLittle, ready(nativeCodec)],
  [TS.deflatedExplicitLittle, ready(nativeCodec)],
  [TS.explicitBig, ready(nativeCodec)],
  [TS.encapsulatedUncompressed, ready(nativeCodec)],
  [TS.deflatedImageFrame, ready(deflateFrameCodec)],
  [TS.rle, ready(rleCodec)],
  ...[
    TS.jpegBaseline,
    TS.jpegExtended,
    TS.jpegExtended35,
    TS.jpegSpectral,
    TS.jpegProgressive,
    TS.jpegLossless,
    TS.jpegLosslessSV1,
    TS.jpegLsLossless,
    TS.jpegLsNearLossless,
  ].map((uid): [string, CodecLoader] => [uid, loadJpegCodec]),
  [TS.jpeg2000Lossless, jpeg2000],
  [TS.jpeg2000, jpeg2000],
  [TS.htj2kLossless, htj2k],
  [TS.htj2kLosslessRpcl, htj2k],
  [TS.htj2k, htj2k],
]);

export function supportsTransferSyntax(uid: string): boolean {
  return LOADERS.has(uid);
}

/** The loaders return at once when their modules are ready; a codec that dropped a broken instance loads a new one. */
export function codecFor(uid: string): Promise<Codec> {
  const loader = LOADERS.get(uid);
  if (!loader) {
    const name = transferSyntaxInfo(uid)?.name;
    throw new DicomError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `no decoder for transfer syntax ${uid}${name ? ` (${name})` : ''}`,
    );
  }
  return loader();
}
