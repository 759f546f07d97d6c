"""Validation metrics computed at the end of training (the full evaluation is
`radsift eval`; these are the recipe's own check that it learned something):
zero-shot AUC by the CheXzero rule, text→image precision@5, pointing game."""

from __future__ import annotations

import numpy as np
import torch


def auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Mann–Whitney AUC with ties counted half; None when one class is absent."""
    pos, neg = scores[labels > 0.5], scores[labels <= 0.5]
    if len(pos) == 0 or len(neg) == 0:
        return None
    order = np.argsort(np.concatenate([pos, neg]), kind='mergesort')
    allv = np.concatenate([pos, neg])[order]
    ranks = np.empty(len(allv))
    i = 0
    while i < len(allv):  # average ranks over ties
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        ranks[i : j + 1] = (i + j) / 2 + 1
        i = j + 1
    r = np.empty(len(allv))
    r[order] = ranks
    return float((r[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def zero_shot(img, pos, neg, labels, scale, findings):
    """img [N, D]; pos, neg [K, D] (phrase, "no phrase"). Returns per-finding AUC, P@5."""
    p = torch.sigmoid(scale * (img @ pos.t() - img @ neg.t())).numpy()
    y = labels.numpy()
    out = {}
    for k, f in enumerate(findings):
        top5 = np.argsort(-p[:, k], kind='mergesort')[:5]
        out[f] = {'auc': auc(p[:, k], y[:, k]), 'p_at_5': float(y[top5, k].mean()), 'positives': int(y[:, k].sum())}
    return out


def pointing_game(patches, pos, coverage, labels, findings):
    """patches [N, P, D]; pos [K, D]; coverage [N, K, P]. Hit: the patch most similar to
    the phrase holds part of the finding's mask. Over images that have the finding."""
    sim = torch.einsum('npd,kd->nkp', patches, pos)
    best = sim.argmax(-1)  # [N, K]
    hit = coverage.gather(-1, best[..., None])[..., 0] > 0
    out = {}
    for k, f in enumerate(findings):
        has = labels[:, k] > 0.5
        out[f] = float(hit[has, k].float().mean()) if bool(has.any()) else None
    return out


def mean(values) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


def region_offset(img: torch.Tensor, patches: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor) -> float:
    """The manifest's regionOffset (docs/region-scores.md): the median, over every image and phrase, of the best
    region's margin minus the whole image's, where a margin is cos(·, phrase) − cos(·, negation) and the best region
    is the patch-grid cell with the largest. Label-free, so any validation images will do. img [N, D], patches
    [N, P, D] (L2-normalised, as the bundle's outputs), pos/neg [F, D] (each phrase's ensemble means, unnormalised,
    as the app averages them)."""
    d = (pos - neg).float()  # one direction per phrase: cos(x, pos) − cos(x, neg) = x · (pos − neg)
    whole = img.float() @ d.t()  # [N, F]
    best = torch.einsum('npd,fd->npf', patches.float(), d).amax(dim=1)  # [N, F]
    gaps = (best - whole).flatten().sort().values
    return float(gaps[len(gaps) // 2])  # the upper middle of an even count, as bench:regions takes it
