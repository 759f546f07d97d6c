"""Probe: does the image encoder hold more than its embedding shows, before the projection to the shared space?

The embedding a scan is compared by is the projection of the last stage's pooled grid (mean and max over the
stride-32 cells), trained to sit near its report's text. A finding the training never named may still be in
the encoder's own features and be lost in that projection: CLIP's linear probes read the features before it.
For each finding of a training-format export (`radsift demo --export-training`), this compares, from a
checkpoint's image encoder at its own input size:

  embedding        the projected global embedding, centred on the export's mean (the app's descriptor without
                   the pooled patches);
  stride 32        mean and max of the last stage's grid, the projection's input;
  stride 16 / 8    the same for the two stages before it;
  embedding + 32   the first two side by side.

Each feature but the embedding is standardised over the export (label-free, as centring is), and every row is
L2-normalised. Per finding, over --draws draws of 16 positives and 16 negatives: "examples", the AUC of the
cosine to the 16 positives' mean (an example set), and "probe", the AUC of an L2-regularised logistic
regression fitted on the 32 (the model card's 16-shot probe; electron/scoring/linear-probe.ts), both on the
scans not drawn. Prints one JSON line.

    /usr/bin/python3 models/train/probe_trunk_features.py --checkpoint /tmp/rare-0.7.11.pt \\
        --data /tmp/proto92-train --bundle models/radsift-phantom-convirt-rare

Use an export no evaluation uses (seed 92: the few-shot tuning phantoms).
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from radsift_train.model import DualEncoder

SHOTS = 16


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    """Mann-Whitney AUC (ties at their mean rank)."""
    order = np.argsort(scores, kind='mergesort')
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    s = scores[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    p = int(y.sum())
    n = len(y) - p
    return float((ranks[y == 1].sum() - p * (p + 1) / 2) / (p * n))


def probe(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iterations: int = 25):
    """L2-regularised logistic regression by Newton's method, bias not regularised, as the app's linear probe
    (its penalty is l2 · rows · |w|², here likewise scaled by the rows)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = np.eye(xb.shape[1]) * l2 * len(x)
    reg[-1, -1] = 0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + reg @ w
        hess = (xb * np.maximum(p * (1 - p), 1e-9)[:, None]).T @ xb + reg
        w -= np.linalg.solve(hess + 1e-9 * np.eye(len(w)), grad)
    return lambda z: np.hstack([z, np.ones((len(z), 1))]) @ w


def unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def features(ck: dict, data: str, records: list[dict], mean: float, std: float, batch: int = 16) -> dict:
    """Each scan's embedding and pooled stage grids (mean and max over cells), in record order."""
    model = DualEncoder(ck['config'], len(ck['vocab']))
    model.load_state_dict(ck['model'])
    enc = model.image.eval()
    size = ck['config']['image']['size']
    out: dict[str, list[torch.Tensor]] = {'embedding': [], 'stride 32': [], 'stride 16': [], 'stride 8': []}
    meanmax = lambda f: torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], 1)  # noqa: E731
    with torch.no_grad():
        for s in range(0, len(records), batch):
            xs = []
            for r in records[s:s + batch]:
                img = Image.open(os.path.join(data, r['image'])).convert('L')
                if img.size != (size, size):
                    img = img.resize((size, size), Image.BOX)
                a = np.asarray(img, dtype=np.float32) / 255.0
                xs.append(torch.from_numpy((a - mean) / std)[None])
            h = enc.stages[0](enc.stem(torch.stack(xs)))
            f8 = enc.stages[1](h)
            f16 = enc.stages[2](f8)
            f32 = enc.stages[3](f16)
            pooled = meanmax(f32)
            out['embedding'].append(F.normalize(enc.global_head(pooled), dim=-1))
            out['stride 32'].append(pooled)
            out['stride 16'].append(meanmax(f16))
            out['stride 8'].append(meanmax(f8))
    return {k: torch.cat(v).double().numpy() for k, v in out.items()}


def descriptors(raw: dict) -> dict:
    """The rows compared: the embedding centred, the stage features standardised, all unit length."""
    z = lambda x: (x - x.mean(0)) / (x.std(0) + 1e-6)  # noqa: E731
    out = {'embedding': unit_rows(raw['embedding'] - raw['embedding'].mean(0))}
    for k in ('stride 32', 'stride 16', 'stride 8'):
        out[k] = unit_rows(z(raw[k]))
    out['embedding + 32'] = np.hstack([out['embedding'], out['stride 32']]) / np.sqrt(2)
    return out


def compare(desc: dict, labels: np.ndarray, names: list[str], draws: int, seed: int) -> dict:
    """Per finding with at least SHOTS + 1 positives and negatives: mean examples / probe AUC per descriptor."""
    rng = np.random.default_rng(seed)
    result = {}
    for j, name in enumerate(names):
        y = labels[:, j].astype(int)
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        if len(pos) <= SHOTS or len(neg) <= SHOTS:
            continue
        picks = [(rng.choice(pos, SHOTS, replace=False), rng.choice(neg, SHOTS, replace=False)) for _ in range(draws)]
        row = {'positives': int(len(pos))}
        for key, x in desc.items():
            ex, pr = [], []
            for ps, ns in picks:
                rest = np.setdiff1d(np.arange(len(y)), np.concatenate([ps, ns]))
                ex.append(auc(x[rest] @ x[ps].mean(0), y[rest]))
                fit = probe(x[np.concatenate([ps, ns])], np.r_[np.ones(SHOTS), np.zeros(SHOTS)])
                pr.append(auc(fit(x[rest]), y[rest]))
            row[key] = {'examples': round(float(np.mean(ex)), 3), 'probe': round(float(np.mean(pr)), 3)}
        result[name] = row
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--data', required=True, help='a training-format export (records.jsonl with allLabels)')
    ap.add_argument('--bundle', required=True, help="the model's bundle: its manifest's pixel mean and std")
    ap.add_argument('--draws', type=int, default=10)
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    with open(os.path.join(args.bundle, 'manifest.json'), encoding='utf-8') as f:
        image = json.load(f)['image']
    with open(os.path.join(args.data, 'manifest.json'), encoding='utf-8') as f:
        names = json.load(f)['allFindings']
    with open(os.path.join(args.data, 'records.jsonl'), encoding='utf-8') as f:
        records = [json.loads(line) for line in f if line.strip()]
    labels = np.array([[int(r['allLabels'].get(n, 0)) for n in names] for r in records])
    ck = torch.load(args.checkpoint, map_location='cpu', weights_only=False)
    raw = features(ck, args.data, records, float(image['mean'][0]), float(image['std'][0]))
    out = compare(descriptors(raw), labels, names, args.draws, args.seed)
    print(json.dumps({'checkpoint': os.path.basename(args.checkpoint), 'scans': len(records), 'shots': SHOTS,
                      'findings': out}))


if __name__ == '__main__':
    main()
