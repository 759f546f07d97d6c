"""Unit tests of the recipe's pieces (fast; no training).

    /usr/bin/python3 -m unittest discover -s models/train -p 'test_*.py'
"""

from __future__ import annotations

import json
import os
import unittest
from unittest import mock

import numpy as np
import torch
import torch.nn.functional as F

from radsift_train import augment, data, losses, metrics
from radsift_train import tokenizer as wp

AUG = {
    'cropScale': [0.6, 1.0],
    'cropRatio': [0.9, 1.111],
    'rotateDeg': 15,
    'hflipProb': 0.0,
    'brightness': 0.1,
    'contrast': 0.2,
    'gamma': 1.25,
    'blurProb': 0.3,
    'blurSigma': [0.3, 1.5],
    'noiseStd': 0.03,
}


class TokenizerTest(unittest.TestCase):
    def setUp(self):
        self.vocab = wp.build_vocab(['No pleural effusion.', 'Small left pleural effusion.'] * 3, ['pneumothorax'])
        self.tok = wp.WordPieceTokenizer(self.vocab, max_length=6)

    def test_normalize_and_split(self):
        words = wp.pre_tokenize(wp.normalize('Naïve  LEFT-sided,\tx'))
        self.assertEqual(words, ['naive', 'left', '-', 'sided', ',', 'x'])
        self.assertEqual(wp.normalize('a\x00b\u200bc'), 'abc')  # NUL and format chars dropped

    def test_wordpiece_greedy_and_unknown(self):
        self.assertEqual(self.tok.tokenize('Pleural effusion'), ['pleural', 'effusion'])
        self.assertEqual(self.tok.tokenize('pneumothoraxes'), ['pneumothorax', '##e', '##s'])
        self.assertEqual(self.tok.tokenize('🙂'), ['[UNK]'])
        self.assertEqual(self.tok.tokenize('[CLS]'), ['[CLS]'])  # literal special tokens survive

    def test_truncation_keeps_sep(self):
        ids, mask = self.tok.encode_batch(['no pleural effusion no pleural effusion', 'no'])
        self.assertEqual(len(ids[0]), 6)
        self.assertEqual(ids[0][-1], self.tok.sep_id)
        self.assertEqual(mask[1], [1, 1, 1, 0, 0, 0])

    def test_vocab_deterministic(self):
        again = wp.build_vocab(['No pleural effusion.', 'Small left pleural effusion.'] * 3, ['pneumothorax'])
        self.assertEqual(list(self.vocab.items()), list(again.items()))


