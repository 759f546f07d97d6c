import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import {
  imageToImagePrecision,
  negationOrdering,
  pick,
  probeCurve,
  type ProbeCurve,
} from '../../scoring/evaluation.js';
import { bootstrapAuc, precisionAtK, rocAuc, rocPoints } from '../../scoring/metrics.js';
import { phraseVectors, scorePhrases } from '../../scoring/phrase-scores.js';
import { contrastToNoise, maskCoverage, phraseHeatmap, pointingHit } from '../../scoring/grounding.js';
import type { ImageSpec } from '../../inference/model-description.js';
import { isInside } from '../../security/allowed-roots.js';
import { realPath } from '../../util/distinct-files.js';
import { decodeGrayPng } from '../../util/png.js';
import { parseCsv } from '../../util/csv.js';
import { maskPlaneFile } from '../../phantom/findings.js';
import { defineCommand, EXIT, UsageError } from '../command.js';
import { writeOutput } from '../aside-files.js';
import { csvCell, reportFailed, scoreFolder } from '../folder-scores.js';
import { outputOption, readOptionFile } from '../options.js';
import { FILES_FROM_USAGE, INPUT_OPTIONS, MODEL_OPTIONS, openSession, readInputs } from '../session.js';

/**
 * labels.csv: a header `path,<finding>,…` and 0/1 per file; paths relative to the CSV's folder, quoted as CSV
 * quotes them where they hold a comma (a folder named "DOE, JANE").
 */
async function readLabels(file: string): Promise<{ findings: string[]; rows: Map<string, number[]> }> {
  const table = parseCsv(await readOptionFile('--labels', file));
  // Each row with its number in the file's rows (1: the header), blank rows left out.
  const lines = table.map((cells, i) => ({ cells, at: i + 1 })).filter((r) => r.cells.some((c) => c.trim()));
  const header = lines.shift()?.cells.map((h) => h.trim());
  if (!header || header[0] !== 'path' || header.length < 2)
    throw new UsageError(`${file}: the first line must be "path,<finding>,…"`);
  // A column named twice: --findings and the report would pick one of the two by chance.
  const twice = header.findIndex((h, k) => header.indexOf(h) !== k);
  if (twice > 0)
    throw new UsageError(
      `${file}: row 1: the column "${header[twice]}" is named twice (columns ${header.indexOf(header[twice]!) + 1} and ${twice + 1})`,
    );
  const rows = new Map<string, number[]>();
  // The row each scan was labelled on, by the file it really is (`./PH…/IM1.dcm`, `PH…/IM1.dcm` and a link to it
  // are one file).
  const labelledOn = new Map<string, number>();
  for (const { cells, at } of lines) {
    if (cells.length !== header.length)
      throw new UsageError(`${file}: row ${at}: ${cells.length} cells, expected ${header.length}`);
    // Exactly 0 or 1: Number() reads an empty cell (a scan not labelled for that finding) as 0, a negative, which
    // would count it against the finding and move its AUC.
    const bad = cells.findIndex((c, k) => k > 0 && c.trim() !== '0' && c.trim() !== '1');
    if (bad > 0)
      throw new UsageError(
        `${file}: row ${at}: ${header[bad]} is ${cells[bad]!.trim() ? `"${cells[bad]!.trim()}"` : 'empty'}: labels must be 0 or 1 (a scan not labelled: leave its row out)`,
      );
    const values = cells.slice(1).map(Number);
    const scan = path.resolve(path.dirname(file), cells[0]!);
    // A second row for a scan silently replaced the first one's labels: refused, naming both rows.
    const real = realPath(scan);
    const earlier = labelledOn.get(real);
    if (earlier !== undefined)
      throw new UsageError(`${file}: row ${at}: ${cells[0]} is already labelled on row ${earlier}`);
    labelledOn.set(real, at);
    rows.set(scan, values);
  }
  return { findings: header.slice(1), rows };
}

/**
 * The label columns to evaluate (--findings a,b; default all), with each one's column index in
 * labels.csv, which is also its mask bit.
 */
function selectColumns(
  labels: { findings: string[]; rows: Map<string, number[]> },
  wanted: string | undefined,
): { findings: string[]; rows: Map<string, number[]>; columns: number[] } {
  const names = wanted
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names?.length) return { ...labels, columns: labels.findings.map((_, k) => k) };
  const columns = names.map((n) => {
    const k = labels.findings.indexOf(n);
    if (k < 0) throw new UsageError(`--findings: "${n}" is not a column of the labels (${labels.findings.join(', ')})`);
    return k;
  });
  const rows = new Map([...labels.rows].map(([p, v]) => [p, columns.map((k) => v[k]!)]));
  return { findings: columns.map((k) => labels.findings[k]!), rows, columns };
}

