"""Write a tiny training set in the phantom generator's export format (the data contract).

Stand-in for `radsift demo --export-training` so the recipe and its smoke test run
before/without the real generator. Images are crude shapes (a body, two dark lungs,
a heart, findings as simple opacities) whose report sentences agree with the labels,
including negated and uncertain sentences. Not a model of anatomy: never ship a
model trained on this.

    /usr/bin/python3 models/train/fake_data.py --out /tmp/fake --count 256 --seed 1
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
VERSION = '0.1.0'
PREVALENCE = 0.25

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
    img += rng.normal(0, 0.02, size=img.shape)
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8), mask


def report(rng, labels: dict[str, int], attrs: dict) -> list[dict]:
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
    order = rng.permutation(len(sents))
    return [sents[i] for i in order]


def write(out: str, count: int, seed: int, size: int) -> None:
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(out, 'images'), exist_ok=True)
    os.makedirs(os.path.join(out, 'masks'), exist_ok=True)
    with open(os.path.join(out, 'records.jsonl'), 'w', encoding='utf-8') as rec:
        for i in range(count):
            rid = f'fake-{seed}-{i:05d}'
            labels = {f: int(rng.random() < PREVALENCE) for f in FINDINGS}
            attrs = {}
            for f in ('pleural_effusion', 'pneumothorax', 'nodule', 'consolidation', 'atelectasis'):
                if labels[f]:
                    sides = ['left', 'right', 'bilateral'] if f == 'pleural_effusion' else ['left', 'right']
                    attrs[f] = {
                        'side': sides[rng.integers(len(sides))],
                        'size': ['small', 'moderate', 'large'][rng.integers(3)],
                    }
            img, mask = render(rng, size, labels, attrs)
            Image.fromarray(img, 'L').save(os.path.join(out, 'images', f'{rid}.png'))
            Image.fromarray(mask, 'L').save(os.path.join(out, 'masks', f'{rid}.png'))
            sents = report(rng, labels, attrs)
            row = {
                'id': rid,
                'image': f'images/{rid}.png',
                'mask': f'masks/{rid}.png',
                'labels': labels,
                'attributes': attrs,
                'view': 'PA',
                'report': ' '.join(s['text'] for s in sents),
                'sentences': sents,
            }
            rec.write(json.dumps(row) + '\n')
    manifest = {
        'generator': 'radsift-train-fake',
        'generatorVersion': VERSION,
        'seed': seed,
        'count': count,
        'imageSize': size,
        'findings': FINDINGS,
    }
    with open(os.path.join(out, 'manifest.json'), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True)
    ap.add_argument('--count', type=int, default=256)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--size', type=int, default=256)
    a = ap.parse_args()
    write(a.out, a.count, a.seed, a.size)
    print(f'fake_data: wrote {a.count} records to {a.out}')


if __name__ == '__main__':
    main()
