"""probe_selfsup.py: SimCLR's loss finds each view's partner, the image-only arm trains on images alone and lowers
it, both descriptors are measured before and after, and the checkpoint given is left as it was (fake_data.py
exports, the smoke config).

    /usr/bin/python3 -m unittest discover -s models/train -p 'test_*.py'
"""

from __future__ import annotations

import math
import tempfile
import unittest

import torch

import probe_selfsup as selfsup
from test_probe_learnable import fake_exports


class NtXentTest(unittest.TestCase):
    def test_a_view_beside_its_partner_costs_less_than_one_beside_a_stranger(self):
        g = torch.Generator().manual_seed(0)
        a = torch.randn(8, 16, generator=g)
        paired = selfsup.nt_xent(a, a + 0.01 * torch.randn(8, 16, generator=g), 0.2)
        strangers = selfsup.nt_xent(a, torch.randn(8, 16, generator=g), 0.2)
        self.assertLess(float(paired), 0.3)
        # Unrelated views: about the cost of a guess among the 2N - 1 others.
        self.assertGreater(float(strangers), 0.5 * math.log(15))


class ProbeSelfsupTest(unittest.TestCase):
    def test_the_image_only_arm_lowers_its_loss_measures_before_and_after_and_leaves_the_checkpoint_alone(self):
        with tempfile.TemporaryDirectory() as tmp:
            train, val, ck = fake_exports(tmp, 48, 60)
            before = {k: v.clone() for k, v in ck['model'].items()}
            out = selfsup.run(ck, train, val, ['cardiomegaly'], 0.5, 0.25, steps=40, batch=8, lr=1e-3, draws=2)
        first, last = out['loss (first 10, last 10)']
        self.assertLess(last, first, out)
        self.assertEqual((out['train'], out['val'], out['steps']), (48, 60, 40))
        row = out['findings'].get('cardiomegaly')
        self.assertIsNotNone(row, 'the val set needs more than 16 positives and negatives of it')
        for key in ('embedding before', 'embedding after', 'stride 32 before', 'stride 32 after'):
            for what in ('examples', 'probe'):
                self.assertTrue(0.0 <= row[key][what] <= 1.0, row)
        for k, v in ck['model'].items():
            self.assertTrue(torch.equal(v, before[k]), k)


if __name__ == '__main__':
    unittest.main()
