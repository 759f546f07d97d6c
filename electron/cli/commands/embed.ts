import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodeFiles } from '../../screening/pipeline.js';
import { encodeNpy } from '../../util/npy.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { expandInputs, MODEL_OPTIONS, openSession, progressLine } from '../session.js';

export const embedCommand: Command = {
  name: 'embed',
  summary: 'embed images (files or folders) or texts with the model, as .npy',
  usage: `radsift embed <files or folders…> --out emb.npy [--model id] [--model-dir <folder>]
radsift embed --text "pleural effusion" [--text "…"]… --out emb.npy

Writes float32 [N, D] L2-normalised embeddings; prints a JSON summary with the
row order (paths or texts) and every input that failed, with its reason.
Exit 2 when some inputs failed.`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...MODEL_OPTIONS,
        out: { type: 'string' },
        text: { type: 'string', multiple: true },
        batch: { type: 'string' },
      },
    });
    if (!values.out) throw new UsageError('--out <file.npy> is required');
    const texts = values.text ?? [];
    if (texts.length && positionals.length) throw new UsageError('give either image inputs or --text, not both');
    if (!texts.length && !positionals.length) throw new UsageError('nothing to embed');
    const out = path.resolve(io.cwd, values.out);
    const session = await openSession(values, io);
    try {
      const model = { id: session.loaded.model.id, version: session.loaded.model.version };
      if (texts.length) {
        const e = await session.models.encoder.encodeTexts(texts);
        await writeFile(out, encodeNpy(e.data, [e.count, e.dim]));
        io.stdout(
          `${JSON.stringify({ out, model, kind: 'text', count: e.count, dim: e.dim, rows: texts }, null, 2)}\n`,
        );
        return EXIT.OK;
      }
      const rows: string[] = [];
      const vectors: Float32Array[] = [];
      const failed: { path: string; code: string; reason: string }[] = [];
      const progress = progressLine(io);
      const batchSize = values.batch ? Number(values.batch) : 16;
      for await (const r of encodeFiles(expandInputs(positionals, io.cwd), session.pool, session.models.encoder, {
        batchSize,
      })) {
        if (r.embedding) {
          rows.push(r.path);
          vectors.push(r.embedding);
        } else failed.push({ path: r.path, code: r.error!.code, reason: r.error!.message });
        progress(`embedded ${rows.length}, failed ${failed.length}`);
      }
      io.stderr('\n');
      const dim = vectors[0]?.length ?? 0;
      const data = new Float32Array(rows.length * dim);
      vectors.forEach((v, i) => data.set(v, i * dim));
      await writeFile(out, encodeNpy(data, [rows.length, dim]));
      io.stdout(`${JSON.stringify({ out, model, kind: 'image', count: rows.length, dim, rows, failed }, null, 2)}\n`);
      return failed.length ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await session.close();
    }
  },
};
