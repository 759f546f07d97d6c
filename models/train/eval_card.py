"""The evaluation section of a model card, from `radsift eval --json` runs. Prints Markdown: for the eight
common findings, per-finding tables on the held-out phantoms and the acquisition-shifted set
(`radsift demo --shift`) and the linear-probe / few-shot comparison; for the rare findings, one table for
those the model was trained on and one for those it never saw, each with zero-shot AUC and P@10 at the
real prevalence, and few-shot (1/4/16 positive and as many negative examples) and linear-probe AUC on a
set with the rare findings enriched; then each target the model is held to, with its measured value and
whether it is met — so the card states failures as plainly as successes.

  /usr/bin/python3 models/train/eval_card.py --heldout heldout.json --shifted shifted.json \
      [--real real.json] [--rare rare.json] [--baseline previous-model-heldout.json] [--bundle <bundle dir>] \
      [--trained-rare a,b,…] [--never-seen c,d,…] \
      [--heldout-cmd "…"] [--shifted-cmd "…"] [--real-cmd "…"] [--rare-cmd "…"] [--append-to <bundle dir>] \
      [--language language.json] [--language-cmd "…"]

--real: a held-out set at the generator's default (real) prevalences, large enough that the rare findings have
some positives (P@10 needs 10); --rare: one with every rare finding enriched (few-shot needs 16 positives in
the probe's training half). Each JSON may hold every label column (one `radsift eval` per set): the tables
pick their findings, and the means here are over each table's findings. Which rare findings were trained and
which never seen comes from the bundle's manifest (zeroShot.findings, zeroShot.neverSeen; --bundle, or
--append-to) unless --trained-rare / --never-seen say. --language: `radsift eval-language --json` (everyday synonyms,
polarity of positive and negated report sentences per sentence set), a table (d) with its targets.
"""
import argparse
import json
import math
import os
import sys

from radsift_train.bundle import refresh_checksums

HEADING = '## Held-out evaluation through the app\'s own pipeline'

BASE_FINDINGS = ('pleural_effusion', 'cardiomegaly', 'pneumothorax', 'nodule', 'consolidation', 'atelectasis',
                 'edema', 'support_devices')
LOCALIZED = ('pleural effusion', 'pneumothorax', 'nodule', 'consolidation')
BASE_MEAN_AUC = 0.98  # the rare-findings models keep 0.6.0's figures on the eight (mean zero-shot AUC 0.984 held out)
# Issue #18: the targets of trained rare findings hold at ≤ 3 % prevalence, the generator's default for each
# (1–3 %).
# A measured prevalence a little above 3 % in the real-prevalence set is sampling variation (and co-occurrence:
# subcutaneous emphysema is 6x as common beside a pneumothorax); above 5 % the set is not at real prevalence
# (an enriched set passed as --real), and the target is not applicable.
RARE_MAX_PREVALENCE = 0.05
RARE_AUC, RARE_P10, NEVER_SEEN_16SHOT = 0.90, 0.7, 0.85
SYNONYMS_MAPPED, POLARITY_ACCURACY = 0.90, 0.95  # report language: everyday synonyms mapped, polarity accuracy

MEAN_KEYS = {  # means.<key> of `radsift eval --json`: how each is read off a phrase
    'aucBarePhrase': lambda p: p.get('aucBarePhrase'),
    'precisionAt5': lambda p: p.get('precisionAt5'),
    'imageToImageP10': lambda p: p.get('imageToImageP10'),
    'probeZeroShot': lambda p: (p.get('probe') or {}).get('zeroShot'),
    'probe1pct': lambda p: ((p.get('probe') or {}).get('labelFraction') or {}).get('0.01'),
    'probe10pct': lambda p: ((p.get('probe') or {}).get('labelFraction') or {}).get('0.1'),
    'probe100pct': lambda p: ((p.get('probe') or {}).get('labelFraction') or {}).get('1'),
    'shots1': lambda p: ((p.get('probe') or {}).get('shotsPerClass') or {}).get('1'),
    'shots4': lambda p: ((p.get('probe') or {}).get('shotsPerClass') or {}).get('4'),
    'shots16': lambda p: ((p.get('probe') or {}).get('shotsPerClass') or {}).get('16'),
    'negationOrdering': lambda p: p.get('negationOrdering'),
    'pointingGame': lambda p: (p.get('grounding') or {}).get('pointingGame'),
    'contrastToNoise': lambda p: (p.get('grounding') or {}).get('contrastToNoise'),
}


