/** `radsift info <file…>`: a JSON summary of each DICOM file (encoding, geometry, UIDs, window, errors). */
import { summarizeFile } from '../../dicom/summary.js';
import { defineCommand, EXIT, UsageError } from '../command.js';
import { expandInputs, FILES_FROM_USAGE, INPUT_OPTIONS, readInputs } from '../session.js';

export const infoCommand = defineCommand({
  name: 'info',
  summary: 'describe DICOM files as JSON (transfer syntax, size, frames, UIDs, window, errors)',
  usage: `radsift info <files or folders…> [--files-from <list|->] [--check-all-frames] [--header-only]
  Prints one JSON object per file (an array for several). By default frame 0 is decoded to find pixel errors.
${FILES_FROM_USAGE}`,
  options: {
    ...INPUT_OPTIONS,
    'check-all-frames': { type: 'boolean', default: false },
    'header-only': { type: 'boolean', default: false },
  },
  async run({ values, positionals }, io) {
    if (positionals.length === 0 && !values['files-from']?.length) throw new UsageError('no file given');
    const frames = values['header-only'] ? 0 : values['check-all-frames'] ? Infinity : 1;
    const summaries = [];
    const inputs = await readInputs(positionals, values['files-from'], io);
    for await (const file of expandInputs(inputs)) summaries.push(await summarizeFile(file, frames));
    io.stdout(`${JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2)}\n`);
    return summaries.some((s) => s.errors.length > 0) ? EXIT.PARTIAL : EXIT.OK;
  },
});
