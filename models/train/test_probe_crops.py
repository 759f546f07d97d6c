"""probe_crops.py: tiles are cut row-major at the image's own resolution, each labelled by the finding's mask, an
export at the wrong size is refused, both arms report on the same images, and the checkpoint given is left as it was
(fake_data.py exports at twice the smoke config's size).

    /usr/bin/python3 -m unittest discover -s models/train -p 'test_*.py'
"""

from __future__ import annotations

import json
import os
import tempfile
import unittest

import numpy as np
import torch
from PIL import Image

import fake_data
import probe_crops as crops
from test_probe_learnable import CONFIG, fake_exports


class ProbeCropsTest(unittest.TestCase):
    def test_tiles_are_row_major_at_full_resolution(self):
        x = torch.arange(2 * 16, dtype=torch.float32).view(2, 1, 4, 4)  # two 4×4 images, grid 2 → 2×2 tiles
        t = crops.as_tiles(x, 2)
        self.assertEqual(tuple(t.shape), (8, 1, 2, 2))
        self.assertTrue(torch.equal(t[1, 0], x[0, 0, :2, 2:]))  # image 0, top right
        self.assertTrue(torch.equal(t[2, 0], x[0, 0, 2:, :2]))  # image 0, bottom left
        self.assertTrue(torch.equal(t[7, 0], x[1, 0, 2:, 2:]))  # image 1, bottom right

    def test_tile_labels_follow_the_mask_and_a_wrong_size_is_refused(self):
        with open(CONFIG, encoding='utf-8') as f:
            size = json.load(f)['image']['size']
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, 'x2')
            fake_data.write(data, 24, seed=6, size=2 * size)
            x, y, tiles = crops.read_export(data, 'nodule', size, 2)
            self.assertEqual(tuple(x.shape), (24, 1, 2 * size, 2 * size))
            self.assertGreater(y.sum(), 0)
            # A tile is positive only where the mask reaches, so only in images labelled with the finding.
            self.assertTrue(np.all(tiles[y == 0] == 0))
            self.assertTrue(np.all(tiles[y == 1].sum(1) >= 1))
            self.assertTrue(np.any(tiles[y == 1].sum(1) < 4))  # a nodule does not reach every tile
            with open(os.path.join(data, 'records.jsonl'), encoding='utf-8') as f:
                first = json.loads(f.readline())
            Image.new('L', (size, size)).save(os.path.join(data, first['image']))
            with self.assertRaises(SystemExit) as e:
                crops.read_export(data, 'nodule', size, 2)
            self.assertIn(f'--training-size {2 * size}', str(e.exception))

    def test_both_arms_report_and_the_checkpoint_is_left_alone(self):
        with tempfile.TemporaryDirectory() as tmp:
            _, _, ck = fake_exports(tmp, 8, 8)
            size = ck['config']['image']['size']
            train, val = os.path.join(tmp, 'train2'), os.path.join(tmp, 'val2')
            fake_data.write(train, 32, seed=7, size=2 * size)
            fake_data.write(val, 24, seed=8, size=2 * size)
            before = {k: v.clone() for k, v in ck['model'].items()}
            out = crops.run(ck, train, val, 'nodule', 0.5, 0.25, steps=4, batch=8, lr=1e-3)
            with self.assertRaises(SystemExit):
                crops.run(ck, train, val, 'nodule', 0.5, 0.25, steps=1, batch=6)
            # A finding the exports have no mask plane for, and a --val without the finding: said, not a traceback.
            with self.assertRaises(SystemExit) as e:
                crops.run(ck, train, val, 'fracture of the femur', 0.5, 0.25, steps=1, batch=8)
            self.assertIn('no mask plane', str(e.exception))
            without = os.path.join(tmp, 'val-without')
            fake_data.write(without, 8, seed=9, size=2 * size, exclude=['hiatal_hernia'])
            with self.assertRaises(SystemExit) as e:
                crops.run(ck, train, without, 'hiatal_hernia', 0.5, 0.25, steps=1, batch=8)
            self.assertIn('is without hiatal_hernia; an AUC needs both', str(e.exception))
        self.assertEqual((out['train']['images'], out['val']['images'], out['steps']), (32, 24, 4))
        for arm in ('whole', 'tiles'):
            self.assertTrue(0.0 <= out[arm]['auc'] <= 1.0, out)
        self.assertTrue(0.0 <= out['tiles']['tileAuc'] <= 1.0, out)
        self.assertNotIn('tileAuc', out['whole'])
        for k, v in ck['model'].items():
            self.assertTrue(torch.equal(v, before[k]), k)


if __name__ == '__main__':
    unittest.main()
