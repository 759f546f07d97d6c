"""Read the phantom generator's training export (the data contract, see README.md)
into memory, and sample one report sentence per image per step.

Images are kept as uint8 at a "source" size a little above the model input, so
random crops rarely upsample and never alias; masks are kept per finding as
coverage fractions on a small grid, which is all the grounding loss needs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

GENERATORS = ('radsift-phantom', 'radsift-train-fake')
POLARITY_CLAIM = {'positive': 1, 'negated': -1, 'uncertain': 0, 'none': 0}


def read_manifest(data_dir: str) -> dict:
    with open(os.path.join(data_dir, 'manifest.json'), encoding='utf-8') as f:
        m = json.load(f)
    for key in ('generator', 'generatorVersion', 'seed', 'count', 'imageSize', 'findings'):
        if key not in m:
            raise ValueError(f'{data_dir}/manifest.json: missing "{key}"')
    if m['generator'] not in GENERATORS:
        raise ValueError(f'{data_dir}: unknown generator {m["generator"]!r}')
    if len(m['findings']) > 8:
        raise ValueError('masks are 8-bit bitmasks: at most 8 findings')
    return m


def read_records(data_dir: str, findings: list[str]) -> list[dict]:
    out = []
    with open(os.path.join(data_dir, 'records.jsonl'), encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            r = json.loads(line)
            missing = [k for k in ('id', 'image', 'mask', 'labels', 'sentences') if k not in r]
            if missing or set(r['labels']) != set(findings):
                raise ValueError(f'records.jsonl:{n}: missing {missing} or labels != manifest findings')
            for s in r['sentences']:
                if s.get('polarity') not in POLARITY_CLAIM or any(x not in findings for x in s.get('findings', [])):
                    raise ValueError(f'records.jsonl:{n}: bad sentence {s!r}')
            out.append(r)
    return out


def split(records: list[dict], val_fraction: float) -> tuple[list[dict], list[dict]]:
    """By a hash of the id: stable whatever the order, count or seed of the run."""

    def bucket(r):
        return int(hashlib.sha256(r['id'].encode()).hexdigest()[:8], 16) / 0x100000000

    return [r for r in records if bucket(r) >= val_fraction], [r for r in records if bucket(r) < val_fraction]


@dataclass
class Split:
    images: torch.Tensor  # uint8 [N, S, S]
    masks: torch.Tensor  # uint8 [N, K, M, M], coverage fraction · 255
    labels: torch.Tensor  # float [N, K]
    sentences: list[list[tuple[str, np.ndarray, str]]]  # per image: (text, claims int8 [K], polarity)
    ids: list[str]


def _box(arr: np.ndarray, size: int) -> np.ndarray:
    if arr.shape[0] == size and arr.shape[1] == size:
        return arr.astype(np.float32)
    return np.asarray(Image.fromarray(arr.astype(np.float32), 'F').resize((size, size), Image.BOX))


def load(data_dir: str, records: list[dict], findings: list[str], image_size: int, mask_size: int) -> Split:
    """image_size: area (box) resize target; mask_size: grid of the per-finding coverage."""
    n, k = len(records), len(findings)
    images = np.zeros((n, image_size, image_size), np.uint8)
    masks = np.zeros((n, k, mask_size, mask_size), np.uint8)
    labels = np.zeros((n, k), np.float32)
    sentences = []
    for i, r in enumerate(records):
        img = np.asarray(Image.open(os.path.join(data_dir, r['image'])).convert('L'))
        images[i] = np.clip(_box(img, image_size).round(), 0, 255).astype(np.uint8)
        bits = np.asarray(Image.open(os.path.join(data_dir, r['mask'])))
        for j in range(k):
            plane = ((bits >> j) & 1).astype(np.float32)
            if plane.any():
                masks[i, j] = np.clip((_box(plane, mask_size) * 255).round(), 0, 255).astype(np.uint8)
        labels[i] = [r['labels'][f] for f in findings]
        sents = []
        for s in r['sentences']:
            claims = np.zeros(k, np.int8)
            for f in s.get('findings', []):
                claims[findings.index(f)] = POLARITY_CLAIM[s['polarity']]
            sents.append((s['text'], claims, s['polarity']))
        sentences.append(sents)
    ids = [r['id'] for r in records]
    return Split(torch.from_numpy(images), torch.from_numpy(masks), torch.from_numpy(labels), sentences, ids)


def sample_sentences(split: Split, idx: np.ndarray, weights: dict[str, float], rng: np.random.Generator):
    """One sentence per image, drawn with per-polarity weights (negated ones included:
    they are most of what real reports say). Returns texts, claims [B, K] int8."""
    texts, claims = [], []
    for i in idx:
        sents = split.sentences[i]
        if not sents:
            texts.append('')
            claims.append(np.zeros(split.labels.shape[1], np.int8))
            continue
        w = np.array([weights.get(p, 1.0) for _, _, p in sents], np.float64)
        w = w / w.sum() if w.sum() > 0 else np.full(len(sents), 1.0 / len(sents))
        t, c, _ = sents[rng.choice(len(sents), p=w)]
        texts.append(t)
        claims.append(c)
    return texts, np.stack(claims)


_SIDE = re.compile(r'\b(left|right)\b', re.IGNORECASE)


def swap_sides(text: str) -> str:
    """Companion of a horizontal flip: the patient's left becomes the image's other side."""

    def repl(m):
        w = m.group(0)
        o = 'right' if w.lower() == 'left' else 'left'
        return o.capitalize() if w[0].isupper() else o

    return _SIDE.sub(repl, text)


def pixel_stats(images: torch.Tensor) -> tuple[float, float]:
    """Mean and std on the 0–1 scale, written into the manifest for the app to apply."""
    s = s2 = 0.0
    for chunk in images.split(256):  # chunked: the whole set in float64 would need GBs
        x = chunk.double() / 255.0
        s += float(x.sum())
        s2 += float((x * x).sum())
    n = images.numel()
    mean = s / n
    return mean, (s2 / n - mean * mean) ** 0.5


def negation_pools(split: Split) -> list[tuple[list[str], list[str]]]:
    """Per finding: the distinct report sentences that assert it and that negate it."""
    k = split.labels.shape[1]
    pools: list[tuple[set, set]] = [(set(), set()) for _ in range(k)]
    for sents in split.sentences:
        for text, claims, _ in sents:
            for j in np.nonzero(claims)[0]:
                pools[j][0 if claims[j] > 0 else 1].add(text)
    return [(sorted(p), sorted(n)) for p, n in pools]


def sample_negation_texts(pools, m: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """M positive then M negated sentences per finding (with replacement), flattened in
    [K, 2, M] order, and a valid mask of that shape (False where a pool is empty)."""
    texts, valid = [], np.zeros((len(pools), 2, m), bool)
    for j, sides in enumerate(pools):
        for s, pool in enumerate(sides):
            if pool:
                texts += [pool[i] for i in rng.integers(len(pool), size=m)]
                valid[j, s] = True
            else:
                texts += [''] * m
    return texts, valid