def fmt(x, digits=3):
    return '—' if x is None or (isinstance(x, float) and math.isnan(x)) else f'{x:.{digits}f}'


def verdict_figure(value, ok: bool) -> str:
    """A missed target's figure with a fourth digit whenever its three-digit form ends in 0 and is not exact,
    so that rounding can never put it onto a two-digit threshold (0.9797 against ≥ 0.98 would read 0.980,
    which looks met)."""
    shown = fmt(value)
    if not ok and ok_number(value) and shown.endswith('0') and float(shown) != value:
        return fmt(value, 4)
    return shown


def ok_number(x) -> bool:
    return isinstance(x, (int, float)) and not (isinstance(x, float) and math.isnan(x))


def mean(values):
    """As `radsift eval` averages: over the finite values, rounded to 4 decimals; None when there are none."""
    v = [x for x in values if ok_number(x)]
    return round(sum(v) / len(v), 4) if v else None


def phrase(finding: str) -> str:
    return finding.replace('_', ' ')


def by_phrase(run):
    return {p['phrase']: p for p in run['phrases']}


def subset(run, findings):
    """The run restricted to these findings (names or phrases; those it lacks are skipped), its means
    recomputed over them."""
    want = [phrase(f) for f in findings]
    h = by_phrase(run)
    phrases = [h[w] for w in want if w in h]
    out = dict(run)
    out['phrases'] = phrases
    out['meanAuc'] = mean(p.get('auc') for p in phrases)
    out['means'] = {k: mean(get(p) for p in phrases) for k, get in MEAN_KEYS.items()}
    return out


def targets(held, shifted):
    """The eight common findings' targets (the first model's, and the rare-findings models keep 0.6.0's mean AUC)."""
    h, s = by_phrase(held), by_phrase(shifted)
    aucs = {k: v['auc'] for k, v in h.items() if ok_number(v.get('auc'))}
    drops = {k: aucs[k] - s[k]['auc'] for k in aucs if k in s and ok_number(s[k].get('auc'))}
    worst_auc = min(aucs.values()) if aucs else None
    m = held['meanAuc']
    p5 = held['means']['precisionAt5']
    out = [
        ('mean zero-shot AUC ≥ 0.95', m, ok_number(m) and m >= 0.95),
        ("every finding's AUC ≥ 0.90", worst_auc, ok_number(worst_auc) and worst_auc >= 0.90),
        ('text→image P@5 ≥ 0.90 (mean)', p5, ok_number(p5) and p5 >= 0.90),
    ]
    negation = [v['negationOrdering'] for v in h.values() if ok_number(v.get('negationOrdering'))]
    if negation:
        out.append(('negation ordering ≥ 0.95 for every finding (min)', min(negation), min(negation) >= 0.95))
    pointing = [h[k]['grounding']['pointingGame'] for k in LOCALIZED
                if k in h and h[k].get('grounding') and ok_number(h[k]['grounding'].get('pointingGame'))]
    if pointing:
        out.append(
            ('pointing game ≥ 0.80 for effusion, pneumothorax, nodule, consolidation (min)', min(pointing),
             min(pointing) >= 0.80))
    worst = max(drops.values()) if drops else None
    out.append(('AUC drop under shift ≤ 0.05 (worst finding)', worst, ok_number(worst) and worst <= 0.05))
    return out


