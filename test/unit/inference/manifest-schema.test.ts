// The bundle manifest has one schema: the zod one the app loads bundles with. The Python writer
// checks the JSON Schema generated from it (models/bundle-manifest.schema.json) plus the same
// cross-field rules, and both are tested on the same cases (models/bundle-manifest.cases.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BundleManifest, bundleManifestJsonSchema } from '../../../electron/inference/manifest.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const readJson = (...parts: string[]): unknown => JSON.parse(readFileSync(path.join(PROJECT_ROOT, ...parts), 'utf8'));

interface Case {
  name: string;
  set?: { at: string[]; to: unknown }[];
  unset?: string[][];
  rejects: string[] | null;
}

/** The base manifest with the case's edits (the Python test applies them the same way). */
function edited(base: unknown, c: Case): unknown {
  const m = structuredClone(base) as Record<string, unknown>;
  const parent = (at: string[]): Record<string, unknown> =>
    at.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, m);
  for (const { at, to } of c.set ?? []) parent(at)[at.at(-1)!] = to;
  for (const at of c.unset ?? []) delete parent(at)[at.at(-1)!];
  return m;
}

describe('bundle manifest schema', () => {
  it('the checked-in JSON Schema is the one the zod schema generates', () => {
    assert.deepEqual(
      readJson('models', 'bundle-manifest.schema.json'),
      bundleManifestJsonSchema(),
      'models/bundle-manifest.schema.json is stale: npm run build:main && node scripts/manifest-schema.mjs',
    );
  });

  it("a manifest without regionWeight weighs the two margins equally; the default model's weighs the region alone", () => {
    const { base } = readJson('models', 'bundle-manifest.cases.json') as { base: unknown };
    assert.equal(BundleManifest.parse(base).regionWeight, 0.5);
    const shipped = BundleManifest.parse(readJson('models', 'radsift-phantom-convirt-rare', 'manifest.json'));
    assert.deepEqual([shipped.regionWeight, shipped.regionOffset], [1, 0.53]);
  });

  it('zod gives the verdicts the Python checker is tested to give, on the shared cases', () => {
    const { base, cases } = readJson('models', 'bundle-manifest.cases.json') as { base: unknown; cases: Case[] };
    assert.ok(cases.length > 20);
    for (const c of cases) {
      const r = BundleManifest.safeParse(edited(base, c));
      if (c.rejects === null) {
        assert.ok(r.success, `${c.name}: ${r.error?.message}`);
        continue;
      }
      const where = c.rejects.join('.');
      const paths = r.error?.issues.map((i) => i.path.join('.')) ?? [];
      assert.ok(
        paths.some((p) => p === where || p.startsWith(`${where}.`)),
        `${c.name}: expected an issue at ${where}, got ${JSON.stringify(paths)}`,
      );
    }
  });

  it('the cross-field rules: a manifest that breaks one is rejected with its path', () => {
    const shipped = readJson('models', 'radsift-phantom-convirt', 'manifest.json') as BundleManifest;
    assert.ok(BundleManifest.safeParse(shipped).success);
    const broken = structuredClone(shipped);
    broken.image.patchGrid = null; // patch outputs without their grid
    broken.image.mean = [0.5, 0.5]; // neither one value nor one per channel
    delete broken.files['tokenizer.json']; // referenced, not listed
    const r = BundleManifest.safeParse(broken);
    assert.deepEqual(
      r.error?.issues.map((i) => [i.path.join('.'), i.message]),
      [
        ['image.patchGrid', 'set exactly when image.outputs.patches is'],
        ['image.mean', '1 value or one per channel (1)'],
        ['files', 'tokenizer.json is referenced but not listed'],
      ],
    );
  });
});
