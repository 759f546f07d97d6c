/**
 * Decode speed, RadSift vs native decoders, per transfer syntax (manual only: never in `npm test` or CI):
 *   npm run bench:decode [-- --repeats 15 --min-ms 1500 --warmup 3 --chunks 5 --process-repeats 5 --only 12-bit]
 * (`--only <substring>`: just the families whose syntax name contains it, case-insensitive; repeatable)
 *
 * Two comparisons per frame, both median ms per frame:
 * - in process: RadSift's codec call (`codec.decode` from the registry, exactly what decodeFrame calls)
 *   on the frame's codestream bytes already in memory, warm, against a native library decoding the same
 *   bytes from memory in a small C++ program (test/bench/native/, built here against Debian's -dev
 *   packages: CharLS, OpenJPEG, OpenJPH, libjpeg-turbo, dcmtk). Both sides time each decode call alone
 *   (performance.now / clock_gettime MONOTONIC), after untimed warm-up calls, over the same number of
 *   repeats (at least --repeats, more for small frames: about --min-ms of RadSift decoding), in
 *   alternating chunks so that load on the shared machine falls on both. The last decoded samples of
 *   both sides are compared (lossless: identical; lossy: within ±1).
 * - whole process: RadSift's openDicom + decodeFrame (parse, frame extraction, codec, stored values)
 *   against the native command-line tool (process start, parse, decode, file output: ~70 ms fixed cost).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { codecFor } from '../../electron/dicom/codecs/registry.js';
import type { CodecOutput, FrameContext } from '../../electron/dicom/codecs/types.js';
import { readFrame } from '../../electron/dicom/frames.js';
import { decodeFrame, openDicom, pixelModule } from '../../electron/dicom/image.js';
import { CORPUS, PROJECT_ROOT } from '../support/paths.js';

/** Reference decoders of test/bench/native/decode-native.cc. */
type NativeCodec = 'turbojpeg' | 'dcmtk-ijg12' | 'dcmtk-ijg16' | 'charls' | 'openjpeg' | 'openjph' | 'dcmtk-rle';

interface Family {
  syntax: string;
  files: string[];
  native: NativeCodec;
  /** Whether the native samples may differ by ±1 (lossy data decoded with different arithmetic). */
  lossy: boolean;
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
    native: 'turbojpeg',
    lossy: true,
    tool: dcmtk('dcmdjpeg'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.51 JPEG extended 12-bit',
    files: wg04('JPLY', ['MR2', 'RG2', 'SC1']),
    native: 'dcmtk-ijg12',
    lossy: false, // RadSift's decoder uses libjpeg's islow IDCT: equal to dcmtk's, so a drift shows
    tool: dcmtk('dcmdjpeg'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.70 JPEG lossless',
    files: wg04('JPLL', ['MR2', 'RG2', 'SC1']),
    native: 'dcmtk-ijg16',
    lossy: false,
    tool: dcmtk('dcmdjpeg'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.80 JPEG-LS lossless',
    files: wg04('JLSL', ['MR2', 'RG2', 'SC1']),
    native: 'charls',
    lossy: false,
    tool: dcmtk('dcmdjpls'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.81 JPEG-LS near-lossless',
    files: wg04('JLSN', ['MR2', 'RG2', 'SC1']),
    native: 'charls',
    lossy: false, // near-lossless is deterministic: the same codestream gives the same samples
    tool: dcmtk('dcmdjpls'),
  },
  {
    syntax: '1.2.840.10008.1.2.4.90 JPEG 2000 lossless',
    files: wg04('J2KR', ['MR2', 'RG2', 'SC1']),
    native: 'openjpeg',
    lossy: false,
    tool: gdcm,
  },
  {
    syntax: '1.2.840.10008.1.2.4.91 JPEG 2000',
    files: wg04('J2KI', ['MR2', 'RG2', 'SC1']),
    native: 'openjpeg',
    lossy: true,
    tool: gdcm,
  },
  {
    syntax: '1.2.840.10008.1.2.5 RLE',
    files: wg04('RLE', ['MR2', 'RG2', 'SC1']),
    native: 'dcmtk-rle',
    lossy: false,
    tool: dcmtk('dcmdrle'),
  },
];

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '15' },
    'min-ms': { type: 'string', default: '1500' },
    warmup: { type: 'string', default: '3' },
    chunks: { type: 'string', default: '5' },
    'process-repeats': { type: 'string', default: '5' },
    only: { type: 'string', multiple: true },
  },
});
const only = (values.only ?? []).map((s) => s.toLowerCase());
const wanted = (syntax: string) => only.length === 0 || only.some((s) => syntax.toLowerCase().includes(s));
const HTJ2K_SYNTAX = '1.2.840.10008.1.2.4.201 HTJ2K lossless';
const repeats = Number(values.repeats);
const warmup = Number(values.warmup);
const minMs = Number(values['min-ms']);
const maxRepeats = 400;
const chunkCount = Math.max(1, Number(values.chunks));
const processRepeats = Number(values['process-repeats']);
const work = mkdtempSync(path.join(tmpdir(), 'radsift-bench-'));

