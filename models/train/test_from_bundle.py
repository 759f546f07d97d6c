"""Recovering trainable weights from an exported bundle (radsift_train/from_bundle.py).

    /usr/bin/python3 -m unittest discover -s models/train -p 'test_*.py'
"""

from __future__ import annotations

import json
import os
import tempfile
import unittest

import torch
import torch.nn.functional as F

from radsift_train import bundle, export, from_bundle
from radsift_train import tokenizer as wp
from radsift_train.model import DualEncoder

HERE = os.path.dirname(os.path.abspath(__file__))


def smoke_config() -> dict:
    with open(os.path.join(HERE, 'configs', 'smoke.json'), encoding='utf-8') as f:
        return json.load(f)


def trained_like(cfg: dict, n_vocab: int) -> DualEncoder:
    """A model whose BatchNorms are not at their initial values, so that folding them changes the convs."""
    torch.manual_seed(1)
    model = DualEncoder(cfg, n_vocab)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.2, 3.0)
                m.weight.uniform_(0.3, 2.0)
                m.bias.uniform_(-0.3, 0.3)
    return model.eval()


def write_bundle(model: DualEncoder, cfg: dict, vocab: dict, out: str, never_seen=()) -> None:
    export.export_onnx(model, cfg, out)
    wp.write_tokenizer(out, vocab, cfg['tokenizer']['maxLength'])
    man = {'id': cfg['bundle']['id'], 'version': cfg['bundle']['version'], 'logitScale': 10.0,
           'image': {'mean': [0.5], 'std': [0.25]},
           'zeroShot': {'findings': ['pleural_effusion', 'nodule'], 'neverSeen': list(never_seen)},
           'provenance': {'config': cfg, 'seed': 3, 'data': {'trainCount': 130}, 'init': {'steps': 5}}}
    with open(os.path.join(out, 'manifest.json'), 'w', encoding='utf-8') as f:
        json.dump(man, f)


class FromBundleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cfg = smoke_config()
        cls.vocab = wp.build_vocab(['No pleural effusion.', 'Small left nodule.', 'Large right effusion.'] * 3,
                                   ['pneumothorax'], max_size=1000, min_freq=2)
        cls.model = trained_like(cls.cfg, len(cls.vocab))
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        write_bundle(cls.model, cls.cfg, cls.vocab, cls.dir, ['hiatal_hernia'])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def recovered(self, pixels: torch.Tensor) -> DualEncoder:
        info = from_bundle.read(self.dir)
        torch.manual_seed(7)  # other initial weights than the original: everything must come from the bundle
        rec = DualEncoder(info['config'], len(info['vocab']))
        folded = from_bundle.load(self.dir, rec)
        from_bundle.calibrate(rec, folded, pixels)
        return rec.eval()

    def test_manifest_facts(self):
        info = from_bundle.read(self.dir)
        self.assertEqual(info['vocab'], sorted(self.vocab, key=self.vocab.get))
        self.assertEqual(info['excluded'], ['hiatal_hernia'])
        self.assertEqual(info['steps'], self.cfg['optim']['epochs'] * (130 // self.cfg['optim']['batchSize']))
        self.assertEqual(info['init'], {'steps': 5})  # the earlier stages stay on record

    def test_recovered_model_reproduces_the_original(self):
        torch.manual_seed(0)
        size = self.cfg['image']['size']
        pixels = torch.randn(48, 1, size, size)
        rec = self.recovered(pixels)
        with torch.no_grad():
            g0, p0 = self.model.image(pixels[:8])
            g1, p1 = rec.image(pixels[:8])
            ids = torch.tensor([[2, 5, 6, 7, 3, 0], [2, 8, 3, 0, 0, 0]])
            mask = (ids != 0).long()
            t0, k0 = self.model.text(ids, mask)
            t1, k1 = rec.text(ids, mask)
        for a, b in ((g0, g1), (p0, p1), (t0, t1), (k0, k1)):
            self.assertLess(float((a - b).abs().max()), 1e-5)
        # Training mode normalises by batch statistics: close to the original's output on such images.
        with torch.no_grad():
            g_train, _ = rec.image.train()(pixels[:32])
        self.assertGreater(float(F.cosine_similarity(g_train, self.model.image(pixels[:32])[0]).min()), 0.98)
        # The convs are back at He scale (the folded weights' own scale would change AdamW's effective step).
        conv = rec.image.stem[0][0]
        self.assertAlmostEqual(float(conv.weight.pow(2).mean().sqrt()), (2.0 / conv.weight[0].numel()) ** 0.5, 5)

    def test_another_architecture_is_refused(self):
        wider = json.loads(json.dumps(self.cfg))
        wider['image']['widths'] = [w * 2 for w in wider['image']['widths']]
        with self.assertRaisesRegex(from_bundle.BundleError, 'shape'):
            from_bundle.load(self.dir, DualEncoder(wider, len(self.vocab)))
        with self.assertRaisesRegex(from_bundle.BundleError, 'shape'):  # another vocabulary size
            from_bundle.load(self.dir, DualEncoder(self.cfg, len(self.vocab) + 1))

    def test_a_bundle_without_its_recipe_config_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, 'manifest.json'), 'w', encoding='utf-8') as f:
                json.dump({'provenance': {}}, f)
            with self.assertRaisesRegex(from_bundle.BundleError, 'no training config'):
                from_bundle.read(d)
            with self.assertRaisesRegex(from_bundle.BundleError, 'no readable manifest'):
                from_bundle.read(os.path.join(d, 'missing'))

    def test_train_continues_from_the_recovered_checkpoint(self):
        import train
        info = from_bundle.read(self.dir)
        size = self.cfg['image']['size']
        rec = self.recovered(torch.randn(48, 1, size, size))
        path = os.path.join(self.dir, 'recovered.pt')
        torch.save(from_bundle.checkpoint(info, rec, {'bundle': 'radsift-smoke', 'version': '0.0.0'}), path)
        nxt = DualEncoder(self.cfg, len(self.vocab))
        got = train.init_from(path, nxt, self.cfg, info['vocab'], 'cpu', ('hiatal_hernia',))
        self.assertEqual(got['recoveredFrom'], {'bundle': 'radsift-smoke', 'version': '0.0.0'})
        self.assertEqual(got['provenance'], {'steps': 5})
        card = bundle._stages(self.cfg, {'init': {**got, 'provenance': None}})
        self.assertIn(f"{info['steps']} steps at 96²", card)
        self.assertIn('recovered from the exported bundle radsift-smoke 0.0.0 by checkpoint_from_bundle.py', card)
        with self.assertRaisesRegex(SystemExit, 'cavitary_lesion'):  # the bundle never excluded it
            train.init_from(path, nxt, self.cfg, info['vocab'], 'cpu', ('hiatal_hernia', 'cavitary_lesion'))


if __name__ == '__main__':
    unittest.main()