/**
 * reports.jsonl (as `radsift demo` writes it): per finding, the distinct sentences that state it
 * and those that negate it.
 */
async function readSentences(file: string, findings: string[]): Promise<Map<string, { pos: string[]; neg: string[] }>> {
  const out = new Map(findings.map((f) => [f, { pos: new Set<string>(), neg: new Set<string>() }]));
  for (const [i, line] of (await readOptionFile('--reports', file)).split('\n').entries()) {
    if (!line.trim()) continue;
    let record: { sentences?: { text: string; findings: string[]; polarity: string }[] };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      throw new UsageError(`${file}:${i + 1}: not JSON`);
    }
    for (const s of record.sentences ?? [])
      for (const f of s.findings) {
        const bucket = out.get(f);
        if (!bucket || s.findings.length !== 1) continue; // one finding per sentence: an unambiguous pair
        if (s.polarity === 'positive') bucket.pos.add(s.text.toLowerCase());
        if (s.polarity === 'negated') bucket.neg.add(s.text.toLowerCase());
      }
  }
  return new Map([...out].map(([f, b]) => [f, { pos: [...b.pos], neg: [...b.neg] }]));
}

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'check a model on labelled scans: AUC with 95% CI, precision@k, ROC points',
  json: 'option',
  usage: `radsift eval <folder or files…> [--files-from <list|->] --labels labels.csv [--findings a,b,…] [--json]
       [--roc roc.csv] [--model id] [--model-dir <folder>]

For each label column (its name with spaces is the phrase, e.g. pleural_effusion →
"pleural effusion"), scores every labelled scan zero-shot (phrase vs its negation)
and reports ROC AUC with a 95% bootstrap interval, precision@5 and @10, and
positives/negatives (for a model whose manifest sets regionOffset the score weighs
the whole image and its best region by its regionWeight, as the app does:
the default model reads the best region alone; docs/region-scores.md); the
AUC and P@10 of the whole image alone; the AUC of the bare phrase without
prompt templates (whole image);
image→image precision@10; a linear probe with 1%, 10%
and 100% of half the labels, few-shot probes (1, 4, 16 per class) and example
sets (the cosine to the mean of 1, 4, 16 positives only, as the app screens) next to
zero-shot, all on the other half; the probes read what example sets compare (the
embedding and, where the model has them, the pooled patch embeddings, centred on
every scan evaluated), as the app's linear probe does. With reports (--reports, default
reports.jsonl beside the labels): negation ordering, the fraction of
(positive, negated) sentence pairs the phrase ranks the right way round. With
masks (masks/<path>.png beside the labels, bit k = label column k; columns 8
and up in the planes masks/<path>.p1.png, .p2.png, as radsift demo writes them)
and a model with patch embeddings: the pointing game and the contrast-to-noise
ratio of the phrase heatmap on each positive scan. --findings evaluates only
those label columns (e.g. the eight a model was trained on; the means are over
the evaluated columns).
--roc writes the ROC points of every phrase as CSV (a phrase whose labelled
scans are all positive or all negative has none: left out, and said on stderr). Only labelled scans among
the inputs (files, or files under the folders) are read.
${FILES_FROM_USAGE}`,
  options: {
    ...MODEL_OPTIONS,
    ...INPUT_OPTIONS,
    labels: { type: 'string' },
    findings: { type: 'string' },
    reports: { type: 'string' },
    json: { type: 'boolean' },
    roc: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    if (!positionals.length && !values['files-from']?.length) throw new UsageError('give a folder or files');
    if (!values.labels) throw new UsageError('--labels labels.csv is required');
    const inputs = await readInputs(positionals, values['files-from'], io);
    const labelsFile = path.resolve(io.cwd, values.labels);
    const labels = selectColumns(await readLabels(labelsFile), values.findings);
    const phrases = labels.findings.map((f) => f.replace(/_/g, ' '));
    const reportsFile = values.reports
      ? path.resolve(io.cwd, values.reports)
      : path.join(path.dirname(labelsFile), 'reports.jsonl');
    const sentences =
      values.reports || existsSync(reportsFile) ? await readSentences(reportsFile, labels.findings) : null;
    const roc = values.roc ? await outputOption('--roc', values.roc, io.cwd) : null;
    // The ROC points written over the labels (or the reports) they were measured with.
    for (const [option, input] of [
      ['--labels', labelsFile],
      ['--reports', sentences ? reportsFile : null],
    ] as const)
      if (roc && input && realPath(roc) === realPath(input))
        throw new UsageError(`--roc ${roc} is the ${option} file: it would be written over; give another name`);
    const session = await openSession(values, io);
    try {
      const grid = session.loaded.model.image.patchGrid;
      const masksDir = path.join(path.dirname(labelsFile), 'masks');
      const grounding = grid !== null && existsSync(masksDir);
      // Only labelled scans count, so only they are read: masks, reports and other files beside them are not
      // inputs. A labelled file that cannot be read is listed as failed; a missing one as missing.
      // Compared by what the paths really are: a folder given through a link still holds its labelled scans.
      const files = new Set(inputs.map(realPath));
      const folders = inputs.filter((p) => statSync(p, { throwIfNoEntry: false })?.isDirectory()).map(realPath);
      const inside = [...labels.rows.keys()].filter((p) => {
        const r = realPath(p);
        return files.has(r) || folders.some((f) => isInside(f, r));
      });
      if (!inside.length)
        throw new UsageError(
          `none of the ${labels.rows.size} scans ${path.basename(labelsFile)} labels is among the inputs given`,
        );
      const present = inside.filter((p) => existsSync(p));
      const s = await scoreFolder(session, present, phrases, io, { keepPatches: grounding, poolPatches: true });
      const m = phrases.length;
      const index = s.paths.map((p, i) => [p, i] as const).filter(([p]) => labels.rows.has(p));
      const missing = inside.filter((p) => !existsSync(p));
      const encodeTexts = (t: string[]) => session.models.encoder.encodeTexts(t);
      const rows = index.map(([, i]) => i);
      const labelled = pick(rows, s.images);
      // The example-set columns compare as the app does: with the pooled patch embeddings where the model has them.
      const pooled = s.pooled ? pick(rows, s.pooled) : undefined;
      // The whole image alone (the prompt ensemble without the best region's margin), beside what the app scores.
      const whole = scorePhrases(labelled, s.vectors, {
        logitScale: session.loaded.model.logitScale,
        regionOffset: null,
        regionWeight: 0,
      });
      // The prompt-engineering effect: the bare phrase and "no <phrase>", no templates (whole image).
      const bare = scorePhrases(labelled, await phraseVectors(phrases, encodeTexts, { templates: ['{}'] }), {
        logitScale: session.loaded.model.logitScale,
        regionOffset: null,
        regionWeight: 0,
      });
      const report = [];
      // The same for every phrase: they are all fitted on the same scans.
      let probedWith: ProbeCurve['probeFeatures'] | undefined;
      for (const [j, phrase] of phrases.entries()) {
        const probs = index.map(([, i]) => s.probability[i * m + j]!);
        const wholeProbs = Array.from({ length: index.length }, (_, r) => whole.probability[r * m + j]!);
        const y = index.map(([p]) => labels.rows.get(p)![j]!);
        const auc = bootstrapAuc(probs, y, { resamples: 1000, seed: 1 });
        const found = sentences?.get(labels.findings[j]!);
        let negation: number | null = null;
        if (found && found.pos.length && found.neg.length) {
          const pos = await encodeTexts(found.pos);
          const neg = await encodeTexts(found.neg);
          negation = round(
            negationOrdering(
              s.vectors[j]!.positive,
              { data: pos.data, rows: pos.count, dim: pos.dim },
              { data: neg.data, rows: neg.count, dim: neg.dim },
            ),
          );
        }
        const curve = probeCurve(labelled, y, probs, pooled ? { pooled } : {});
        probedWith = curve.probeFeatures;
        const located = grounding
          ? await groundingScores(
              index.filter((_, r) => y[r]).map(([p, i]) => ({ path: p, patches: s.patches![i] ?? null })),
              { labelsDir: path.dirname(labelsFile), bit: labels.columns[j]!, phrase: s.vectors[j]!.positive },
              session.loaded.model.image,
            )
          : null;
        // Precision at k of a finding no scan has says nothing (it is 0 whatever the ranking): NaN, shown as —.
        const atK = (scores: ArrayLike<number>, k: number) =>
          y.some(Boolean) ? round(precisionAtK(scores, y, k)) : NaN;
        report.push({
          phrase,
          positives: y.filter(Boolean).length,
          negatives: y.filter((v) => !v).length,
          auc: round(auc.auc),
          ci95: [round(auc.low), round(auc.high)],
          precisionAt5: atK(probs, 5),
          precisionAt10: atK(probs, 10),
          aucWholeImage: round(rocAuc(wholeProbs, y)),
          precisionAt10WholeImage: atK(wholeProbs, 10),
          aucBarePhrase: round(
            rocAuc(
              Array.from({ length: index.length }, (_, r) => bare.probability[r * m + j]!),
              y,
            ),
          ),
          imageToImageP10: round(imageToImagePrecision(labelled, y, 10)),
          probe: {
            testScans: curve.testScans,
            zeroShot: round(curve.zeroShot),
            labelFraction: Object.fromEntries(Object.entries(curve.fractions).map(([k, v]) => [k, round(v)])),
            shotsPerClass: Object.fromEntries(Object.entries(curve.shots).map(([k, v]) => [k, round(v)])),
            exampleProfile: Object.fromEntries(Object.entries(curve.examples).map(([k, v]) => [k, round(v)])),
          },
          negationOrdering: negation,
          grounding: located,
          roc: rocPoints(probs, y),
        });
      }
      const aucs = report.map((r) => r.auc).filter((a) => Number.isFinite(a));
      const meanOf = (xs: (number | null)[]) => {
        const ok = xs.filter((x): x is number => x !== null && Number.isFinite(x));
        return ok.length ? round(ok.reduce((a, b) => a + b, 0) / ok.length) : NaN;
      };
      const meanAuc = meanOf(aucs);
      if (roc) {
        const lines = ['phrase,fpr,tpr,threshold'];
        for (const r of report)
          for (const p of r.roc) lines.push([r.phrase, p.fpr, p.tpr, p.threshold].map(csvCell).join(','));
        await writeOutput(roc, `${lines.join('\n')}\n`);
        // A phrase whose scans are all positive or all negative has no curve (its AUC is —, null in --json).
        const without = report.filter((r) => !r.roc.length).map((r) => r.phrase);
        if (without.length)
          io.stderr(
            `--roc: ${without.length} phrase${without.length === 1 ? '' : 's'} left out, no curve (the labelled scans are all positive or all negative): ${without.join(', ')}\n`,
          );
      }
      const summary = {
        model: session.loaded.model.id,
        // Which weights the figures belong to (a card quotes them; two bundles may share an id).
        modelVersion: session.loaded.model.version,
        scans: index.length,
        // What the example-set columns compared: the global embedding alone, or with the pooled patches.
        exampleDescriptor: pooled ? 'embedding and pooled patches' : 'embedding',
        // What the probes read: the same descriptor, centred on every scan evaluated when there are enough (docs/few-shot.md).
        probeFeatures: probeFeaturesWords(probedWith),
        meanAuc,
        means: {
          aucWholeImage: meanOf(report.map((r) => r.aucWholeImage)),
          aucBarePhrase: meanOf(report.map((r) => r.aucBarePhrase)),
          precisionAt5: meanOf(report.map((r) => r.precisionAt5)),
          imageToImageP10: meanOf(report.map((r) => r.imageToImageP10)),
          probeZeroShot: meanOf(report.map((r) => r.probe.zeroShot)),
          probe1pct: meanOf(report.map((r) => r.probe.labelFraction['0.01'] ?? null)),
          probe10pct: meanOf(report.map((r) => r.probe.labelFraction['0.1'] ?? null)),
          probe100pct: meanOf(report.map((r) => r.probe.labelFraction['1'] ?? null)),
          shots1: meanOf(report.map((r) => r.probe.shotsPerClass['1'] ?? null)),
          shots4: meanOf(report.map((r) => r.probe.shotsPerClass['4'] ?? null)),
          shots16: meanOf(report.map((r) => r.probe.shotsPerClass['16'] ?? null)),
          negationOrdering: meanOf(report.map((r) => r.negationOrdering)),
          pointingGame: meanOf(report.map((r) => r.grounding?.pointingGame ?? null)),
          contrastToNoise: meanOf(report.map((r) => r.grounding?.contrastToNoise ?? null)),
        },
        phrases: report.map(({ roc: _roc, ...r }) => r),
        failed: s.failed,
        skipped: s.skipped,
        notInFolder: labels.rows.size - inside.length,
        missing,
      };
      if (values.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      else {
        io.stdout(`${index.length} labelled scans, model ${summary.model}; mean AUC ${fmt(meanAuc).trim()}\n`);
        io.stdout(
          'phrase                   pos   neg   AUC   95% CI         P@5   P@10  whole P@10w bare  img@10  negation\n',
        );
        for (const r of summary.phrases) {
          io.stdout(
            `${r.phrase.padEnd(22)} ${String(r.positives).padStart(5)} ${String(r.negatives).padStart(5)}  ${fmt(r.auc)}  [${fmt(r.ci95[0]!)}, ${fmt(r.ci95[1]!)}]  ${fmt(r.precisionAt5)}  ${fmt(r.precisionAt10)}  ${fmt(r.aucWholeImage)} ${fmt(r.precisionAt10WholeImage)} ${fmt(r.aucBarePhrase)}  ${fmt(r.imageToImageP10)}  ${fmt(r.negationOrdering ?? NaN)}\n`,
          );
        }
        if (summary.phrases.some((r) => r.grounding)) {
          io.stdout('\ngrounding (positives with a mask): scans, pointing game, contrast-to-noise\n');
          for (const r of summary.phrases)
            if (r.grounding)
              io.stdout(
                `${r.phrase.padEnd(22)} ${String(r.grounding.scans).padStart(5)}  ${fmt(r.grounding.pointingGame)}  ${fmt(r.grounding.contrastToNoise)}\n`,
              );
        }
        io.stdout(
          '\nAUC on the held-out half: zero-shot | linear probe with 1% / 10% / 100% of the other half | 1 / 4 / 16 shots per class\n',
        );
        for (const r of summary.phrases) {
          const p = r.probe;
          const f = (x: number | undefined) => fmt(x ?? NaN);
          io.stdout(
            `${r.phrase.padEnd(22)} ${fmt(p.zeroShot)} | ${f(p.labelFraction['0.01'])} ${f(p.labelFraction['0.1'])} ${f(p.labelFraction['1'])} | ${f(p.shotsPerClass['1'])} ${f(p.shotsPerClass['4'])} ${f(p.shotsPerClass['16'])}\n`,
          );
        }
        // What exit 2 promises: each labelled scan left out of the figures, with its reason, as --json lists them.
        reportFailed(s.failed, io);
        for (const p of missing) io.stderr(`missing: ${p}\n`);
        if (summary.notInFolder)
          io.stderr(
            `${summary.notInFolder} of the ${labels.rows.size} scans ${path.basename(labelsFile)} labels are not among the inputs (not evaluated)\n`,
          );
      }
      return s.failed.length || missing.length ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await session.close();
    }
  },
});

