import path from 'node:path';
import { rankScans } from '../../scoring/rank.js';
import { regionPhrases } from '../../scoring/region-score.js';
import { DEFAULT_PROBABILITY_THRESHOLD } from '../../scoring/threshold.js';
import { defineCommand, EXIT, UsageError } from '../command.js';
import { familiarityWarnings, integerOption, phraseOption, thresholdOption } from '../options.js';
import { reportFailed, scoreFolder } from '../folder-scores.js';
import { scoreIndex } from '../index-scores.js';
import { FILES_FROM_USAGE, INPUT_OPTIONS, MODEL_OPTIONS, openSession, readInputs } from '../session.js';

export const queryCommand = defineCommand({
  name: 'query',
  summary: 'rank the scans in a folder by a report phrase (zero-shot)',
  json: 'option',
  usage: `radsift query <folder or files…> [--files-from <list|->] "<phrase>" [--top K] [--threshold P] [--json]
       [--model id] [--model-dir <folder>]
radsift query --index <dir> "<phrase>" […]   (the scans of an index built by radsift screen; nothing is re-encoded)

Ranks scans by the zero-shot probability that the phrase, rather than its
negation ("no <phrase>"), describes them; ties by similarity. A scan matches
when its probability reaches the threshold (default ${DEFAULT_PROBABILITY_THRESHOLD}); when none does, it says so.
For a model that weighs each scan's best region (docs/region-scores.md), --index
reads the region margins radsift screen kept for the phrase; scans screened
without the phrase are scored by the whole image alone, and it says how many.
Files that are not DICOM are skipped and counted (--json lists them); exit 2
only when a DICOM file could not be read.
${FILES_FROM_USAGE}`,
  options: {
    ...MODEL_OPTIONS,
    ...INPUT_OPTIONS,
    top: { type: 'string' },
    threshold: { type: 'string' },
    json: { type: 'boolean' },
    index: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    const lists = values['files-from'];
    if (positionals.length < (values.index || lists?.length ? 1 : 2))
      throw new UsageError('give a folder (or files, --files-from <list> or --index <dir>) and a phrase');
    if (values.index && (positionals.length > 1 || lists?.length))
      throw new UsageError('--index ranks every scan of the index: give the phrase alone, no folder or files');
    const phrase = phraseOption(positionals.at(-1)!);
    const inputs = values.index ? [] : await readInputs(positionals.slice(0, -1), lists, io);
    const top = integerOption(values.top, '--top', 1) ?? 20; // `--top=` is no 20
    const threshold = thresholdOption(values.threshold);
    const session = await openSession(values, io);
    try {
      const s = values.index
        ? await scoreIndex(session, path.resolve(io.cwd, values.index), [phrase])
        : await scoreFolder(session, inputs, [phrase], io);
      const all = rankScans(
        s.paths.map((p, i) => ({ path: p, similarity: s.similarity[i]!, probability: s.probability[i]! })),
        { probabilityAtLeast: threshold },
      );
      const ranked = all.slice(0, top).map((r, i) => ({ rank: i + 1, ...r }));
      const matches = all.filter((r) => r.match).length;
      const familiarity = await session.models.checkPhrases([phrase]);
      // From an index: the scans no screening run kept this phrase's region margin for (whole image alone).
      const wholeImageOnly =
        values.index && regionPhrases(session.loaded.model, s.vectors).length
          ? s.regions.filter((r) => !r || Number.isNaN(r[0]!)).length
          : 0;
      if (values.json) {
        io.stdout(
          `${JSON.stringify({ phrase: s.phrases[0], model: session.loaded.model.id, threshold, familiarity: familiarity[0], scans: s.paths.length, matches, ...(values.index ? { wholeImageOnly } : {}), results: ranked, failed: s.failed, skipped: s.skipped }, null, 2)}\n`,
        );
      } else {
        io.stdout(familiarityWarnings(familiarity));
        if (wholeImageOnly)
          io.stdout(
            `${wholeImageOnly} of ${s.paths.length} scans were screened without "${s.phrases[0]}": scored by the whole image alone, not its best region (run radsift screen with the phrase to weigh it)\n`,
          );
        if (!s.paths.length) {
          // Nothing was scored: no "closest ones" to follow, and no table.
          io.stdout(
            `"${s.phrases[0]}": no scan to rank: the inputs hold no DICOM file that could be read${s.skippedLine ? ` (${s.skippedLine})` : ''}\n`,
          );
          reportFailed(s.failed, io);
          return s.failed.length ? EXIT.PARTIAL : EXIT.OK;
        }
        io.stdout(`"${s.phrases[0]}": ${matches} of ${s.paths.length} scans match (p ≥ ${threshold})\n`);
        if (!matches) io.stdout('No scan matches; the closest ones follow.\n');
        io.stdout('rank  prob   sim     path\n');
        for (const r of ranked)
          io.stdout(
            `${String(r.rank).padStart(4)}  ${r.probability.toFixed(3)}  ${r.similarity.toFixed(4)}  ${path.relative(io.cwd, r.path)}${r.match ? '' : '  (below threshold)'}\n`,
          );
        reportFailed(s.failed, io);
      }
      return s.failed.length ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await session.close();
    }
  },
});
