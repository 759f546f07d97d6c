"""The training export's two layouts (generator 1.0: eight findings, one 8-bit mask; 1.1: every finding,
mask planes, excluded findings) and the never-seen guarantee: an export that lets an excluded finding
through — a label, a mask bit, a sentence, or only its words — stops the run.

    /usr/bin/python3 -m unittest discover -s models/train -p 'test_*.py'
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch
from PIL import Image

import fake_data
from radsift_train import bundle, data, prompts

NEVER = ['pneumoperitoneum', 'hiatal_hernia', 'cavitary_lesion', 'subcutaneous_emphysema']


def _records(d):
    with open(os.path.join(d, 'records.jsonl'), encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def _write_records(d, recs):
    with open(os.path.join(d, 'records.jsonl'), 'w', encoding='utf-8') as f:
        f.writelines(json.dumps(r) + '\n' for r in recs)


def _raw_bits(d, recs, lay):
    """[N, K] whether the mask files have each trained finding's bit anywhere, read directly."""
    out = np.zeros((len(recs), len(lay.findings)), np.float32)
    for i, r in enumerate(recs):
        planes = [np.asarray(Image.open(os.path.join(d, p))) for p in r['planes']]
        for j, f in enumerate(lay.findings):
            p, b = lay.bit(f)
            out[i, j] = float(((planes[p] >> b) & 1).any())
    return torch.from_numpy(out)


def _read(d, never_seen=()):
    m = data.read_manifest(d)
    lay = data.layout(m, never_seen)
    recs = data.read_records(d, lay)
    return lay, recs, data.load(d, recs, lay, 32, 4)


class ExportLayoutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.old = os.path.join(cls.tmp, 'old')
        cls.new = os.path.join(cls.tmp, 'new')
        cls.excl = os.path.join(cls.tmp, 'excl')
        fake_data.write(cls.old, 40, 3, 32, layout='1.0')
        fake_data.write(cls.new, 60, 3, 32, layout='1.1')
        fake_data.write(cls.excl, 60, 3, 32, layout='1.1', exclude=NEVER)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def poisoned(self, name, edit):
        """A copy of the export with exclusions, records edited by edit(records)."""
        d = os.path.join(self.tmp, name)
        shutil.copytree(self.excl, d)
        recs = _records(d)
        edit(recs)
        _write_records(d, recs)
        return d

    def test_generator_1_0_export_still_loads(self):
        m = data.read_manifest(self.old)
        self.assertNotIn('allFindings', m)
        lay, recs, split = _read(self.old)
        self.assertFalse(lay.extended)
        self.assertEqual(list(lay.findings), fake_data.FINDINGS)
        self.assertEqual(lay.excluded, ())
        self.assertEqual(tuple(split.masks.shape[:2]), (40, 8))
        # each finding's mask from its bit, and none without its label
        has_mask = (split.masks.flatten(2).amax(-1) > 0).float()
        self.assertTrue(torch.equal(has_mask, _raw_bits(self.old, recs, lay)))
        self.assertTrue(bool((has_mask <= split.labels).all()))
        self.assertGreater(float(has_mask.sum()), 0.8 * float(split.labels.sum()))
        raw = _records(self.old)
        self.assertEqual(split.labels[:, 0].tolist(), [float(r['labels']['pleural_effusion']) for r in raw])

    def test_more_than_eight_findings_need_mask_planes(self):
        d = os.path.join(self.tmp, 'nine')
        shutil.copytree(self.old, d)
        m = json.load(open(os.path.join(d, 'manifest.json')))
        m['findings'] = m['findings'] + ['rib_fracture']
        json.dump(m, open(os.path.join(d, 'manifest.json'), 'w'))
        with self.assertRaisesRegex(ValueError, 'at most 8'):
            data.read_manifest(d)

    def test_every_finding_from_the_all_keys(self):
        lay, recs, split = _read(self.new)
        self.assertTrue(lay.extended)
        self.assertEqual(list(lay.findings), fake_data.ALL_FINDINGS)
        self.assertEqual(lay.bit('rib_fracture'), (1, 0))
        self.assertEqual(lay.bit('elevated_hemidiaphragm'), (2, 3))
        self.assertEqual(tuple(split.masks.shape[:2]), (60, 20))
        has_mask = (split.masks.flatten(2).amax(-1) > 0).float()
        self.assertTrue(torch.equal(has_mask, _raw_bits(self.new, recs, lay)))
        self.assertTrue(bool((has_mask <= split.labels).all()))
        self.assertTrue(torch.equal(has_mask[:, 8:], split.labels[:, 8:]))  # rare masks, from planes 1 and 2
        self.assertGreater(float(split.labels[:, 8:].sum()), 10)
        # sentence claims come from allFindings/allPolarity: a rare-only sentence claims its finding
        raw = _records(self.new)
        k = lay.findings.index('scoliosis')
        for r, sents in zip(raw, split.sentences):
            for s, (text, claims, pol) in zip(r['sentences'], sents):
                self.assertEqual(text, s['text'])
                self.assertEqual(pol, s['allPolarity'])
                if 'scoliosis' in s['allFindings']:
                    self.assertEqual(int(claims[k]), 1)
                    self.assertEqual(s['polarity'], 'none')  # the 1.0 keys do not know it

    def test_excluded_findings_are_not_trained(self):
        lay, recs, split = _read(self.excl, NEVER)
        self.assertEqual(set(lay.excluded), set(NEVER))
        self.assertEqual(len(lay.findings), 16)
        self.assertFalse(set(NEVER) & set(lay.findings))
        self.assertEqual(tuple(split.labels.shape), (60, 16))
        stats = {}
        data.read_records(self.excl, lay, stats)
        self.assertEqual(stats['records'], 60)
        self.assertGreater(stats['sentences'], 60)

    def test_run_that_must_not_see_a_finding_needs_an_export_that_excludes_it(self):
        for d in (self.new, self.old):
            with self.assertRaisesRegex(data.ExclusionError, 'does not exclude'):
                data.layout(data.read_manifest(d), NEVER)

    def test_poisoned_text_stops_the_run(self):
        cases = {
            # the words alone, in a sentence that declares nothing
            'word': lambda recs: recs[5]['sentences'].append(
                {'text': 'Small hiatus hernia.', 'findings': [], 'polarity': 'none', 'allFindings': [],
                 'allPolarity': 'none'}),
            # an abbreviation-free synonym inside another finding's sentence
            'synonym': lambda recs: recs[7]['sentences'][0].update(
                text=recs[7]['sentences'][0]['text'] + ' Free air under the right hemidiaphragm.'),
            # only in the free-text report
            'report': lambda recs: recs[9].update(report=recs[9]['report'] + ' Cavitating lesion in the left apex.'),
            # a negation is a mention too
            'negated': lambda recs: recs[2]['sentences'].append(
                {'text': 'No subcutaneous gas.', 'findings': [], 'polarity': 'none',
                 'allFindings': ['subcutaneous_emphysema'], 'allPolarity': 'negated'}),
        }
        for name, edit in cases.items():
            with self.subTest(name):
                d = self.poisoned(f'poison-{name}', edit)
                lay = data.layout(data.read_manifest(d), NEVER)
                with self.assertRaises(data.ExclusionError) as e:
                    data.read_records(d, lay)
                self.assertIn('never', str(e.exception))

    def test_poisoned_label_or_mask_stops_the_run(self):
        d = self.poisoned('poison-label', lambda recs: recs[3]['allLabels'].update(pneumoperitoneum=1))
        with self.assertRaisesRegex(data.ExclusionError, 'labelled pneumoperitoneum'):
            data.read_records(d, data.layout(data.read_manifest(d), NEVER))
        # a mask bit of an excluded finding (cavitary_lesion: index 15, plane 1, bit 7)
        d = self.poisoned('poison-mask', lambda recs: None)
        lay = data.layout(data.read_manifest(d), NEVER)
        self.assertEqual(lay.bit('cavitary_lesion'), (1, 7))
        recs = data.read_records(d, lay)
        path = os.path.join(d, recs[4]['planes'][1])
        plane = np.asarray(Image.open(path)).copy()
        plane[10:14, 10:14] |= 1 << 7
        Image.fromarray(plane, 'L').save(path)
        with self.assertRaisesRegex(data.ExclusionError, 'cavitary_lesion'):
            data.load(d, recs, lay, 32, 4)

    def test_val_export_must_train_the_same_findings(self):
        lay_new = data.layout(data.read_manifest(self.new))
        lay_excl = data.layout(data.read_manifest(self.excl), NEVER)
        self.assertNotEqual(lay_new.findings, lay_excl.findings)