const nativeDir = path.join(PROJECT_ROOT, 'dist', 'bench-native');
execFileSync('bash', [path.join(PROJECT_ROOT, 'test/bench/native/build.sh'), nativeDir], { stdio: 'inherit' });
const nativeBinary = path.join(nativeDir, 'decode-native');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface NativeRun {
  library: string;
  width: number;
  height: number;
  components: number;
  bytesPerSample: number;
  timesMs: number[];
}

interface FileResult {
  file: string;
  /** Timed calls per side. */
  repeats: number;
  radsiftMs: number;
  nativeInProcessMs: number;
  ratioInProcess: number;
  radsiftFileMs: number;
  nativeProcessMs: number;
  ratioProcess: number;
  library: string;
  pixels: Equality;
}

interface Equality {
  ok: boolean;
  samples: number;
  differing: number;
  maxAbsDiff: number;
}

/** RadSift's codec call and the native decoder on the same frame bytes, in alternating chunks. */
async function inProcess(
  family: Family,
  frame: Uint8Array,
  context: FrameContext,
  name: string,
): Promise<{ radsift: number[]; native: NativeRun; output: CodecOutput; nativeBytes: Buffer }> {
  const codec = await codecFor(context.transferSyntaxUID);
  const input = path.join(work, `${name}.frame`);
  const raw = path.join(work, `${name}.raw`);
  writeFileSync(input, frame);
  const { module } = context;
  const nativeArgs = (n: number) => [
    family.native,
    input,
    raw,
    String(n),
    String(warmup),
    String(module.rows),
    String(module.columns),
    String(module.samplesPerPixel),
    String(module.bitsAllocated),
    String(module.pixelRepresentation),
    module.photometric.startsWith('YBR') ? '1' : '0',
  ];
  let output = codec.decode(frame, context);
  let estimate = Infinity;
  for (let i = 1; i < warmup; i++) {
    const start = performance.now();
    output = codec.decode(frame, context);
    estimate = Math.min(estimate, performance.now() - start);
  }
  const total = Math.min(maxRepeats, Math.max(repeats, Math.ceil(minMs / estimate)));
  const chunks = Math.min(chunkCount, total);
  const radsift: number[] = [];
  let native: NativeRun | undefined;
  for (let c = 0; c < chunks; c++) {
    const n = Math.floor((total * (c + 1)) / chunks) - Math.floor((total * c) / chunks);
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      output = codec.decode(frame, context);
      radsift.push(performance.now() - start);
    }
    const run = JSON.parse(execFileSync(nativeBinary, nativeArgs(n), { encoding: 'utf8' })) as NativeRun;
    native = native ? { ...run, timesMs: [...native.timesMs, ...run.timesMs] } : run;
  }
  return { radsift, native: native!, output, nativeBytes: readFileSync(raw) };
}

/** Compares RadSift's codec samples with the native decoder's (read with RadSift's array type). */
function compare(ours: CodecOutput['pixels'], theirs: Buffer, run: NativeRun, lossy: boolean): Equality {
  const bytes = new Uint8Array(theirs.buffer, theirs.byteOffset, theirs.byteLength).slice();
  const count = bytes.length / run.bytesPerSample;
  const signed = ours instanceof Int8Array || ours instanceof Int16Array || ours instanceof Int32Array;
  const native =
    run.bytesPerSample === 1
      ? signed
        ? new Int8Array(bytes.buffer)
        : bytes
      : signed
        ? new Int16Array(bytes.buffer, 0, count)
        : new Uint16Array(bytes.buffer, 0, count);
  if (native.length !== ours.length) return { ok: false, samples: ours.length, differing: -1, maxAbsDiff: -1 };
  let differing = 0;
  let maxAbsDiff = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i]! - native[i]!);
    if (d !== 0) {
      differing++;
      if (d > maxAbsDiff) maxAbsDiff = d;
    }
  }
  return { ok: lossy ? maxAbsDiff <= 1 : differing === 0, samples: ours.length, differing, maxAbsDiff };
}

/** What the old bench measured: a fresh parse and decodeFrame (codec + stored values) per repeat. */
async function radsiftFileMs(file: string): Promise<number> {
  const bytes = readFileSync(file);
  const frames = pixelModule(openDicom(bytes)).numberOfFrames;
  await decodeFrame(openDicom(bytes), 0);
  const times: number[] = [];
  for (let r = 0; r < processRepeats; r++) {
    const start = performance.now();
    const dicom = openDicom(bytes);
    for (let f = 0; f < frames; f++) await decodeFrame(dicom, f);
    times.push((performance.now() - start) / frames);
  }
  return median(times);
}

function nativeProcessMs(command: [string, string[]], frames: number): number {
  const times: number[] = [];
  for (let r = 0; r < processRepeats; r++) {
    const start = performance.now();
    execFileSync(command[0], command[1], { stdio: 'ignore' });
    times.push((performance.now() - start) / frames);
  }
  return median(times);
}

