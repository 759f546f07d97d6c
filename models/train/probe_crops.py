"""Probe: does a finding too small for the model's input become learnable in crops at the scan's own resolution?

A rib fracture is a break a pixel or two wide at 512²: neither the shipped embedding nor 150 supervised steps learn it
(probe_learnable.py), and the shipped encoder run on 1,024² input or its tiles finds it worse (models/train/README.md),
as it never saw ribs at that scale. Before the recipe and the app are changed to train and score crops, this measures
whether crops would help at all. From one checkpoint, on two training-format exports written at twice the model's
input size (`radsift demo … --export-training DIR --training-size 1024` for a 512² model), two arms get the same
number of steps of the same size (batch images of the model's input size), each training the encoder and a linear
head with the finding's labels (binary cross-entropy, positives weighted up to the negatives):

  whole   the image downsampled to the model's input, the image's label;
  tiles   the image's grid × grid tiles at its own resolution, each labelled by whether the finding's mask reaches
          into it; an image scores the largest of its tiles' logits.

Both report the image-level AUC on --val (tiles also the tile-level AUC). If tiles learn the finding and the whole
image does not, the recipe should train crops and the app score tiles; if neither does, the images are the
generator's to fix. Nothing trained here ships; --val must be a seed no evaluation uses. Prints one JSON line.

    /usr/bin/python3 models/train/probe_crops.py --checkpoint /tmp/s29-work/checkpoint.pt \\
        --train /tmp/vrib-tr-1024 --val /tmp/vrib-train-1024 --bundle models/radsift-phantom-convirt-rare \\
        --findings rib_fracture --steps 300
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
from PIL import Image  # noqa: E402

from probe_learnable import Pooled, probe_arguments, probe_inputs  # noqa: E402
from probe_trunk_features import auc  # noqa: E402
from radsift_train.model import DualEncoder  # noqa: E402


def read_export(data: str, finding: str, size: int, grid: int) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """uint8 images [N, 1, size·grid, size·grid], image labels [N] and tile labels [N, grid·grid] (row-major: the
    finding's mask plane reaches into the tile)."""
    with open(os.path.join(data, 'manifest.json'), encoding='utf-8') as f:
        m = json.load(f)
    if finding not in m.get('allFindings', ()):
        have = m.get('allFindings') or 'none: a generator 1.0 export; write one with radsift demo --export-training'
        raise SystemExit(f'{data}: no mask plane for {finding!r} (allFindings: {have})')
    k = m['allFindings'].index(finding)
    plane, bit = k >> 3, k & 7
    with open(os.path.join(data, 'records.jsonl'), encoding='utf-8') as f:
        records = [json.loads(line) for line in f if line.strip()]
    side = size * grid
    images = torch.empty((len(records), 1, side, side), dtype=torch.uint8)
    labels = np.zeros(len(records), dtype=np.float32)
    tiles = np.zeros((len(records), grid * grid), dtype=np.float32)
    for i, r in enumerate(records):
        img = Image.open(os.path.join(data, r['image'])).convert('L')
        if img.size != (side, side):
            raise SystemExit(f'{data}: {r["image"]} is {img.size[0]}×{img.size[1]}, not {side}² (the model\'s input '
                             f'{size}² times --grid {grid}): export with --training-size {side}')
        images[i, 0] = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy())
        labels[i] = float(r['allLabels'].get(finding, 0))
        mask = (np.asarray(Image.open(os.path.join(data, r['maskPlanes'][plane]))) >> bit) & 1
        t = mask.shape[0] // grid
        tiles[i] = [mask[a * t:(a + 1) * t, b * t:(b + 1) * t].any() for a in range(grid) for b in range(grid)]
    return images, labels, tiles


def as_tiles(x: torch.Tensor, grid: int) -> torch.Tensor:
    """[N, C, g·s, g·s] → [N·g·g, C, s, s], each image's tiles together, row-major."""
    n, c, h, w = x.shape
    s = h // grid
    return x.view(n, c, grid, s, grid, s).permute(0, 2, 4, 1, 3, 5).reshape(n * grid * grid, c, s, s)