class LossTest(unittest.TestCase):
    def test_negated_sentence_pairs_with_images_without_the_finding(self):
        labels = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
        claims = torch.tensor([[1, 0], [-1, 0], [0, 0]], dtype=torch.int8)  # "effusion", "no effusion", neutral
        m = losses.compatibility(labels, claims)
        self.assertEqual(m[:, 0].tolist(), [True, False, False])
        self.assertEqual(m[:, 1].tolist(), [False, True, True])
        self.assertEqual(m[:, 2].tolist(), [True, True, True])

    def test_soft_infonce_reduces_to_infonce(self):
        logits = torch.randn(5, 5, generator=torch.Generator().manual_seed(0))
        eye = torch.eye(5, dtype=torch.bool)
        ref = 0.75 * F.cross_entropy(logits, torch.arange(5)) + 0.25 * F.cross_entropy(logits.t(), torch.arange(5))
        self.assertAlmostEqual(float(losses.soft_infonce(logits, eye, 0.75)), float(ref), places=5)

    def test_local_alignment_matches_einsum_reference(self):
        g = torch.Generator().manual_seed(1)
        b, length, p, d = 4, 5, 9, 8
        tok = F.normalize(torch.randn(b, length, d, generator=g), dim=-1)
        pat = F.normalize(torch.randn(b, p, d, generator=g), dim=-1)
        mask = torch.rand(b, length, generator=g) > 0.3
        comp = torch.eye(b, dtype=torch.bool)
        att = (torch.einsum('ild,jpd->ijlp', tok, pat) * 10).softmax(-1)
        region = torch.einsum('ijlp,jpd->ijld', att, pat)
        r = (5 * F.cosine_similarity(region, tok[:, None], dim=-1)).masked_fill(~mask[:, None], -1e4)
        ref = losses.soft_infonce(10 * (torch.logsumexp(r, -1) / 5).t(), comp, 0.75)
        got = losses.local_alignment(tok, mask, pat, comp, 0.75, 10, 5, 10)
        self.assertAlmostEqual(float(got), float(ref), places=4)

    def test_grounding_prefers_patches_inside_the_mask(self):
        q = F.normalize(torch.randn(1, 1, 4), dim=-1)
        cov = torch.tensor([[[1.0, 0.0, 0.0, 0.0]]])
        good = torch.stack([q[0, 0], -q[0, 0], -q[0, 0], -q[0, 0]])[None]
        self.assertLess(float(losses.grounding(good, q, cov, 10.0)), float(losses.grounding(-good, q, cov, 10.0)))
        skip = torch.full_like(cov, -1.0)
        self.assertEqual(float(losses.grounding(good, q, skip, 10.0)), 0.0)

    def test_region_prompt_pairs_is_the_apps_score_as_a_loss(self):
        g = torch.Generator().manual_seed(3)
        b, p, k, d = 4, 6, 2, 8
        img = F.normalize(torch.randn(b, d, generator=g), dim=-1)
        pat = F.normalize(torch.randn(b, p, d, generator=g), dim=-1)
        pos = F.normalize(torch.randn(k, d, generator=g), dim=-1)
        neg = F.normalize(torch.randn(k, d, generator=g), dim=-1)
        labels = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
        # the app: per phrase, whole-image margin and the best cell's, less the median of their gap
        gm = F.cosine_similarity(img[:, None], pos[None], dim=-1) - F.cosine_similarity(img[:, None], neg[None], dim=-1)
        cells = (F.cosine_similarity(pat[:, :, None], pos[None, None], dim=-1)
                 - F.cosine_similarity(pat[:, :, None], neg[None, None], dim=-1))
        rm = cells.max(1).values
        logit = 10.0 * (gm + rm - (rm - gm).median()) / 2
        ref = F.binary_cross_entropy_with_logits(logit, labels)
        got = losses.region_prompt_pairs(img, pat, pos, neg, labels, 10.0, None)
        self.assertAlmostEqual(float(got), float(ref), places=5)
        # only the best cell of each (scan, phrase) is moved; a pair weighted 0 moves nothing
        x = pat.clone().requires_grad_(True)
        w = torch.ones_like(labels)
        w[2] = 0
        losses.region_prompt_pairs(img, x, pos, neg, labels, 10.0, None, w).backward()
        moved = x.grad.abs().sum(-1) > 0  # [B, P]
        self.assertEqual(moved[2].sum().item(), 0)
        for i in (0, 1, 3):
            self.assertEqual(set(moved[i].nonzero().flatten().tolist()), set(cells[i].argmax(0).tolist()))

    def test_region_prompt_pairs_rewards_a_scan_whose_best_cell_shows_the_finding(self):
        pos, neg = torch.eye(4)[:1], torch.eye(4)[1:2]
        img = F.normalize(torch.ones(2, 4), dim=-1)  # the same whole image: only the cells differ
        found = torch.stack([torch.eye(4)[0], torch.eye(4)[2], torch.eye(4)[3]])
        missed = torch.stack([torch.eye(4)[1], torch.eye(4)[2], torch.eye(4)[3]])
        labels = torch.tensor([[1.0], [0.0]])
        right = losses.region_prompt_pairs(img, torch.stack([found, missed]), pos, neg, labels, 10.0, None)
        wrong = losses.region_prompt_pairs(img, torch.stack([missed, found]), pos, neg, labels, 10.0, None)
        self.assertLess(float(right), float(wrong))

    def test_pointing_rewards_the_hottest_patch_inside_the_mask(self):
        q = F.normalize(torch.randn(1, 1, 4), dim=-1)
        cov = torch.tensor([[[0.2, 0.0, 0.0, 0.0]]])  # a finding smaller than a patch still has a core
        v = q[0, 0]
        inside_hot = torch.stack([v, 0.5 * v, 0.5 * v, 0.5 * v])[None]
        outside_hot = torch.stack([0.5 * v, v, 0.5 * v, 0.5 * v])[None]
        self.assertLess(float(losses.pointing(inside_hot, q, cov, 10.0)), float(losses.pointing(outside_hot, q, cov, 10.0)))
        # exactly −log softmax at the core patch: cosines 1 and 0.5 at logit scale 10
        self.assertAlmostEqual(float(losses.pointing(inside_hot, q, cov, 10.0)),
                               float(-torch.log_softmax(torch.tensor([10.0, 5, 5, 5]), 0)[0]), places=5)
        for absent in (torch.zeros_like(cov), torch.full_like(cov, -1.0)):  # no finding / skipped pair
            x = inside_hot.clone().requires_grad_(True)
            loss = losses.pointing(x, q, absent, 10.0)
            loss.backward()
            self.assertEqual(float(loss), 0.0)
            self.assertTrue(bool(torch.isfinite(x.grad).all()))

    def test_text_negation_rewards_the_right_ordering(self):
        g = torch.Generator().manual_seed(2)
        pos = F.normalize(torch.randn(2, 8, generator=g), dim=-1)  # "<finding>"
        neg = F.normalize(torch.randn(2, 8, generator=g), dim=-1)  # "no <finding>"
        noise = 0.1 * torch.randn(2, 2, 3, 8, generator=g)
        right = F.normalize(torch.stack([pos, neg], 1)[:, :, None] + noise, dim=-1)  # [K, 2, M, D]
        wrong = right.flip(1)  # positive sentences next to the negation, negated ones next to the phrase
        valid = torch.ones(2, 2, 3, dtype=torch.bool)
        self.assertLess(float(losses.text_negation(pos, neg, right, valid, 10.0)),
                        float(losses.text_negation(pos, neg, wrong, valid, 10.0)))
        # A finding without negated sentences contributes no ranking pairs, and nothing is NaN.
        valid[1, 1] = False
        self.assertTrue(torch.isfinite(losses.text_negation(pos, neg, wrong, valid, 10.0)))

    def test_finding_identity_prefers_the_own_phrase(self):
        pos = torch.eye(3, 8)  # three orthogonal finding phrases
        own = pos[:, None, None, :].expand(3, 2, 2, 8)  # positive sentences on their own phrase
        other = pos.roll(1, 0)[:, None, None, :].expand(3, 2, 2, 8)  # on the next finding's phrase
        valid = torch.ones(3, 2, 2, dtype=torch.bool)
        self.assertLess(float(losses.finding_identity(pos, own, valid, 10.0)),
                        float(losses.finding_identity(pos, other, valid, 10.0)))
        valid[:, 0] = False
        self.assertEqual(float(losses.finding_identity(pos, other, valid, 10.0)), 0.0)

    def test_negation_pools_and_sampling(self):
        claims = lambda *c: np.array(c, np.int8)  # noqa: E731
        split = data.Split(torch.zeros(2, 4, 4, dtype=torch.uint8), torch.zeros(2, 2, 2, 2, dtype=torch.uint8),
                           torch.zeros(2, 2), [
                               [('Small effusion.', claims(1, 0), 'positive'), ('No nodule.', claims(0, -1), 'negated')],
                               [('No effusion or nodule.', claims(-1, -1), 'negated')],
                           ], ['a', 'b'])
        pools = data.negation_pools(split)
        self.assertEqual(pools, [(['Small effusion.'], ['No effusion or nodule.']),
                                 ([], ['No effusion or nodule.', 'No nodule.'])])
        texts, valid = data.sample_negation_texts(pools, 2, np.random.default_rng(0))
        self.assertEqual(len(texts), 2 * 2 * 2)
        self.assertEqual(valid.tolist(), [[[True, True], [True, True]], [[False, False], [True, True]]])
        self.assertEqual(texts[:2], ['Small effusion.', 'Small effusion.'])
        self.assertEqual(texts[4:6], ['', ''])


