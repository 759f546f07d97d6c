/**
 * A JSON-ready summary of one file (what `radsift info` prints): encoding,
 * image geometry, identifiers, windows, and the errors met on the way.
 * Patient name and ID are left out on purpose.
 */
import { codecFor } from './codecs/registry.js';
import { DicomError, fileReadError, toDicomError } from './errors.js';
import { decodeFrame, openDicom, pixelModule, presentationOf, type DicomFile } from './image.js';
import { readableFrames } from './frames.js';
import { notAnImage } from './non-image.js';
import { transferSyntaxInfo } from './transfer-syntax.js';
import { readRegularFile } from '../util/regular-file.js';

export interface SummaryError {
  code: string;
  message: string;
  /** NOT_AN_IMAGE: what the object is, as a code (dicom/non-image.ts NonImageKind: "structured-report"). */
  detail?: string;
  frame?: number;
}

export interface FileSummary {
  file: string;
  transferSyntax?: { uid: string; name?: string; supported: boolean };
  framing?: string;
  characterSet?: string;
  sopClassUID?: string;
  sopInstanceUID?: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  modality?: string;
  image?: {
    rows: number;
    columns: number;
    /** Number of Frames as declared. */
    frames: number;
    /** How many of them the file holds, only where that is fewer (the others fail with FRAME_MISSING). */
    readableFrames?: number;
    samplesPerPixel: number;
    photometric: string;
    bitsAllocated: number;
    bitsStored: number;
    highBit: number;
    pixelRepresentation: number;
    planarConfiguration: number;
    pixelData: 'integer' | 'float' | 'double';
  };
  rescale?: { slope: number; intercept: number; type?: string; lut: boolean };
  windows?: Array<{ center: number; width: number; explanation?: string }>;
  voiFunction?: string;
  warnings: string[];
  errors: SummaryError[];
}

/**
 * `framesToCheck`: how many frames to decode to find pixel errors (0 = header only, Infinity = all). `read`: the
 * file's bytes; by default read from `file` when it is a regular file (a FIFO would wait for a writer: it is an
 * error, EFTYPE). A caller that opened and checked the file already passes a read of that open file.
 */
export async function summarizeFile(
  file: string,
  framesToCheck = 1,
  read: () => Promise<Uint8Array> = () => readRegularFile(file),
): Promise<FileSummary> {
  const summary: FileSummary = { file, warnings: [], errors: [] };
  let dicom: DicomFile;
  try {
    dicom = openDicom(await read().catch((e: unknown) => Promise.reject(fileReadError(e, file, 'cannot read file'))));
  } catch (error) {
    summary.errors.push(asError(error));
    return withIssuesLast(summary);
  }
  const r = dicom.reader;
  const uid = dicom.transferSyntaxUID;
  let supported = true;
  try {
    await codecFor(uid);
  } catch {
    supported = false;
  }
  Object.assign(summary, {
    transferSyntax: { uid, name: transferSyntaxInfo(uid)?.name, supported },
    framing: dicom.parsed.framing,
    characterSet: r.text('x00080005'),
    sopClassUID: r.string('x00080016'),
    sopInstanceUID: r.string('x00080018'),
    studyInstanceUID: r.string('x0020000d'),
    seriesInstanceUID: r.string('x0020000e'),
    modality: r.string('x00080060'),
  });
  summary.warnings.push(...dicom.parsed.warnings);
  // A DICOMDIR or a report, presentation state, key object…: no image by design, said as what it is (NOT_AN_IMAGE,
  // which every command skips in a folder and never counts as a failure), not as an image missing its Pixel Data.
  const noImage = notAnImage(dicom.parsed.dataSet);
  if (noImage) {
    summary.errors.push(asError(noImage));
    return withIssuesLast(summary);
  }
  try {
    const m = pixelModule(dicom);
    summary.image = {
      rows: m.rows,
      columns: m.columns,
      frames: m.numberOfFrames,
      samplesPerPixel: m.samplesPerPixel,
      photometric: m.photometric,
      bitsAllocated: m.bitsAllocated,
      bitsStored: m.bitsStored,
      highBit: m.highBit,
      pixelRepresentation: m.pixelRepresentation,
      planarConfiguration: m.planarConfiguration,
      pixelData: m.pixelDataTag === 'x7fe00008' ? 'float' : m.pixelDataTag === 'x7fe00009' ? 'double' : 'integer',
    };
    if (m.highBit !== m.bitsStored - 1) {
      // Toolkits disagree here (docs/dicom.md, High Bit): say which bits were read, so a surprising image can be explained.
      const low = m.highBit - m.bitsStored + 1;
      summary.warnings.push(
        `High Bit ${m.highBit} with Bits Stored ${m.bitsStored}: values are read from bits ${low}–${m.highBit}, where PS3.5 8.1.1 places them (as dcmtk reads them; GDCM and pydicom read bits 0–${m.bitsStored - 1}); the current standard requires High Bit ${m.bitsStored - 1}`,
      );
    }
    const readable = readableFrames({ reader: r, module: m, transferSyntaxUID: uid });
    if (readable < m.numberOfFrames) {
      summary.image.readableFrames = readable;
      summary.warnings.push(
        `${m.numberOfFrames} frames declared, ${readable} in the file: frames ${readable}–${m.numberOfFrames - 1} are missing`,
      );
    }
    const p = presentationOf(dicom);
    summary.rescale = {
      slope: p.rescaleSlope,
      intercept: p.rescaleIntercept,
      type: p.rescaleType,
      lut: !!p.modalityLut,
    };
    summary.windows = p.windows;
    summary.voiFunction = p.voiFunction;
    for (let i = 0; i < Math.min(framesToCheck, m.numberOfFrames); i++) {
      try {
        await decodeFrame(dicom, i);
      } catch (error) {
        summary.errors.push({ ...asError(error), frame: i });
      }
    }
  } catch (error) {
    summary.errors.push(asError(error));
  }
  return withIssuesLast(summary);
}

/** Warnings and errors print last, after the facts. */
function withIssuesLast({ warnings, errors, ...rest }: FileSummary): FileSummary {
  return { ...rest, warnings, errors };
}

function asError(error: unknown): SummaryError {
  const typed = error instanceof DicomError ? error : toDicomError(error, 'MALFORMED', 'unexpected failure');
  return { code: typed.code, message: typed.message, ...(typed.detail !== undefined ? { detail: typed.detail } : {}) };
}
