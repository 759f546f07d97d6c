"""Write a tiny training set in the phantom generator's export format (the data contract).

Stand-in for `radsift demo --export-training` so the recipe and its smoke test run
before/without the real generator. Images are crude shapes (a body, two dark lungs,
a heart, findings as simple opacities) whose report sentences agree with the labels,
including negated and uncertain sentences. Not a model of anatomy: never ship a
model trained on this.

--layout 1.1 (default) writes generator 1.1's export: the eight base findings plus twelve rare
ones (`all*` keys, mask planes `.p1.png`/`.p2.png`, `excludedFindings`); --exclude-findings drops
rare ones from every image and report, as `radsift demo --exclude-findings` does. --layout 1.0
writes generator 1.0's (eight findings, one 8-bit mask, no `all*` keys).

    /usr/bin/python3 models/train/fake_data.py --out /tmp/fake --count 256 --seed 1 \
        [--layout 1.0|1.1] [--exclude-findings pneumoperitoneum,hiatal_hernia]
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
from PIL import Image

FINDINGS = [
    'pleural_effusion',
    'cardiomegaly',
    'pneumothorax',
    'nodule',
    'consolidation',
    'atelectasis',
    'edema',
    'support_devices',
]
RARE = [
    'rib_fracture',
    'pneumoperitoneum',
    'hiatal_hernia',
    'pneumomediastinum',
    'widened_mediastinum',
    'hilar_adenopathy',
    'calcified_granuloma',
    'cavitary_lesion',
    'subcutaneous_emphysema',
    'sternotomy_wires',
    'scoliosis',
    'elevated_hemidiaphragm',
]
ALL_FINDINGS = FINDINGS + RARE
VERSION = '0.2.0'
PREVALENCE = 0.25
RARE_PREVALENCE = 0.12

POSITIVE = {
    'pleural_effusion': ['{size} {side} pleural effusion.', 'There is a {size} {side} pleural effusion.'],
    'cardiomegaly': ['The heart is enlarged.', 'Cardiomegaly.', 'Enlarged cardiac silhouette.'],
    'pneumothorax': ['{size} {side} apical pneumothorax.', 'There is a {side} pneumothorax.'],
    'nodule': ['{size} nodule in the {side} lung.', 'A {side} pulmonary nodule is seen.'],
    'consolidation': ['Consolidation in the {side} lower lobe.', '{side} basilar airspace consolidation.'],
    'atelectasis': ['Plate-like atelectasis at the {side} base.', '{side} basilar atelectasis.'],
    'edema': ['Mild pulmonary edema.', 'Perihilar haze consistent with edema.'],
    'support_devices': ['Endotracheal tube in place.', 'A support device projects over the chest.'],
}
NEGATED = {
    'pleural_effusion': ['No pleural effusion.', 'No effusion.'],
    'cardiomegaly': ['Heart size is normal.', 'No cardiomegaly.'],
    'pneumothorax': ['No pneumothorax.'],
    'nodule': ['No pulmonary nodule.', 'No nodule is seen.'],
    'consolidation': ['No focal consolidation.', 'No consolidation.'],
    'atelectasis': ['No atelectasis.'],
    'edema': ['No pulmonary edema.', 'No edema.'],
    'support_devices': [],  # radiologists rarely mention absent devices
}
GROUPED_NEGATIONS = [
    ('No pleural effusion or pneumothorax.', ['pleural_effusion', 'pneumothorax']),
    ('Lungs are clear without consolidation or edema.', ['consolidation', 'edema']),
]
NEUTRAL = ['The osseous structures are intact.', 'PA and lateral views of the chest.', 'Comparison: none.']
# The rare findings, in report words (positive), and how a report without one may deny it.
RARE_POSITIVE = {
    'rib_fracture': ['Nondisplaced fracture of the {side} 6th rib.', 'Healed {side} rib fracture.'],
    'pneumoperitoneum': ['Free air under the {side} hemidiaphragm, consistent with pneumoperitoneum.',
                         'Pneumoperitoneum.'],
    'hiatal_hernia': ['Small hiatal hernia.', 'Retrocardiac air-fluid level, compatible with a hiatus hernia.'],
    'pneumomediastinum': ['Pneumomediastinum.',
                          'Air outlining the mediastinal structures, compatible with pneumomediastinum.'],
    'widened_mediastinum': ['Widened mediastinum.', 'Mediastinal widening to 9.5 cm.'],
    'hilar_adenopathy': ['{Side} hilar lymphadenopathy.', 'Bilateral hilar adenopathy.'],
    'calcified_granuloma': ['Calcified granuloma in the {side} upper lung.',
                            'Sequelae of prior granulomatous disease.'],
    'cavitary_lesion': ['Thick-walled cavitary lesion in the {side} upper lung.', 'Cavity in the {side} lung.'],
    'subcutaneous_emphysema': ['Subcutaneous emphysema along the {side} chest wall.', 'Surgical emphysema.'],
    'sternotomy_wires': ['Intact median sternotomy wires.', 'Post-sternotomy changes.'],
    'scoliosis': ['Mild thoracic dextroscoliosis.', 'Scoliosis of the thoracic spine.'],
    'elevated_hemidiaphragm': ['Elevated {side} hemidiaphragm.', 'Elevation of the {side} hemidiaphragm.'],
}
RARE_NEGATED = {
    'pneumoperitoneum': ['No free air under the diaphragm.'],
    'pneumomediastinum': ['No pneumomediastinum.'],
    'subcutaneous_emphysema': ['No subcutaneous emphysema.'],
    'hiatal_hernia': ['No hiatal hernia.'],
    'widened_mediastinum': ['The mediastinum is not widened.'],
    'cavitary_lesion': ['No cavitary lesion.'],
}
RARE_NEGATION_RATE = 0.1


def _disc(yy, xx, cy, cx, ry, rx):
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0


def _smooth_noise(rng, s, k):
    n = rng.normal(size=(s // k + 2, s // k + 2))
    img = np.asarray(Image.fromarray(n.astype(np.float32)).resize((s, s), Image.BILINEAR))
    return img


def render(rng, s: int, labels: dict[str, int], attrs: dict) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32)
    img = np.zeros((s, s), np.float32)
    body = _disc(yy, xx, 0.55 * s, 0.5 * s, 0.5 * s, 0.46 * s)
    img[body] = 0.45
    # Patient's right is on the image left (PA convention).
    lungs = {
        'right': _disc(yy, xx, 0.47 * s, 0.31 * s, 0.3 * s, 0.14 * s),
        'left': _disc(yy, xx, 0.47 * s, 0.69 * s, 0.3 * s, 0.14 * s),
    }
    for m in lungs.values():
        img[m] = 0.15
    img += 0.03 * _smooth_noise(rng, s, 16) * (lungs['left'] | lungs['right'])
    img[(np.abs(xx - 0.5 * s) < 0.035 * s) & body] = 0.75  # spine
    heart_w = 0.17 * s if labels['cardiomegaly'] else 0.11 * s
    heart = _disc(yy, xx, 0.62 * s, 0.54 * s, 0.12 * s, heart_w)
    img[heart] = 0.6
    mask = np.zeros((s, s), np.uint8)
    bit = {f: np.uint8(1 << k) for k, f in enumerate(FINDINGS)}
    if labels['cardiomegaly']:
        mask[heart] |= bit['cardiomegaly']
    sides = lambda a: ['left', 'right'] if a == 'bilateral' else [a]  # noqa: E731
    if labels['pleural_effusion']:
        level = {'small': 0.66, 'moderate': 0.58, 'large': 0.5}[attrs['pleural_effusion']['size']] * s
        for side in sides(attrs['pleural_effusion']['side']):
            m = lungs[side] & (yy > level)
            img[m] = 0.55
            mask[m] |= bit['pleural_effusion']
    if labels['pneumothorax']:
        side = attrs['pneumothorax']['side']
        cx = 0.31 * s if side == 'right' else 0.69 * s
        lateral = xx < cx if side == 'right' else xx > cx
        m = lungs[side] & (yy < 0.35 * s) & lateral
        img[m] = 0.02
        mask[m] |= bit['pneumothorax']
    if labels['nodule']:
        side = attrs['nodule']['side']
        r = {'small': 0.025, 'moderate': 0.035, 'large': 0.05}[attrs['nodule']['size']] * s
        cy = rng.uniform(0.3, 0.6) * s
        cx = (0.31 if side == 'right' else 0.69) * s + rng.uniform(-0.05, 0.05) * s
        m = _disc(yy, xx, cy, cx, r, r)
        img[m] = 0.7
        mask[m] |= bit['nodule']
    if labels['consolidation']:
        side = attrs['consolidation']['side']
        cx = (0.31 if side == 'right' else 0.69) * s
        blob = _disc(yy, xx, 0.55 * s, cx, 0.09 * s, 0.08 * s) & lungs[side]
        m = blob & (_smooth_noise(rng, s, 8) > -0.6)
        img[m] = np.maximum(img[m], 0.5)
        mask[m] |= bit['consolidation']
    if labels['atelectasis']:
        side = attrs['atelectasis']['side']
        m = lungs[side] & (np.abs(yy - 0.66 * s) < 0.012 * s)
        img[m] = 0.5
        mask[m] |= bit['atelectasis']
    if labels['edema']:
        for cx in (0.36 * s, 0.64 * s):
            haze = np.exp(-(((yy - 0.47 * s) / (0.12 * s)) ** 2 + ((xx - cx) / (0.07 * s)) ** 2))
            lung = lungs['left'] | lungs['right']
            img += 0.3 * haze * lung
            mask[(haze > 0.3) & lung] |= bit['edema']
    if labels['support_devices']:
        m = (np.abs(xx - 0.5 * s) < 0.008 * s) & (yy > 0.05 * s) & (yy < 0.4 * s)
        img[m] = 0.98
        mask[m] |= bit['support_devices']
    rare = np.zeros((s, s), np.uint32)
    _render_rare(rng, s, img, rare, labels, attrs, yy, xx, lungs, body)
    img += rng.normal(0, 0.02, size=img.shape)
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8), mask.astype(np.uint32) | rare


def _render_rare(rng, s, img, mask, labels, attrs, yy, xx, lungs, body):
    """Crude shapes for the rare findings (bits 8 and up, ALL_FINDINGS order)."""
    def put(name, m, value=None):
        if value is not None:
            img[m] = value
        mask[m] |= np.uint32(1 << ALL_FINDINGS.index(name))

    def cx_of(side):
        return (0.31 if side == 'right' else 0.69) * s

    for f in RARE:
        if not labels.get(f):
            continue
        side = attrs.get(f, {}).get('side', 'right')
        if f == 'rib_fracture':
            put(f, _disc(yy, xx, round(0.4 * s), round(cx_of(side) + (-0.12 if side == 'right' else 0.12) * s),
                         max(0.02 * s, 0.75), max(0.01 * s, 0.75)), 0.05)
        elif f == 'pneumoperitoneum':
            put(f, (np.abs(yy - 0.8 * s) < 0.015 * s) & (np.abs(xx - cx_of(side)) < 0.1 * s), 0.0)
        elif f == 'hiatal_hernia':
            put(f, _disc(yy, xx, 0.66 * s, 0.5 * s, 0.05 * s, 0.06 * s), 0.65)
            img[_disc(yy, xx, 0.65 * s, 0.5 * s, 0.015 * s, 0.03 * s)] = 0.1
        elif f == 'pneumomediastinum':
            put(f, (np.abs(xx - 0.6 * s) < max(0.006 * s, 0.6)) & (yy > 0.3 * s) & (yy < 0.65 * s), 0.02)
        elif f == 'widened_mediastinum':
            put(f, (np.abs(xx - 0.5 * s) < 0.09 * s) & (yy > 0.18 * s) & (yy < 0.4 * s), 0.6)
        elif f == 'hilar_adenopathy':
            for c in (0.4 * s, 0.6 * s):
                put(f, _disc(yy, xx, 0.45 * s, c, 0.03 * s, 0.025 * s), 0.62)
        elif f == 'calcified_granuloma':
            r = max(0.012 * s, 0.75)
            put(f, _disc(yy, xx, round(rng.uniform(0.3, 0.5) * s), round(cx_of(side)), r, r), 0.95)
        elif f == 'cavitary_lesion':
            ring = _disc(yy, xx, 0.35 * s, cx_of(side), 0.05 * s, 0.05 * s)
            put(f, ring, 0.7)
            img[_disc(yy, xx, 0.35 * s, cx_of(side), 0.03 * s, 0.03 * s)] = 0.05
        elif f == 'subcutaneous_emphysema':
            wall = body & ~(lungs['left'] | lungs['right']) & (np.abs(xx - cx_of(side)) > 0.15 * s) & \
                (np.abs(xx - cx_of(side)) < 0.2 * s) & (yy > 0.25 * s) & (yy < 0.7 * s)
            put(f, wall & (np.sin(yy / 3.0) > 0.3), 0.1)
        elif f == 'sternotomy_wires':
            for y in (0.3, 0.36, 0.42, 0.48):
                put(f, _disc(yy, xx, y * s, 0.5 * s, 0.012 * s, 0.008 * s), 1.0)
        elif f == 'scoliosis':
            put(f, (np.abs(xx - 0.5 * s - 0.05 * s * np.sin(yy / s * np.pi)) < 0.035 * s) & body, 0.75)
        elif f == 'elevated_hemidiaphragm':
            put(f, lungs[side] & (yy > 0.6 * s), 0.45)


def report(rng, labels: dict[str, int], attrs: dict, excluded: frozenset = frozenset()) -> list[dict]:
    sents = []
    covered = set()
    for f in FINDINGS:
        if labels[f]:
            a = attrs.get(f, {})
            t = POSITIVE[f][rng.integers(len(POSITIVE[f]))]
            text = t.format(side=a.get('side', ''), size=a.get('size', '')).strip()
            text = text[0].upper() + text[1:]
            pol = 'positive'
            if rng.random() < 0.1:
                text, pol = f"Cannot exclude {f.replace('_', ' ')}.", 'uncertain'
            sents.append({'text': text, 'findings': [f], 'polarity': pol})
            covered.add(f)
    for text, fs in GROUPED_NEGATIONS:
        if not any(labels[f] for f in fs) and rng.random() < 0.5:
            sents.append({'text': text, 'findings': fs, 'polarity': 'negated'})
            covered.update(fs)
    for f in FINDINGS:
        if f not in covered and not labels[f] and NEGATED[f] and rng.random() < 0.6:
            sents.append({'text': NEGATED[f][rng.integers(len(NEGATED[f]))], 'findings': [f], 'polarity': 'negated'})
    sents.append({'text': NEUTRAL[rng.integers(len(NEUTRAL))], 'findings': [], 'polarity': 'none'})
    for f in RARE:
        if f in excluded:
            continue  # never named, not even negated
        if labels.get(f):
            t = RARE_POSITIVE[f][rng.integers(len(RARE_POSITIVE[f]))]
            side = attrs.get(f, {}).get('side', 'right')
            sents.append({'text': t.format(side=side, Side=side.capitalize()), 'findings': [f], 'polarity': 'positive'})
        elif f in RARE_NEGATED and rng.random() < RARE_NEGATION_RATE:
            sents.append({'text': RARE_NEGATED[f][rng.integers(len(RARE_NEGATED[f]))], 'findings': [f],
                          'polarity': 'negated'})
    order = rng.permutation(len(sents))
    return [sents[i] for i in order]


def write(out: str, count: int, seed: int, size: int, layout: str = '1.1', exclude: list[str] | None = None) -> None:
    """layout '1.1': every finding (all* keys, three mask planes), exclude: rare findings absent from every image
    and never named; '1.0': the eight base findings only, one 8-bit mask."""
    exclude = list(exclude or [])
    if layout not in ('1.0', '1.1'):
        raise ValueError(f'layout {layout!r}: 1.0 or 1.1')
    if layout == '1.0' and exclude:
        raise ValueError('--exclude-findings needs --layout 1.1 (generator 1.0 had no rare findings)')
    bad = [x for x in exclude if x not in RARE]
    if bad:
        raise ValueError(f'--exclude-findings: {bad} are not rare findings ({", ".join(RARE)})')
    rare = [f for f in RARE if f not in exclude] if layout == '1.1' else []
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(out, 'images'), exist_ok=True)
    os.makedirs(os.path.join(out, 'masks'), exist_ok=True)
    with open(os.path.join(out, 'records.jsonl'), 'w', encoding='utf-8') as rec:
        for i in range(count):
            rid = f'fake-{seed}-{i:05d}'
            labels = {f: int(rng.random() < PREVALENCE) for f in FINDINGS}
            # Drawn for every rare finding whatever the exclusions, so that excluding one leaves the rest as drawn.
            draws = {f: (rng.random() < RARE_PREVALENCE, ['left', 'right'][rng.integers(2)]) for f in RARE}
            attrs = {}
            for f in ('pleural_effusion', 'pneumothorax', 'nodule', 'consolidation', 'atelectasis'):
                if labels[f]:
                    sides = ['left', 'right', 'bilateral'] if f == 'pleural_effusion' else ['left', 'right']
                    attrs[f] = {
                        'side': sides[rng.integers(len(sides))],
                        'size': ['small', 'moderate', 'large'][rng.integers(3)],
                    }
            all_labels = dict(labels)
            for f in RARE:
                all_labels[f] = int(f in rare and draws[f][0])
                if all_labels[f]:
                    attrs[f] = {'side': draws[f][1]}
            img, mask = render(rng, size, all_labels, attrs)
            Image.fromarray(img, 'L').save(os.path.join(out, 'images', f'{rid}.png'))
            planes = [f'masks/{rid}.png'] + ([f'masks/{rid}.p{p}.png' for p in (1, 2)] if layout == '1.1' else [])
            for p, name in enumerate(planes):
                Image.fromarray(((mask >> (8 * p)) & 0xFF).astype(np.uint8), 'L').save(os.path.join(out, name))
            unnamed = frozenset(exclude) | (frozenset(RARE) if layout == '1.0' else frozenset())
            sents = report(rng, all_labels, attrs, unnamed)
            row = {
                'id': rid,
                'image': f'images/{rid}.png',
                'mask': planes[0],
                'labels': labels,
                'attributes': attrs,
                'view': 'PA',
                'report': ' '.join(s['text'] for s in sents),
                'sentences': sents,
            }
            if layout == '1.1':  # as the generator writes them: 1.0 keys for the base eight, all* for every finding
                row['sentences'] = []
                for s in sents:
                    base = [f for f in s['findings'] if f in FINDINGS]
                    row['sentences'].append({'text': s['text'], 'findings': base,
                                             'polarity': s['polarity'] if base or not s['findings'] else 'none',
                                             'allFindings': s['findings'], 'allPolarity': s['polarity']})
                row['allLabels'] = all_labels
                row['maskPlanes'] = planes
            rec.write(json.dumps(row) + '\n')
    manifest = {
        'generator': 'radsift-train-fake',
        'generatorVersion': VERSION,
        'seed': seed,
        'count': count,
        'imageSize': size,
        'findings': FINDINGS,
    }
    if layout == '1.1':
        manifest.update(allFindings=ALL_FINDINGS, maskPlanes=3, excludedFindings=exclude)
    with open(os.path.join(out, 'manifest.json'), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True)
    ap.add_argument('--count', type=int, default=256)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--layout', default='1.1', choices=['1.0', '1.1'],
                    help="the generator's export format to mimic (default 1.1: every finding, mask planes)")
    ap.add_argument('--exclude-findings', default='', help='rare findings never drawn nor named (1.1 only)')
    a = ap.parse_args()
    exclude = [x.strip() for x in a.exclude_findings.split(',') if x.strip()]
    write(a.out, a.count, a.seed, a.size, a.layout, exclude)
    print(f'fake_data: wrote {a.count} records ({a.layout} layout'
          + (f', excluding {", ".join(exclude)}' if exclude else '') + f') to {a.out}')


if __name__ == '__main__':
    main()