def base_targets(held):
    """Issue #18: the eight common findings keep today's figures."""
    m = held['meanAuc']
    return [(f'common findings keep 0.6.0\'s figures: mean zero-shot AUC of the eight ≥ {BASE_MEAN_AUC:.2f}', m,
             ok_number(m) and m >= BASE_MEAN_AUC)]


def prevalence(p):
    n = (p.get('positives') or 0) + (p.get('negatives') or 0)
    return p['positives'] / n if n else None


def rare_rows(findings, real, rare):
    """Per finding: the figures of the rare tables, from the real-prevalence run and the enriched run (either
    may be None)."""
    r = by_phrase(real) if real else {}
    e = by_phrase(rare) if rare else {}
    rows = []
    for f in findings:
        a, b = r.get(phrase(f)), e.get(phrase(f))
        probe = (b or {}).get('probe') or {}
        shots = probe.get('shotsPerClass') or {}
        rows.append({
            'finding': f,
            'prevalence': prevalence(a) if a else None,
            'positives': a.get('positives') if a else None,
            'auc': a.get('auc') if a else None,
            'ci95': (a.get('ci95') or [None, None]) if a else [None, None],
            'p10': a.get('precisionAt10') if a else None,
            'rarePositives': b.get('positives') if b else None,
            'rareAuc': b.get('auc') if b else None,
            'testZeroShot': probe.get('zeroShot'),
            'shots': {k: shots.get(k) for k in ('1', '4', '16')},
            'probe': (probe.get('labelFraction') or {}).get('1'),
            # k positive examples only, scored by cosine to their mean embedding (the app's example sets,
            # scoring/example-profile.ts), when `radsift eval` reports it (probe.exampleProfile)
            'examples': {k: v for k, v in (probe.get('exampleProfile') or {}).items() if k in ('1', '4', '16')},
            'pointing': ((b or {}).get('grounding') or {}).get('pointingGame'),
        })
    return rows


def rare_table(rows, verdict):
    """Markdown table of rare_rows; verdict(row) -> 'yes' / '**no**' / '—' for the last column."""
    ex = any(r['examples'] for r in rows)
    ks = ('1', '4', '16')
    lines = [
        '| finding | prevalence | pos | zero-shot AUC [95% CI] | P@10 | pos (enriched) | zero-shot AUC (enriched) '
        '| zero-shot (test half) | 1-shot | 4-shot | 16-shot | linear probe '
        + ('| 1 example | 4 examples | 16 examples ' if ex else '') + '| pointing | target met |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|' + ('---|---|---|' if ex else '') + '---|---|',
    ]
    for r in rows:
        prev = '—' if r['prevalence'] is None else f"{100 * r['prevalence']:.1f} %"
        examples = ''.join(f"| {fmt(r['examples'].get(k))} " for k in ks) if ex else ''
        lines.append(
            f"| {phrase(r['finding'])} | {prev} | {'—' if r['positives'] is None else r['positives']} "
            f"| {fmt(r['auc'])} [{fmt(r['ci95'][0], 2)}, {fmt(r['ci95'][1], 2)}] | {fmt(r['p10'], 2)} "
            f"| {'—' if r['rarePositives'] is None else r['rarePositives']} | {fmt(r['rareAuc'])} "
            f"| {fmt(r['testZeroShot'])} | {fmt(r['shots']['1'])} | {fmt(r['shots']['4'])} | {fmt(r['shots']['16'])} "
            f"| {fmt(r['probe'])} {examples}| {fmt(r['pointing'], 2)} | {verdict(r)} |")
    if rows:
        examples = ''.join(f"| {fmt(mean(r['examples'].get(k) for r in rows))} " for k in ks) if ex else ''
        lines.append(
            f"| **mean** | | | **{fmt(mean(r['auc'] for r in rows))}** | {fmt(mean(r['p10'] for r in rows), 2)} | "
            f"| {fmt(mean(r['rareAuc'] for r in rows))} | {fmt(mean(r['testZeroShot'] for r in rows))} "
            f"| {fmt(mean(r['shots']['1'] for r in rows))} | {fmt(mean(r['shots']['4'] for r in rows))} "
            f"| {fmt(mean(r['shots']['16'] for r in rows))} | {fmt(mean(r['probe'] for r in rows))} {examples}"
            f"| {fmt(mean(r['pointing'] for r in rows), 2)} | |")
    return lines


