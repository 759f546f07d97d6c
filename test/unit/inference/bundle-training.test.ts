import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readBundleTraining } from '../../../electron/inference/bundle-training.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { scratchDir } from '../../support/scratch.js';

const MODEL_DIR = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

test('the shipped bundle says which findings it was taught', async () => {
  const t = await readBundleTraining(MODEL_DIR);
  assert.ok(t.findings && t.findings.includes('pleural_effusion') && t.findings.includes('cardiomegaly'));
  for (const f of t.neverSeen) assert.ok(!t.findings.includes(f), `${f} is both taught and never seen`);
});

test('a manifest without zeroShot, a broken one or none at all: nothing known', async () => {
  const dir = scratchDir('radsift-bundle-training-');
  const none = { findings: null, neverSeen: [], wordings: new Set() };
  assert.deepEqual(await readBundleTraining(dir), none);
  writeFileSync(path.join(dir, 'manifest.json'), '{ not json');
  assert.deepEqual(await readBundleTraining(dir), none);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ format: 'radsift-bundle/1' }));
  assert.deepEqual(await readBundleTraining(dir), none);
  writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      zeroShot: {
        findings: ['nodule', 7, 'edema'],
        neverSeen: 'hiatal_hernia',
        prompts: { wordings: { nodule: ['Lung Nodule', null], edema: 'edema' } },
      },
    }),
  );
  assert.deepEqual(await readBundleTraining(dir), {
    findings: ['nodule', 'edema'],
    neverSeen: [],
    wordings: new Set(['lung nodule']),
  });
});