/**
 * Pointing game and contrast-to-noise of the phrase heatmap against each positive scan's mask
 * (masks/<path>.png beside labels.csv, bit `bit` = the label column, as `radsift demo` writes;
 * bit k lies in the 8-bit plane k>>3).
 */
async function groundingScores(
  scans: { path: string; patches: Float32Array | null }[],
  where: { labelsDir: string; bit: number; phrase: Float32Array },
  spec: ImageSpec,
): Promise<{ scans: number; pointingGame: number; contrastToNoise: number } | null> {
  let hits = 0;
  let n = 0;
  const cnrs: number[] = [];
  for (const scan of scans) {
    if (!scan.patches) continue;
    const base = path.join(where.labelsDir, 'masks', path.relative(where.labelsDir, scan.path));
    const bytes = await readFile(maskPlaneFile(base, where.bit >> 3)).catch(() => null);
    if (!bytes) continue;
    const coverage = maskCoverage(decodeGrayPng(bytes), where.bit & 7, spec, spec.patchGrid!);
    if (!coverage.some((c) => c > 0)) continue; // a finding without extent (none in the phantoms)
    const heat = phraseHeatmap(scan.patches, where.phrase);
    n++;
    if (pointingHit(heat, coverage)) hits++;
    const cnr = contrastToNoise(heat, coverage);
    if (Number.isFinite(cnr)) cnrs.push(cnr);
  }
  if (!n) return null;
  return {
    scans: n,
    pointingGame: round(hits / n),
    contrastToNoise: cnrs.length ? round(cnrs.reduce((a, b) => a + b, 0) / cnrs.length) : NaN,
  };
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : NaN);
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  —  ');

/** `probeFeatures` in the JSON, as eval_card.py reads it: what the probes were fitted to. */
function probeFeaturesWords(features: ProbeCurve['probeFeatures'] | undefined): string | null {
  if (!features) return null;
  if (!features.descriptor) return 'embedding';
  return `${features.patches ? 'embedding and pooled patches' : 'embedding'}${features.centred ? ', centred' : ''}`;
}
