"""eval_card: the card's evaluation section says which targets are met, from `radsift eval --json` runs."""
import hashlib
import json
import os
import tempfile
import unittest
from unittest import mock

from eval_card import (HEADING, append_section, card, finding_groups, language_section, main, rare_targets, rare_rows,
                       region_weight, subset, targets)
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


BASE = ('pleural effusion', 'cardiomegaly', 'pneumothorax', 'nodule', 'consolidation', 'atelectasis', 'edema',
        'support devices')
TRAINED_RARE = ['rib_fracture', 'scoliosis']
NEVER = ['pneumoperitoneum', 'hiatal_hernia']


def phrase_entry(name, auc, pos=10, neg=90, p10=1.0, shots=(0.7, 0.8, 0.9), probe=0.95):
    return {
        'phrase': name, 'positives': pos, 'negatives': neg, 'auc': auc, 'ci95': [auc - 0.05, min(1, auc + 0.05)],
        'precisionAt5': p10, 'precisionAt10': p10, 'aucBarePhrase': auc, 'imageToImageP10': 0.5,
        'negationOrdering': 1.0, 'grounding': {'scans': pos, 'pointingGame': 0.9, 'contrastToNoise': 2.0},
        'probe': {'testScans': 50, 'zeroShot': auc, 'labelFraction': {'0.01': None, '0.1': 0.8, '1': probe},
                  'shotsPerClass': {'1': shots[0], '4': shots[1], '16': shots[2]}},
    }


def all_columns(base_auc, rare, pos=20, neg=1980):
    """A `radsift eval --json` run over every label column: the eight at base_auc, rare {name: entry kwargs}."""
    phrases = [phrase_entry(n, base_auc) for n in BASE]
    phrases += [phrase_entry(n.replace('_', ' '), pos=pos, neg=neg, **kw) for n, kw in rare.items()]
    return {'scans': pos + neg, 'meanAuc': 0.5, 'means': {}, 'phrases': phrases}


