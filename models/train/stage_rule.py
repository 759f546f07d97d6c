"""Does a training stage replace the model it continues? The rule stages 26-28 wrote before they ran (training
README), computed from the same four `radsift eval --json` runs of each model (README step 3: heldout, shifted,
heldout-real, heldout-rare), so that the verdict comes from the repository and not from a scratch script.

  /usr/bin/python3 models/train/stage_rule.py --before <dir> --after <dir> [--bundle <bundle dir>] \
      [--focus rib_fracture,calcified_granuloma,scoliosis] [--focus-rise 0.01] [--min-p10 0.7] [--keep-auc 0.9]

Each dir holds heldout.json, shifted.json, heldout-real.json and heldout-rare.json. The clauses, `after` against
`before` on the same sets:
  - the focus findings' mean AUC at real prevalence rises by --focus-rise or more (what the stage is for);
  - the common eight's mean AUC held out stays at 0.98 or more (0.6.0's figure);
  - the trained rare findings' mean AUC at real prevalence does not fall, and none of them falls by more than 0.02;
  - the never-seen findings' 16-shot probe mean (enriched set) falls by no more than 0.01;
  - the common eight's mean on the acquisition-shifted set falls by no more than 0.005;
  - with --min-p10, every trained rare finding's P@10 at real prevalence is that or more (a model scored by its
    best region alone meets the P@10 target (0.7), which a stage must then keep: stage 30);
  - with --keep-auc, every trained rare finding whose AUC at real prevalence was that or more before stays there
    (a target met is not given back for the focus: stage 31).
Which findings are trained rare and never seen: the bundle's manifest (zeroShot), as eval_card.py reads it; by
default the shipped model's, models/radsift-phantom-convirt-rare.
Prints JSON (figures, clauses, "replaces"); exits 0 whatever the verdict, 1 with a message on a missing or
unreadable run.
"""
import argparse
import json
import os
import sys

from eval_card import BASE_FINDINGS, BASE_MEAN_AUC, by_phrase, finding_groups, ok_number, phrase

DEFAULT_BUNDLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'radsift-phantom-convirt-rare')
RUNS = ('heldout', 'shifted', 'heldout-real', 'heldout-rare')


def load(directory):
    out = {}
    for name in RUNS:
        path = os.path.join(directory, f'{name}.json')
        try:
            with open(path, encoding='utf-8') as f:
                out[name] = by_phrase(json.load(f))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise SystemExit(f'stage_rule: {path}: {e}') from None
    return out


def auc(run, finding, name):
    p = run[name].get(phrase(finding))
    if p is None or p.get('auc') is None:
        raise SystemExit(f'stage_rule: {name}.json has no AUC for {phrase(finding)}')
    return p['auc']


def shots16(run, finding):
    p = run['heldout-rare'].get(phrase(finding)) or {}
    v = ((p.get('probe') or {}).get('shotsPerClass') or {}).get('16')
    if not ok_number(v):  # a mean over fewer findings would compare other sets of findings
        raise SystemExit(f'stage_rule: heldout-rare.json has no 16-shot AUC for {phrase(finding)}')
    return v


def shown(x):
    """A figure as printed: 4 places (the clauses themselves compare unrounded values)."""
    return round(x, 4) if isinstance(x, float) else x


def exact_mean(values):
    """The clauses compare unrounded means (eval_card.mean rounds to 4 places, which can move a clause's edge)."""
    v = list(values)
    return sum(v) / len(v)


def figures(run, focus, trained, never):
    return {
        'focusMean': exact_mean(auc(run, f, 'heldout-real') for f in focus),
        'common8': exact_mean(auc(run, f, 'heldout') for f in BASE_FINDINGS),
        'shifted8': exact_mean(auc(run, f, 'shifted') for f in BASE_FINDINGS),
        'trainedRareMean': exact_mean(auc(run, f, 'heldout-real') for f in trained),
        'never16Mean': exact_mean(shots16(run, f) for f in never),
        'trainedRare': {f: [auc(run, f, 'heldout-real'), run['heldout-real'][phrase(f)].get('precisionAt10')]
                        for f in trained},
    }


