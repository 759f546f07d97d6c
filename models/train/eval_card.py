"""The evaluation section of a model card, from two `radsift eval --json` runs: the held-out
phantoms and the acquisition-shifted set (`radsift demo --shift`). Prints Markdown: per-finding
tables, the linear-probe / few-shot comparison, and each target of the model issue with its
measured value and whether it is met — so the card states failures as plainly as successes.

  /usr/bin/python3 models/train/eval_card.py --heldout heldout.json --shifted shifted.json \
      --heldout-cmd "…" --shifted-cmd "…" [--append-to <bundle dir>]
"""
import argparse
import json
import math
import os
import sys

from radsift_train.bundle import refresh_checksums

HEADING = '## Held-out evaluation through the app\'s own pipeline'

# The model issue's targets: (description, how to compute from the two runs, threshold, at least?).
LOCALIZED = ('pleural effusion', 'pneumothorax', 'nodule', 'consolidation')


def fmt(x, digits=3):
    return '—' if x is None or (isinstance(x, float) and math.isnan(x)) else f'{x:.{digits}f}'


def by_phrase(run):
    return {p['phrase']: p for p in run['phrases']}


def targets(held, shifted):
    h, s = by_phrase(held), by_phrase(shifted)
    aucs = {k: v['auc'] for k, v in h.items()}
    drops = {k: aucs[k] - s[k]['auc'] for k in aucs if k in s}
    out = [
        ('mean zero-shot AUC ≥ 0.95', held['meanAuc'], held['meanAuc'] >= 0.95),
        ("every finding's AUC ≥ 0.90", min(aucs.values()), min(aucs.values()) >= 0.90),
        ('text→image P@5 ≥ 0.90 (mean)', held['means']['precisionAt5'], held['means']['precisionAt5'] >= 0.90),
    ]
    negation = [v['negationOrdering'] for v in h.values() if v.get('negationOrdering') is not None]
    if negation:
        out.append(('negation ordering ≥ 0.95 for every finding (min)', min(negation), min(negation) >= 0.95))
    pointing = [h[k]['grounding']['pointingGame'] for k in LOCALIZED if k in h and h[k].get('grounding')]
    if pointing:
        out.append(
            ('pointing game ≥ 0.80 for effusion, pneumothorax, nodule, consolidation (min)', min(pointing),
             min(pointing) >= 0.80))
    worst = max(drops.values())
    out.append(('AUC drop under shift ≤ 0.05 (worst finding)', worst, worst <= 0.05))
    return out


def card(held, shifted, held_cmd, shifted_cmd):
    h, s = by_phrase(held), by_phrase(shifted)
    lines = [
        f'Held-out: {held["scans"]} phantoms (`{held_cmd}`); shifted: {shifted["scans"]} phantoms '
        f'(`{shifted_cmd}`). Both read as DICOM files and preprocessed by RadSift itself.',
        '',
        '| finding | pos | AUC [95% CI] | bare phrase | P@5 | P@10 | image→image P@10 | negation | pointing | CNR '
        '| shifted AUC | drop |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for name, p in h.items():
        g = p.get('grounding') or {}
        sa = s.get(name, {}).get('auc')
        lines.append(
            f'| {name} | {p["positives"]} | {fmt(p["auc"])} [{fmt(p["ci95"][0], 2)}, {fmt(p["ci95"][1], 2)}] '
            f'| {fmt(p["aucBarePhrase"])} | {fmt(p["precisionAt5"], 2)} | {fmt(p["precisionAt10"], 2)} '
            f'| {fmt(p["imageToImageP10"], 2)} | {fmt(p.get("negationOrdering"), 2)} '
            f'| {fmt(g.get("pointingGame"), 2)} | {fmt(g.get("contrastToNoise"), 2)} '
            f'| {fmt(sa)} | {fmt(None if sa is None else p["auc"] - sa)} |')
    lines += [
        f'| **mean** | | **{fmt(held["meanAuc"])}** | {fmt(held["means"]["aucBarePhrase"])} '
        f'| {fmt(held["means"]["precisionAt5"], 2)} | | {fmt(held["means"]["imageToImageP10"], 2)} '
        f'| {fmt(held["means"]["negationOrdering"], 2)} | {fmt(held["means"]["pointingGame"], 2)} '
        f'| {fmt(held["means"]["contrastToNoise"], 2)} | {fmt(shifted["meanAuc"])} '
        f'| {fmt(held["meanAuc"] - shifted["meanAuc"])} |',
        '',
        'Labels or a few examples instead of zero-shot, as the CLIP and ConVIRT papers compare them (AUC on the '
        'held-out half of the held-out set; probes are logistic regressions on the frozen image embeddings, trained '
        'on a fraction of the other half, or on k positive and k negative examples; mean of 5 draws):',
        '',
        '| finding | zero-shot | probe 1% | probe 10% | probe 100% | 1-shot | 4-shot | 16-shot |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for name, p in h.items():
        c = p['probe']
        f, k = c['labelFraction'], c['shotsPerClass']
        lines.append(
            f'| {name} | {fmt(c["zeroShot"])} | {fmt(f.get("0.01"))} | {fmt(f.get("0.1"))} | {fmt(f.get("1"))} '
            f'| {fmt(k.get("1"))} | {fmt(k.get("4"))} | {fmt(k.get("16"))} |')
    m = held['means']
    lines += [
        f'| **mean** | {fmt(m["probeZeroShot"])} | {fmt(m["probe1pct"])} | {fmt(m["probe10pct"])} '
        f'| {fmt(m["probe100pct"])} | {fmt(m["shots1"])} | {fmt(m["shots4"])} | {fmt(m["shots16"])} |',
        '',
        'Targets of the model issue:',
        '',
        '| target | measured | met |',
        '|---|---|---|',
    ]
    for what, value, ok in targets(held, shifted):
        lines.append(f'| {what} | {fmt(value)} | {"yes" if ok else "**no**"} |')
    return '\n'.join(lines) + '\n'


def append_section(bundle_dir, section):
    """Puts the section at the end of the bundle's card.md (replacing an earlier one) and refreshes the
    manifest's checksums, which cover card.md."""
    path = os.path.join(bundle_dir, 'card.md')
    text = open(path, encoding='utf-8').read()
    text = text.split(HEADING)[0].rstrip('\n')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(f'{text}\n\n{HEADING}\n{section}')
    return refresh_checksums(bundle_dir)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--heldout', required=True)
    ap.add_argument('--shifted', required=True)
    ap.add_argument('--heldout-cmd', default='radsift eval …')
    ap.add_argument('--shifted-cmd', default='radsift eval …')
    ap.add_argument('--append-to', help='a bundle folder: replace its card.md section and refresh the checksums')
    args = ap.parse_args()
    held = json.load(open(args.heldout))
    shifted = json.load(open(args.shifted))
    section = card(held, shifted, args.heldout_cmd, args.shifted_cmd)
    if not args.append_to:
        sys.stdout.write(section)
        return 0
    append_section(args.append_to, section)
    return 0


if __name__ == '__main__':
    sys.exit(main())