class EvalCardTest(unittest.TestCase):
    def test_all_targets_met(self):
        verdicts = targets(run(0.97), run(0.95))
        self.assertTrue(all(ok for _, _, ok in verdicts), verdicts)
        self.assertEqual(len(verdicts), 6)

    def test_says_when_the_scores_weigh_the_best_region(self):
        held = all_columns(0.99, {})
        self.assertNotIn('best patch-grid region', card(held, all_columns(0.99, {}), 'h', 's'))
        for p in held['phrases']:
            p['aucWholeImage'] = 0.97
        text = card(held, all_columns(0.99, {}), 'h', 's')
        self.assertIn('the whole image alone gives a mean of 0.970 over the eight', text)
        self.assertIn("the app's scores: the whole image and its best patch-grid region", text)
        # A bundle that weighs the best region alone (manifest regionWeight 1) is described as such.
        alone = card(held, all_columns(0.99, {}), 'h', 's', region_weight=1.0)
        self.assertIn("the app's scores: its best patch-grid region alone", alone)
        self.assertNotIn('the whole image and its best', alone)

    def test_reads_the_region_weight_from_the_bundle(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(region_weight(d), 0.5)  # no manifest
            with open(os.path.join(d, 'manifest.json'), 'w', encoding='utf-8') as f:
                json.dump({'regionOffset': 0.46}, f)
            self.assertEqual(region_weight(d), 0.5)  # the app's default
            with open(os.path.join(d, 'manifest.json'), 'w', encoding='utf-8') as f:
                json.dump({'regionOffset': 0.46, 'regionWeight': 1}, f)
            self.assertEqual(region_weight(d), 1.0)
        self.assertEqual(region_weight(None), 0.5)

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

    def test_a_missed_target_never_reads_as_met(self):
        from eval_card import verdict_figure
        self.assertEqual(verdict_figure(0.9797, False), '0.9797')  # not "0.980" against ≥ 0.98
        self.assertEqual(verdict_figure(0.9797, True), '0.980')
        self.assertEqual(verdict_figure(0.603, False), '0.603')
        self.assertEqual(verdict_figure(0.0, False), '0.000')

    def test_subset_recomputes_the_means_over_its_findings(self):
        r = all_columns(0.99, {'rib_fracture': {'auc': 0.5}, 'scoliosis': {'auc': 0.7}})
        s8 = subset(r, BASE)
        self.assertEqual([p['phrase'] for p in s8['phrases']], list(BASE))
        self.assertEqual(s8['meanAuc'], 0.99)
        self.assertEqual(s8['means']['shots16'], 0.9)
        self.assertEqual(subset(r, TRAINED_RARE)['meanAuc'], 0.6)

    def test_three_tables_and_the_rare_targets(self):
        real = all_columns(0.99, {'rib_fracture': {'auc': 0.95, 'p10': 0.8}, 'scoliosis': {'auc': 0.85, 'p10': 0.5},
                                  'pneumoperitoneum': {'auc': 0.6, 'p10': 0.1},
                                  'hiatal_hernia': {'auc': 0.7, 'p10': 0.2}})
        rare = all_columns(0.99, {'rib_fracture': {'auc': 0.96}, 'scoliosis': {'auc': 0.9},
                                  'pneumoperitoneum': {'auc': 0.6, 'shots': (0.6, 0.8, 0.9)},
                                  'hiatal_hernia': {'auc': 0.7, 'shots': (0.55, 0.7, None)}}, pos=40, neg=160)
        held, shifted = all_columns(0.985, {'rib_fracture': {'auc': 0.3}}), all_columns(0.98, {})
        baseline = all_columns(0.984, {})
        baseline['model'], baseline['modelVersion'] = 'radsift-phantom-convirt', '0.6.0'
        text = card(held, shifted, 'h', 's', real, rare, TRAINED_RARE, NEVER, 'r', 'e', baseline)
        self.assertIn('The baseline (radsift-phantom-convirt 0.6.0), on the same held-out set: mean '
                      'zero-shot AUC 0.984 over the eight (pleural effusion 0.984,', text)
        for heading in ('### (a) The eight common findings', '### (b) Rare findings the model was trained on',
                        '### (c) Findings the model never saw'):
            self.assertIn(heading, text)
        # the common table holds the eight only, its mean over them
        a = text.split('### (b)')[0]
        self.assertNotIn('rib fracture', a)
        self.assertIn('| **mean** | | **0.985** |', a)
        self.assertIn('| rib fracture | 1.0 % | 20 | 0.950 [0.90, 1.00] | 0.80 | 40 | 0.960 | 0.960 | 0.700 | 0.800 '
                      '| 0.900 | 0.950 | 0.90 | yes |', text)
        self.assertIn('| scoliosis | 1.0 % | 20 | 0.850 [0.80, 0.90] | 0.50 |', text)
        self.assertIn('| hiatal hernia |', text.split('### (c)')[1])
        self.assertIn('| 0.550 | 0.700 | — | 0.950 | 0.90 | **no** |', text)
        auc, p10, shots = rare_targets(rare_rows(TRAINED_RARE, real, rare), rare_rows(NEVER, real, rare))
        self.assertIn('zero-shot AUC ≥ 0.90', auc[0])
        self.assertEqual(auc[1:], (0.85, False))
        self.assertIn('P@10 ≥ 0.7', p10[0])
        self.assertEqual(p10[1:], (0.5, False))
        self.assertIn('16-shot AUC ≥ 0.85', shots[0])
        self.assertEqual(shots[1:], (0.9, False))  # min of those measured; one not measured is not met
        self.assertIn("| common findings keep 0.6.0's figures: mean zero-shot AUC of the eight ≥ 0.98 | 0.985 "
                      '| yes |', text)

    def test_report_language_table_and_targets(self):
        def finding(name, acc, never=False, pos=8, neg=8):
            return {'finding': name, 'neverSeen': never, 'positives': pos, 'negated': neg, 'accuracy': acc,
                    'ordering': 0.9, 'wrong': []}
        lang = {
            'synonyms': {'total': 10, 'mapped': 9, 'fraction': 0.9, 'neverSeen': {'total': 5, 'mapped': 1},
                         'notInTraining': {'total': 6, 'mapped': 5},
                         'findings': [{'finding': 'cardiomegaly', 'neverSeen': False, 'total': 10, 'mapped': 9},
                                      {'finding': 'pneumoperitoneum', 'neverSeen': True, 'total': 5, 'mapped': 1}]},
            'polarity': [
                {'name': 'held-out (built-in)', 'sentences': 32, 'minAccuracy': 0.96,
                 'findings': [finding('cardiomegaly', 0.96), finding('pneumoperitoneum', 0.5, never=True)]},
                {'name': 'iu.csv (rule-labelled)', 'sentences': 40, 'minAccuracy': 0.9,
                 'findings': [finding('cardiomegaly', 0.9, pos=20, neg=20), finding('pneumoperitoneum', None, True, 0, 0)]},
            ],
        }
        lines, verdicts = language_section(lang, 'radsift eval-language --reports iu.csv')
        text = '\n'.join(lines)
        self.assertIn('### (d) Report language (`radsift eval-language --reports iu.csv`)', text)
        self.assertIn('| cardiomegaly | 9/10 | 0.960 / 0.900 (8, 8) | 0.900 / 0.900 (20, 20) |', text)
        self.assertIn('| pneumoperitoneum * | 1/5 | 0.500 / 0.900 (8, 8) | — |', text)
        # the synonym target is judged on those the training prompts did not use (5/6), not on all (9/10)
        self.assertEqual([(round(v, 3), ok) for _, v, ok in verdicts], [(0.833, False), (0.96, True), (0.9, False)])
        self.assertIn('(those not among the training wordings: 5/6; all of the findings trained on: 9/10)',
                      verdicts[0][0])
        self.assertIn('6 are none of the wordings the training prompts used', text)
        self.assertNotIn("app's warning", text)  # an eval-language before the split says nothing of it
        lang['synonyms'].update(familiar={'total': 7, 'mapped': 7}, unfamiliar={'total': 3, 'mapped': 2})
        split = '\n'.join(language_section(lang, 'lang')[0])
        self.assertIn('it shows without a warning, 7/7 map to their finding; of those it warns on, 2/3.', split)
        full = card(run(0.99), run(0.98), 'h', 's', language=lang, language_cmd='lang')
        self.assertNotIn('### Why the targets', full)
        why = card(run(0.99), run(0.98), 'h', 's', language=lang, language_cmd='lang', why='- IU: "sternotomy XXXX".\n')
        self.assertTrue(why.endswith('| **no** |\n\n### Why the targets marked **no** are not met\n\n'
                                     '- IU: "sternotomy XXXX".\n'), why[-300:])
        with self.assertRaisesRegex(SystemExit, 'empty'):
            card(run(0.99), run(0.98), 'h', 's', language=lang, language_cmd='lang', why=' \n')
        with self.assertRaisesRegex(SystemExit, 'every target is met'):
            card(run(0.99), run(0.98), 'h', 's', why='nothing')
        self.assertIn('| polarity accuracy ≥ 0.95 for every finding, iu.csv (rule-labelled) (40 sentences; min) '
                      '| 0.900 | **no** |', full)

    def test_refuses_report_language_measured_on_the_validation_set(self):
        # the validation set steers choices, so a card that reported it would grade what it was tuned on
        with tempfile.TemporaryDirectory() as tmp:
            files = {}
            for name, value in (('held', run(0.99)), ('shifted', run(0.98)),
                                ('lang', {'set': 'validation', 'synonyms': {}, 'polarity': []})):
                files[name] = os.path.join(tmp, f'{name}.json')
                with open(files[name], 'w', encoding='utf-8') as f:
                    json.dump(value, f)
            argv = ['eval_card.py', '--heldout', files['held'], '--shifted', files['shifted'],
                    '--language', files['lang']]
            with mock.patch('sys.argv', argv), self.assertRaises(SystemExit) as stop:
                main()
            self.assertIn('measured on the validation set', str(stop.exception))

    def test_rare_targets_met_and_prevalence_rule(self):
        real = all_columns(0.99, {'rib_fracture': {'auc': 0.95, 'p10': 0.8}, 'scoliosis': {'auc': 0.5, 'p10': 0.0}})
        real['phrases'][-1].update(positives=100, negatives=900)  # scoliosis at 10 %: not a real-prevalence set
        rare = all_columns(0.99, {'pneumoperitoneum': {'auc': 0.6, 'shots': (0.6, 0.8, 0.9)}})
        t = rare_targets(rare_rows(TRAINED_RARE, real, rare), rare_rows(['pneumoperitoneum'], real, rare))
        self.assertTrue(all(ok for _, _, ok in t), t)
        self.assertIn('not applicable', t[0][0])
        self.assertIn('scoliosis', t[0][0])

    def test_example_profile_columns_when_reported(self):
        rare = all_columns(0.99, {'pneumoperitoneum': {'auc': 0.6}})
        rare['phrases'][-1]['probe']['exampleProfile'] = {'1': 0.61, '4': 0.72, '16': 0.83}
        text = card(all_columns(0.99, {}), all_columns(0.99, {}), 'h', 's', None, rare, [], ['pneumoperitoneum'])
        self.assertIn('| 1 example | 4 examples | 16 examples |', text)
        self.assertIn('| 0.950 | 0.610 | 0.720 | 0.830 | 0.90 | yes |', text)
        self.assertNotIn('max-pooled patch embeddings', text)
        # what the columns compared, as `radsift eval` reports it
        rare['exampleDescriptor'] = 'embedding and pooled patches'
        text = card(all_columns(0.99, {}), all_columns(0.99, {}), 'h', 's', None, rare, [], ['pneumoperitoneum'])
        self.assertIn('alone, by the embedding and the max-pooled patch embeddings side by side, centred', text)

    def test_says_what_the_probes_read(self):
        held, rare = all_columns(0.99, {}), all_columns(0.99, {'pneumoperitoneum': {'auc': 0.6}})
        text = card(held, all_columns(0.99, {}), 'h', 's', None, rare, [], ['pneumoperitoneum'])
        self.assertIn('probes are logistic regressions on the frozen image embeddings, trained', text)
        self.assertNotIn('max-pooled patch embeddings side by side, centred on the mean over the set, as the app', text)
        held['probeFeatures'] = rare['probeFeatures'] = 'embedding and pooled patches, centred'
        text = card(held, all_columns(0.99, {}), 'h', 's', None, rare, [], ['pneumoperitoneum'])
        words = ('the frozen image embeddings and their max-pooled patch embeddings side by side, centred on the '
                 'mean over the set, as the app\'s linear probe and example sets compare scans (docs/few-shot.md)')
        self.assertIn(f'probes are logistic regressions on {words}, trained', text)
        self.assertIn(f'all labels of the other half, logistic regressions on {words};', text)
        held['probeFeatures'] = 'embedding'
        self.assertIn('regressions on the frozen image embeddings, as the app',
                      card(held, all_columns(0.99, {}), 'h', 's'))

    def test_finding_groups_from_the_bundle_manifest(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, 'manifest.json'), 'w') as f:
                json.dump({'zeroShot': {'findings': ['nodule', 'rib_fracture', 'scoliosis'], 'neverSeen': NEVER}}, f)
            self.assertEqual(finding_groups(d, None, None, []), (TRAINED_RARE, NEVER))
            self.assertEqual(finding_groups(d, 'scoliosis', 'hiatal hernia', []), (['scoliosis'], ['hiatal_hernia']))
        run = all_columns(0.99, {'rib_fracture': {'auc': 0.9}, 'pneumoperitoneum': {'auc': 0.5}})
        self.assertEqual(finding_groups(None, None, 'pneumoperitoneum', [run]),
                         (['rib_fracture'], ['pneumoperitoneum']))

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