def trained_rare_met(r):
    """Issue #18 for a trained rare finding at ≤ 3 % prevalence: zero-shot AUC ≥ 0.90 and P@10 ≥ 0.7 (real
    prevalence). None when it does not apply (prevalence unknown, or above RARE_MAX_PREVALENCE)."""
    if r['prevalence'] is None or r['prevalence'] > RARE_MAX_PREVALENCE:
        return None
    return ok_number(r['auc']) and r['auc'] >= RARE_AUC and ok_number(r['p10']) and r['p10'] >= RARE_P10


def never_seen_met(r):
    """Issue #18 for a never-seen finding: 16-shot AUC ≥ 0.85."""
    v = r['shots']['16']
    return ok_number(v) and v >= NEVER_SEEN_16SHOT


def _worst(values):
    v = [x for x in values if ok_number(x)]
    return min(v) if v else None


def rare_targets(trained_rows, never_rows):
    out = []
    applies = [r for r in trained_rows if trained_rare_met(r) is not None]
    if trained_rows:
        skipped = [phrase(r['finding']) for r in trained_rows if trained_rare_met(r) is None]
        note = (f" (not applicable, no real-prevalence figure or prevalence > {100 * RARE_MAX_PREVALENCE:.0f} %: "
                f"{', '.join(skipped)})" if skipped else '')
        aucs, p10s = [r['auc'] for r in applies], [r['p10'] for r in applies]
        measured = bool(applies) and all(ok_number(x) for x in aucs + p10s)
        out.append((f'trained rare findings at ≤ 3 % prevalence: zero-shot AUC ≥ {RARE_AUC:.2f}, every one (min)'
                    + note, _worst(aucs), measured and min(aucs) >= RARE_AUC))
        out.append((f'trained rare findings at ≤ 3 % prevalence: P@10 ≥ {RARE_P10:.1f}, every one (min)',
                    _worst(p10s), measured and min(p10s) >= RARE_P10))
    if never_rows:
        v = [r['shots']['16'] for r in never_rows]
        out.append((f'never-seen findings: 16-shot AUC ≥ {NEVER_SEEN_16SHOT:.2f}, every one (min)', _worst(v),
                    all(ok_number(x) for x in v) and min(v) >= NEVER_SEEN_16SHOT))
    return out


def _yes(ok):
    return '—' if ok is None else ('yes' if ok else '**no**')


def probe_features(run) -> str:
    """What the probes read, as `radsift eval` reports it (runs before `probeFeatures`: the embedding as it is)."""
    what = run.get('probeFeatures')
    if what is None:
        return 'the frozen image embeddings'
    words = ('the frozen image embeddings and their max-pooled patch embeddings side by side'
             if what.startswith('embedding and pooled patches') else 'the frozen image embeddings')
    if what.endswith(', centred'):
        words += ', centred on the mean over the set'
    return words + ', as the app\'s linear probe and example sets compare scans (docs/few-shot.md)'