def rule(before, after, focus_rise, min_p10=None, keep_auc=None):
    worst = min(after['trainedRare'][f][0] - before['trainedRare'][f][0] for f in before['trainedRare'])
    clauses = [
        (f'focus mean rises by {focus_rise} or more', before['focusMean'], after['focusMean'],
         after['focusMean'] >= before['focusMean'] + focus_rise),
        (f'common eight stays at {BASE_MEAN_AUC} or more', before['common8'], after['common8'],
         after['common8'] >= BASE_MEAN_AUC),
        ('trained rare mean does not fall', before['trainedRareMean'], after['trainedRareMean'],
         after['trainedRareMean'] >= before['trainedRareMean']),
        ('no trained rare finding falls by more than 0.02', None, worst, worst >= -0.02),
        ('never-seen 16-shot mean falls by no more than 0.01', before['never16Mean'], after['never16Mean'],
         after['never16Mean'] >= before['never16Mean'] - 0.01),
        ('shifted eight falls by no more than 0.005', before['shifted8'], after['shifted8'],
         after['shifted8'] >= before['shifted8'] - 0.005),
    ]
    if min_p10 is not None:
        p10 = [after['trainedRare'][f][1] for f in after['trainedRare']]
        if not all(ok_number(v) for v in p10):
            raise SystemExit('stage_rule: heldout-real.json lacks a P@10 of a trained rare finding')
        lowest = min(p10)
        # The model before is shown for comparison only: a run of it without P@10 says so (None), not a traceback.
        earlier = [v[1] for v in before['trainedRare'].values() if ok_number(v[1])]
        clauses.append((f'every trained rare finding keeps P@10 {min_p10} or more',
                        min(earlier) if earlier else None, lowest, lowest >= min_p10))
    if keep_auc is not None:
        kept = [f for f, v in before['trainedRare'].items() if v[0] >= keep_auc]
        # Shown: the lowest AUC among them before and after (None when no finding met it before: nothing to keep).
        clauses.append((f'every trained rare finding at AUC {keep_auc} or more stays there',
                        min((before['trainedRare'][f][0] for f in kept), default=None),
                        min((after['trainedRare'][f][0] for f in kept), default=None),
                        all(after['trainedRare'][f][0] >= keep_auc for f in kept)))
    return [{'clause': c, 'before': shown(b), 'after': shown(a), 'met': bool(ok)} for c, b, a, ok in clauses]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--before', required=True, help='the eval runs of the model the stage continues')
    ap.add_argument('--after', required=True, help="the eval runs of the stage's model")
    ap.add_argument('--bundle', default=DEFAULT_BUNDLE,
                    help='a bundle whose manifest names the trained rare and never-seen findings')
    ap.add_argument('--focus', default='rib_fracture,calcified_granuloma,scoliosis')
    ap.add_argument('--focus-rise', type=float, default=0.01)
    ap.add_argument('--min-p10', type=float, default=None,
                    help="a clause more: every trained rare finding's P@10 at real prevalence stays at this or more")
    ap.add_argument('--keep-auc', type=float, default=None,
                    help='a clause more: every trained rare finding at this AUC or more (real prevalence) before '
                         'stays there')
    a = ap.parse_args(argv)
    before, after = load(a.before), load(a.after)
    trained, never = finding_groups(a.bundle, None, None, [])
    if not trained or not never:
        raise SystemExit('stage_rule: no trained rare or never-seen findings: give --bundle with a zeroShot section')
    focus = [x.strip().replace(' ', '_') for x in a.focus.split(',') if x.strip()]
    fb, fa = (figures(r, focus, trained, never) for r in (before, after))
    clauses = rule(fb, fa, a.focus_rise, a.min_p10, a.keep_auc)
    json.dump({'focus': focus, 'before': {k: shown(v) for k, v in fb.items()},
               'after': {k: shown(v) for k, v in fa.items()}, 'clauses': clauses,
               'replaces': all(c['met'] for c in clauses)}, sys.stdout, indent=2)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
