"""Probe: can the image encoder learn a finding from the phantoms at all, when it is told the answer?

The shipped encoder does not carry rib fractures, scoliosis, calcified granulomas or hiatal hernias: a linear probe
on its features is near chance (probe_trunk_features.py). Two reasons are possible, and they call for different
work: the images do not show the finding well enough for this encoder at this input size (the generator's to
fix), or they do and the contrastive objective, with these findings in a few reports among many, has not taught it
(more training: a GPU's work). This separates them. From a checkpoint, on a training-format export at the
checkpoint's input size:

  frozen       an L2-regularised logistic regression per finding on the frozen encoder's pooled stride-32 features
               (mean and max over cells, standardised), fitted on --train, AUC on --val: what the encoder carries;
  supervised   the encoder and a linear head trained together for --epochs on --train with the findings' labels
               (binary cross-entropy, every finding at once), AUC on --val: what it can learn in that many steps
               when it is told the answer.

A finding that the supervised arm learns and the frozen one does not is the objective's to teach; one that neither
learns, in as many steps as a training stage takes, is the images' to show. The supervised encoder is thrown away:
nothing trained here ships, and --val must be a seed no evaluation uses. Prints one JSON line.

    /usr/bin/python3 models/train/probe_learnable.py --checkpoint /tmp/rare-0.7.11.pt \\
        --train /tmp/learn/train --val /tmp/learn/val --bundle models/radsift-phantom-convirt-rare \\
        --findings rib_fracture,calcified_granuloma,scoliosis,hiatal_hernia,pneumomediastinum
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

from probe_trunk_features import auc, probe  # noqa: E402
from radsift_train.model import DualEncoder  # noqa: E402


def load_images(data: str, records: list[dict], size: int) -> torch.Tensor:
    """Every image as uint8 [N, 1, size, size] (800 at 512² are 210 MB)."""
    out = torch.empty((len(records), 1, size, size), dtype=torch.uint8)
    for i, r in enumerate(records):
        img = Image.open(os.path.join(data, r['image'])).convert('L')
        if img.size != (size, size):
            img = img.resize((size, size), Image.BOX)
        out[i, 0] = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy())
    return out


def read_export(data: str, findings: list[str]) -> tuple[list[dict], np.ndarray]:
    with open(os.path.join(data, 'records.jsonl'), encoding='utf-8') as f:
        records = [json.loads(line) for line in f if line.strip()]
    labels = np.array([[int(r['allLabels'].get(n, 0)) for n in findings] for r in records], dtype=np.float32)
    return records, labels


class Pooled(nn.Module):
    """The encoder up to the pooled stride-32 grid (mean and max), the global embedding's input."""

    def __init__(self, image: nn.Module):
        super().__init__()
        self.image = image

    def forward(self, x):
        e = self.image
        f32 = e.stages[3](e.stages[2](e.stages[1](e.stages[0](e.stem(x)))))
        return torch.cat([f32.mean(dim=(2, 3)), f32.amax(dim=(2, 3))], 1)


def pooled_features(net: Pooled, images: torch.Tensor, mean: float, std: float, batch: int = 16) -> np.ndarray:
    net.eval()
    rows = []
    with torch.no_grad():
        for s in range(0, len(images), batch):
            rows.append(net((images[s:s + batch].float() / 255.0 - mean) / std))
    return torch.cat(rows).double().numpy()


def frozen_arm(tr: np.ndarray, ytr: np.ndarray, va: np.ndarray, yva: np.ndarray) -> list[float]:
    mu, sd = tr.mean(0), tr.std(0) + 1e-6
    z = lambda x: (x - mu) / sd  # noqa: E731
    return [auc(probe(z(tr), ytr[:, j])(z(va)), yva[:, j]) for j in range(ytr.shape[1])]


