/**
 * Writes a phantom set to disk: the demo study (DICOM, labels.csv,
 * reports.jsonl, full-size masks) and, optionally, the training export
 * (manifest.json, images/, masks/, records.jsonl — a contract with
 * models/train/). Files are written in index order, so output is
 * byte-identical for a seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng } from '../util/png.js';
import type { CaseOptions } from './case.js';
import { FINDINGS } from './findings.js';
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

export interface DemoSummary {
  dir: string;
  count: number;
  seed: number;
  positives: Record<string, number>;
  normals: number;
  trainingDir?: string;
}

export function writeDemo(opts: DemoOptions): DemoSummary {
  const { dir, count, seed } = opts;
  mkdirSync(dir, { recursive: true });
  const trainingSize = opts.trainingSize ?? 256;
  if (opts.trainingDir) {
    mkdirSync(path.join(opts.trainingDir, 'images'), { recursive: true });
    mkdirSync(path.join(opts.trainingDir, 'masks'), { recursive: true });
  }
  const labels = [`path,${FINDINGS.join(',')}`];
  const reports: string[] = [];
  const records: string[] = [];
  const positives = Object.fromEntries(FINDINGS.map((f) => [f, 0]));
  let normals = 0;
  for (let index = 0; index < count; index++) {
    const p = generatePhantom(seed, index, opts);
    const rel = p.relativePath;
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, phantomDicom(p));
    const img = p.rendered.image;
    const maskFile = path.join(dir, 'masks', `${rel}.png`);
    mkdirSync(path.dirname(maskFile), { recursive: true });
    writeFileSync(
      maskFile,
      encodePng({ width: img.width, height: img.height, color: 'gray', bitDepth: 8, data: p.rendered.mask }),
    );
    labels.push(`${rel},${FINDINGS.map((f) => p.labels[f]).join(',')}`);
    reports.push(
      JSON.stringify({ path: rel, report: p.report.text, sections: p.report.sections, sentences: p.report.sentences }),
    );
    for (const f of FINDINGS) positives[f] = positives[f]! + p.labels[f];
    if (FINDINGS.every((f) => p.labels[f] === 0)) normals++;
    if (opts.trainingDir) records.push(writeTrainingItem(opts.trainingDir, p, trainingSize));
    opts.onProgress?.(index + 1, count);
  }
  writeFileSync(path.join(dir, 'labels.csv'), `${labels.join('\n')}\n`);
  writeFileSync(path.join(dir, 'reports.jsonl'), reports.map((r) => `${r}\n`).join(''));
  if (opts.trainingDir) {
    const manifest = {
      generator: 'radsift-phantom',
      generatorVersion: GENERATOR_VERSION,
      seed,
      count,
      imageSize: trainingSize,
      findings: [...FINDINGS],
    };
    writeFileSync(path.join(opts.trainingDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(path.join(opts.trainingDir, 'records.jsonl'), records.map((r) => `${r}\n`).join(''));
  }
  return { dir, count, seed, positives, normals, ...(opts.trainingDir ? { trainingDir: opts.trainingDir } : {}) };
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
