/**
 * Parse wrapper over dicom-parser: finds out how the bytes are framed
 * (Part 10 file, meta header without preamble, bare dataset), inflates
 * deflated datasets under a size cap, and turns every parser failure into a
 * DicomError. Values are read through `ParsedDicom`, which decodes strings
 * with the file's Specific Character Set.
 */
import { inflateRawSync } from 'node:zlib';
import { decoderForCharset, type StringDecoder } from './charset.js';
import { dicomParser, type DataSet, type Element } from './dicom-parser.js';
import { DicomError, describeThrown, toDicomError } from './errors.js';
import { TS } from './transfer-syntax.js';
import { guessDatasetSyntax, withTransferSyntax } from './missing-syntax.js';
import { datasetAfterMeta, relabelVeryLongVrs } from './very-long-vrs.js';
import type { Scratch } from '../util/scratch.js';

export interface ParseOptions {
  /** Stop after this tag (e.g. 'x7fe00010' to read headers only). */
  untilTag?: string;
  /** Largest inflated dataset a deflated file may expand to (decompression bombs). */
  maxInflatedBytes?: number;
  /** Reusable memory for a deflated file's inflated bytes, where the parse will not outlive the caller's job. */
  inflateInto?: Scratch;
}

export const DEFAULT_MAX_INFLATED_BYTES = 1 << 30;

export type Framing = 'part10' | 'meta-without-preamble' | 'bare-dataset';

export interface ParsedDicom {
  dataSet: DataSet;
  /** The bytes every element offset refers to (inflated for deflated files). */
  bytes: Uint8Array;
  transferSyntaxUID: string;
  framing: Framing;
  /** Warnings from dicom-parser (e.g. a value running past the end that was cut). */
  warnings: string[];
  textDecoder: StringDecoder;
}

const PREAMBLE = 128;

/** Parses DICOM bytes. Throws DicomError (NOT_DICOM, TRUNCATED, MALFORMED, TOO_LARGE, UNSUPPORTED_TRANSFER_SYNTAX). */
export function parseDicom(input: Uint8Array, options: ParseOptions = {}): ParsedDicom {
  // A Buffer view over exactly these bytes: dicom-parser's Node inflate path and
  // sharedCopy need Buffer methods, and offsets must be relative to the view.
  const view = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const framing = detectFraming(view);
  const layout = datasetLayout(view, framing);
  let bytes = relabelVeryLongVrs(view, layout.start, layout.explicit);
  if (layout.guessedSyntax) bytes = withTransferSyntax(bytes, layout.start, layout.guessedSyntax);
  let transferSyntaxUID: string | undefined;
  if (framing === 'meta-without-preamble') {
    bytes = Buffer.concat([Buffer.alloc(PREAMBLE), Buffer.from('DICM', 'latin1'), bytes]);
  } else if (framing === 'bare-dataset') {
    transferSyntaxUID = looksExplicitVr(view, 0) ? TS.explicitLittle : TS.implicitLittle;
  }

  const maxInflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, {
      ...(transferSyntaxUID ? { TransferSyntaxUID: transferSyntaxUID } : {}),
      ...(options.untilTag ? { untilTag: options.untilTag } : {}),
      inflater: (arr, position) => inflateDataset(arr, position, maxInflated, options.inflateInto),
    });
  } catch (thrown) {
    if (metaHeaderIsCut(bytes)) throw new DicomError('TRUNCATED', 'file ends inside its file meta information');
    throw classifyParseFailure(thrown);
  }
  transferSyntaxUID ??= readMetaTransferSyntax(dataSet);
  // Unknown (e.g. newer compressed) syntaxes still encode the dataset as explicit VR little endian:
  // the header stays readable and the codec registry reports the pixel data as unsupported.
  if (!/^[0-9]+(\.[0-9]+)*$/.test(transferSyntaxUID)) {
    throw new DicomError('MALFORMED', `Transfer Syntax UID "${transferSyntaxUID.slice(0, 64)}" is not a UID`);
  }
  if (Object.keys(dataSet.elements).filter((t) => !t.startsWith('x0002')).length === 0) {
    // It has DICOM framing, so it claims to be DICOM: a failure, not a file to skip.
    throw new DicomError('MALFORMED', 'no dataset elements after the file meta information');
  }
  const parsedBytes = dataSet.byteArray as Uint8Array;
  const charset = readRawString(dataSet, parsedBytes, 'x00080005');
  return {
    dataSet,
    bytes: parsedBytes,
    transferSyntaxUID,
    framing,
    warnings: [
      ...(layout.guessedSyntax
        ? [`file meta information has no Transfer Syntax UID: the dataset was read as ${layout.guessedSyntax}`]
        : []),
      ...(dataSet.warnings ?? []),
    ],
    textDecoder: decoderForCharset(charset),
  };
}

function detectFraming(view: Buffer): Framing {
  if (view.length >= PREAMBLE + 4 && view.toString('latin1', PREAMBLE, PREAMBLE + 4) === 'DICM') return 'part10';
  if (view.length >= 8 && view.readUInt16LE(0) === 0x0002 && looksExplicitVr(view, 0)) {
    return 'meta-without-preamble';
  }
  if (looksLikeBareDataset(view)) return 'bare-dataset';
  throw new DicomError('NOT_DICOM', 'no DICM prefix, file meta information or plausible dataset at the start');
}

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

