/**
 * A phantom folder written by the demo generator with one finding made common, and each scan's label for it
 * (from the labels.csv the generator writes beside the scans): what the API tests rank and label.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeDemo } from '../../electron/phantom/export.js';
import { DEFAULT_PREVALENCE, type FindingName } from '../../electron/phantom/findings.js';

/** Writes `count` phantoms of `seed` at 256 px into `folder`, `finding` at `prevalence`; returns path → 0/1. */
export async function labelledDemo(
  folder: string,
  options: { count: number; seed: number; finding: FindingName; prevalence: number },
): Promise<Map<string, number>> {
  const { count, seed, finding, prevalence } = options;
  writeDemo({ dir: folder, count, seed, size: 256, prevalence: { ...DEFAULT_PREVALENCE, [finding]: prevalence } });
  const lines = (await readFile(path.join(folder, 'labels.csv'), 'utf8')).trim().split('\n');
  const column = lines[0]!.split(',').indexOf(finding);
  if (column < 1) throw new Error(`labels.csv has no ${finding} column`);
  return new Map(
    lines.slice(1).map((l) => [path.join(folder, l.split(',')[0]!), Number(l.split(',')[column])] as const),
  );
}
