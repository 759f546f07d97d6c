"""Training objectives.

global_contrastive  ConVIRT's bidirectional InfoNCE (λ·image→text + (1−λ)·text→image),
                    with label-aware soft targets: in a batch, several images share a
                    sentence or imply the same findings ("No pleural effusion." fits
                    every image without effusion), so every compatible pair is a
                    positive, not a negative.
prompt_pairs        The CheXzero rule as a loss: softmax over the image's similarity
                    to "<finding>" and "no <finding>" should give the label.
local_alignment     GLoRIA-style: each word attends over image patches; the word and
                    its attended region should agree; aggregated per sentence and
                    trained contrastively with the same soft targets.
text_negation       Text-side: the phrase must sit nearer its positive report sentences
                    than its negated ones ("nodule" nearer "Right upper lung nodule."
                    than "No suspicious pulmonary nodule."), and each such sentence
                    nearer "<finding>" or "no <finding>" as its polarity says. Reports
                    mostly mention a rare finding negated; without this the bare phrase
                    drifts next to its negations.
finding_identity    Text-side: a finding's positive sentences nearest its own phrase, not
                    another finding's (their negated lists pull phrases together).
grounding           Patch–phrase cosine should be > 0 inside the finding's mask and
                    < 0 elsewhere (balanced BCE at the logit scale). Uses the phantom's
                    masks: a supervision real reports do not offer (see card.md).
pointing            The hottest patch should lie in the finding: softmax over an image's
                    patches, mass inside the mask (the pointing game as a loss). Same
                    masks as grounding, which it complements: per-patch BCE is nearly
                    satisfied once most patches are on the right side of 0, and then says
                    little about which patch wins.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def compatibility(labels: torch.Tensor, claims: torch.Tensor) -> torch.Tensor:
    """[B_img, B_txt] bool: image j is consistent with every claim of sentence i
    (positive claim -> has the finding, negated -> lacks it); own pairs always true."""
    y = labels[:, None, :]  # [B, 1, K]
    c = claims[None, :, :].float()  # [1, B, K]
    clash = ((c > 0) & (y < 0.5)) | ((c < 0) & (y > 0.5))
    m = ~clash.any(-1)
    return m | torch.eye(len(labels), dtype=torch.bool)


def soft_infonce(logits: torch.Tensor, compat: torch.Tensor, lam: float) -> torch.Tensor:
    """logits, compat: [B_img, B_txt]. Targets spread uniformly over compatible pairs."""
    w = compat.float()
    i2t = -(w / w.sum(1, keepdim=True) * logits.log_softmax(1)).sum(1).mean()
    t2i = -(w / w.sum(0, keepdim=True) * logits.log_softmax(0)).sum(0).mean()
    return lam * i2t + (1 - lam) * t2i


def global_contrastive(img, txt, compat, scale, lam):
    return soft_infonce(scale * img @ txt.t(), compat, lam)


def prompt_pairs(img, pos, neg, labels, scale, pos_weight, weight=None):
    """img [B, D]; pos, neg [K, D]; labels [B, K]; weight [B, K] (0 = skip the pair).
    softmax([a, b])[0] = sigmoid(a − b)."""
    margin = scale * (img @ pos.t() - img @ neg.t())
    w = torch.ones_like(labels) if weight is None else weight
    loss = F.binary_cross_entropy_with_logits(margin, labels, weight=w, pos_weight=pos_weight, reduction='sum')
    return loss / w.sum().clamp(min=1)


def region_prompt_pairs(img, patches, pos, neg, labels, scale, pos_weight, weight=None):
    """The app's zero-shot score for a model whose patch grid is trained against text, as a loss
    (electron/scoring/region-score.ts): margin (g + r − offset) / 2, with g the whole image's
    cos(img, pos) − cos(img, neg) and r the best cell's (the largest over the grid of the same
    difference). offset plays the manifest's regionOffset, a label-free median of r − g: here the
    batch's (torch's lower middle; not differentiated). prompt_pairs trains g alone; this trains the
    ranking the app reads, where a finding a few cells wide (a rib fracture, a granuloma) moves r and
    barely g. For the four shapes of the whole thorax the app reads g alone (prompts.ts,
    describesWholeThorax, since recipe 1.16.0's first model); for them the term trains the mean anyway.
    The max passes its gradient to the best cell only (multiple-instance learning: a scan without
    the finding is pushed down where it looks most like one).
    img [B, D]; patches [B, P, D] (unit rows); pos, neg [K, D]; labels, weight [B, K]."""
    d = pos - neg  # cos(x, pos) − cos(x, neg) = x · (pos − neg)
    g = img @ d.t()  # [B, K]
    r = torch.einsum('bpd,kd->bpk', patches, d).amax(1)  # [B, K]
    offset = (r - g).detach().median()
    margin = scale * (g + r - offset) / 2
    w = torch.ones_like(labels) if weight is None else weight
    loss = F.binary_cross_entropy_with_logits(margin, labels, weight=w, pos_weight=pos_weight, reduction='sum')
    return loss / w.sum().clamp(min=1)


def local_alignment(tokens, token_mask, patches, compat, lam, attn_scale, agg_scale, scale):
    """tokens [B, L, D] (unit), token_mask [B, L] (words only: no [CLS]/[SEP]/[PAD]),
    patches [B, P, D] (unit). Score of (image j, sentence i): log-sum-exp over the
    words of cos(word, word-attended region of j). Written as two large GEMM/BMM
    calls: the equivalent einsums run ~10x slower on CPU in torch 1.13."""
    b, length, d = tokens.shape
    p = patches.shape[1]
    words = tokens.reshape(b * length, d)
    sim = (patches.reshape(b * p, d) @ words.t()).reshape(b, p, b * length)  # [B_img, P, B_txt·L]
    att = (attn_scale * sim).softmax(dim=1)
    region = att.transpose(1, 2) @ patches  # [B_img, B_txt·L, D]
    num = (att * sim).sum(1)  # region · word = Σ_p att_p (patch_p · word)
    r = num / region.norm(dim=-1).clamp(min=1e-6)  # cos(region, word); words are unit length
    r = r.reshape(b, b, length)  # [B_img, B_txt, L]
    # -1e4, not -inf: a sentence without words would otherwise give NaN gradients.
    r = (agg_scale * r).masked_fill(~token_mask[None], -1e4)
    score = torch.logsumexp(r, dim=-1) / agg_scale  # [B_img, B_txt]
    score = torch.where(token_mask.any(1)[None], score, torch.zeros_like(score))
    return soft_infonce(scale * score, compat, lam)


def grounding(patches, queries, coverage, scale):
    """patches [B, P, D]; queries [B, Q, D] (unit); coverage [B, Q, P] in 0–1, or < 0
    for (image, query) pairs to skip. A patch is positive when it holds a good share of
    the finding (≥ half the best patch's share, capped at 25%), negative when it holds
    none; partial edge patches are ignored. Classes are balanced per pair."""
    logits = scale * torch.einsum('bpd,bqd->bqp', patches, queries)
    valid = coverage[..., :1] >= 0  # [B, Q, 1]
    pos = _core_patches(coverage)
    neg = (coverage <= 0) & valid
    bce_pos = F.softplus(-logits)  # -log sigmoid(x)
    bce_neg = F.softplus(logits)  # -log(1 - sigmoid(x))
    lp = (bce_pos * pos).sum(-1) / pos.sum(-1).clamp(min=1)
    ln = (bce_neg * neg).sum(-1) / neg.sum(-1).clamp(min=1)
    has_pos = pos.any(-1).float()
    per_pair = (lp * has_pos + ln) / (1 + has_pos)
    n = valid[..., 0].float()
    return (per_pair * n).sum() / n.sum().clamp(min=1)


def _core_patches(coverage: torch.Tensor) -> torch.Tensor:
    """[B, Q, P] bool: patches holding a good share of the finding (≥ half the best patch's
    share, capped at 25%, so a finding smaller than a patch still has one); none for skipped pairs."""
    best = coverage.amax(-1, keepdim=True)
    return (coverage >= torch.clamp(0.5 * best, max=0.25)) & (best > 0) & (coverage[..., :1] >= 0)


def pointing(patches, queries, coverage, scale):
    """patches [B, P, D]; queries [B, Q, D] (unit); coverage as in grounding. For every pair
    with a finding in view: −log Σ_{p in core} softmax_p(scale · cos(patch_p, query))."""
    logits = scale * torch.einsum('bpd,bqd->bqp', patches, queries)
    core = _core_patches(coverage)
    has = core.any(-1)
    # -1e4, not -inf: pairs without a core patch would give NaN gradients (they are masked out).
    inside = logits.masked_fill(~core, -1e4).logsumexp(-1)
    per_pair = logits.logsumexp(-1) - inside
    return (per_pair * has).sum() / has.sum().clamp(min=1)


def text_negation(pos, neg, sents, valid, scale):
    """pos, neg [K, D]: "<finding>" / "no <finding>" prompts; sents [K, 2, M, D]: M positive
    (index 0) and M negated (index 1) report sentences per finding; valid [K, 2, M] bool.
    Mean of a pairwise ranking term (phrase: positive sentence above negated, an AUC
    surrogate) and a per-sentence term (sentence nearer the prompt of its polarity)."""
    sim_p = torch.einsum('kd,ksmd->ksm', pos, sents)
    sim_n = torch.einsum('kd,ksmd->ksm', neg, sents)
    v = valid.float()
    # ranking: every (positive i, negated j) pair of a finding
    gap = scale * (sim_p[:, 0, :, None] - sim_p[:, 1, None, :])  # [K, M, M]
    pair_w = v[:, 0, :, None] * v[:, 1, None, :]
    rank = (F.softplus(-gap) * pair_w).sum() / pair_w.sum().clamp(min=1)
    # per sentence: softmax over ("<finding>", "no <finding>") should give its polarity
    margin = scale * (sim_p - sim_n)  # [K, 2, M]
    target = torch.zeros_like(margin)
    target[:, 0] = 1.0
    side = (F.binary_cross_entropy_with_logits(margin, target, reduction='none') * v).sum() / v.sum().clamp(min=1)
    return 0.5 * (rank + side)


def finding_identity(pos, sents, valid, scale):
    """pos [K, D] finding prompts; sents [K, 2, M, D] as in text_negation. Each positive sentence
    of finding k must be nearer k's phrase than any other finding's phrase (softmax over the K
    phrases). Reports name findings together in negated lists ("no pneumothorax or nodule"), which
    otherwise pulls their phrases together, and one phrase then fires on the other's images."""
    k, _, m, _ = sents.shape
    logits = scale * torch.einsum('kmd,jd->kmj', sents[:, 0], pos)  # [K, M, K]
    target = torch.arange(k, device=pos.device)[:, None].expand(k, m)
    ce = F.cross_entropy(logits.reshape(k * m, k), target.reshape(-1), reduction='none').reshape(k, m)
    v = valid[:, 0].float()
    return (ce * v).sum() / v.sum().clamp(min=1)
