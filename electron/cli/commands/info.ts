/** `radsift info <file…>`: a JSON summary of each DICOM file (encoding, geometry, UIDs, window, errors). */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { summarizeFile } from '../../dicom/summary.js';
import { EXIT, UsageError, type Command } from '../command.js';

export const infoCommand: Command = {
  name: 'info',
  summary: 'describe DICOM files as JSON (transfer syntax, size, frames, UIDs, window, errors)',
  usage:
    'radsift info <file…> [--check-all-frames] [--header-only]\n' +
    '  Prints one JSON object per file (an array for several). By default frame 0 is decoded to find pixel errors.',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'check-all-frames': { type: 'boolean', default: false },
        'header-only': { type: 'boolean', default: false },
      },
    });
    if (positionals.length === 0) throw new UsageError('no file given');
    const frames = values['header-only'] ? 0 : values['check-all-frames'] ? Infinity : 1;
    const summaries = [];
    for (const file of positionals) summaries.push(await summarizeFile(path.resolve(io.cwd, file), frames));
    io.stdout(`${JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2)}\n`);
    return summaries.some((s) => s.errors.length > 0) ? EXIT.PARTIAL : EXIT.OK;
  },
};
