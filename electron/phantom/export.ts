/**
 * Writes a phantom set to disk: the demo study (DICOM, labels.csv,
 * reports.jsonl, full-size masks) and, optionally, the training export
 * (manifest.json, images/, masks/, records.jsonl — a contract with
 * models/train/). Files are written in index order, so output is
 * byte-identical for a seed, however many workers render the phantoms.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng } from '../util/png.js';
import type { CaseOptions } from './case.js';
import { FINDINGS, type FindingName } from './findings.js';
import { GENERATOR_VERSION, generatePhantom, phantomDicom, type Phantom } from './generate.js';
import { trainingImage, trainingMask } from './training.js';

export interface DemoOptions extends CaseOptions {
  dir: string;
  count: number;
  seed: number;
  trainingDir?: string;
  trainingSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** What one phantom contributes to the set-level files; plain data, so it can cross a worker boundary. */
export interface DemoItem {
  labelsRow: string;
  reportLine: string;
  record?: string;
  labels: Record<FindingName, 0 | 1>;
}

export interface DemoSummary {
  dir: string;
  count: number;
  seed: number;
  positives: Record<string, number>;
  normals: number;
  trainingDir?: string;
}

/** The options a worker needs to write items: everything but the callback. */
export type DemoItemOptions = Omit<DemoOptions, 'onProgress'>;

export function prepareDemoDirs(opts: DemoItemOptions): void {
  mkdirSync(opts.dir, { recursive: true });
  if (opts.trainingDir) {
    mkdirSync(path.join(opts.trainingDir, 'images'), { recursive: true });
    mkdirSync(path.join(opts.trainingDir, 'masks'), { recursive: true });
  }
}

/** Renders phantom `index` and writes its own files (DICOM, mask, training image). */
export function writeDemoItem(opts: DemoItemOptions, index: number): DemoItem {
  const p = generatePhantom(opts.seed, index, opts);
  const rel = p.relativePath;
  const file = path.join(opts.dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, phantomDicom(p));
  const img = p.rendered.image;
  const maskFile = path.join(opts.dir, 'masks', `${rel}.png`);
  mkdirSync(path.dirname(maskFile), { recursive: true });
  writeFileSync(
    maskFile,
    encodePng({ width: img.width, height: img.height, color: 'gray', bitDepth: 8, data: p.rendered.mask }),
  );
  return {
    labelsRow: `${rel},${FINDINGS.map((f) => p.labels[f]).join(',')}`,
    reportLine: JSON.stringify({
      path: rel,
      report: p.report.text,
      sections: p.report.sections,
      sentences: p.report.sentences,
    }),
    ...(opts.trainingDir ? { record: writeTrainingItem(opts.trainingDir, p, opts.trainingSize ?? 256) } : {}),
    labels: p.labels,
  };
}

/** Writes labels.csv, reports.jsonl and the training manifest from the items, in index order. */
export function finishDemo(opts: DemoItemOptions, items: readonly DemoItem[]): DemoSummary {
  const { dir, count, seed } = opts;
  const positives = Object.fromEntries(FINDINGS.map((f) => [f, 0]));
  let normals = 0;
  for (const item of items) {
    for (const f of FINDINGS) positives[f] = positives[f]! + item.labels[f];
    if (FINDINGS.every((f) => item.labels[f] === 0)) normals++;
  }
  const labels = [`path,${FINDINGS.join(',')}`, ...items.map((i) => i.labelsRow)];
  writeFileSync(path.join(dir, 'labels.csv'), `${labels.join('\n')}\n`);
  writeFileSync(path.join(dir, 'reports.jsonl'), items.map((i) => `${i.reportLine}\n`).join(''));
  if (opts.trainingDir) {
    const manifest = {
      generator: 'radsift-phantom',
      generatorVersion: GENERATOR_VERSION,
      seed,
      count,
      imageSize: opts.trainingSize ?? 256,
      findings: [...FINDINGS],
    };
    writeFileSync(path.join(opts.trainingDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(path.join(opts.trainingDir, 'records.jsonl'), items.map((i) => `${i.record}\n`).join(''));
  }
  return { dir, count, seed, positives, normals, ...(opts.trainingDir ? { trainingDir: opts.trainingDir } : {}) };
}

/** Writes the whole set in this thread (see demo-parallel.ts for the worker-pool version). */
export function writeDemo(opts: DemoOptions): DemoSummary {
  const { onProgress, ...itemOptions } = opts;
  prepareDemoDirs(itemOptions);
  const items: DemoItem[] = [];
  for (let index = 0; index < opts.count; index++) {
    items.push(writeDemoItem(itemOptions, index));
    onProgress?.(index + 1, opts.count);
  }
  return finishDemo(itemOptions, items);
}

/** Training id: seed and index, stable across runs. */
export const trainingId = (seed: number, index: number): string => `s${seed}_${String(index).padStart(6, '0')}`;

function writeTrainingItem(dir: string, p: Phantom, size: number): string {
  const id = trainingId(p.case.seed, p.case.index);
  const img = p.rendered.image;
  writeFileSync(
    path.join(dir, 'images', `${id}.png`),
    encodePng({ width: size, height: size, color: 'gray', bitDepth: 8, data: trainingImage(img, size) }),
  );
  writeFileSync(
    path.join(dir, 'masks', `${id}.png`),
    encodePng({
      width: size,
      height: size,
      color: 'gray',
      bitDepth: 8,
      data: trainingMask(p.rendered.mask, img.width, img.height, size),
    }),
  );
  return JSON.stringify({
    id,
    image: `images/${id}.png`,
    mask: `masks/${id}.png`,
    labels: p.labels,
    attributes: p.case.findings,
    view: p.case.acquisition.view,
    report: p.report.text,
    sentences: p.report.sentences.map((s) => ({ text: s.text, findings: s.findings, polarity: s.polarity })),
  });
}
