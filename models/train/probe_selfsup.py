"""Probe: does an image-only objective put into the encoder a finding no report names, in as many steps as a stage?

A never-seen finding (hiatal hernia) is in the shipped encoder's features when 800 labels say where to look (a
logistic regression on them: 0.92, probe_learnable.py), but not so that 16 examples find it (0.58-0.65 by every
descriptor: docs/few-shot.md): the contrastive objective keeps what reports name, and no report names it. An
image-only term beside it (SimCLR's: two augmented views of a scan nearer each other than any other scan, through
a projection head of its own, as SLIP adds to CLIP) makes the encoder tell scans apart by whatever differs between
them, named or not. Before a GPU's stage is spent on it, this measures it in small: from a checkpoint, on a
training-format export at its input size, the image encoder and a fresh head are trained on --train's images alone
(no labels, no text) for --steps, and --val's findings are found from 16 examples before and after (the app's
comparison and the model card's 16-shot probe, as probe_trunk_features.py measures them), by the embedding the app
compares (centred) and by the pooled stride-32 features the embedding is projected from (standardised). The
trained encoder is thrown away: nothing here ships, and --val must be a seed no evaluation uses. Prints one JSON
line.

    /usr/bin/python3 models/train/probe_selfsup.py --checkpoint /tmp/learn/rare-0.7.11.pt \\
        --train /tmp/learn/train --val /tmp/learn/val --bundle models/radsift-phantom-convirt-rare \\
        --findings hiatal_hernia,subcutaneous_emphysema,calcified_granuloma,pneumomediastinum
"""

from __future__ import annotations

import argparse
import json
import os
import time

from hugepages import reexec_with_hugepages

if __name__ == '__main__':  # glibc's huge pages before torch loads (hugepages.py)
    reexec_with_hugepages()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from probe_learnable import (  # noqa: E402
    Pooled, load_images, pooled_features, probe_arguments, probe_inputs, read_export)
from probe_trunk_features import compare, unit_rows  # noqa: E402
from radsift_train import augment  # noqa: E402
from radsift_train.model import DualEncoder  # noqa: E402

# SimCLR's views are far apart; these stay inside what a radiograph allows: no flip (laterality), a modest tilt.
VIEWS = {
    'cropScale': [0.5, 1.0],
    'cropRatio': [0.9, 1.111],
    'rotateDeg': 10,
    'hflipProb': 0.0,
    'brightness': 0.2,
    'contrast': 0.3,
    'gamma': 1.3,
    'blurProb': 0.5,
    'blurSigma': [0.3, 2.0],
    'noiseStd': 0.04,
}


def nt_xent(a: torch.Tensor, b: torch.Tensor, tau: float) -> torch.Tensor:
    """SimCLR's loss: each view's partner among the 2N − 1 others, by cosine at temperature tau."""
    z = F.normalize(torch.cat([a, b]), dim=-1)
    n = len(a)
    sim = (z @ z.t()) / tau
    sim.fill_diagonal_(float('-inf'))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


def describe(net: Pooled, images: torch.Tensor, mean: float, std: float) -> dict:
    """The two descriptors of every image: the embedding centred, the pooled features standardised; unit rows."""
    p = pooled_features(net, images, mean, std)
    with torch.no_grad():
        e = F.normalize(net.image.global_head(torch.from_numpy(p).float()), dim=-1).double().numpy()
    return {'embedding': unit_rows(e - e.mean(0)), 'stride 32': unit_rows((p - p.mean(0)) / (p.std(0) + 1e-6))}


def views(images_u8: torch.Tensor, size: int, g: torch.Generator) -> torch.Tensor:
    """One augmented view of each image [N, 1, S, S] (uint8), in 0-1."""
    n = len(images_u8)
    masks = torch.zeros((n, 1, 8, 8), dtype=torch.uint8)  # augment.apply warps masks too; there are none here
    x, _ = augment.apply(images_u8[:, 0], masks, augment.draw(n, VIEWS, g), VIEWS, size, 2, g)
    return x


def run(ck: dict, train: str, val: str, findings: list[str], mean: float, std: float, steps: int = 150,
        batch: int = 16, lr: float = 3e-4, tau: float = 0.2, draws: int = 10, seed: int = 0) -> dict:
    """Before and after, on one checkpoint (its 'model', 'config' and 'vocab'); the checkpoint itself is not changed."""
    torch.manual_seed(seed)
    size = ck['config']['image']['size']
    model = DualEncoder(ck['config'], len(ck['vocab']))
    model.load_state_dict(ck['model'])
    net = Pooled(model.image)
    net.image.requires_grad_(True)  # a checkpoint may record the image tower as frozen (optim.freeze)
    rtr, _ = read_export(train, findings)  # its labels are never read
    rva, yva = read_export(val, findings)
    xtr, xva = load_images(train, rtr, size), load_images(val, rva, size)

    t0 = time.time()
    before = compare(describe(net, xva, mean, std), yva, findings, draws, seed)
    width = net.image.global_head[0].in_features
    head = nn.Sequential(nn.Linear(width, 256), nn.ReLU(inplace=True), nn.Linear(256, 128))
    params = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    g = torch.Generator().manual_seed(seed)
    losses = []
    net.train()
    for step in range(steps):
        idx = torch.randint(len(xtr), (batch,), generator=g)
        a, b = views(xtr[idx], size, g), views(xtr[idx], size, g)
        x = augment.normalize(torch.cat([a, b]), mean, std)
        z = head(net(x))
        loss = nt_xent(z[:batch], z[batch:], tau)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(float(loss))
    after = compare(describe(net, xva, mean, std), yva, findings, draws, seed)
    first, last = np.mean(losses[:10]), np.mean(losses[-10:])
    return {
        'size': size, 'train': len(rtr), 'val': len(rva), 'steps': steps, 'batch': batch, 'lr': lr, 'tau': tau,
        'loss (first 10, last 10)': [round(float(first), 3), round(float(last), 3)],
        'seconds': round(time.time() - t0),
        'findings': {n: {'positives (val)': before[n]['positives'],
                         **{f'{k} before': before[n][k] for k in ('embedding', 'stride 32')},
                         **{f'{k} after': after[n][k] for k in ('embedding', 'stride 32')}}
                     for n in findings if n in before},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    probe_arguments(ap)
    ap.add_argument('--steps', type=int, default=150)
    ap.add_argument('--batch', type=int, default=16, help='scans per step, each seen as two views')
    ap.add_argument('--lr', type=float, default=3e-4)
    ap.add_argument('--tau', type=float, default=0.2)
    ap.add_argument('--draws', type=int, default=10)
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    ck, findings, mean, std = probe_inputs(args)
    out = run(ck, args.train, args.val, findings, mean, std, args.steps, args.batch, args.lr, args.tau, args.draws,
              args.seed)
    print(json.dumps({'checkpoint': os.path.basename(args.checkpoint), **out}))


if __name__ == '__main__':
    main()
