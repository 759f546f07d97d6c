/** `radsift decode <file> --out <path.npy|path.png>`: writes one frame as stored values, modality values or the display image. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { PixelArray } from '../../util/typed-arrays.js';
import { runDecodeJob } from '../../screening/decode-job.js';
import { DicomError } from '../../dicom/errors.js';
import { encodeNpy, type NpyArray } from '../../util/npy.js';
import { encodePng } from '../../util/png.js';
import { CommandFailure, defineCommand, EXIT, UsageError } from '../command.js';
import { writeOutput } from '../aside-files.js';
import { integerOption, outputOption } from '../options.js';
import { readInputs } from '../session.js';

type Values = 'stored' | 'modality' | 'display';

export const decodeCommand = defineCommand({
  name: 'decode',
  summary: 'decode one frame to .npy (stored, modality or display values) or .png',
  json: 'always',
  usage:
    'radsift decode <file> --out <path.npy|path.png> [--frame N] [--values stored|modality|display] [--window C,W]\n' +
    '  --frame     0-based frame index (default 0)\n' +
    '  --values    stored: the stored pixel values (integer dtype of the file); modality: float32 after\n' +
    '              Rescale/Modality LUT; display: 8-bit windowed image (RGB stays RGB).\n' +
    '              Default: stored for .npy, display for .png (16-bit grey PNG for unsigned stored values).\n' +
    "  --window    window centre,width for display (default: the file's, else the value range)",
  options: {
    out: { type: 'string' },
    frame: { type: 'string', default: '0' },
    values: { type: 'string' },
    window: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    const [input] = positionals;
    if (!input || positionals.length > 1) throw new UsageError('give exactly one input file');
    if (!values.out) throw new UsageError('--out is required');
    const format = path.extname(values.out).toLowerCase();
    if (format !== '.npy' && format !== '.png') throw new UsageError('--out must end in .npy or .png');
    // Named on the command line, as every command's inputs are (readInputs): one that is not there is a typo, a
    // usage error before any work (exit 1), not a file that failed to decode (exit 2).
    const [file] = await readInputs([input], undefined, io);
    if ((await stat(file!).catch(() => null))?.isDirectory())
      throw new UsageError(`${input} is a folder: give one file`);
    // Its folder checked before the decoding, as every command's output is: not a fatal error after the work.
    const out = await outputOption('--out', values.out, io.cwd);
    // Digits only (integerOption): Number() read `--frame=` as frame 0 and "0x1" as frame 1.
    const frame = integerOption(values.frame, '--frame', 0)!;
    const kind = (values.values ?? (format === '.npy' ? 'stored' : 'display')) as Values;
    if (!['stored', 'modality', 'display'].includes(kind))
      throw new UsageError('--values must be stored, modality or display');
    if (kind === 'modality' && format === '.png')
      throw new UsageError('modality values are floats: write them to .npy');
    const window = values.window === undefined ? undefined : parseWindow(values.window);

    try {
      const result = await runDecodeJob({
        path: file!,
        frame,
        outputs: [kind],
        ...(window ? { display: { window } } : {}),
      });
      const channels = kind === 'display' ? result.display!.channels : result.samplesPerPixel;
      const shape = channels === 1 ? [result.rows, result.columns] : [result.rows, result.columns, channels];
      let data: PixelArray | Uint8Array;
      if (kind === 'stored') data = result.stored!;
      else if (kind === 'display') data = result.display!.data;
      else if (result.modality) data = result.modality;
      else throw new UsageError('modality values exist for monochrome images only');
      const bytes =
        format === '.npy' ? encodeNpy(data as NpyArray, shape) : toPng(data, result.rows, result.columns, channels);
      await writeOutput(out, bytes);
      io.stdout(`${JSON.stringify({ out, frame, values: kind, dtype: data.constructor.name, shape })}\n`);
      return EXIT.OK;
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
      // A frame the file does not have: the option is wrong for this file, not the file broken.
      if (error.code === 'FRAME_OUT_OF_RANGE') throw new UsageError(`--frame: ${error.message}`, { showUsage: false });
      // The one input failed (exit 2: finished, an input failed, with its reason), as `info` says of the same file;
      // exit 3 is for a run that could do nothing useful whatever its inputs (a full disk while writing).
      throw new CommandFailure(error.code, `${path.basename(input)}: ${error.code}: ${error.message}`, EXIT.PARTIAL);
    }
  },
});

function parseWindow(text: string): { center: number; width: number } {
  // Two numbers, each written: Number('') is 0, so ",400" quietly meant centre 0 and "40,400,9" was taken too.
  const parts = text.split(',');
  const [center, width] = parts.map((p) => (p.trim() ? Number(p) : NaN));
  if (parts.length !== 2 || !Number.isFinite(center) || !Number.isFinite(width) || width! <= 0) {
    throw new UsageError('--window takes centre,width with a positive width, e.g. 40,400');
  }
  return { center: center!, width: width! };
}

function toPng(data: PixelArray | Uint8Array, height: number, width: number, channels: number): Buffer {
  if (data instanceof Uint8Array)
    return encodePng({ width, height, color: channels === 3 ? 'rgb' : 'gray', bitDepth: 8, data });
  if (data instanceof Uint16Array && channels === 1)
    return encodePng({ width, height, color: 'gray', bitDepth: 16, data });
  throw new UsageError(`a PNG cannot hold ${data.constructor.name} stored values: use .npy or --values display`);
}