class ModelTest(unittest.TestCase):
    def test_pool_options_shapes(self):
        from radsift_train.model import ImageEncoder
        torch.manual_seed(0)
        args = (1, 8, [8, 8, 16, 16], [1, 1, 1, 1], 8, 16)
        for pool in ('mean', 'meanmax'):
            enc = ImageEncoder(*args, pool=pool).eval()
            g, p = enc(torch.zeros(2, 1, 64, 64))
            self.assertEqual(tuple(g.shape), (2, 8))
            self.assertEqual(tuple(p.shape), (2, 16, 8))
        self.assertEqual(enc.global_head[0].in_features, 32)  # mean and max of 16 channels
        self.assertEqual(ImageEncoder(*args).global_head[0].in_features, 16)  # default: mean, as 0.1–0.2 bundles

    def test_init_from_checks_architecture_and_vocabulary(self):
        import json
        import tempfile
        import train
        from radsift_train.model import DualEncoder
        cfg = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'configs', 'smoke.json')))
        vocab = wp.build_vocab(['No pleural effusion.', 'Small left nodule.'] * 3, ['pneumothorax'])
        ids = sorted(vocab, key=vocab.get)
        torch.manual_seed(0)
        first = DualEncoder(cfg, len(vocab))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'checkpoint.pt')
            torch.save({'model': first.state_dict(), 'config': cfg, 'seed': 0, 'step': 7,
                        'vocab': ids}, path)
            bigger = json.loads(json.dumps(cfg))
            bigger['image']['size'] += 32  # the one difference a second stage may have
            second = DualEncoder(bigger, len(vocab))
            info = train.init_from(path, second, bigger, ids, 'cpu')
            self.assertEqual(info['steps'], 7)
            for k, v in first.state_dict().items():
                self.assertTrue(torch.equal(v, second.state_dict()[k]), k)
            wider = json.loads(json.dumps(bigger))
            wider['image']['widths'] = [w * 2 for w in wider['image']['widths']]
            with self.assertRaisesRegex(SystemExit, 'another architecture'):
                train.init_from(path, DualEncoder(wider, len(vocab)), wider, ids, 'cpu')
            swapped = dict(vocab)
            a, b = sorted(vocab)[-2:]
            swapped[a], swapped[b] = vocab[b], vocab[a]  # same size, other ids: must not load silently
            with self.assertRaisesRegex(SystemExit, 'tokenizer differs'):
                train.init_from(path, DualEncoder(bigger, len(vocab)), bigger, sorted(swapped, key=swapped.get), 'cpu')

    def test_tokenizer_from_init_keeps_the_checkpoint_vocabulary(self):
        import json
        import tempfile
        import train
        cfg = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'configs', 'smoke.json')))
        vocab = wp.build_vocab(['No pleural effusion.', 'Small left nodule.'] * 3, ['pneumothorax'])
        ids = sorted(vocab, key=vocab.get)
        self.assertIsNone(train.inherited_vocab(cfg, None))  # default: learnt from the data
        keep = json.loads(json.dumps(cfg))
        keep['tokenizer']['fromInit'] = True
        with self.assertRaisesRegex(SystemExit, 'give --init-from'):
            train.inherited_vocab(keep, None)
        with tempfile.TemporaryDirectory() as tmp:
            old, path = os.path.join(tmp, 'old.pt'), os.path.join(tmp, 'checkpoint.pt')
            torch.save({'model': {}, 'config': cfg}, old)
            with self.assertRaisesRegex(SystemExit, 'stores no vocabulary'):
                train.inherited_vocab(keep, old)
            torch.save({'model': {}, 'config': cfg, 'vocab': ids}, path)
            got = train.inherited_vocab(keep, path)
            self.assertEqual(got, ids)
            # Reports with words the checkpoint never read: the vocabulary stays the checkpoint's, token for
            # token, and the new words are split into its pieces, never [UNK].
            none = np.zeros(1, np.int8)
            split = data.Split(images=torch.zeros(0), masks=torch.zeros(0), labels=torch.zeros(0), ids=['a', 'b'],
                               sentences=[[('ETT tip above the carina.', none, 'positive')],
                                          [('No pleural effusion.', none, 'negated')]])
            tok, texts = train.build_tokenizer(split, ['pleural_effusion'], keep, tmp, got)
            self.assertEqual(sorted(tok.vocab, key=tok.vocab.get), ids)
            self.assertEqual(wp.WordPieceTokenizer.from_file(os.path.join(tmp, 'tokenizer.json')).vocab, tok.vocab)
            pieces = tok.encode_truncated('ETT tip above the carina.')
            self.assertNotIn(tok.unk_id, pieces)
            self.assertGreater(len(pieces), len('ETT tip above the carina.'.split()) + 2)
            self.assertLess(train.whole_word_share(tok, texts), 1.0)
            self.assertEqual(train.whole_word_share(tok, ['No pleural effusion.']), 1.0)


