import { seededRandom } from '../../../electron/scoring/metrics.js';
/**
 * Mutation fuzzing of real corpus files: truncation, bit flips, length
 * fields, tag shuffles, absurd image attributes and corrupted pixel data.
 * Cases are deterministic (case number → PRNG seed) so a failure can be
 * replayed. Shared by the unit test and the longer `test/bench/fuzz.ts` campaign.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dicomParser } from '../../../electron/dicom/dicom-parser.js';

/** Small seeds covering every decoder family and dataset encoding. */
export const FUZZ_SEEDS = [
  'cornerstone/CTImage.dcm_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm',
  'cornerstone/CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm',
  'cornerstone/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm',
  'cornerstone/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
  'cornerstone/CTImage.dcm_JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91.dcm',
  'cornerstone/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm',
  'cornerstone/CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm',
  'cornerstone/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm',
  'cornerstone/CTImage.dcm_JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51.dcm',
  'cornerstone/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm',
  'cornerstone/TestPattern_JPEG-Baseline_YBR422.dcm',
  'cornerstone/TestPattern_Palette_16.dcm',
  'cornerstone/US-YBR_FULL_422-EVRLE.dcm',
  'dcm4che/MR01.dcm',
  'dcm4che/YBR_FULL-RLE.dcm',
  'dcm4che/jpeg-ls-Palette.dcm',
  'dicomparser/testImages_deflate_image_dfl',
  'dicomparser/testImages_encapsulated_multi-frame_CT0012.fragmented_no_bot_jpeg_ls.80.dcm',
  'dicomparser/testImages_encapsulated_multi-frame_CT0012.not_fragmented_bot_rle.dcm',
  'dicomparser/testImages_encapsulated_multi-frame_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm',
  'nema-wg04/J2KI/CT2_J2KI',
];

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** Byte positions of element length fields and their sizes (2 or 4), from a clean parse. */
  lengthFields: Array<{ at: number; size: 2 | 4 }>;
  /** [start, end) of top-level elements, for shuffles. */
  elements: Array<[number, number]>;
  /** Value positions of US attributes worth making absurd (rows, columns, bits...). */
  pixelAttributes: number[];
  pixelDataStart: number;
}

export function loadSeeds(corpus: string, names = FUZZ_SEEDS): Seed[] {
  return names.map((name) => describeSeed(name, new Uint8Array(readFileSync(path.join(corpus, name)))));
}

function describeSeed(name: string, bytes: Uint8Array): Seed {
  const ds = dicomParser.parseDicom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  // Positions are only meaningful where offsets refer to the file itself (not an inflated copy).
  const sameBytes = ds.byteArray.length === bytes.length;
  const implicit = ds.string('x00020010') === '1.2.840.10008.1.2';
  const lengthFields: Seed['lengthFields'] = [];
  const elements: Seed['elements'] = [];
  const pixelAttributes: number[] = [];
  let pixelDataStart = bytes.length;
  if (sameBytes) {
    for (const element of Object.values(ds.elements)) {
      const isMeta = element.tag.startsWith('x0002');
      const long = implicit && !isMeta ? true : ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(element.vr ?? '');
      const at = element.dataOffset - (long ? 4 : 2);
      if (at > 0) lengthFields.push({ at, size: long ? 4 : 2 });
      const start = element.dataOffset - (implicit && !isMeta ? 8 : long ? 12 : 8);
      if (!isMeta && element.length >= 0) elements.push([start, element.dataOffset + element.length]);
      if (['x00280010', 'x00280011', 'x00280100', 'x00280101', 'x00280002'].includes(element.tag)) {
        pixelAttributes.push(element.dataOffset);
      }
      if (element.tag === 'x7fe00010') pixelDataStart = element.dataOffset;
    }
  }
  return { name, bytes, lengthFields, elements: elements.sort((a, b) => a[0] - b[0]), pixelAttributes, pixelDataStart };
}

/** Deterministic PRNG, shared with the metrics' bootstrap. */
export const random = seededRandom;

export const MUTATIONS = ['truncate', 'bitflip', 'length', 'shuffle', 'attribute', 'pixels'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface FuzzCase {
  id: number;
  seed: string;
  mutation: Mutation;
  bytes: Uint8Array;
}

export function makeCase(seeds: Seed[], id: number): FuzzCase {
  const rand = random(id * 2654435761);
  const int = (n: number) => Math.floor(rand() * n);
  const seed = seeds[id % seeds.length]!;
  const mutation = MUTATIONS[Math.floor(id / seeds.length) % MUTATIONS.length]!;
  let bytes = seed.bytes.slice();
  switch (mutation) {
    case 'truncate': {
      // Half the cuts inside the header, half anywhere.
      const limit = rand() < 0.5 ? Math.min(bytes.length, seed.pixelDataStart + 64) : bytes.length;
      bytes = bytes.slice(0, int(limit));
      break;
    }
    case 'bitflip': {
      const flips = 1 + int(8);
      const region = rand() < 0.6 ? Math.min(bytes.length, seed.pixelDataStart + 256) : bytes.length;
      for (let i = 0; i < flips; i++) bytes[int(region)]! ^= 1 << int(8);
      break;
    }
    case 'length': {
      const field = seed.lengthFields[int(seed.lengthFields.length)];
      if (!field) break;
      const view = new DataView(bytes.buffer);
      const choices = [0, 1, 0xffff, 0xfffe, 0x7fffffff, 0xffffffff, 0xfffffffe, bytes.length, int(1 << 20)];
      const value = choices[int(choices.length)]!;
      if (field.size === 2) view.setUint16(field.at, value & 0xffff, true);
      else view.setUint32(field.at, value >>> 0, true);
      break;
    }
    case 'shuffle': {
      if (seed.elements.length < 2) break;
      // Swap the 4 tag bytes of two elements, or move an element's bytes to the end.
      const a = seed.elements[int(seed.elements.length)]!;
      const b = seed.elements[int(seed.elements.length)]!;
      if (rand() < 0.5) {
        const tagA = bytes.slice(a[0], a[0] + 4);
        bytes.copyWithin(a[0], b[0], b[0] + 4);
        bytes.set(tagA, b[0]);
      } else {
        const moved = bytes.slice(a[0], a[1]);
        const rest = new Uint8Array(bytes.length);
        rest.set(bytes.subarray(0, a[0]), 0);
        rest.set(bytes.subarray(a[1]), a[0]);
        rest.set(moved, bytes.length - moved.length);
        bytes = rest;
      }
      break;
    }
    case 'attribute': {
      const at = seed.pixelAttributes[int(seed.pixelAttributes.length)];
      if (at === undefined) break;
      const values = [0, 1, 2, 3, 7, 15, 17, 31, 33, 64, 0x7fff, 0xffff, int(0x10000)];
      new DataView(bytes.buffer).setUint16(at, values[int(values.length)]!, true);
      break;
    }
    case 'pixels': {
      // Corrupt the compressed/native stream: random bytes in a random run inside pixel data.
      const start = seed.pixelDataStart + int(Math.max(1, bytes.length - seed.pixelDataStart));
      const run = 1 + int(64);
      for (let i = start; i < Math.min(bytes.length, start + run); i++) bytes[i] = int(256);
      break;
    }
  }
  return { id, seed: seed.name, mutation, bytes };
}
