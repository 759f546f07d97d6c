/**
 * What a RadSift bundle's manifest says of its training (`zeroShot`, written by models/train): the findings it
 * was taught, those it must never have seen, and every wording its prompts were drawn from (lower case). Read
 * loosely: other layouts, and bundles written before the recipe recorded it, give nothing (null / empty).
 */
import { readModelJson } from './layouts/json-file.js';

export interface BundleTraining {
  /** Findings the model was taught (label ids); null when the manifest does not say. */
  findings: string[] | null;
  neverSeen: string[];
  wordings: Set<string>;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

export async function readBundleTraining(modelDir: string): Promise<BundleTraining> {
  try {
    const manifest = (await readModelJson(modelDir, 'manifest.json')) as {
      zeroShot?: { findings?: unknown; neverSeen?: unknown; prompts?: { wordings?: Record<string, unknown> } };
    };
    const z = manifest.zeroShot;
    return {
      findings: Array.isArray(z?.findings) ? strings(z.findings) : null,
      neverSeen: strings(z?.neverSeen),
      wordings: new Set(
        Object.values(z?.prompts?.wordings ?? {})
          .flatMap(strings)
          .map((w) => w.toLowerCase()),
      ),
    };
  } catch {
    return { findings: null, neverSeen: [], wordings: new Set() };
  }
}
