import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SHIFTED_ACQUISITION } from '../../phantom/case.js';
import { parseExcluded, parsePrevalence, RARE_FINDINGS } from '../../phantom/findings.js';
import { defaultDemoWorkers, writeDemoParallel } from '../../phantom/demo-parallel.js';
import { defineCommand, EXIT, UsageError } from '../command.js';
import { integerOption } from '../options.js';

const USAGE = `radsift demo <dir> --count N --seed S [--prevalence finding=p,…] [--exclude-findings f,…] [--size px]
       [--export-training <dir2>] [--training-size px]

Writes synthetic chest radiographs with known answers: DICOM studies
(<dir>/<patient>/<study>/<series>/IM0001.dcm), labels.csv, reports.jsonl and
masks as 8-bit planes: masks/<path>.png has bit k set where finding k of
labels.csv is present (k < 8), masks/<path>.p1.png bit k-8 (k < 16), .p2.png
bit k-16. The same seed gives byte-identical output, whatever the worker count.

  --count N               number of phantoms (default 20)
  --seed S                integer seed (default 1)
  --prevalence f=p,…      override prevalences, e.g. pneumothorax=0.2,nodule=0,rib_fracture=0.1
  --exclude-findings f,…  rare findings never shown nor named in any report (not even negated),
                          e.g. to hold them out of a training set; one of
                          ${RARE_FINDINGS.join(', ')}
  --size px               longest matrix side (default: detector native, 2000–3000)
  --export-training DIR   also write the training set (manifest.json, images/, masks/, records.jsonl)
  --training-size px      training image side (default 256)
  --shift                 the robustness set: every image AP, MONOCHROME1, 10-bit, low dose
  --workers N             render threads (default: one per core)`;

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'write synthetic chest radiographs with reports, labels and masks',
  usage: USAGE,
  options: {
    count: { type: 'string' },
    seed: { type: 'string' },
    prevalence: { type: 'string' },
    'exclude-findings': { type: 'string' },
    size: { type: 'string' },
    'export-training': { type: 'string' },
    'training-size': { type: 'string' },
    workers: { type: 'string' },
    shift: { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('expected one output folder');
    let prevalence;
    let exclude;
    try {
      prevalence = parsePrevalence(values.prevalence);
      exclude = parseExcluded(values['exclude-findings']);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const count = integerOption(values.count, '--count', 1) ?? 20;
    const seed = integerOption(values.seed, '--seed', 0) ?? 1;
    const size = integerOption(values.size, '--size', 64);
    const trainingSize = integerOption(values['training-size'], '--training-size', 8) ?? 256;
    const dir = path.resolve(io.cwd, positionals[0]!);
    // Its labels.csv, reports and masks describe one set: written over another, they would describe only part.
    const present: string[] = await readdir(dir).catch(() => []);
    if (present.length)
      throw new UsageError(
        present.includes('labels.csv')
          ? `${dir} is not empty: choose a new folder (a demo set's labels and reports describe only its own phantoms)`
          : // labels.csv is written last: a run stopped before it (Ctrl+C) left phantoms that nothing describes.
            `${dir} is not empty and holds no labels.csv (a demo run stopped before its end leaves it so): delete it or choose a new folder`,
      );
    const trainingDir = values['export-training'] ? path.resolve(io.cwd, values['export-training']) : undefined;
    const started = Date.now();
    let lastReport = 0;
    const workers = integerOption(values.workers, '--workers', 1) ?? defaultDemoWorkers(count);
    const summary = await writeDemoParallel({
      workers,
      ...(values.shift ? SHIFTED_ACQUISITION : {}),
      dir,
      count,
      seed,
      prevalence,
      ...(exclude.length ? { exclude } : {}),
      size,
      trainingDir,
      trainingSize,
      onProgress: (done, total) => {
        const now = Date.now();
        if (done === total || now - lastReport > 2000) {
          lastReport = now;
          io.stderr(`demo: ${done}/${total} phantoms (${((now - started) / 1000).toFixed(1)} s)\n`);
        }
      },
    });
    io.stdout(`${JSON.stringify({ ...summary, workers, seconds: (Date.now() - started) / 1000 })}\n`);
    return EXIT.OK;
  },
});
