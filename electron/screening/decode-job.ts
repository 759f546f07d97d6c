/**
 * One decode job, as run inside a pool worker (or directly, in tests and the
 * CLI): read the file, decode a frame, derive the outputs that were asked for.
 */
import { createHash } from 'node:crypto';
import { fstat, read } from 'node:fs';
import { promisify } from 'node:util';
import { openRegularFile, readRegularFile } from '../util/regular-file.js';
import type { IntegerArray, PixelArray } from '../util/typed-arrays.js';
import type { DisplayImage, DisplayOptions } from '../dicom/display.js';
import type { ImageInputSpec } from '../imaging/image-spec.js';
import { toImageTensor, type DisplayImage as ModelImage } from '../imaging/preprocess.js';
import { displayTable, renderDisplay } from '../dicom/display.js';
import { fileReadError } from '../dicom/errors.js';
import { notAnImage } from '../dicom/non-image.js';
import {
  decodeFrame,
  displayImage,
  modalityValues,
  openDicom,
  pixelModule,
  presentationOf,
  type OpenOptions,
} from '../dicom/image.js';
import type { SizeLimits } from '../dicom/pixel-module.js';
import { thumbnail } from '../dicom/thumbnail.js';
import { Scratch } from '../util/scratch.js';

export type DecodeOutput = 'stored' | 'modality' | 'display' | 'thumbnail' | 'identity' | 'model';

/** What a model needs to turn a frame into its input tensor (from the model's manifest). */
export type ModelInputSpec = ImageInputSpec;

/** Who the image is (for an index), read from the header the decode parsed anyway, plus the content hash. */
export interface ImageIdentity {
  sopInstanceUID?: string;
  seriesInstanceUID?: string;
  studyInstanceUID?: string;
  modality?: string;
  studyDate?: string;
  /** What a reader names the scan by (shown with a privacy toggle in the app, never logged). */
  naming: ScanNaming;
  /** sha256 of the file's bytes. */
  sha256: string;
}

export interface ScanNaming {
  patientName?: string;
  patientId?: string;
  accession?: string;
  viewPosition?: string;
  seriesNumber?: number;
  instanceNumber?: number;
}

export interface DecodeRequest {
  /** A file to read, or the bytes themselves. */
  path?: string;
  bytes?: Uint8Array;
  /**
   * A file the caller opened (and checked: the scan protocol's guard), read through its descriptor, which worker
   * threads share with the main thread: never opened again by a path that may lead elsewhere by now. The caller
   * keeps it open until the job has settled.
   */
  fd?: number;
  frame?: number;
  outputs: DecodeOutput[];
  display?: DisplayOptions;
  /** Longest side of the thumbnail (default 128). */
  thumbnailSize?: number;
  limits?: SizeLimits;
  open?: OpenOptions;
  /** Required with the 'model' output. */
  model?: ModelInputSpec;
}

export interface DecodeResult {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  frames: number;
  frame: number;
  /** Photometric interpretation of `stored`. */
  photometric: string;
  lossy: boolean;
  stored?: PixelArray;
  modality?: Float32Array;
  display?: DisplayImage;
  thumbnail?: DisplayImage;
  identity?: ImageIdentity;
  /** The model's input for this frame, [channels, height, width], normalised: preprocessing runs
   * in the decode worker, in parallel, and 200 KB cross threads instead of a 10 MB image. */
  modelInput?: Float32Array;
}

/**
 * Reusable memory for one job at a time (a pool worker owns one set): the file's bytes, the decoded
 * samples and the display image, used only for what does not leave the job. See Scratch for why.
 */
export interface DecodeScratch {
  file: Scratch;
  /** A deflated file's header and inflated dataset. */
  inflated: Scratch;
  samples: Scratch;
  display: Scratch;
}

export function decodeScratch(): DecodeScratch {
  return { file: new Scratch(), inflated: new Scratch(), samples: new Scratch(), display: new Scratch() };
}

