import { defineCommand, EXIT, UsageError } from '../command.js';
import { writeOutput } from '../aside-files.js';
import { familiarityWarnings, outputOption, phrasesOption } from '../options.js';
import { csvCell, reportFailed, scoreFolder } from '../folder-scores.js';
import { FILES_FROM_USAGE, INPUT_OPTIONS, MODEL_OPTIONS, openSession, readInputs } from '../session.js';

export const matrixCommand = defineCommand({
  name: 'matrix',
  summary: 'scans × phrases: similarity and zero-shot probability, as CSV',
  usage: `radsift matrix <folder or files…> [--files-from <list|->] --phrases "a,b,c" --out matrix.csv
       [--model id] [--model-dir <folder>]

One row per scan: path, then "<phrase> similarity" and "<phrase> probability"
for each phrase. DICOM files that could not be encoded are listed on stderr
(exit 2); files that are not DICOM are skipped and counted.
${FILES_FROM_USAGE}`,
  options: { ...MODEL_OPTIONS, ...INPUT_OPTIONS, phrases: { type: 'string' }, out: { type: 'string' } },
  async run({ values, positionals }, io) {
    const phrases = phrasesOption(values.phrases);
    if (!phrases.length) throw new UsageError('--phrases "a,b,c" is required');
    if (!values.out) throw new UsageError('--out <file.csv> is required');
    // The matrix is written as CSV: a name that says otherwise would mislead whoever opens it.
    if (!/\.csv$/i.test(values.out)) throw new UsageError('--out must end in .csv (the matrix is written as CSV)');
    if (!positionals.length && !values['files-from']?.length) throw new UsageError('give a folder or files');
    const inputs = await readInputs(positionals, values['files-from'], io);
    const out = await outputOption('--out', values.out, io.cwd);
    const session = await openSession(values, io);
    try {
      const s = await scoreFolder(session, inputs, phrases, io);
      const m = s.phrases.length;
      const header = ['path', ...s.phrases.flatMap((p) => [`${p} similarity`, `${p} probability`])];
      const lines = [header.map(csvCell).join(',')];
      s.paths.forEach((p, i) => {
        const cells: (string | number)[] = [p];
        for (let j = 0; j < m; j++)
          cells.push(s.similarity[i * m + j]!.toFixed(6), s.probability[i * m + j]!.toFixed(6));
        lines.push(cells.map(csvCell).join(','));
      });
      await writeOutput(out, `${lines.join('\n')}\n`);
      reportFailed(s.failed, io);
      io.stderr(familiarityWarnings(await session.models.checkPhrases(phrases)));
      io.stderr(`wrote ${s.paths.length} rows × ${m} phrases to ${out}\n`);
      return s.failed.length ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await session.close();
    }
  },
});