async function measureFile(family: Family, file: string, label = path.basename(file)): Promise<FileResult> {
  const dicom = openDicom(readFileSync(file));
  const module = pixelModule(dicom);
  const transferSyntaxUID = dicom.transferSyntaxUID;
  const frame = readFrame({ reader: dicom.reader, module, transferSyntaxUID }, 0);
  const run = await inProcess(family, frame, { module, transferSyntaxUID }, label.replace(/[^\w.-]/g, '_'));
  const radsift = median(run.radsift);
  const native = median(run.native.timesMs);
  const whole = await radsiftFileMs(file);
  const processMs = nativeProcessMs(family.tool(file, work), module.numberOfFrames);
  const pixels = compare(run.output.pixels, run.nativeBytes, run.native, family.lossy);
  if (!pixels.ok) {
    process.exitCode = 1;
    console.error(`bench:decode: ${label}: ${run.native.library} gives different samples (${JSON.stringify(pixels)})`);
  }
  return {
    file: label,
    repeats: run.radsift.length,
    radsiftMs: round(radsift, 2),
    nativeInProcessMs: round(native, 2),
    ratioInProcess: round(radsift / native, 2),
    radsiftFileMs: round(whole),
    nativeProcessMs: round(processMs),
    ratioProcess: round(whole / processMs, 2),
    library: run.native.library,
    pixels,
  };
}

function summarize(family: Family, files: FileResult[], tool: string): Record<string, unknown> {
  const pixels = files.every((f) => f.pixels.ok)
    ? files.every((f) => f.pixels.differing === 0)
      ? 'identical'
      : `within ±1 (${files.map((f) => `${f.file}: ${f.pixels.differing} of ${f.pixels.samples}`).join(', ')} differ by 1)`
    : `DIFFERENT: ${files
        .filter((f) => !f.pixels.ok)
        .map((f) => `${f.file} (${f.pixels.differing} differ, max ${f.pixels.maxAbsDiff})`)
        .join(', ')}`;
  return {
    radsiftMs: round(median(files.map((f) => f.radsiftMs)), 2),
    nativeInProcessMs: round(median(files.map((f) => f.nativeInProcessMs)), 2),
    nativeLibrary: files[0]!.library,
    ratioInProcess: round(median(files.map((f) => f.ratioInProcess)), 2),
    nativeProcessMs: round(median(files.map((f) => f.nativeProcessMs))),
    nativeTool: tool,
    ratioProcess: round(median(files.map((f) => f.ratioProcess)), 2),
    samePixels: pixels,
    lossy: family.lossy,
    files: files.map(({ library: _library, pixels: _pixels, ...rest }) => rest),
  };
}

/** HTJ2K has no corpus file: a WG04 REF image encoded here with OpenJPH (lossless), in a DICOM file and as a raw codestream. */
async function htj2kFamily(): Promise<Record<string, unknown>> {
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
  const family: Family = {
    syntax: HTJ2K_SYNTAX,
    files: [dicomPath],
    native: 'openjph',
    lossy: false,
    tool: () => ['opj_decompress', ['-i', j2c, '-o', path.join(work, 'rg2.rawl')]],
  };
  const result = await measureFile(family, dicomPath, 'RG2_UNC (encoded here)');
  return summarize(family, [result], 'opj_decompress');
}

const load = [loadavg()[0]!];
const results: Record<string, unknown> = {};
try {
  for (const family of FAMILIES.filter((f) => wanted(f.syntax))) {
    const files: FileResult[] = [];
    for (const file of family.files) files.push(await measureFile(family, file));
    results[family.syntax] = summarize(family, files, family.tool('IN', 'OUT')[0]);
    process.stderr.write(`bench:decode: ${family.syntax} done\n`);
  }
  if (wanted(HTJ2K_SYNTAX)) results[HTJ2K_SYNTAX] = await htj2kFamily();
} finally {
  rmSync(work, { recursive: true, force: true });
}
load.push(loadavg()[0]!);
process.stdout.write(
  `${JSON.stringify(
    {
      note:
        'median ms per frame. In process: RadSift = the codec call only (registry codec.decode on the frame bytes: ' +
        'header read, copy into the WASM heap, decode, copy out; not frame extraction or stored-value masking), ' +
        'native = the library decoding the same bytes from memory into a fresh buffer (test/bench/native), one thread, ' +
        `both warm (${warmup} untimed calls), the same number of timed calls each (repeats: at least ${repeats}, ` +
        `more for small frames, up to ${maxRepeats}) in up to ${chunkCount} alternating chunks. ` +
        'Whole process: RadSift openDicom + decodeFrame vs the command-line tool (process start, parse, decode, ' +
        'file output). Family figures are medians over the files; ratios are medians of the per-file ratios.',
      machine: {
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        node: process.version,
        loadAverageStartEnd: load.map((x) => round(x, 2)),
      },
      results,
    },
    null,
    2,
  )}\n`,
);

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}
