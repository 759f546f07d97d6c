/**
 * Worker side of the fuzz harness: builds case N from the seeds and runs the
 * whole decode path on it, reporting a typed error, a valid image or a crash
 * (anything thrown that is not a DicomError, or an image of the wrong size).
 * Every CANARY_EVERY cases the unmutated seeds are decoded again: a seed that
 * no longer decodes means a bad file left a decoder broken for the files
 * after it (CharLS did, after ~270 corrupt frames), reported as a crash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DicomError } from '../../../electron/dicom/errors.js';
import { decodeFrame, displayImage, modalityValues, openDicom, pixelModule } from '../../../electron/dicom/image.js';
import { loadSeeds, makeCase } from './fuzz-cases.js';

export type FuzzOutcome =
  | { id: number; kind: 'image' }
  | { id: number; kind: 'error'; code: string }
  | { id: number; kind: 'crash'; seed: string; mutation: string; message: string };

const { corpus } = workerData as { corpus: string };
const seeds = loadSeeds(corpus);
// Small caps so decompression bombs and absurd sizes are refused quickly.
const limits = { maxFrameBytes: 64 << 20, maxFrames: 10_000 };

const CANARY_EVERY = 250;

async function runCase(id: number): Promise<FuzzOutcome> {
  const outcome = await runMutation(id);
  if (outcome.kind === 'crash' || id % CANARY_EVERY !== CANARY_EVERY - 1) return outcome;
  for (const seed of seeds) {
    try {
      const file = openDicom(seed.bytes);
      await decodeFrame(file, pixelModule(file).numberOfFrames - 1);
    } catch (error) {
      const message = `the clean seed no longer decodes after case ${id}: ${error instanceof Error ? error.message : String(error)}`;
      return { id, kind: 'crash', seed: seed.name, mutation: 'canary', message };
    }
  }
  return outcome;
}

async function runMutation(id: number): Promise<FuzzOutcome> {
  const fuzzCase = makeCase(seeds, id);
  try {
    const file = openDicom(fuzzCase.bytes, { maxInflatedBytes: 64 << 20 });
    const module = pixelModule(file, limits);
    const frame = await decodeFrame(file, module.numberOfFrames - 1, limits);
    if (frame.stored.length !== module.rows * module.columns * module.samplesPerPixel) {
      throw new Error(`image has ${frame.stored.length} samples for ${module.rows}×${module.columns}`);
    }
    modalityValues(file, frame);
    displayImage(file, frame);
    return { id, kind: 'image' };
  } catch (error) {
    if (error instanceof DicomError) return { id, kind: 'error', code: error.code };
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { id, kind: 'crash', seed: fuzzCase.seed, mutation: fuzzCase.mutation, message };
  }
}

parentPort!.on('message', async (ids: number[]) => {
  for (const id of ids) parentPort!.postMessage(await runCase(id));
});
