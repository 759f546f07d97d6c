"""eval_card: the card's evaluation section says which targets are met, from `radsift eval --json` runs."""
import hashlib
import json
import os
import tempfile
import unittest

from eval_card import HEADING, append_section, card, targets
from radsift_train import manifest as mf


def run(auc, negation=1.0, pointing=0.9, p5=1.0):
    phrases = []
    for name in ('pleural effusion', 'pneumothorax', 'nodule', 'consolidation'):
        phrases.append({
            'phrase': name, 'positives': 10, 'negatives': 90, 'auc': auc, 'ci95': [auc - 0.02, min(1, auc + 0.02)],
            'precisionAt5': p5, 'precisionAt10': p5, 'aucBarePhrase': auc - 0.01, 'imageToImageP10': 0.5,
            'negationOrdering': negation, 'grounding': {'scans': 10, 'pointingGame': pointing, 'contrastToNoise': 2.0},
            'probe': {'testScans': 50, 'zeroShot': auc, 'labelFraction': {'0.01': None, '0.1': 0.8, '1': 0.9},
                      'shotsPerClass': {'1': 0.7, '4': 0.8, '16': None}},
        })
    means = {'aucBarePhrase': auc - 0.01, 'precisionAt5': p5, 'imageToImageP10': 0.5, 'probeZeroShot': auc,
             'probe1pct': None, 'probe10pct': 0.8, 'probe100pct': 0.9, 'shots1': 0.7, 'shots4': 0.8, 'shots16': None,
             'negationOrdering': negation, 'pointingGame': pointing, 'contrastToNoise': 2.0}
    return {'scans': 100, 'meanAuc': auc, 'means': means, 'phrases': phrases}


class EvalCardTest(unittest.TestCase):
    def test_all_targets_met(self):
        verdicts = targets(run(0.97), run(0.95))
        self.assertTrue(all(ok for _, _, ok in verdicts), verdicts)
        self.assertEqual(len(verdicts), 6)

    def test_each_failure_is_reported(self):
        verdicts = {what: ok for what, _, ok in targets(run(0.92, negation=0.9, pointing=0.5, p5=0.6), run(0.8))}
        self.assertFalse(verdicts['mean zero-shot AUC ≥ 0.95'])
        self.assertTrue(verdicts["every finding's AUC ≥ 0.90"])
        self.assertFalse(verdicts['negation ordering ≥ 0.95 for every finding (min)'])
        self.assertFalse(verdicts['AUC drop under shift ≤ 0.05 (worst finding)'])
        text = card(run(0.92, pointing=0.5), run(0.8), 'a', 'b')
        self.assertIn('| pneumothorax | 10 | 0.920 [0.90, 0.94] |', text)
        self.assertIn('| pointing game ≥ 0.80 for effusion, pneumothorax, nodule, consolidation (min) | 0.500 | **no** |',
                      text)
        self.assertIn('| — | 0.800 | 0.900 | 0.700 | 0.800 | — |', text)

    def test_append_replaces_the_section_and_refreshes_checksums(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, 'card.md'), 'w') as f:
                f.write(f'# Card\n\nintro\n\n{HEADING}\nold numbers\n')
            for name in ('image.onnx', 'text.onnx', 'tokenizer.json'):
                with open(os.path.join(d, name), 'wb') as f:
                    f.write(name.encode())
            mf.write_manifest(d, mf.build_manifest(
                d, id='x', name='X', version='1', licence='MIT', intended_use='tests', trained_on_synthetic_data=True,
                provenance={}, embedding_dim=8, logit_scale=10,
                image=mf.image_section(size=(64, 64), resize='letterbox', interpolation='area', value_range=1,
                                       mean=[0.5], std=[0.25], channels=1),
                text=mf.text_section(max_length=16, pad_to_max_length=False, lowercase=True)))
            m = append_section(d, 'new numbers\n')
            text = open(os.path.join(d, 'card.md')).read()
            self.assertEqual(text, f'# Card\n\nintro\n\n{HEADING}\nnew numbers\n')
            digest = hashlib.sha256(text.encode()).hexdigest()
            self.assertEqual(m['files']['card.md'], {'sha256': digest, 'bytes': len(text.encode())})
            on_disk = json.load(open(os.path.join(d, 'manifest.json')))
            self.assertEqual((on_disk['id'], on_disk['files']), ('x', m['files']))
            self.assertEqual(on_disk['totalBytes'], sum(f['bytes'] for f in m['files'].values()))


if __name__ == '__main__':
    unittest.main()