function looksExplicitVr(view: Uint8Array, at: number): boolean {
  if (view.length < at + 8) return false;
  return VRS.has(String.fromCharCode(view[at + 4]!, view[at + 5]!));
}

/** A bare dataset starts with a low, even group (identifying module or command/file-set groups) in ascending order. */
function looksLikeBareDataset(view: Buffer): boolean {
  if (view.length < 16) return false;
  const group = view.readUInt16LE(0);
  if (group % 2 !== 0 || group > 0x0028 || (group < 0x0008 && group !== 0x0004)) return false;
  if (looksExplicitVr(view, 0)) return true;
  const length = view.readUInt32LE(4);
  return length < view.length;
}

interface DatasetLayout {
  start: number;
  /** Explicit VR little endian (what relabelVeryLongVrs needs). */
  explicit: boolean;
  /** The syntax the dataset looks like, where the meta information names none. */
  guessedSyntax?: string;
}

function datasetLayout(view: Buffer, framing: Framing): DatasetLayout {
  if (framing === 'bare-dataset') return { start: 0, explicit: looksExplicitVr(view, 0) };
  const layout = datasetAfterMeta(view, framing === 'part10' ? PREAMBLE + 4 : 0);
  // Meta information that cannot be followed: nothing is relabelled, and the parse reports what is wrong.
  if (!layout) return { start: 0, explicit: false };
  if (layout.syntax !== undefined) return layout;
  const guessedSyntax = guessDatasetSyntax(view, layout.start);
  return { start: layout.start, explicit: guessedSyntax === TS.explicitLittle, guessedSyntax };
}

/** True when File Meta Information Group Length (0002,0000) says the meta header runs past the end. */
function metaHeaderIsCut(bytes: Buffer): boolean {
  const at = PREAMBLE + 4;
  if (
    bytes.length < at + 12 ||
    bytes.readUInt32LE(at) !== 0x00000002 ||
    bytes.toString('latin1', at + 4, at + 6) !== 'UL'
  ) {
    return false;
  }
  return at + 12 + bytes.readUInt32LE(at + 8) > bytes.length;
}

function inflateDataset(arr: Uint8Array, position: number, maxBytes: number, into?: Scratch): Uint8Array {
  const deflated = arr.subarray(position);
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(deflated, { maxOutputLength: Math.max(1, maxBytes - position) });
  } catch (thrown) {
    const tooBig = thrown instanceof RangeError || /maxOutputLength|buffer/i.test(describeThrown(thrown));
    const truncated = /unexpected end/i.test(describeThrown(thrown));
    throw new DicomError(
      tooBig ? 'TOO_LARGE' : truncated ? 'TRUNCATED' : 'MALFORMED',
      tooBig
        ? `deflated dataset inflates past the ${maxBytes}-byte limit`
        : `deflated dataset is corrupt: ${describeThrown(thrown)}`,
      { cause: thrown },
    );
  }
  if (!into) return Buffer.concat([arr.subarray(0, position), inflated]);
  // The header and the inflated dataset joined in reused memory: a fresh 13 MB buffer per deflated
  // radiograph costs more in page faults than the copy itself (see Scratch).
  const joined = into.uint8(position + inflated.length);
  joined.set(arr.subarray(0, position));
  joined.set(inflated, position);
  return Buffer.from(joined.buffer, joined.byteOffset, joined.length);
}

function classifyParseFailure(thrown: unknown): DicomError {
  const inner = thrown && typeof thrown === 'object' && 'exception' in thrown ? thrown.exception : thrown;
  if (inner instanceof DicomError) return inner;
  const message = describeThrown(inner);
  if (/DICM prefix/.test(message)) return new DicomError('NOT_DICOM', message, { cause: thrown });
  // "invalid value for parameter 'maxP osition'" (sic): a sequence item whose length runs past the end.
  if (
    /past end|end of buffer|overrun|overread|beyond the end|exceeds|out of range|Offset is outside|maxP ?osition/i.test(
      message,
    )
  ) {
    return new DicomError('TRUNCATED', `file ends early or a length points past its end (${message})`, {
      cause: thrown,
    });
  }
  // dicom-parser reads nested sequences by recursion: thousands of levels (a crafted file) exhaust the stack.
  if (inner instanceof RangeError && /call stack/i.test(inner.message))
    return new DicomError('MALFORMED', 'cannot parse dataset: sequences nested thousands deep', { cause: thrown });
  return toDicomError(inner, 'MALFORMED', 'cannot parse dataset');
}

function readMetaTransferSyntax(dataSet: DataSet): string {
  const element = dataSet.elements.x00020010 as (Element & { Value?: string }) | undefined;
  if (!element) throw new DicomError('MALFORMED', 'file meta information has no Transfer Syntax UID (0002,0010)');
  const value = element.Value ?? dataSet.string('x00020010');
  if (!value) throw new DicomError('MALFORMED', 'Transfer Syntax UID (0002,0010) is empty');
  return value.replace(/\0/g, '').trim();
}

function readRawString(dataSet: DataSet, bytes: Uint8Array, tag: string): string | undefined {
  const element = dataSet.elements[tag];
  if (!element || element.length <= 0) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset + element.dataOffset, element.length)
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
}
