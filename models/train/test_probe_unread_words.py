"""probe_unread_words.py on a small random text tower: what it counts, and what the blank does.

    /usr/bin/python3 -m unittest discover -s models/train -p 'test_*.py'
"""

from __future__ import annotations

import json
import os
import tempfile
import unittest

import torch

import probe_unread_words as probe
from radsift_train import tokenizer as wp
from radsift_train.model import DualEncoder

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'configs', 'smoke.json')


class ProbeUnreadWordsTest(unittest.TestCase):
    def setUp(self):
        with open(CONFIG, encoding='utf-8') as f:
            cfg = json.load(f)
        reports = ['No pleural effusion.', 'Small left nodule.', 'Enlarged heart.'] * 3
        vocab = wp.build_vocab(reports, ['pneumothorax', 'cardiomegaly'])
        torch.manual_seed(0)
        model = DualEncoder(cfg, len(vocab))
        self.ck = {'model': model.state_dict(), 'config': cfg, 'vocab': sorted(vocab, key=vocab.get),
                   'findings': ['pleural_effusion', 'nodule', 'cardiomegaly'], 'excluded': ['pneumothorax']}
        self.tmp = tempfile.TemporaryDirectory()
        with open(os.path.join(self.tmp.name, 'records.jsonl'), 'w', encoding='utf-8') as f:
            for r in reports:
                f.write(json.dumps({'report': r}) + '\n')

    def tearDown(self):
        self.tmp.cleanup()

    def test_counts_the_taught_findings_synonyms_and_leaves_the_never_seen_out_of_taught_only(self):
        synonyms = {'pleural_effusion': ['pleural effusion', 'water on the lung'], 'nodule': ['lung spot'],
                    'pneumothorax': ['dropped lung']}
        out = probe.probe(self.ck, self.tmp.name, synonyms)
        for mode in ('asTrained', 'unreadBlank', 'taughtOnly'):
            self.assertEqual(out[mode]['total'], 3, mode)  # the never-seen finding's synonym is not counted
            self.assertEqual(out[mode]['mapped'] + sum(out[mode]['missesNearest'].values()), 3, mode)
        self.assertNotIn('pneumothorax', out['taughtOnly']['missesNearest'])
        # a synonym that is the finding's own name is nearest its own phrase in every mode
        one = {'pleural_effusion': ['pleural effusion']}
        for blank in (False, True):
            reader = probe.Reader(self.ck, probe.words_read(self.tmp.name, self.ck['findings']))
            self.assertEqual(reader.map_synonyms(one, ['pleural_effusion', 'nodule', 'pneumothorax'], blank)['mapped'], 1)

    def test_an_unread_word_becomes_one_blank_and_read_words_keep_their_pieces(self):
        reader = probe.Reader(self.ck, probe.words_read(self.tmp.name, self.ck['findings']))
        self.assertIn('heart', reader.read)
        pieces = reader.ids('banana heart', False)
        blanked = reader.ids('banana heart', True)
        self.assertGreater(len(pieces), 4)  # [CLS] b ##an … heart [SEP]: "banana" is pieces of other words
        self.assertEqual(blanked[1], reader.blank)
        self.assertEqual(blanked[2:], pieces[-len(blanked) + 2:])
        self.assertEqual(len(blanked), 4)
        # the blank reads as nothing: its embedding row is zero, the others are the checkpoint's
        self.assertEqual(float(reader.model.text.tok.weight[reader.blank].abs().sum()), 0.0)
        self.assertTrue(torch.equal(reader.model.text.tok.weight[:-1], self.ck['model']['text.tok.weight']))


if __name__ == '__main__':
    unittest.main()
