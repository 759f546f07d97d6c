import { encodeFiles } from '../../screening/pipeline.js';
import { encodeNpy } from '../../util/npy.js';
import { defineCommand, EXIT, UsageError } from '../command.js';
import { writeOutput } from '../aside-files.js';
import { reportSkipped } from '../folder-scores.js';
import { SkippedFiles } from '../skipped-files.js';
import { batchOption, outputOption, phraseOption } from '../options.js';
import {
  expandInputs,
  FILES_FROM_USAGE,
  INPUT_OPTIONS,
  MODEL_OPTIONS,
  openSession,
  progressLine,
  readInputs,
} from '../session.js';

export const embedCommand = defineCommand({
  name: 'embed',
  summary: 'embed images (files or folders) or texts with the model, as .npy',
  json: 'always',
  usage: `radsift embed <files or folders…> [--files-from <list|->] --out emb.npy [--batch N] [--model id] [--model-dir <folder>]
radsift embed --text "pleural effusion" [--text "…"]… --out emb.npy

Writes float32 [N, D] L2-normalised embeddings; prints a JSON summary with the
row order (paths or texts), every input that failed, with its reason, and the
files skipped because they are not DICOM. Exit 2 when some inputs failed.
--batch N encodes N images at a time (1–256, default 16).
A text longer than the model's context is cut to it, as its tokenizer does
(the summary says which).
${FILES_FROM_USAGE}`,
  options: {
    ...MODEL_OPTIONS,
    ...INPUT_OPTIONS,
    out: { type: 'string' },
    text: { type: 'string', multiple: true },
    batch: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    if (!values.out) throw new UsageError('--out <file.npy> is required');
    // Each one a phrase, as everywhere else: an empty --text embedded nothing meaningful, silently.
    const texts = (values.text ?? []).map(phraseOption);
    const fromLists = values['files-from'] ?? [];
    if (texts.length && (positionals.length || fromLists.length))
      throw new UsageError('give either image inputs or --text, not both');
    if (!texts.length && !positionals.length && !fromLists.length) throw new UsageError('nothing to embed');
    const inputs = texts.length ? [] : await readInputs(positionals, fromLists, io);
    const out = await outputOption('--out', values.out, io.cwd);
    // NumPy's format only: a name that says .csv or .json would hold bytes no reader of those expects.
    if (!/\.npy$/i.test(values.out))
      throw new UsageError('--out must end in .npy (embeddings are written as NumPy arrays)');
    const batchSize = batchOption(values.batch);
    const session = await openSession(values, io);
    try {
      const model = { id: session.loaded.model.id, version: session.loaded.model.version };
      if (texts.length) {
        const e = await session.models.encoder.encodeTexts(texts);
        await writeOutput(out, encodeNpy(e.data, [e.count, e.dim]));
        for (const i of e.truncated)
          io.stderr(`text ${i + 1} (${texts[i]!.length} characters) was cut to the model's context\n`);
        const rows = texts.map((t) => (t.length > 200 ? `${t.slice(0, 200)}…` : t));
        io.stdout(
          `${JSON.stringify({ out, model, kind: 'text', count: e.count, dim: e.dim, rows, truncated: e.truncated }, null, 2)}\n`,
        );
        return EXIT.OK;
      }
      const rows: string[] = [];
      const vectors: Float32Array[] = [];
      const failed: { path: string; code: string; reason: string }[] = [];
      const skipped = new SkippedFiles();
      const progress = progressLine(io);
      const files = expandInputs(inputs, (folder, error) =>
        failed.push({ path: folder, code: error.code, reason: error.message }),
      );
      for await (const r of encodeFiles(files, session.pool, session.models.encoder, { batchSize })) {
        if (r.embedding) {
          rows.push(r.path);
          vectors.push(r.embedding);
        } else if (r.notDicom) skipped.add(r.path, r.error);
        else failed.push({ path: r.path, code: r.error!.code, reason: r.error!.message });
        progress(`embedded ${rows.length}, failed ${failed.length}, not DICOM ${skipped.count}`);
      }
      progress.done();
      reportSkipped(skipped, io);
      const dim = vectors[0]?.length ?? 0;
      const data = new Float32Array(rows.length * dim);
      vectors.forEach((v, i) => data.set(v, i * dim));
      await writeOutput(out, encodeNpy(data, [rows.length, dim]));
      io.stdout(
        `${JSON.stringify({ out, model, kind: 'image', count: rows.length, dim, rows, failed, skipped: skipped.paths }, null, 2)}\n`,
      );
      return failed.length ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await session.close();
    }
  },
});
