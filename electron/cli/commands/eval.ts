import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bootstrapAuc, precisionAtK, rocPoints } from '../../scoring/metrics.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { csvCell, scoreFolder } from '../folder-scores.js';
import { MODEL_OPTIONS, openSession } from '../session.js';

/** labels.csv: a header `path,<finding>,…` and 0/1 per file; paths relative to the CSV's folder. */
async function readLabels(file: string): Promise<{ findings: string[]; rows: Map<string, number[]> }> {
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim());
  const header = lines
    .shift()
    ?.split(',')
    .map((h) => h.trim());
  if (!header || header[0] !== 'path' || header.length < 2)
    throw new UsageError(`${file}: the first line must be "path,<finding>,…"`);
  const rows = new Map<string, number[]>();
  for (const [i, line] of lines.entries()) {
    const cells = line.split(',');
    if (cells.length !== header.length)
      throw new UsageError(`${file}:${i + 2}: ${cells.length} cells, expected ${header.length}`);
    const values = cells.slice(1).map(Number);
    if (values.some((v) => v !== 0 && v !== 1)) throw new UsageError(`${file}:${i + 2}: labels must be 0 or 1`);
    rows.set(path.resolve(path.dirname(file), cells[0]!), values);
  }
  return { findings: header.slice(1), rows };
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'check a model on labelled scans: AUC with 95% CI, precision@k, ROC points',
  usage: `radsift eval <folder> --labels labels.csv [--json] [--roc roc.csv] [--model id] [--model-dir <folder>]

For each label column (its name with spaces is the phrase, e.g. pleural_effusion →
"pleural effusion"), scores every labelled scan zero-shot (phrase vs its negation)
and reports ROC AUC with a 95% bootstrap interval, precision@5 and @10, and
positives/negatives. --roc writes the ROC points of every phrase as CSV.`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...MODEL_OPTIONS, labels: { type: 'string' }, json: { type: 'boolean' }, roc: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('give one folder');
    if (!values.labels) throw new UsageError('--labels labels.csv is required');
    const labels = await readLabels(path.resolve(io.cwd, values.labels));
    const phrases = labels.findings.map((f) => f.replace(/_/g, ' '));
    const session = await openSession(values, io);
    try {
      const s = await scoreFolder(session, positionals, phrases, io);
      const m = phrases.length;
      // Only scans that have labels count; labelled files that failed are reported.
      const index = s.paths.map((p, i) => [p, i] as const).filter(([p]) => labels.rows.has(p));
      const missing = [...labels.rows.keys()].filter((p) => !s.paths.includes(p));
      const report = phrases.map((phrase, j) => {
        const probs = index.map(([, i]) => s.probability[i * m + j]!);
        const y = index.map(([p]) => labels.rows.get(p)![j]!);
        const auc = bootstrapAuc(probs, y, { resamples: 1000, seed: 1 });
        return {
          phrase,
          positives: y.filter(Boolean).length,
          negatives: y.filter((v) => !v).length,
          auc: round(auc.auc),
          ci95: [round(auc.low), round(auc.high)],
          precisionAt5: round(precisionAtK(probs, y, 5)),
          precisionAt10: round(precisionAtK(probs, y, 10)),
          roc: rocPoints(probs, y),
        };
      });
      const aucs = report.map((r) => r.auc).filter((a) => Number.isFinite(a));
      const meanAuc = aucs.length ? round(aucs.reduce((a, b) => a + b, 0) / aucs.length) : NaN;
      if (values.roc) {
        const lines = ['phrase,fpr,tpr,threshold'];
        for (const r of report)
          for (const p of r.roc) lines.push([r.phrase, p.fpr, p.tpr, p.threshold].map(csvCell).join(','));
        await writeFile(path.resolve(io.cwd, values.roc), `${lines.join('\n')}\n`);
      }
      const summary = {
        model: session.loaded.model.id,
        scans: index.length,
        meanAuc,
        phrases: report.map(({ roc: _roc, ...r }) => r),
        failed: s.failed,
        unlabelled: s.paths.length - index.length,
        missing,
      };
      if (values.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      else {
        io.stdout(`${index.length} labelled scans, model ${summary.model}; mean AUC ${meanAuc}\n`);
        io.stdout('phrase                   pos   neg   AUC   95% CI         P@5   P@10\n');
        for (const r of summary.phrases) {
          io.stdout(
            `${r.phrase.padEnd(22)} ${String(r.positives).padStart(5)} ${String(r.negatives).padStart(5)}  ${fmt(r.auc)}  [${fmt(r.ci95[0]!)}, ${fmt(r.ci95[1]!)}]  ${fmt(r.precisionAt5)}  ${fmt(r.precisionAt10)}\n`,
          );
        }
      }
      return s.failed.length || missing.length ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await session.close();
    }
  },
};

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : NaN);
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  —  ');
