"""probe_learnable.py: the supervised arm learns what the images plainly show, the frozen arm reads a random
encoder's features, and the checkpoint given is left as it was (fake_data.py exports, the smoke config).

    /usr/bin/python3 -m unittest discover -s models/train -p 'test_*.py'
"""

from __future__ import annotations

import json
import os
import tempfile
import unittest

import torch

import fake_data
import probe_learnable as learnable
from radsift_train import tokenizer as wp
from radsift_train.model import DualEncoder

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'configs', 'smoke.json')


def fake_exports(tmp: str, train_count: int, val_count: int) -> tuple[str, str, dict]:
    """Two fake_data.py exports (train, val) at the smoke config's size, and an untrained checkpoint of that config
    with a vocabulary of the train reports (seed 0): what the probes' tests start from."""
    with open(CONFIG, encoding='utf-8') as f:
        cfg = json.load(f)
    train, val = os.path.join(tmp, 'train'), os.path.join(tmp, 'val')
    fake_data.write(train, train_count, seed=4, size=cfg['image']['size'])
    fake_data.write(val, val_count, seed=5, size=cfg['image']['size'])
    with open(os.path.join(train, 'records.jsonl'), encoding='utf-8') as f:
        vocab = wp.build_vocab([json.loads(line)['report'] for line in f], [])
    torch.manual_seed(0)
    ck = {'model': DualEncoder(cfg, len(vocab)).state_dict(), 'config': cfg, 'vocab': sorted(vocab, key=vocab.get)}
    return train, val, ck


class ProbeLearnableTest(unittest.TestCase):
    def test_the_supervised_arm_learns_a_plain_finding_and_leaves_the_checkpoint_alone(self):
        with tempfile.TemporaryDirectory() as tmp:
            train, val, ck = fake_exports(tmp, 64, 40)
            before = {k: v.clone() for k, v in ck['model'].items()}
            # An enlarged heart is half as wide again in these images: told which are which, the encoder learns
            # it within 48 steps.
            out = learnable.run(ck, train, val, ['cardiomegaly'], 0.5, 0.25, epochs=6, batch=8, lr=1e-3)
        row = out['findings']['cardiomegaly']
        pos_train, pos_val = row['positives (train, val)']
        self.assertGreater(pos_train, 0)
        self.assertGreater(pos_val, 0)
        self.assertEqual((out['train'], out['val'], out['steps']), (64, 40, 48))
        self.assertGreater(row['supervised'], 0.9, row)
        self.assertTrue(0.0 <= row['frozen'] <= 1.0, row)
        for k, v in ck['model'].items():
            self.assertTrue(torch.equal(v, before[k]), k)


if __name__ == '__main__':
    unittest.main()