def train_arm(ck: dict, arm: str, x: torch.Tensor, y: np.ndarray, ytiles: np.ndarray, grid: int, mean: float,
              std: float, steps: int, batch: int, lr: float, seed: int) -> tuple[nn.Module, nn.Module]:
    """The encoder (from the checkpoint) and a linear head trained for `steps` steps of `batch` model-size inputs."""
    torch.manual_seed(seed)
    model = DualEncoder(ck['config'], len(ck['vocab']))
    model.load_state_dict(ck['model'])
    net = Pooled(model.image)
    net.image.requires_grad_(True)  # a checkpoint may record the image tower as frozen (optim.freeze)
    head = nn.Linear(net.image.global_head[0].in_features, 1)
    opt = torch.optim.AdamW(list(net.parameters()) + list(head.parameters()), lr=lr, weight_decay=1e-4)
    target_all = ytiles.reshape(-1) if arm == 'tiles' else y
    prevalence = max(float(target_all.mean()), 1e-3)
    pos_weight = torch.tensor([(1 - prevalence) / prevalence])
    per_step = batch // (grid * grid) if arm == 'tiles' else batch  # images per step: the same inputs either way
    g = torch.Generator().manual_seed(seed)
    net.train()
    order, at = torch.randperm(len(x), generator=g), 0
    for _ in range(steps):
        if at + per_step > len(order):
            order, at = torch.randperm(len(x), generator=g), 0
        idx = order[at:at + per_step]
        at += per_step
        pixels = (x[idx].float() / 255.0 - mean) / std
        if arm == 'tiles':
            inputs, target = as_tiles(pixels, grid), torch.from_numpy(ytiles[idx.numpy()].reshape(-1))
        else:
            inputs, target = F.avg_pool2d(pixels, grid), torch.from_numpy(y[idx.numpy()])
        loss = F.binary_cross_entropy_with_logits(head(net(inputs)).squeeze(1), target, pos_weight=pos_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    return net, head


@torch.no_grad()
def score_arm(net: nn.Module, head: nn.Module, arm: str, x: torch.Tensor, grid: int, mean: float, std: float,
              batch: int = 8) -> tuple[np.ndarray, np.ndarray | None]:
    """Image scores (tiles: the largest tile logit) and, for tiles, every tile's logit [N, grid·grid]."""
    images, tiles = [], []
    for s in range(0, len(x), batch):
        pixels = (x[s:s + batch].float() / 255.0 - mean) / std
        if arm == 'tiles':
            t = head(net(as_tiles(pixels, grid))).view(len(pixels), grid * grid)
            tiles.append(t)
            images.append(t.amax(1))
        else:
            images.append(head(net(F.avg_pool2d(pixels, grid))).squeeze(1))
    return torch.cat(images).double().numpy(), (torch.cat(tiles).double().numpy() if tiles else None)


def run(ck: dict, train: str, val: str, finding: str, mean: float, std: float, steps: int = 300, batch: int = 16,
        lr: float = 1e-4, grid: int = 2, seed: int = 0) -> dict:
    size = ck['config']['image']['size']
    if batch % (grid * grid):
        raise SystemExit(f'--batch {batch} must be a multiple of {grid * grid} (the tiles of one image)')
    xtr, ytr, ttr = read_export(train, finding, size, grid)
    xva, yva, tva = read_export(val, finding, size, grid)
    for what, y in (('images', yva), ('tiles', tva.reshape(-1))):
        if y.min() == y.max():  # an AUC needs both: a clear answer rather than a crash after both arms trained
            raise SystemExit(f'--val {val}: every one of its {what} is {"with" if y.max() else "without"} '
                             f'{finding}; an AUC needs both')
    out = {'finding': finding, 'size': size, 'grid': grid, 'steps': steps, 'batch': batch, 'lr': lr,
           'train': {'images': len(xtr), 'positives': int(ytr.sum()), 'positiveTiles': int(ttr.sum())},
           'val': {'images': len(xva), 'positives': int(yva.sum()), 'positiveTiles': int(tva.sum())}}
    for arm in ('whole', 'tiles'):
        t0 = time.time()
        net, head = train_arm(ck, arm, xtr, ytr, ttr, grid, mean, std, steps, batch, lr, seed)
        images, tiles = score_arm(net, head, arm, xva, grid, mean, std)
        out[arm] = {'auc': round(auc(images, yva), 3), 'seconds': round(time.time() - t0)}
        if tiles is not None:
            out[arm]['tileAuc'] = round(auc(tiles.reshape(-1), tva.reshape(-1)), 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    probe_arguments(ap)  # --train and --val: exports at --grid times the model's input size; one finding, with a mask
    ap.add_argument('--steps', type=int, default=300)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=1e-4)
    ap.add_argument('--grid', type=int, default=2)
    args = ap.parse_args()
    ck, findings, mean, std = probe_inputs(args)
    if len(findings) != 1:
        raise SystemExit(f'--findings: one finding (its mask labels the tiles), not {findings}')
    print(json.dumps(run(ck, args.train, args.val, findings[0], mean, std, args.steps, args.batch, args.lr, args.grid)))


if __name__ == '__main__':
    main()
