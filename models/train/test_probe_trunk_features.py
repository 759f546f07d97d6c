"""probe_trunk_features.py: its AUC and probe on data whose answer is known, and its features from a small random
encoder on a tiny export (fake_data.py).

    /usr/bin/python3 -m unittest discover -s models/train -p 'test_*.py'
"""

from __future__ import annotations

import json
import os
import tempfile
import unittest

import numpy as np
import torch

import fake_data
import probe_trunk_features as trunk
from radsift_train import tokenizer as wp
from radsift_train.model import DualEncoder

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'configs', 'smoke.json')


class ProbeTrunkFeaturesTest(unittest.TestCase):
    def test_auc_counts_ties_as_half_and_orders_as_mann_whitney(self):
        y = np.array([0, 0, 1, 1])
        self.assertEqual(trunk.auc(np.array([0.1, 0.2, 0.3, 0.4]), y), 1.0)
        self.assertEqual(trunk.auc(np.array([0.4, 0.3, 0.2, 0.1]), y), 0.0)
        self.assertEqual(trunk.auc(np.array([0.5, 0.5, 0.5, 0.5]), y), 0.5)
        self.assertAlmostEqual(trunk.auc(np.array([0.1, 0.3, 0.3, 0.4]), y), 0.875)

    def test_a_feature_that_carries_the_finding_beats_one_that_does_not(self):
        # 200 scans, one finding in 40: 'carried' holds it in one coordinate (with noise), 'blind' is noise alone
        rng = np.random.default_rng(3)
        y = np.zeros(200, dtype=int)
        y[:40] = 1
        noise = rng.normal(size=(200, 8))
        carried = noise.copy()
        carried[:, 0] += 3.0 * y
        desc = {'carried': trunk.unit_rows(carried), 'blind': trunk.unit_rows(noise)}
        out = trunk.compare(desc, y[:, None], ['finding'], draws=4, seed=0)['finding']
        self.assertEqual(out['positives'], 40)
        for kind in ('examples', 'probe'):
            self.assertGreater(out['carried'][kind], 0.9, kind)
            self.assertLess(abs(out['blind'][kind] - 0.5), 0.15, kind)
        # a finding with too few positives for 16 examples and a held-out rest is left out
        few = np.zeros((200, 1), dtype=int)
        few[:16] = 1
        self.assertEqual(trunk.compare(desc, few, ['rare'], draws=2, seed=0), {})

    def test_reads_every_stage_of_a_checkpoint_on_an_export(self):
        with open(CONFIG, encoding='utf-8') as f:
            cfg = json.load(f)
        with tempfile.TemporaryDirectory() as tmp:
            fake_data.write(tmp, 12, seed=2, size=cfg['image']['size'])
            with open(os.path.join(tmp, 'records.jsonl'), encoding='utf-8') as f:
                records = [json.loads(line) for line in f]
            vocab = wp.build_vocab([r['report'] for r in records], [])
            torch.manual_seed(0)
            ck = {'model': DualEncoder(cfg, len(vocab)).state_dict(), 'config': cfg,
                  'vocab': sorted(vocab, key=vocab.get)}
            raw = trunk.features(ck, tmp, records, 0.5, 0.25, batch=5)
        widths = cfg['image']['widths']
        self.assertEqual(raw['embedding'].shape, (12, cfg['embed']['dim']))
        self.assertEqual(raw['stride 32'].shape, (12, 2 * widths[3]))
        self.assertEqual(raw['stride 16'].shape, (12, 2 * widths[2]))
        self.assertEqual(raw['stride 8'].shape, (12, 2 * widths[1]))
        desc = trunk.descriptors(raw)
        for key, x in desc.items():
            self.assertTrue(np.allclose(np.linalg.norm(x, axis=1), 1.0), key)
        self.assertEqual(desc['embedding + 32'].shape[1], cfg['embed']['dim'] + 2 * widths[3])


if __name__ == '__main__':
    unittest.main()