class FreezeTest(unittest.TestCase):
    def cfg(self, **optim):
        import json
        cfg = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'configs', 'smoke.json')))
        cfg['optim'].update(optim)
        return cfg

    def test_locked_text_tower_keeps_its_weights_while_the_image_side_trains(self):
        import train
        from radsift_train.model import DualEncoder
        torch.manual_seed(0)
        cfg = self.cfg(freeze=['text'], lr=1e-2)
        model = DualEncoder(cfg, 50).train()
        self.assertFalse(model.text.training)  # no dropout in a locked tower
        self.assertTrue(model.image.training)
        before = {k: v.clone() for k, v in model.state_dict().items()}
        opt = train.make_optimizer(model, cfg)  # what train.py steps
        optimised = {id(p) for g in opt.param_groups for p in g['params']}
        self.assertFalse(any(id(p) in optimised for p in model.text.parameters()))
        self.assertTrue(all(id(p) in optimised for p in model.image.parameters()))
        size = cfg['image']['size']
        img, _ = model.image(torch.randn(4, 1, size, size))
        txt, _ = model.text(torch.randint(5, 50, (4, 6)), torch.ones(4, 6, dtype=torch.long))
        (img @ txt.t()).diagonal().sum().neg().backward()
        opt.step()
        after = model.state_dict()
        self.assertTrue(all(torch.equal(before[k], after[k]) for k in after if k.startswith('text.')))
        self.assertFalse(all(torch.equal(before[k], after[k]) for k in after if k.startswith('image.')))

    def test_bad_freeze_settings_are_refused(self):
        import train
        train.check_freeze(self.cfg(), 'c.json', None)  # nothing frozen: nothing asked
        for freeze, init, why in ((['txt'], 'x.pt', 'must list'), (['text', 'text'], 'x.pt', 'once each'),
                                  (['image', 'text'], 'x.pt', 'nothing would train'), (['text'], None, '--init-from')):
            with self.assertRaisesRegex(SystemExit, why):
                train.check_freeze(self.cfg(freeze=freeze), 'c.json', init)
        cfg = self.cfg(freeze=['text'])
        cfg['loss']['weights']['negation'] = 0.5
        with self.assertRaisesRegex(SystemExit, 'negation'):
            train.check_freeze(cfg, 'c.json', 'x.pt')
        cfg['loss']['weights']['negation'] = 0
        cfg['loss']['weights']['identity'] = 0
        train.check_freeze(cfg, 'c.json', 'x.pt')

    @staticmethod
    def split(size: int, g: int, k: int):
        """Five random training images (a margin for the crop), their finding masks on the grid and labels."""
        import types
        gen = torch.Generator().manual_seed(1)
        return types.SimpleNamespace(
            images=torch.randint(0, 255, (5, size + 8, size + 8), dtype=torch.uint8, generator=gen),
            masks=(torch.rand(5, k, 4 * g, 4 * g, generator=gen) > 0.7).to(torch.uint8) * 255,
            labels=(torch.rand(5, k, generator=gen) > 0.5).float())

    def test_cached_image_outputs_are_what_the_locked_tower_computes(self):
        # optim.cacheImage: a step that reads the cache is the step that runs the locked tower on the same view
        import train
        from radsift_train.model import DualEncoder, grid_size
        torch.manual_seed(0)
        cfg = self.cfg(freeze=['image'], cacheImage=2)
        cfg['augment']['hflipProb'] = 0.5  # the flips decide which sentences swap sides: kept with their images
        size, g, k = cfg['image']['size'], grid_size(cfg), 3
        split = self.split(size, g, k)
        model = DualEncoder(cfg, 50).train()
        views = train.image_cache(model, split, cfg, 3, 0.5, 0.25, size, g, torch.device('cpu'),
                                  torch.contiguous_format, 2)
        self.assertEqual(len(views), 2)
        self.assertFalse(torch.equal(views[0]['img'], views[1]['img']))  # two augmented views, not one twice
        for v, view in enumerate(views):
            # the same draws, batch by batch (2, 2, 1), from the view's own stream
            stream = torch.Generator().manual_seed(3 * 1_000_003 + 500_009 + v)
            for start in range(0, 5, 2):
                idx = np.arange(start, min(5, start + 2))
                p = augment.draw(len(idx), cfg['augment'], stream)
                x, cov = augment.apply(split.images[idx], split.masks[idx], p, cfg['augment'], size, g, stream)
                with torch.no_grad():
                    img, patches = model.image(augment.normalize(x, 0.5, 0.25))
                rows = torch.from_numpy(idx)
                self.assertTrue(torch.allclose(view['img'][rows], img, atol=1e-6))
                self.assertTrue(torch.allclose(view['patches'][rows], patches, atol=1e-6))
                self.assertTrue(torch.equal(view['cov'][rows], cov))
                self.assertTrue(torch.equal(view['flip'][rows], p['flip']))
                self.assertTrue(torch.equal(view['seen'][rows],
                                            train.visible(cov, split.masks[idx], split.labels[idx], p['sx'] * p['sy'])))

    def test_image_cache_is_kept_between_runs_by_what_it_is_a_function_of(self):
        # --image-cache: a second run with the same tower, images and augmentation reads the views the first wrote;
        # any of those changed, it computes its own
        import tempfile
        import types
        import train
        from radsift_train.model import DualEncoder, grid_size
        torch.manual_seed(0)
        cfg = self.cfg(freeze=['image'], cacheImage=2)
        size, g, k = cfg['image']['size'], grid_size(cfg), 3
        split = self.split(size, g, k)
        model = DualEncoder(cfg, 50).train()
        cpu, fmt = torch.device('cpu'), torch.contiguous_format

        def views(c=cfg, m=model, s=split, d=None):
            return train.cached_image_views(m, s, c, 3, 0.5, 0.25, size, g, cpu, fmt, 2, d)

        with tempfile.TemporaryDirectory() as d:
            first, where = views(d=d)
            self.assertTrue(where.startswith('computed, written to'), where)
            again, where = views(d=d)
            self.assertTrue(where.startswith('read from'), where)
            self.assertEqual(len(again), 2)
            for a, b in zip(first, again):
                for name in ('img', 'patches', 'cov', 'seen', 'flip'):
                    self.assertTrue(torch.equal(a[name], b[name]), name)
            self.assertEqual(views()[1], 'computed')  # no directory: nothing kept
            kept = os.path.join(d, os.listdir(d)[0])
            with open(kept, 'r+b') as f:  # a truncated or corrupted file is computed again, not a crash
                f.truncate(os.path.getsize(kept) // 2)
            redone, where = views(d=d)
            self.assertRegex(where, r'^computed, written to .*unreadable: \w+; replaced')
            self.assertTrue(all(torch.equal(a['img'], b['img']) for a, b in zip(first, redone)))
            self.assertTrue(views(d=d)[1].startswith('read from'))
            other = json.loads(json.dumps(cfg))
            other['augment']['rotateDeg'] = 7
            relabelled = types.SimpleNamespace(images=split.images, masks=split.masks, labels=1 - split.labels)
            retrained = DualEncoder(cfg, 50).train()  # other weights
            for changed in (views(c=other, d=d), views(s=relabelled, d=d), views(m=retrained, d=d)):
                self.assertTrue(changed[1].startswith('computed, written to'), changed[1])
            self.assertEqual(len(os.listdir(d)), 4)

    def test_text_anchor_measures_the_drift_from_the_starting_text_tower(self):
        # loss.weights.textAnchor: zero where the text tower is where it started, growing as it moves; its gradient
        # reaches the training tower only
        import copy
        import train
        from radsift_train.model import DualEncoder
        torch.manual_seed(0)
        model = DualEncoder(self.cfg(), 50).eval()  # no dropout: the same tower gives the same embeddings
        anchor = copy.deepcopy(model.text).eval().requires_grad_(False)
        ids, mask = torch.randint(5, 50, (6, 7)), torch.ones(6, 7, dtype=torch.long)
        txt, _ = model.text(ids, mask)
        self.assertLess(float(train.text_anchor(txt, anchor, ids, mask)), 1e-6)
        with torch.no_grad():
            model.text.tok.weight.add_(0.5 * torch.randn_like(model.text.tok.weight))
        txt, _ = model.text(ids, mask)
        drift = train.text_anchor(txt, anchor, ids, mask)
        self.assertGreater(float(drift), 1e-3)
        drift.backward()
        self.assertIsNotNone(model.text.tok.weight.grad)
        self.assertTrue(all(p.grad is None for p in anchor.parameters()))

    def test_text_anchor_replays_the_training_forward_dropout(self):
        # In training both towers drop units: the anchor replays the forward's random state, so identical weights
        # give zero (an anchor without dropout measured mostly noise), and the run's own stream is not disturbed
        import copy
        import train
        from radsift_train.model import DualEncoder
        torch.manual_seed(0)
        model = DualEncoder(self.cfg(), 50).train()
        anchor = copy.deepcopy(model.text).requires_grad_(False)
        ids, mask = torch.randint(5, 50, (16, 9)), torch.ones(16, 9, dtype=torch.long)
        cpu = torch.device('cpu')
        drawn = train.rng_state(cpu)
        txt, _ = model.text(ids, mask)
        after = torch.get_rng_state()
        self.assertLess(float(train.text_anchor(txt, anchor, ids, mask, drawn)), 1e-6)
        self.assertTrue(torch.equal(torch.get_rng_state(), after))  # the replay was forked
        self.assertGreater(float(train.text_anchor(txt, anchor.eval(), ids, mask)), 1e-3)  # dropout against none

    def test_anchor_phrases_are_ordinary_tokens_between_cls_and_sep(self):
        import train
        special = frozenset(range(5))
        ids, mask = train.anchor_phrases(200, 60, special, 2, 3, np.random.default_rng(0), 'cpu')
        self.assertEqual(tuple(ids.shape), (200, 8))
        lengths = mask.sum(1)
        self.assertEqual(int(lengths.min()), 3)  # [CLS], one token, [SEP]
        self.assertEqual(int(lengths.max()), 8)
        for row, k in zip(ids.tolist(), lengths.tolist()):
            self.assertEqual((row[0], row[k - 1]), (2, 3))
            self.assertTrue(all(t not in special for t in row[1 : k - 1]), row)
            self.assertTrue(all(t == 0 for t in row[k:]))
        again, _ = train.anchor_phrases(200, 60, special, 2, 3, np.random.default_rng(0), 'cpu')
        self.assertTrue(torch.equal(ids, again))  # a pure function of the stream: resumable, reproducible

    def test_text_anchor_needs_a_starting_tower_that_trains(self):
        import train
        for freeze, init, why in ((['text'], 'x.pt', 'text tower that trains'), ([], None, 'needs --init-from')):
            cfg = self.cfg(freeze=freeze)
            cfg['loss']['weights']['textAnchor'] = 1.0
            cfg['loss']['weights']['negation'] = cfg['loss']['weights']['identity'] = 0
            with self.assertRaisesRegex(SystemExit, why):
                train.check_freeze(cfg, 'c.json', init)
        cfg = self.cfg(freeze=['image'])
        cfg['loss']['weights']['textAnchor'] = 1.0
        train.check_freeze(cfg, 'c.json', 'x.pt')
        for phrases, why in ((-1, 'whole number'), (2.5, 'whole number'), (True, 'whole number')):
            cfg['loss']['anchorPhrases'] = phrases
            with self.assertRaisesRegex(SystemExit, why):
                train.check_freeze(cfg, 'c.json', 'x.pt')
        cfg['loss']['anchorPhrases'] = 64
        train.check_freeze(cfg, 'c.json', 'x.pt')
        cfg['loss']['weights']['textAnchor'] = 0
        with self.assertRaisesRegex(SystemExit, 'give it a weight'):
            train.check_freeze(cfg, 'c.json', 'x.pt')

    def test_image_cache_needs_a_locked_image_tower(self):
        import train
        for views, why in ((2, 'add "image" to optim.freeze'), (-1, 'whole number'), (True, 'whole number'),
                           (9, 'computed for nothing')):  # smoke.json trains 8 epochs
            with self.assertRaisesRegex(SystemExit, why):
                train.check_freeze(self.cfg(freeze=[] if views == 2 else ['image'], cacheImage=views), 'c.json',
                                   'x.pt')
        train.check_freeze(self.cfg(freeze=['image'], cacheImage=2), 'c.json', 'x.pt')

    def test_region_offset_is_asked_for_and_needs_a_patch_grid_trained_against_text(self):
        import train
        cfg = self.cfg()
        self.assertTrue(train.scores_regions(cfg))  # smoke.json asks, as the rare recipe's configs do
        del cfg['export']
        self.assertFalse(train.scores_regions(cfg))  # a grounding term alone does not ship the rule
        train.check_export(cfg, 'c.json')
        cfg['export'] = {'regionOffset': 'yes'}
        with self.assertRaisesRegex(SystemExit, 'true or false'):
            train.check_export(cfg, 'c.json')
        cfg['export'] = {'regionOffset': True}
        cfg['loss']['weights'].update(grounding=0, pointing=0)
        with self.assertRaisesRegex(SystemExit, 'grounding or pointing'):
            train.check_export(cfg, 'c.json')

    def test_interpolate_is_a_share_of_the_way_from_the_starting_weights(self):
        # export.interpolate (WiSE-FT): 0 would be the start, 1 the trained weights; integer buffers stay trained
        import train
        from radsift_train.model import DualEncoder
        torch.manual_seed(0)
        cfg = self.cfg()
        start_model, trained = DualEncoder(cfg, 50), DualEncoder(cfg, 50)
        start = {k: v.clone() for k, v in start_model.state_dict().items()}
        after = {k: v.clone() for k, v in trained.state_dict().items()}
        ints = [k for k, v in after.items() if not v.is_floating_point()]
        for k in ints:
            after[k] += 3
            trained.state_dict()[k].copy_(after[k])
        moved = train.interpolate_weights(trained, start, 0.25)
        for k, v in trained.state_dict().items():
            want = after[k] if k in ints else start[k] + 0.25 * (after[k] - start[k])
            torch.testing.assert_close(v, want, msg=k)
        for tower in ('image', 'text'):
            self.assertAlmostEqual(moved[f'{tower}Exported'], 0.25 * moved[f'{tower}Trained'], places=4)
            self.assertGreater(moved[f'{tower}Trained'], 0)
        now = {k: v.clone() for k, v in trained.state_dict().items()}
        train.interpolate_weights(trained, start, 1.0)  # the whole way: the weights as they are
        torch.testing.assert_close(trained.state_dict(), now, rtol=0, atol=1e-6)

    def test_interpolate_needs_a_share_and_the_weights_it_starts_from(self):
        import train
        cfg = self.cfg()
        for bad in (0, -0.5, 1.5, True, '0.5', None):
            cfg['export'] = {'regionOffset': True, 'interpolate': bad}
            with self.assertRaisesRegex(SystemExit, r'number in \(0, 1\]'):
                train.check_export(cfg, 'c.json', 'x.pt')
        cfg['export']['interpolate'] = 0.5
        with self.assertRaisesRegex(SystemExit, 'give --init-from'):
            train.check_export(cfg, 'c.json', None)
        train.check_export(cfg, 'c.json', 'x.pt')
        cfg['export']['interpolate'] = 1
        train.check_export(cfg, 'c.json', None)  # the trained weights as they are: nothing to start from

    def test_resume_compares_the_training_config_only(self):
        import copy
        import train
        cfg = self.cfg()
        other = copy.deepcopy(cfg)
        other['bundle']['version'] = '9.9.9'
        other['export']['interpolate'] = 0.5
        self.assertEqual(train.training_config(cfg), train.training_config(other))  # exported again, another way
        other['optim']['lr'] *= 2
        self.assertNotEqual(train.training_config(cfg), train.training_config(other))

    def test_card_says_the_weights_were_interpolated(self):
        from radsift_train import bundle
        cfg = self.cfg()
        self.assertEqual(bundle._interpolated(cfg), '')
        cfg['export']['interpolate'] = 0.5
        self.assertIn("earlier stage's plus 0.5 of the way", bundle._interpolated(cfg))

    def test_manifest_places_region_offset_after_logit_scale(self):
        import tempfile
        from radsift_train import manifest as mf
        with tempfile.TemporaryDirectory() as d:
            for name in ('image.onnx', 'text.onnx', 'tokenizer.json'):
                with open(os.path.join(d, name), 'wb') as f:
                    f.write(name.encode())

            def build(image, offset):
                return mf.build_manifest(
                    d, id='x', name='X', version='1', licence='MIT', intended_use='tests',
                    trained_on_synthetic_data=True, provenance={}, embedding_dim=8, logit_scale=10, image=image,
                    text=mf.text_section(max_length=16, pad_to_max_length=False, lowercase=True),
                    extra={'metrics': {}}, region_offset=offset)
            common = dict(size=(64, 64), resize='letterbox', interpolation='area', value_range=1, mean=[0.5],
                          std=[0.25], channels=1)
            m = build(mf.image_section(**common, patches='patch_embeds', patch_grid=(4, 4)), 0.58)
            keys = list(m)
            self.assertEqual(keys[keys.index('logitScale') + 1], 'regionOffset')
            self.assertEqual(m['regionOffset'], 0.58)
            self.assertNotIn('regionOffset', build(mf.image_section(**common, patches='patch_embeds',
                                                                    patch_grid=(4, 4)), None))
            with self.assertRaises(mf.ManifestError):  # regions are the patch grid's cells: none without one
                build(mf.image_section(**common), 0.58)

    def test_card_says_which_tower_stayed_locked(self):
        from radsift_train import bundle
        self.assertEqual(bundle._frozen(self.cfg()), '')
        line = bundle._frozen(self.cfg(freeze=['text']))
        self.assertIn('The text encoder stayed locked', line)
        self.assertIn('report-language figures', line)
        self.assertIn('only the text encoder trained', bundle._frozen(self.cfg(freeze=['image'])))
        self.assertNotIn('cacheImage', bundle._frozen(self.cfg(freeze=['image'])))
        self.assertIn('for 2 augmented view(s) of each training image',
                      bundle._frozen(self.cfg(freeze=['image'], cacheImage=2)))


class AugmentTest(unittest.TestCase):
    def test_deterministic_per_seed(self):
        imgs = torch.randint(0, 255, (3, 64, 64), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
        masks = torch.zeros(3, 2, 16, 16, dtype=torch.uint8)
        outs = []
        for _ in range(2):
            g = torch.Generator().manual_seed(5)
            outs.append(augment.apply(imgs, masks, augment.draw(3, AUG, g), AUG, 32, 4, g)[0])
        self.assertTrue(torch.equal(outs[0], outs[1]))

    def test_identity_warp_keeps_mask_coverage(self):
        masks = torch.zeros(1, 1, 16, 16, dtype=torch.uint8)
        masks[0, 0, :8, :8] = 255
        p = augment.draw(1, {**AUG, 'cropScale': [1, 1], 'cropRatio': [1, 1], 'rotateDeg': 0}, torch.Generator())
        _, cov = augment.apply(torch.zeros(1, 16, 16, dtype=torch.uint8), masks, p, AUG, 16, 4, torch.Generator())
        self.assertAlmostEqual(float(cov[0, 0, :2, :2].mean()), 1.0, places=4)
        self.assertAlmostEqual(float(cov[0, 0, 2:, :].max()), 0.0, places=4)

    def test_swap_sides(self):
        self.assertEqual(data.swap_sides('Left effusion, right pneumothorax.'), 'Right effusion, left pneumothorax.')


class MetricsTest(unittest.TestCase):
    def test_auc_matches_pairwise_count(self):
        rng = np.random.default_rng(0)
        s, y = rng.integers(0, 5, 40).astype(float), rng.integers(0, 2, 40)
        pos, neg = s[y == 1], s[y == 0]
        ref = np.mean([(a > b) + 0.5 * (a == b) for a in pos for b in neg])
        self.assertAlmostEqual(metrics.auc(s, y), ref, places=10)
        self.assertIsNone(metrics.auc(s, np.zeros(40)))

    def test_region_offset_is_the_median_best_cell_over_whole_image_margin(self):
        # a loop over images, phrases and cells, as the app's regionMargins and bench:regions compute it
        gen = torch.Generator().manual_seed(0)
        img = F.normalize(torch.randn(8, 8, generator=gen), dim=-1)
        patches = F.normalize(torch.randn(8, 12, 8, generator=gen), dim=-1)
        pos, neg = torch.randn(3, 8, generator=gen), torch.randn(3, 8, generator=gen)
        gaps = []
        for i in range(8):
            for f in range(3):
                whole = float(img[i] @ pos[f] - img[i] @ neg[f])
                best = max(float(patches[i, c] @ pos[f] - patches[i, c] @ neg[f]) for c in range(12))
                gaps.append(best - whole)
        # 24 gaps: the upper of the two middle ones, the median test/bench/region-scores.ts reports
        self.assertAlmostEqual(metrics.region_offset(img, patches, pos, neg), sorted(gaps)[12], places=5)
        # every cell equal to the whole image: no region adds anything
        same = img[:, None].expand(-1, 12, -1)
        self.assertAlmostEqual(metrics.region_offset(img, same, pos, neg), 0.0, places=5)


class TrainedOnTest(unittest.TestCase):
    def test_card_names_each_device_of_a_resumed_run(self):
        from radsift_train import bundle
        one = {'device': 'cpu', 'imagesPerSecond': 4.7, 'devices': {'cpu': {'steps': 9, 'seconds': 60.0,
                                                                            'imagesPerSecond': 4.7}}}
        self.assertEqual(bundle._trained_on(one), 'cpu (4.7 images/s)')
        two = {'device': 'NVIDIA H200', 'imagesPerSecond': 122.0, 'devices': {
            'NVIDIA H200': {'steps': 651, 'seconds': 362.5, 'imagesPerSecond': 122.0},
            'cpu': {'steps': 93, 'seconds': 1290.0, 'imagesPerSecond': 4.6}}}
        self.assertEqual(bundle._trained_on(two), 'NVIDIA H200 (651 steps, 6.0 min, 122.0 images/s) and '
                                                  'cpu (93 steps, 21.5 min, 4.6 images/s)')


class HugePageTest(unittest.TestCase):
    def test_train_asks_glibc_for_huge_pages_once_and_keeps_other_tunables(self):
        from hugepages import hugepage_tunables
        self.assertEqual(hugepage_tunables(None), 'glibc.malloc.hugetlb=1')
        self.assertEqual(hugepage_tunables(''), 'glibc.malloc.hugetlb=1')
        self.assertEqual(hugepage_tunables('glibc.malloc.arena_max=2'),
                         'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1')
        # already asked (either way, a user's 0 included): no second exec
        self.assertIsNone(hugepage_tunables('glibc.malloc.hugetlb=1'))
        self.assertIsNone(hugepage_tunables('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0'))

    def test_the_commands_that_run_pytorch_hard_run_again_with_it_before_torch_loads(self):
        import hugepages
        with mock.patch.object(hugepages.sys, 'platform', 'linux'), mock.patch.object(hugepages.os, 'execve') as ex:
            with mock.patch.dict(hugepages.os.environ, {}, clear=True):
                hugepages.reexec_with_hugepages()
            self.assertEqual(ex.call_count, 1)
            self.assertEqual(ex.call_args.args[2]['GLIBC_TUNABLES'], 'glibc.malloc.hugetlb=1')
            with mock.patch.dict(hugepages.os.environ, {'GLIBC_TUNABLES': 'glibc.malloc.hugetlb=0'}, clear=True):
                hugepages.reexec_with_hugepages()  # the user's own choice stands
            self.assertEqual(ex.call_count, 1)
        here = os.path.dirname(os.path.abspath(__file__))
        # The benchmarks' PyTorch references too: a reference is measured at its best.
        for script in ('train.py', 'probe_learnable.py', 'probe_selfsup.py', 'probe_crops.py', 'bench_torch.py',
                       os.path.join('..', '..', 'test', 'bench', 'screen_reference.py')):
            with open(os.path.join(here, script), encoding='utf-8') as f:
                src = f.read()
            self.assertIn("if __name__ == '__main__':", src[:src.index('reexec_with_hugepages()')], script)
            self.assertLess(src.index('reexec_with_hugepages()'), src.index('import torch'), script)


if __name__ == '__main__':
    unittest.main()