def base_section(held, shifted, held_cmd, shifted_cmd):
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
        ci = p.get('ci95') or [None, None]
        lines.append(
            f'| {name} | {p["positives"]} | {fmt(p["auc"])} [{fmt(ci[0], 2)}, {fmt(ci[1], 2)}] '
            f'| {fmt(p.get("aucBarePhrase"))} | {fmt(p.get("precisionAt5"), 2)} | {fmt(p.get("precisionAt10"), 2)} '
            f'| {fmt(p.get("imageToImageP10"), 2)} | {fmt(p.get("negationOrdering"), 2)} '
            f'| {fmt(g.get("pointingGame"), 2)} | {fmt(g.get("contrastToNoise"), 2)} '
            f'| {fmt(sa)} | {fmt(None if not (ok_number(sa) and ok_number(p["auc"])) else p["auc"] - sa)} |')
    m = held['means']
    drop = held['meanAuc'] - shifted['meanAuc'] if ok_number(held['meanAuc']) and ok_number(shifted['meanAuc']) \
        else None
    lines += [
        f'| **mean** | | **{fmt(held["meanAuc"])}** | {fmt(m["aucBarePhrase"])} '
        f'| {fmt(m["precisionAt5"], 2)} | | {fmt(m["imageToImageP10"], 2)} '
        f'| {fmt(m["negationOrdering"], 2)} | {fmt(m["pointingGame"], 2)} '
        f'| {fmt(m["contrastToNoise"], 2)} | {fmt(shifted["meanAuc"])} '
        f'| {fmt(drop)} |',
        '',
        'Labels or a few examples instead of zero-shot, as the CLIP and ConVIRT papers compare them (AUC on the '
        'held-out half of the held-out set; probes are logistic regressions on '
        f'{probe_features(held)}, trained on a fraction of the other half, or on k positive and k negative examples; '
        'mean of 5 draws):',
        '',
        '| finding | zero-shot | probe 1% | probe 10% | probe 100% | 1-shot | 4-shot | 16-shot |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for name, p in h.items():
        c = p.get('probe') or {}
        f, k = c.get('labelFraction') or {}, c.get('shotsPerClass') or {}
        lines.append(
            f'| {name} | {fmt(c.get("zeroShot"))} | {fmt(f.get("0.01"))} | {fmt(f.get("0.1"))} | {fmt(f.get("1"))} '
            f'| {fmt(k.get("1"))} | {fmt(k.get("4"))} | {fmt(k.get("16"))} |')
    lines += [
        f'| **mean** | {fmt(m["probeZeroShot"])} | {fmt(m["probe1pct"])} | {fmt(m["probe10pct"])} '
        f'| {fmt(m["probe100pct"])} | {fmt(m["shots1"])} | {fmt(m["shots4"])} | {fmt(m["shots16"])} |',
    ]
    return lines


def card(held, shifted, held_cmd, shifted_cmd, real=None, rare=None, trained_rare=(), never_seen=(),
         real_cmd='radsift eval …', rare_cmd='radsift eval …', baseline=None, language=None,
         language_cmd='radsift eval-language …', why=None, region_weight=0.5):
    """The section. held/shifted: runs with (at least) the eight common findings; real (default prevalence) and
    rare (rare findings enriched): runs with the rare ones, for the trained_rare and never_seen tables; baseline:
    the baseline (the model it replaces, or the default it ships beside), evaluated on the same held-out set
    (a sentence under table a); why: markdown, written for this model from what was measured, on why the targets
    it misses are missed (under the targets; refused when every target is met); region_weight: the bundle
    manifest's regionWeight, how its scores weigh the best region (1: alone), for the sentence that says so."""
    base = [f for f in BASE_FINDINGS if phrase(f) in by_phrase(held)]
    held8, shifted8 = subset(held, base), subset(shifted, base)  # means over the eight, whatever else was evaluated
    lines = []
    has_rare = bool(trained_rare or never_seen)
    if has_rare:
        lines += ['### (a) The eight common findings', '']
    lines += base_section(held8, shifted8, held_cmd, shifted_cmd)
    if baseline:
        b = subset(baseline, base)
        bh = by_phrase(b)
        per = ', '.join(f'{k} {fmt(bh[k].get("auc"))}' for k in (phrase(f) for f in base) if k in bh)
        name = ' '.join(str(x) for x in (baseline.get('model', '?'), baseline.get('modelVersion')) if x)
        lines += ['', f'The baseline ({name}), on the same held-out set: mean zero-shot '
                      f'AUC {fmt(b["meanAuc"])} over the eight ({per}).']
    whole = [p.get('aucWholeImage') for p in held8['phrases']]
    if any(w is not None and ok_number(w) and abs(w - p['auc']) > 1e-9 for w, p in zip(whole, held8['phrases'])):
        # radsift eval scored as the app does, and the model's scores weigh its best region (regionOffset).
        how = ('its best patch-grid region alone (a phrase of absence or a shape of the whole thorax, such as '
               'cardiomegaly, by the whole image alone; manifest regionWeight 1; ' if region_weight >= 1 else
               'the whole image and its best patch-grid region (a shape of the whole thorax, such as cardiomegaly, by '
               'the whole image alone; ')
        lines += ['', f'Zero-shot AUC and P@10 here are the app\'s scores: {how}'
                      f'docs/region-scores.md); the whole image alone gives a mean of {fmt(mean(whole))} over the '
                      'eight (`aucWholeImage` in `radsift eval --json`).']
    verdicts = targets(held8, shifted8) + base_targets(held8)
    if has_rare:
        t_rows = rare_rows(trained_rare, real, rare)
        n_rows = rare_rows(never_seen, real, rare)
        sets = []
        if real:
            sets.append(f'real prevalence: {real["scans"]} phantoms at the generator\'s default prevalences '
                        f'(`{real_cmd}`): '
                        'prevalence, zero-shot AUC with its 95% CI and P@10')
        if rare:
            sets.append(f'enriched: {rare["scans"]} phantoms with every rare finding made common (`{rare_cmd}`): '
                        'zero-shot AUC, and on the held-out half of it zero-shot, k-shot probes (k positive and k '
                        'negative examples, mean of 5 draws) and the linear probe on all labels of the other half, '
                        f'logistic regressions on {probe_features(rare)}; '
                        '"k examples": the cosine to the mean of k positive examples alone, '
                        + ('by the embedding and the max-pooled patch embeddings side by side, '
                           if rare.get('exampleDescriptor') == 'embedding and pooled patches' else '')
                        + 'centred on the mean over the whole set, as the app\'s example sets screen (docs/few-shot.md)')
        lines += [
            '',
            'Rare findings, on held-out phantoms (no exclusions: every finding can appear) — '
            + '; '.join(sets) + '. A column is — where a set lacks the finding or has too few positives '
            '(P@10 needs 10, 16-shot 16 in the probe\'s half).',
        ]
        if trained_rare:
            lines += ['', '### (b) Rare findings the model was trained on (target at ≤ 3 % prevalence: zero-shot AUC '
                          f'≥ {RARE_AUC:.2f} and P@10 ≥ {RARE_P10:.1f})', '']
            lines += rare_table(t_rows, lambda r: _yes(trained_rare_met(r)))
        if never_seen:
            lines += ['', f'### (c) Findings the model never saw (target: 16-shot AUC ≥ {NEVER_SEEN_16SHOT:.2f})', '']
            lines += rare_table(n_rows, lambda r: _yes(never_seen_met(r)))
        verdicts += rare_targets(t_rows, n_rows)
    if language:
        more, said = language_section(language, language_cmd)
        lines += [''] + more
        verdicts += said
    lines += [
        '',
        'Targets the model is held to:',
        '',
        '| target | measured | met |',
        '|---|---|---|',
    ]
    for what, value, ok in verdicts:
        lines.append(f'| {what} | {verdict_figure(value, ok)} | {"yes" if ok else "**no**"} |')
    if why is not None:
        if not why.strip():
            raise SystemExit('--why: the file is empty')
        if all(ok for _, _, ok in verdicts):
            raise SystemExit('--why: every target is met, so there is nothing to explain')
        lines += ['', '### Why the targets marked **no** are not met', '', why.strip()]
    return '\n'.join(lines) + '\n'


def language_section(lang, cmd):
    """Table (d) and its targets from `radsift eval-language --json`: per finding, the synonyms mapped and the
    polarity accuracy / ordering in each sentence set; never-seen findings marked and left out of the targets."""
    syn = {f['finding']: f for f in lang['synonyms']['findings']}
    sets = lang['polarity']
    head = '| finding | synonyms mapped | ' + ' | '.join(f'{p["name"]}: accuracy / ordering (pos, neg)' for p in sets) + ' |'
    lines = [
        f'### (d) Report language (`{cmd}`)', '',
        'Everyday synonyms (a held-out list of lay wordings and abbreviations) map to their finding when their own '
        'finding\'s phrase is the nearest of all twenty; polarity accuracy: the share of sentences on the right side '
        'of "phrase" vs "no phrase"; ordering: ROC AUC of positive over negated sentences by cosine to the phrase. '
        'Sets: held-out sentences written for this check, and any report corpus given (rule-labelled, only '
        'sentences of certain polarity). `*`: never seen in training, left out of the targets.', '',
        head, '|---|---|' + '---|' * len(sets),
    ]
    for f, s in syn.items():
        cells = []
        for p in sets:
            r = next((x for x in p['findings'] if x['finding'] == f), None)
            cells.append('—' if not r or not (r['positives'] + r['negated']) else
                         f"{fmt(r['accuracy'])} / {fmt(r['ordering'])} ({r['positives']}, {r['negated']})")
        lines.append(f"| {phrase(f)}{' *' if s['neverSeen'] else ''} | {s['mapped']}/{s['total']} | "
                     + ' | '.join(cells) + ' |')
    total = lang['synonyms']
    unseen = total.get('notInTraining')
    if unseen:
        lines += ['', f'Of the synonyms of trained findings, {unseen["total"]} are none of the wordings the training '
                      f'prompts used (manifest zeroShot.prompts); {unseen["mapped"]} of those map to their finding.']
    known, warned = total.get('familiar'), total.get('unfamiliar')
    if known and warned:
        # Where the misses are: the app flags a phrase it does not know (docs/phrase-familiarity.md) under its results.
        lines += ['', f'Split by the app\'s warning on phrases the model does not know (docs/phrase-familiarity.md): '
                      f'of the synonyms of trained findings it shows without a warning, {known["mapped"]}/{known["total"]} '
                      f'map to their finding; of those it warns on, {warned["mapped"]}/{warned["total"]}.']
    # Judged on the synonyms the training prompts did not use, where the model lists its wordings: copying the
    # list into the prompts must not be a way to meet the target.
    judged = total['fraction'] if not unseen else (unseen['mapped'] / unseen['total'] if unseen['total'] else None)
    verdicts = [(f'everyday synonyms map to their finding ≥ {100 * SYNONYMS_MAPPED:.0f} % ('
                 + (f'those not among the training wordings: {unseen["mapped"]}/{unseen["total"]}; all of the '
                    if unseen else '')
                 + f'findings trained on: {total["mapped"]}/{total["total"]})', judged,
                 ok_number(judged) and judged >= SYNONYMS_MAPPED)]
    for p in sets:
        v = p.get('minAccuracy')
        verdicts.append((f'polarity accuracy ≥ {POLARITY_ACCURACY:.2f} for every finding, {p["name"]} '
                         f'({p["sentences"]} sentences; min)', v, ok_number(v) and v >= POLARITY_ACCURACY))
    return lines, verdicts


def append_section(bundle_dir, section):
    """Puts the section at the end of the bundle's card.md (replacing an earlier one) and refreshes the
    manifest's checksums, which cover card.md."""
    path = os.path.join(bundle_dir, 'card.md')
    with open(path, encoding='utf-8') as f:
        text = f.read().split(HEADING)[0].rstrip('\n')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(f'{text}\n\n{HEADING}\n{section}')
    return refresh_checksums(bundle_dir)


def region_weight(bundle_dir) -> float:
    """The bundle manifest's regionWeight (the app's default, 0.5, when it has none or there is no bundle)."""
    path = os.path.join(bundle_dir, 'manifest.json') if bundle_dir else ''
    if not path or not os.path.exists(path):
        return 0.5
    with open(path, encoding='utf-8') as f:
        return float(json.load(f).get('regionWeight', 0.5))


def finding_groups(bundle_dir, trained_rare, never_seen, runs):
    """(trained rare, never seen) finding names: the flags, else the bundle manifest's zeroShot section, else
    (trained rare only) every non-base column of the runs."""
    split = lambda s: [x.strip().replace(' ', '_') for x in s.split(',') if x.strip()]  # noqa: E731
    zs = {}
    if bundle_dir and os.path.exists(os.path.join(bundle_dir, 'manifest.json')):
        with open(os.path.join(bundle_dir, 'manifest.json'), encoding='utf-8') as f:
            zs = json.load(f).get('zeroShot') or {}
    never = split(never_seen) if never_seen is not None else list(zs.get('neverSeen', []))
    if trained_rare is not None:
        trained = split(trained_rare)
    elif zs.get('findings'):
        trained = [f for f in zs['findings'] if f not in BASE_FINDINGS]
    else:
        cols = [p['phrase'].replace(' ', '_') for r in runs if r for p in r['phrases']]
        trained = [c for c in dict.fromkeys(cols) if c not in BASE_FINDINGS and c not in never]
    return trained, never


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--heldout', required=True,
                    help='radsift eval --json of the held-out set (the eight common findings)')
    ap.add_argument('--shifted', required=True, help='… of the acquisition-shifted set')
    ap.add_argument('--real', help='… of a held-out set at the default (real) prevalences: rare zero-shot AUC, P@10')
    ap.add_argument('--rare', help='… of a held-out set with the rare findings enriched: few-shot and linear probes')
    ap.add_argument('--baseline', help='… of the baseline (the model this one replaces or ships beside), on the --heldout set')
    ap.add_argument('--trained-rare', help='rare findings the model was trained on (default: the bundle manifest)')
    ap.add_argument('--never-seen', help='findings the model never saw (default: the bundle manifest)')
    ap.add_argument('--bundle', help='the bundle whose manifest names its trained and never-seen findings')
    ap.add_argument('--heldout-cmd', default='radsift eval …')
    ap.add_argument('--shifted-cmd', default='radsift eval …')
    ap.add_argument('--real-cmd', default='radsift eval …')
    ap.add_argument('--rare-cmd', default='radsift eval …')
    ap.add_argument('--language', help='radsift eval-language --json: report language (synonyms, polarity)')
    ap.add_argument('--language-cmd', default='radsift eval-language …')
    ap.add_argument('--why', help='markdown on why the missed targets are missed, written for this model from what '
                                  'was measured (models/train/cards/): put under the targets')
    ap.add_argument('--append-to', help='a bundle folder: replace its card.md section and refresh the checksums')
    args = ap.parse_args()
    def load(path):
        if not path:
            return None
        with open(path, encoding='utf-8') as f:
            return json.load(f)

    held, shifted, real, rare = load(args.heldout), load(args.shifted), load(args.real), load(args.rare)
    language = load(args.language)
    if language is not None and language.get('set', 'held-out') != 'held-out':
        # The validation set chooses settings and stops stages; a card reports what nothing was chosen on.
        raise SystemExit(f'--language: measured on the {language["set"]} set; a card reports the held-out set '
                         '(radsift eval-language without --set)')
    baseline = load(args.baseline)
    why = None
    if args.why:
        with open(args.why, encoding='utf-8') as f:
            why = f.read()
    trained, never = finding_groups(args.bundle or args.append_to, args.trained_rare, args.never_seen, [real, rare])
    if real is None and rare is None:  # no set with the rare findings: the eight common ones only
        trained, never = [], []
    section = card(held, shifted, args.heldout_cmd, args.shifted_cmd, real, rare, trained, never,
                   args.real_cmd, args.rare_cmd, baseline, language, args.language_cmd, why,
                   region_weight(args.bundle or args.append_to))
    if not args.append_to:
        sys.stdout.write(section)
        return 0
    append_section(args.append_to, section)
    return 0


if __name__ == '__main__':
    sys.exit(main())