def run(ck: dict, train: str, val: str, findings: list[str], mean: float, std: float, epochs: int = 3,
        batch: int = 16, lr: float = 1e-4, seed: int = 0) -> dict:
    """Both arms on one checkpoint (its 'model', 'config' and 'vocab'); the checkpoint itself is not changed."""
    torch.manual_seed(seed)
    size = ck['config']['image']['size']
    model = DualEncoder(ck['config'], len(ck['vocab']))
    model.load_state_dict(ck['model'])
    net = Pooled(model.image)
    net.image.requires_grad_(True)  # a checkpoint may record the image tower as frozen (optim.freeze)
    rtr, ytr = read_export(train, findings)
    rva, yva = read_export(val, findings)
    xtr, xva = load_images(train, rtr, size), load_images(val, rva, size)

    t0 = time.time()
    frozen = frozen_arm(pooled_features(net, xtr, mean, std), ytr, pooled_features(net, xva, mean, std), yva)

    head = nn.Linear(net.image.global_head[0].in_features, len(findings))
    opt = torch.optim.AdamW(list(net.parameters()) + list(head.parameters()), lr=lr, weight_decay=1e-4)
    # Rare labels: each finding's positives weighted up to its negatives, so that none is learnt as "never".
    prevalence = ytr.mean(0).clip(1e-3, None)
    pos_weight = torch.tensor((1 - prevalence) / prevalence, dtype=torch.float32)
    target = torch.from_numpy(ytr)
    g = torch.Generator().manual_seed(seed)
    steps = 0
    for _ in range(epochs):
        net.train()
        order = torch.randperm(len(xtr), generator=g)
        for s in range(0, len(order) - batch + 1, batch):
            idx = order[s:s + batch]
            x = (xtr[idx].float() / 255.0 - mean) / std
            loss = F.binary_cross_entropy_with_logits(head(net(x)), target[idx], pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
    net.eval()
    with torch.no_grad():
        logits = torch.cat([head(net((xva[s:s + 16].float() / 255.0 - mean) / std)) for s in range(0, len(xva), 16)])
    supervised = [auc(logits[:, j].double().numpy(), yva[:, j]) for j in range(len(findings))]
    return {
        'size': size, 'train': len(rtr), 'val': len(rva), 'epochs': epochs, 'steps': steps, 'batch': batch, 'lr': lr,
        'seconds': round(time.time() - t0),
        'findings': {n: {'positives (train, val)': [int(ytr[:, j].sum()), int(yva[:, j].sum())],
                         'frozen': round(frozen[j], 3), 'supervised': round(supervised[j], 3)}
                     for j, n in enumerate(findings)},
    }


def probe_arguments(ap: argparse.ArgumentParser) -> None:
    """The arguments every probe on two exports takes (probe_learnable.py, probe_selfsup.py)."""
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--train', required=True, help='a training-format export (radsift demo --export-training)')
    ap.add_argument('--val', required=True, help='another seed, same settings')
    ap.add_argument('--bundle', required=True, help="the model's bundle: its manifest's pixel mean and std")
    ap.add_argument('--findings', required=True, help='comma-separated label columns of records.jsonl allLabels')


def probe_inputs(args: argparse.Namespace) -> tuple[dict, list[str], float, float]:
    """The checkpoint, the findings asked for, and the bundle's pixel mean and std; the threads set for 2-4 cores."""
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    with open(os.path.join(args.bundle, 'manifest.json'), encoding='utf-8') as f:
        spec = json.load(f)['image']
    ck = torch.load(args.checkpoint, map_location='cpu', weights_only=False)
    findings = [f for f in args.findings.split(',') if f]
    return ck, findings, float(spec['mean'][0]), float(spec['std'][0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    probe_arguments(ap)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=1e-4)
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    ck, findings, mean, std = probe_inputs(args)
    out = run(ck, args.train, args.val, findings, mean, std, args.epochs, args.batch, args.lr, args.seed)
    print(json.dumps({'checkpoint': os.path.basename(args.checkpoint), **out}))


if __name__ == '__main__':
    main()
