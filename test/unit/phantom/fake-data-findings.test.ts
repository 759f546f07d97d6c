/**
 * The recipe's fake data (models/train/fake_data.py, the smoke test's stand-in for a phantom export)
 * names the findings as the generator does, in the generator's order: the order is the label columns'
 * and the mask bits', so a drift would train the smoke run on a layout no real export has.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BASE_FINDINGS, FINDINGS, RARE_FINDINGS } from '../../../electron/phantom/findings.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { pythonMissing, runPython } from '../../support/python.js';

const skip = pythonMissing(['numpy', 'PIL']) ?? false;

describe('fake training data and the phantom generator', { skip }, () => {
  it('name the same findings in the same order', () => {
    const out = runPython(
      'import json, sys; sys.path.insert(0, sys.argv[1]); import fake_data as f; ' +
        'print(json.dumps({"base": f.FINDINGS, "rare": f.RARE, "all": f.ALL_FINDINGS}))',
      [path.join(PROJECT_ROOT, 'models', 'train')],
    );
    const fake = JSON.parse(out) as { base: string[]; rare: string[]; all: string[] };
    assert.deepEqual(fake.base, [...BASE_FINDINGS]);
    assert.deepEqual(fake.rare, [...RARE_FINDINGS]);
    assert.deepEqual(fake.all, [...FINDINGS]);
  });
});
