/**
 * Decode speed, RadSift vs the native tools, per transfer syntax:
 *   node dist/test/bench/decode.js [--repeats 3]
 * Prints JSON: per syntax, the median ms per frame of RadSift (in-process,
 * codecs warm) and of the reference tool (whole process: start, decode,
 * write — about 70 ms of that is fixed cost), and their ratio.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeFrame, openDicom, pixelModule } from '../../electron/dicom/image.js';
import { CORPUS } from '../support/paths.js';

interface Family {
  syntax: string;
  files: string[];
  /** Reference command for one input file, writing into `out`. */
  tool: (input: string, out: string) => [string, string[]];
}

const wg04 = (set: string, names: string[]) => names.map((n) => path.join(CORPUS, 'nema-wg04', set, `${n}_${set}`));
const dcmtk = (tool: string) => (input: string, out: string) =>
  [tool, [input, path.join(out, 'out.dcm')]] as [string, string[]];
const gdcm = (input: string, out: string) =>
  ['gdcmconv', ['--raw', input, path.join(out, 'out.dcm')]] as [string, string[]];

const FAMILIES: Family[] = [
  {
    syntax: '1.2.840.10008.1.2.4.50 JPEG baseline 8-bit',
    files: [
      path.join(CORPUS, 'cornerstone/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm'),
      path.join(CORPUS, 'cornerstone/TestPattern_JPEG-Baseline_YBRFull.dcm'),
    ],
    tool: dcmtk('dcmdjpeg'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.51 JPEG extended 12-bit',
    files: wg04('JPLY', ['MR2', 'RG2', 'SC1']),
    tool: dcmtk('dcmdjpeg'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.70 JPEG lossless',
    files: wg04('JPLL', ['MR2', 'RG2', 'SC1']),
    tool: dcmtk('dcmdjpeg'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.80 JPEG-LS lossless',
    files: wg04('JLSL', ['MR2', 'RG2', 'SC1']),
    tool: dcmtk('dcmdjpls'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.81 JPEG-LS near-lossless',
    files: wg04('JLSN', ['MR2', 'RG2', 'SC1']),
    tool: dcmtk('dcmdjpls'),
  },
  { syntax: '1.2.840.10008.1.2.4.90 JPEG 2000 lossless', files: wg04('J2KR', ['MR2', 'RG2', 'SC1']), tool: gdcm },
  { syntax: '1.2.840.10008.1.2.4.91 JPEG 2000', files: wg04('J2KI', ['MR2', 'RG2', 'SC1']), tool: gdcm },
  { syntax: '1.2.840.10008.1.2.5 RLE', files: wg04('RLE', ['MR2', 'RG2', 'SC1']), tool: dcmtk('dcmdrle') },
];

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' } } });
const repeats = Number(values.repeats);
const work = mkdtempSync(path.join(tmpdir(), 'radsift-bench-'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function radsiftMs(file: string): Promise<number> {
  const bytes = readFileSync(file);
  const dicom = openDicom(bytes);
  const frames = pixelModule(dicom).numberOfFrames;
  await decodeFrame(dicom, 0); // warm the codec
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    const file = openDicom(bytes);
    for (let f = 0; f < frames; f++) await decodeFrame(file, f);
    times.push((performance.now() - start) / frames);
  }
  return median(times);
}

function nativeMs(command: [string, string[]], frames: number): number {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    execFileSync(command[0], command[1], { stdio: 'ignore' });
    times.push((performance.now() - start) / frames);
  }
  return median(times);
}

/** HTJ2K has no corpus file: encode a WG04 REF image with OpenJPH and compare against opj_decompress on the codestream. */
async function htj2kFamily(): Promise<{ radsift: number; native: number }> {
  const require = createRequire(import.meta.url);
  const module = await (
    require('@cornerstonejs/codec-openjph/wasmjs') as (o: object) => Promise<{
      HTJ2KEncoder: new () => {
        getDecodedBuffer(i: object): Uint8Array;
        getEncodedBuffer(): Uint8Array;
        encode(): void;
        delete(): void;
      };
    }>
  )({ print: () => {}, printErr: () => {} });
  const refFile = openDicom(readFileSync(path.join(CORPUS, 'nema-wg04/REF/RG2_UNC')));
  const m = pixelModule(refFile);
  const ref = await decodeFrame(refFile);
  const encoder = new module.HTJ2KEncoder();
  const input = encoder.getDecodedBuffer({
    width: m.columns,
    height: m.rows,
    bitsPerSample: m.bitsStored,
    componentCount: 1,
    isSigned: false,
    isUsingColorTransform: false,
  });
  new Uint16Array(input.buffer, input.byteOffset, ref.stored.length).set(ref.stored as Uint16Array);
  encoder.encode();
  const codestream = encoder.getEncodedBuffer().slice();
  encoder.delete();
  const j2c = path.join(work, 'rg2.j2c');
  writeFileSync(j2c, codestream);
  const { buildDicom, imagePixel } = await import('../unit/dicom/builder.js');
  const dicomPath = path.join(work, 'rg2-htj2k.dcm');
  writeFileSync(
    dicomPath,
    buildDicom(
      {
        ...imagePixel({ rows: m.rows, columns: m.columns, bitsAllocated: 16, bitsStored: m.bitsStored }),
        x7fe00010: ['OB', { offsets: [], fragments: [codestream] }],
      },
      { transferSyntax: '1.2.840.10008.1.2.4.201' },
    ),
  );
  return {
    radsift: await radsiftMs(dicomPath),
    native: nativeMs(['opj_decompress', ['-i', j2c, '-o', path.join(work, 'rg2.rawl')]], 1),
  };
}

const results: Record<string, unknown> = {};
try {
  for (const family of FAMILIES) {
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const file of family.files) {
      const frames = pixelModule(openDicom(readFileSync(file))).numberOfFrames;
      ours.push(await radsiftMs(file));
      theirs.push(nativeMs(family.tool(file, work), frames));
    }
    const radsift = median(ours);
    const native = median(theirs);
    results[family.syntax] = {
      files: family.files.map((f) => path.basename(f)),
      radsiftMsPerFrame: round(radsift),
      nativeMsPerFrame: round(native),
      tool: family.tool('IN', 'OUT')[0],
      ratio: round(radsift / native, 2),
    };
  }
  const ht = await htj2kFamily();
  results['1.2.840.10008.1.2.4.201 HTJ2K lossless'] = {
    files: ['RG2_UNC (encoded here)'],
    radsiftMsPerFrame: round(ht.radsift),
    nativeMsPerFrame: round(ht.native),
    tool: 'opj_decompress',
    ratio: round(ht.radsift / ht.native, 2),
  };
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(
  `${JSON.stringify({ note: 'median ms per frame; native figures include process start-up and file output', results }, null, 2)}\n`,
);

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}
