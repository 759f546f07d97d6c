"""stage_rule: the rule a stage was given before it ran, computed from the two models' `radsift eval --json` runs."""
import contextlib
import io
import json
import os
import shutil
import tempfile
import unittest

from stage_rule import main
from test_eval_card import all_columns

TRAINED = {'rib_fracture': 0.74, 'calcified_granuloma': 0.89, 'scoliosis': 0.78, 'sternotomy_wires': 0.99,
           'hilar_adenopathy': 0.99}
NEVER = {'pneumoperitoneum': 0.9, 'hiatal_hernia': 0.6}


def write_runs(directory, base=0.985, shifted=0.98, trained=None, never16=None, p10=None):
    trained = {**TRAINED, **(trained or {})}
    never16 = {**NEVER, **(never16 or {})}
    rare = {f: {'auc': v, 'p10': (p10 or {}).get(f, 0.8)} for f, v in trained.items()}
    rare.update({f: {'auc': 0.7, 'shots': (0.6, 0.7, v)} for f, v in never16.items()})
    os.makedirs(directory)
    for name, run in (('heldout', all_columns(base, {})), ('shifted', all_columns(shifted, {})),
                      ('heldout-real', all_columns(base, rare)), ('heldout-rare', all_columns(base, rare))):
        with open(os.path.join(directory, f'{name}.json'), 'w', encoding='utf-8') as f:
            json.dump(run, f)


class StageRuleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.bundle = os.path.join(self.tmp.name, 'bundle')
        os.makedirs(self.bundle)
        with open(os.path.join(self.bundle, 'manifest.json'), 'w', encoding='utf-8') as f:
            json.dump({'zeroShot': {'findings': ['pleural_effusion', *TRAINED], 'neverSeen': list(NEVER)}}, f)
        write_runs(os.path.join(self.tmp.name, 'before'))

    def tearDown(self):
        self.tmp.cleanup()

    def verdict(self, extra=(), **after):
        write_runs(os.path.join(self.tmp.name, 'after'), **after)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(['--before', os.path.join(self.tmp.name, 'before'), '--after', os.path.join(self.tmp.name, 'after'),
                  '--bundle', self.bundle, *extra])
        d = json.loads(out.getvalue())
        return d['replaces'], {c['clause']: c['met'] for c in d['clauses']}, d

    def test_a_stage_that_lifts_the_focus_and_keeps_the_rest_replaces(self):
        ok, clauses, d = self.verdict(trained={'scoliosis': 0.82})
        self.assertTrue(ok, clauses)
        self.assertAlmostEqual(d['after']['focusMean'] - d['before']['focusMean'], 0.04 / 3, places=3)
        self.assertEqual(sorted(d['after']['trainedRare']), sorted(TRAINED))

    def test_each_clause_can_refuse(self):
        cases = {
            'focus mean rises by 0.01 or more': {'trained': {'scoliosis': 0.79}},
            'common eight stays at 0.98 or more': {'trained': {'scoliosis': 0.82}, 'base': 0.975},
            'trained rare mean does not fall': {'trained': {'scoliosis': 0.811, 'sternotomy_wires': 0.971,
                                                            'hilar_adenopathy': 0.971}},
            'no trained rare finding falls by more than 0.02': {'trained': {'scoliosis': 0.9, 'sternotomy_wires': 0.96}},
            'never-seen 16-shot mean falls by no more than 0.01': {'trained': {'scoliosis': 0.82},
                                                                   'never16': {'hiatal_hernia': 0.57}},
            'shifted eight falls by no more than 0.005': {'trained': {'scoliosis': 0.82}, 'shifted': 0.974},
        }
        for clause, after in cases.items():
            with self.subTest(clause):
                self.tearDown()
                self.setUp()
                ok, clauses, _ = self.verdict(**after)
                self.assertFalse(ok)
                self.assertEqual([c for c, met in clauses.items() if not met], [clause])

    def test_the_p10_clause_only_when_asked(self):
        after = {'trained': {'scoliosis': 0.82}, 'p10': {'rib_fracture': 0.6}}
        ok, clauses, _ = self.verdict(**after)
        self.assertTrue(ok, clauses)
        self.assertNotIn('every trained rare finding keeps P@10 0.7 or more', clauses)
        self.tearDown()
        self.setUp()
        ok, clauses, d = self.verdict(extra=['--min-p10', '0.7'], **after)
        self.assertFalse(ok)
        self.assertEqual([c for c, met in clauses.items() if not met], ['every trained rare finding keeps P@10 0.7 or more'])
        self.assertEqual(d['clauses'][-1]['after'], 0.6)
        self.tearDown()
        self.setUp()
        ok, clauses, _ = self.verdict(extra=['--min-p10', '0.7'], trained={'scoliosis': 0.82})
        self.assertTrue(ok, clauses)

    def test_the_keep_auc_clause_only_when_asked_and_only_for_findings_that_met_it(self):
        # Before: calcified granuloma 0.89 and the two 0.99 findings; at 0.9 the two 0.99 ones are kept, granuloma not.
        after = {'trained': {'scoliosis': 0.84, 'calcified_granuloma': 0.875}}
        ok, clauses, _ = self.verdict(**after)
        self.assertTrue(ok, clauses)
        self.assertNotIn('every trained rare finding at AUC 0.9 or more stays there', clauses)
        self.tearDown()
        self.setUp()
        ok, clauses, d = self.verdict(extra=['--keep-auc', '0.9'], **after)
        self.assertTrue(ok, clauses)
        self.assertEqual(d['clauses'][-1]['before'], 0.99)
        self.tearDown()
        self.setUp()
        ok, clauses, _ = self.verdict(extra=['--keep-auc', '0.88'], **after)
        self.assertFalse(ok)
        self.assertEqual([c for c, met in clauses.items() if not met],
                         ['every trained rare finding at AUC 0.88 or more stays there'])
        self.tearDown()
        self.setUp()
        ok, clauses, d = self.verdict(extra=['--keep-auc', '0.995'], trained={'scoliosis': 0.82})
        self.assertTrue(ok, clauses)
        self.assertIsNone(d['clauses'][-1]['before'])

    def test_a_before_run_without_p10_is_shown_as_none_not_a_traceback(self):
        for missing, shown in (({'rib_fracture': None}, 0.8), ({f: None for f in TRAINED}, None)):
            with self.subTest(missing=sorted(missing)):
                self.tearDown()
                self.setUp()
                shutil.rmtree(os.path.join(self.tmp.name, 'before'))
                write_runs(os.path.join(self.tmp.name, 'before'), p10=missing)
                ok, clauses, d = self.verdict(extra=['--min-p10', '0.7'], trained={'scoliosis': 0.82})
                self.assertTrue(ok, clauses)
                self.assertEqual(d['clauses'][-1]['before'], shown)

    def test_a_missing_16_shot_figure_is_an_error_not_a_smaller_mean(self):
        after = os.path.join(self.tmp.name, 'after')
        write_runs(after)
        path = os.path.join(after, 'heldout-rare.json')
        with open(path, encoding='utf-8') as f:
            run = json.load(f)
        for p in run['phrases']:
            if p['phrase'] == 'hiatal hernia':
                p['probe']['shotsPerClass']['16'] = None
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(run, f)
        with self.assertRaises(SystemExit) as e:
            main(['--before', os.path.join(self.tmp.name, 'before'), '--after', after, '--bundle', self.bundle])
        self.assertIn('hiatal hernia', str(e.exception.code))

    def test_a_missing_run_is_an_error_not_a_verdict(self):
        write_runs(os.path.join(self.tmp.name, 'after'))
        os.remove(os.path.join(self.tmp.name, 'after', 'shifted.json'))
        with self.assertRaises(SystemExit) as e:
            main(['--before', os.path.join(self.tmp.name, 'before'), '--after', os.path.join(self.tmp.name, 'after'),
                  '--bundle', self.bundle])
        self.assertIn('shifted.json', str(e.exception.code))


if __name__ == '__main__':
    unittest.main()
