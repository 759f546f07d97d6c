/**
 * Writes a phantom set to disk: the demo study (DICOM, labels.csv,
 * reports.jsonl, full-size masks) and, optionally, the training export
 * (manifest.json, images/, masks/, records.jsonl — a contract with
 * models/train/). Files are written in index order, so output is
 * byte-identical for a seed, however many workers render the phantoms.
 *
 * Masks are 8-bit planes of the 32-bit finding mask: `<name>.png` holds the
 * base eight (the file generator 1.0 wrote), `<name>.p1.png` and
 * `<name>.p2.png` the rare findings. The training export keeps its 1.0 keys
 * for the base eight (`findings`, `labels`, `mask`, sentence `findings` and
 * `polarity`) and adds `all*` keys for every finding.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng } from '../util/png.js';
import type { CaseOptions } from './case.js';
import {
  BASE_FINDINGS,
  FINDINGS,
  isBaseFinding,
  MASK_PLANES,
  maskPlane,
  maskPlaneFile,
  type FindingName,
} from './findings.js';
import { GENERATOR_VERSION, generatePhantom, phantomDicom, type Phantom } from './generate.js';
import { trainingImage, trainingMask } from './training.js';
import { makeFoldersSync } from '../util/make-folders.js';

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
  makeFoldersSync(opts.dir);
  if (opts.trainingDir) {
    makeFoldersSync(path.join(opts.trainingDir, 'images'));
    makeFoldersSync(path.join(opts.trainingDir, 'masks'));
  }
}

/** Renders phantom `index` and writes its own files (DICOM, mask, training image). */
export function writeDemoItem(opts: DemoItemOptions, index: number): DemoItem {
  const p = generatePhantom(opts.seed, index, opts);
  const rel = p.relativePath;
  const file = path.join(opts.dir, rel);
  makeFoldersSync(path.dirname(file));
  writeFileSync(file, phantomDicom(p));
  const img = p.rendered.image;
  const maskBase = path.join(opts.dir, 'masks', rel);
  makeFoldersSync(path.dirname(maskBase));
  writeMaskPlanes(p.rendered.mask, img.width, img.height, (plane) => maskPlaneFile(maskBase, plane));
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
      // The 1.0 contract: the 8-bit `mask` and the `labels` of each record.
      findings: [...BASE_FINDINGS],
      // Every finding: bit k of `allLabels`' order is bit k&7 of mask plane k>>3 (`maskPlanes`).
      allFindings: [...FINDINGS],
      maskPlanes: MASK_PLANES,
      // Never drawn nor named in any report of this set.
      excludedFindings: [...(opts.exclude ?? [])],
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

/** Every plane of a mask, each an 8-bit PNG; empty planes (most cases have no rare finding) are encoded once. */
function writeMaskPlanes(mask: Uint32Array, width: number, height: number, file: (plane: number) => string): void {
  let any = 0;
  for (let i = 0; i < mask.length; i++) any |= mask[i]!;
  for (let plane = 0; plane < MASK_PLANES; plane++) {
    const empty = ((any >>> (plane * 8)) & 0xff) === 0;
    writeFileSync(
      file(plane),
      empty
        ? emptyPng(width, height)
        : encodePng({ width, height, color: 'gray', bitDepth: 8, data: maskPlane(mask, plane) }),
    );
  }
}

const EMPTY_PNG = new Map<string, Buffer>();
function emptyPng(width: number, height: number): Buffer {
  const key = `${width}x${height}`;
  let png = EMPTY_PNG.get(key);
  if (!png) {
    png = encodePng({ width, height, color: 'gray', bitDepth: 8, data: new Uint8Array(width * height) });
    if (EMPTY_PNG.size > 16) EMPTY_PNG.clear();
    EMPTY_PNG.set(key, png);
  }
  return png;
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
  const planes = Array.from({ length: MASK_PLANES }, (_, plane) => maskPlaneFile(`masks/${id}`, plane));
  writeMaskPlanes(trainingMask(p.rendered.mask, img.width, img.height, size), size, size, (plane) =>
    path.join(dir, planes[plane]!),
  );
  return JSON.stringify({
    id,
    image: `images/${id}.png`,
    mask: planes[0],
    labels: Object.fromEntries(BASE_FINDINGS.map((f) => [f, p.labels[f]])),
    attributes: p.case.findings,
    view: p.case.acquisition.view,
    report: p.report.text,
    // `findings`/`polarity` as generator 1.0 wrote them (base findings only: a sentence
    // that names none of them says nothing about them); `all*` for every finding.
    sentences: p.report.sentences.map((s) => {
      const base = s.findings.filter(isBaseFinding);
      return {
        text: s.text,
        findings: base,
        polarity: base.length || s.findings.length === 0 ? s.polarity : 'none',
        allFindings: s.findings,
        allPolarity: s.polarity,
      };
    }),
    allLabels: p.labels,
    maskPlanes: planes,
  });
}