export async function runDecodeJob(request: DecodeRequest, scratch?: DecodeScratch): Promise<DecodeResult> {
  const bytes =
    request.bytes ??
    (await (
      request.fd !== undefined
        ? readFd(request.fd, scratch?.file)
        : scratch
          ? readInto(request.path!, scratch.file)
          : readRegularFile(request.path!)
    ).catch((error: unknown) => {
      throw fileReadError(error, request.path ?? 'the open file', 'cannot read file');
    }));
  const wants = new Set(request.outputs);
  const file = openDicom(bytes, scratch ? { ...request.open, inflateInto: scratch.inflated } : request.open);
  // A DICOMDIR (a CD's or export's directory record sequence) lists the files beside it, which are read themselves:
  // no image of its own, so skipped like a file that is not DICOM rather than failing every run with "no Pixel
  // Data", as the Studies view's catalog notes it instead of listing it as unreadable. So are the reports,
  // presentation states and other objects that hold no image by design (non-image.ts), when they hold none.
  const noImage = notAnImage(file.parsed.dataSet);
  if (noImage) throw noImage;
  const module = pixelModule(file, request.limits);
  const index = request.frame ?? 0;
  // Stored values leave the job only as the 'stored' output (and 'modality' is computed into fresh memory).
  const frame = await decodeFrame(file, index, request.limits, wants.has('stored') ? undefined : scratch?.samples);
  const result: DecodeResult = {
    rows: frame.rows,
    columns: frame.columns,
    samplesPerPixel: frame.samplesPerPixel,
    frames: module.numberOfFrames,
    frame: index,
    photometric: frame.photometric,
    lossy: frame.lossy,
  };
  if (wants.has('identity')) {
    const r = file.reader;
    result.identity = {
      sopInstanceUID: r.string('x00080018'),
      seriesInstanceUID: r.string('x0020000e'),
      studyInstanceUID: r.string('x0020000d'),
      modality: r.string('x00080060'),
      studyDate: r.string('x00080020'),
      naming: {
        patientName: r.string('x00100010'),
        patientId: r.string('x00100020'),
        accession: r.string('x00080050'),
        viewPosition: r.string('x00185101'),
        seriesNumber: r.decimal('x00200011'),
        instanceNumber: r.decimal('x00200013'),
      },
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  }
  if (wants.has('stored')) result.stored = frame.stored;
  if (wants.has('modality') && frame.samplesPerPixel === 1) result.modality = modalityValues(file, frame);
  if (wants.has('display') || wants.has('thumbnail')) {
    const display = displayImage(file, frame, request.display);
    if (wants.has('display')) result.display = display;
    if (wants.has('thumbnail')) result.thumbnail = thumbnail(display, request.thumbnailSize ?? 128);
  }
  if (wants.has('model')) {
    const spec = request.model;
    if (!spec) throw new TypeError("the 'model' output needs the model's input spec");
    const options = {
      voi: spec.dicom.window === 'minmax' ? 'range' : 'file',
      invertMonochrome1: spec.dicom.invertMonochrome1,
    } as const;
    // Monochrome integer frames (radiographs): the display transform as a table, applied while
    // resampling, so the full-size 8-bit image is never written. Same values as the display path.
    const presentation = presentationOf(file, frame.index);
    const table = displayTable(frame, presentation, options);
    let image: ModelImage;
    if (table) {
      image = {
        width: frame.columns,
        height: frame.rows,
        channels: 1,
        data: frame.stored as IntegerArray, // tables exist for integer samples only
        lut: { table: table.lut, offset: table.offset },
      };
    } else {
      // This display image is consumed here, so it may live in scratch memory.
      const display = renderDisplay(frame, presentation, options, scratch?.display);
      image = { width: display.columns, height: display.rows, channels: display.channels, data: display.data };
    }
    result.modelInput = toImageTensor([image], spec).data;
  }
  return result;
}

/** The buffers of a result, to transfer (not copy) across threads. */
export function transferables(result: DecodeResult): ArrayBuffer[] {
  const arrays = [result.stored, result.modality, result.display?.data, result.thumbnail?.data, result.modelInput];
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}

/** A whole file read into scratch memory (a view of exactly its length). */
async function readInto(path: string, scratch: Scratch): Promise<Uint8Array> {
  const handle = await openRegularFile(path);
  try {
    const { size } = await handle.stat();
    return await readWhole(size, scratch, async (bytes, at) => (await handle.read(bytes, at, size - at, at)).bytesRead);
  } finally {
    await handle.close();
  }
}

const fstatAsync = promisify(fstat);
const readAsync = promisify(read);

/** A whole open file, by position (the descriptor's offset is left alone), into scratch memory or new memory. */
async function readFd(fd: number, scratch?: Scratch): Promise<Uint8Array> {
  const { size } = await fstatAsync(fd);
  return readWhole(size, scratch, async (bytes, at) => (await readAsync(fd, bytes, at, size - at, at)).bytesRead);
}

async function readWhole(
  size: number,
  scratch: Scratch | undefined,
  readAt: (bytes: Uint8Array, at: number) => Promise<number>,
): Promise<Uint8Array> {
  const bytes = scratch ? scratch.uint8(size) : new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const n = await readAt(bytes, at);
    if (n === 0) break; // the file shrank while being read
    at += n;
  }
  return at === size ? bytes : bytes.subarray(0, at);
}
