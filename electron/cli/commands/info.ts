/** `radsift info <file…>`: a JSON summary of each DICOM file (encoding, geometry, UIDs, window, errors). */
import { isNotDicomFile } from '../../dicom/errors.js';
import { summarizeFile } from '../../dicom/summary.js';
import { defineCommand, EXIT, UsageError } from '../command.js';
import { SkippedFiles } from '../skipped-files.js';
import { expandInputs, FILES_FROM_USAGE, INPUT_OPTIONS, progressLine, readInputs } from '../session.js';

export const infoCommand = defineCommand({
  name: 'info',
  summary: 'describe DICOM files as JSON (transfer syntax, size, frames, UIDs, window, errors)',
  json: 'always',
  usage: `radsift info <files or folders…> [--files-from <list|->] [--check-all-frames] [--header-only]
  Prints one JSON object per file (an array for several). By default frame 0 is decoded to find pixel errors.
  Files in a folder that are not DICOM at all (masks, tables, notes), DICOMDIRs and DICOM objects that hold no
  image (reports, presentation states, key objects…) are skipped and counted on stderr, not listed in the JSON
  (the summaries alone); named, they are described, with the reason (NOT_DICOM, NOT_AN_IMAGE), never a failure. Exit 2 when a DICOM image has errors. Progress on
  stderr for more than one file.
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
    const named = new Set(inputs);
    // A file that is not DICOM at all (a mask, a table, notes), a DICOMDIR or a DICOM object that holds no image
    // (a report, a presentation state: NOT_AN_IMAGE): skipped when a folder walk met it, described when named;
    // never a failure (exit 2), as everywhere in the CLI.
    const notDicom = (s: Awaited<ReturnType<typeof summarizeFile>>) =>
      s.errors.length > 0 && s.errors.every((e) => isNotDicomFile(s.file, e.code));
    const skipped = new SkippedFiles();
    const files = expandInputs(inputs, (folder, error) =>
      summaries.push({ file: folder, warnings: [], errors: [{ code: error.code, message: error.message }] }),
    );
    // A folder of full-size radiographs takes minutes (frame 0 is decoded) and the JSON comes at the end: say how
    // far it is from the second file on (one file needs no progress line).
    const progress = progressLine(io);
    let met = 0;
    let withErrors = 0;
    for await (const file of files) {
      const summary = await summarizeFile(file, frames);
      if (!named.has(file) && notDicom(summary)) skipped.add(file, summary.errors[0]);
      else {
        summaries.push(summary);
        if (summary.errors.length && !notDicom(summary)) withErrors++;
      }
      if (++met > 1) progress(`read ${met} files · ${withErrors} with errors · ${skipped.count} skipped`);
    }
    progress.done();
    if (skipped.count) io.stderr(`${skipped.line()}\n`);
    io.stdout(`${JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2)}\n`);
    return summaries.some((s) => s.errors.length > 0 && !notDicom(s)) ? EXIT.PARTIAL : EXIT.OK;
  },
});