class LexiconTest(unittest.TestCase):
    def test_every_rare_finding_has_wordings_and_a_lexicon(self):
        for f in fake_data.RARE:
            self.assertIn(f, prompts.TERMS)
            self.assertGreaterEqual(len(prompts.SYNONYMS[f]), 3, f)
            for w in prompts.wordings(f):
                self.assertTrue(prompts.names(f, w), (f, w))
                self.assertTrue(prompts.names(f, f'No {w}.'), (f, w))  # negations name it too

    def test_lexicon_names_exactly_the_findings_a_sentence_declares(self):
        """On every sentence the fake generator writes (all findings, no exclusions): a rare finding's words occur
        exactly in the sentences that declare it, so the exclusion check neither misses nor cries wolf."""
        with tempfile.TemporaryDirectory() as d:
            fake_data.write(d, 150, 9, 32, layout='1.1')
            for r in _records(d):
                for s in r['sentences']:
                    for f in fake_data.RARE:
                        self.assertEqual(prompts.names(f, s['text']), f in s['allFindings'], (f, s['text']))

    def test_no_training_prompt_names_a_never_seen_finding(self):
        trained = [f for f in fake_data.ALL_FINDINGS if f not in NEVER]
        prompts.assert_training_prompts(trained, NEVER)
        # any four rare findings can be held out
        for x in fake_data.RARE:
            prompts.assert_training_prompts([f for f in fake_data.ALL_FINDINGS if f != x], [x])
        saved = list(prompts.SYNONYMS['pneumomediastinum'])
        try:
            prompts.SYNONYMS['pneumomediastinum'].append('free air')  # a leak through another finding's prompts
            with self.assertRaisesRegex(ValueError, 'free air'):
                prompts.assert_training_prompts(trained, NEVER)
        finally:
            prompts.SYNONYMS['pneumomediastinum'][:] = saved

    def test_extended_wordings(self):
        """Recipe 1.6.0's extended prompts: more wordings and whole statements of the trained findings only,
        none naming a held-out finding; without it the draws are the base recipe's."""
        import numpy as np
        trained = [f for f in fake_data.ALL_FINDINGS if f not in NEVER]
        prompts.assert_training_prompts(trained, NEVER, extended=True)
        for x in fake_data.RARE:
            prompts.assert_training_prompts([f for f in fake_data.ALL_FINDINGS if f != x], [x], extended=True)
        self.assertFalse(set(prompts.EXTENDED_SYNONYMS) & set(NEVER))
        extra = {w for ws in prompts.EXTENDED_SYNONYMS.values() for w in ws}
        statements = {t for d in (prompts.POSITIVE_STATEMENTS, prompts.NEGATED_STATEMENTS) for ts in d.values()
                      for t in ts}

        def draws(extended):
            rng = np.random.default_rng(5)
            return [t for _ in range(300) for side in prompts.sample_prompts(trained, rng, 0.5, extended) for t in side]

        base = draws(False)
        self.assertFalse(statements & set(base))
        base_wordings = [w for f in trained for w in prompts.wordings(f)]
        only_extended = [w for w in extra if not any(w in b for b in base_wordings)]
        self.assertFalse([(w, t) for t in base for w in only_extended if f' {w} ' in f' {t.rstrip(".")} '])
        ext = draws(True)
        self.assertTrue(statements & set(ext))
        self.assertTrue(any('kerley b lines' in t for t in ext))
        self.assertTrue(any('heart size is normal' == t for t in ext))
        named_by = {x: prompts.namer(x) for x in NEVER}
        self.assertFalse([t for t in ext for x in NEVER if named_by[x](t)])
        # nor a word of a never-seen finding that only the extended wordings would bring in
        saved = list(prompts.EXTENDED_SYNONYMS['nodule'])
        try:
            prompts.EXTENDED_SYNONYMS['nodule'].append('coin lesion')
            with self.assertRaisesRegex(ValueError, '"lesion".*cavitary_lesion'):
                prompts.assert_training_prompts(trained, NEVER, extended=True)
        finally:
            prompts.EXTENDED_SYNONYMS['nodule'][:] = saved
        # the manifest lists what the run drew from
        z = bundle.zero_shot_section(trained, NEVER, extended=True)
        self.assertIn('kerley b lines', z['prompts']['wordings']['edema'])
        self.assertIn('heart size is normal', z['prompts']['statements']['negative']['cardiomegaly'])
        self.assertNotIn('statements', bundle.zero_shot_section(trained, NEVER)['prompts'])

    def test_vocabulary_check(self):
        prompts.assert_vocabulary(['no', 'pleural', 'effusion', '##itis', 'emphysema'], NEVER)
        with self.assertRaisesRegex(data.ExclusionError, '"hiatus" \\(hiatal_hernia\\)'):
            prompts.assert_vocabulary(['no', 'hiatus', 'hernia'], NEVER)

    def test_app_zero_shot_templates_are_trained(self):
        """electron/scoring/prompts.ts DEFAULT_TEMPLATES, each negated with 'no {}'."""
        app = ['{}', '{}.', 'there is {}.', 'findings consistent with {}.']
        for t in app:
            self.assertIn(t, prompts.POSITIVE_TEMPLATES)
            self.assertIn(t.replace('{}', 'no {}'), prompts.NEGATIVE_TEMPLATES)


class BundleFindingsTest(unittest.TestCase):
    def test_zero_shot_section_names_trained_and_never_seen(self):
        trained = [f for f in fake_data.ALL_FINDINGS if f not in NEVER]
        z = bundle.zero_shot_section(trained, NEVER)
        self.assertEqual(z['findings'], trained)
        self.assertEqual(z['neverSeen'], NEVER)
        self.assertEqual(set(z['prompts']['wordings']), set(fake_data.ALL_FINDINGS))
        self.assertEqual(z['prompts']['wordings']['hiatal_hernia'][0], 'hiatal hernia')

    def test_init_from_refuses_weights_that_saw_a_never_seen_finding(self):
        import train
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'checkpoint.pt')
            torch.save({'model': {}, 'config': {}, 'step': 1, 'seed': 0}, path)  # recipe < 1.5: no record
            with self.assertRaisesRegex(SystemExit, 'nothing on record'):
                train.init_from(path, None, {}, [], 'cpu', tuple(NEVER))
            torch.save({'model': {}, 'config': {}, 'step': 1, 'seed': 0, 'excluded': NEVER[:2]}, path)
            with self.assertRaisesRegex(SystemExit, 'cavitary_lesion, subcutaneous_emphysema'):
                train.init_from(path, None, {}, [], 'cpu', tuple(NEVER))


if __name__ == '__main__':
    unittest.main()
