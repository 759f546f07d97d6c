"""The paired encoders: a small ResNet-style CNN and a small transformer, each with
non-linear projection heads into one L2-normalised joint space (ConVIRT's g(x) =
W2·ReLU(W1·x); a linear head "moderately hurts retrieval").

Image tower: global embedding from the stride-32 features (mean-pooled, or mean and max
concatenated: image.pool), plus patch embeddings
on the stride-16 grid (14×14 at 224²) for grounding. Patches use stride-16
features enriched with the upsampled stride-32 context, so a patch "knows" both
what is under it and what surrounds it.

Text tower: pre-LN transformer written with plain matmuls (torch 1.13's fused
nn.TransformerEncoder fast path does not export to ONNX reliably); pooled by
masked max (ConVIRT), mean or [CLS]; per-token embeddings for local alignment.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def _mlp(cin: int, hidden: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(cin, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, cout))


class ConvBN(nn.Sequential):
    def __init__(self, cin: int, cout: int, k: int = 3, stride: int = 1, act: bool = True):
        layers = [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout)]
        if act:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(ConvBN(cin, cout, 3, stride), ConvBN(cout, cout, 3, 1, act=False))
        self.skip = nn.Identity() if stride == 1 and cin == cout else ConvBN(cin, cout, 1, stride, act=False)

    def forward(self, x):
        return F.relu(self.body(x) + self.skip(x))


class ImageEncoder(nn.Module):
    """[N, C, H, W] -> global [N, D], patches [N, (H/16)·(W/16), D] (row-major), both unit length."""

    def __init__(self, in_channels: int, stem: int, widths: list[int], blocks: list[int], embed_dim: int, hidden: int,
                 pool: str = 'mean'):
        super().__init__()
        assert len(widths) == 4 and len(blocks) == 4
        assert pool in ('mean', 'meanmax')
        self.pool = pool
        self.stem = nn.Sequential(ConvBN(in_channels, stem, 3, 2), ConvBN(stem, widths[0], 3, 2))  # /4
        stages, cin = [], widths[0]
        for i, (w, n) in enumerate(zip(widths, blocks)):
            stride = 1 if i == 0 else 2
            layers = [BasicBlock(cin, w, stride)] + [BasicBlock(w, w, 1) for _ in range(n - 1)]
            stages.append(nn.Sequential(*layers))
            cin = w
        self.stages = nn.ModuleList(stages)  # /4, /8, /16, /32
        # 'meanmax': mean and max over the stride-32 grid, concatenated. A mean alone dilutes a
        # finding that fills one of the 49 cells (a nodule, a line) by 49x; the max keeps it.
        self.global_head = _mlp(widths[3] * (2 if pool == 'meanmax' else 1), hidden, embed_dim)
        self.patch_head = nn.Sequential(
            nn.Conv2d(widths[2] + widths[3], hidden, 1), nn.ReLU(inplace=True), nn.Conv2d(hidden, embed_dim, 1)
        )

    def forward(self, x):
        x = self.stem(x)
        x = self.stages[0](x)
        x = self.stages[1](x)
        f16 = self.stages[2](x)
        f32 = self.stages[3](f16)
        pooled = f32.mean(dim=(2, 3))
        if self.pool == 'meanmax':
            pooled = torch.cat([pooled, f32.amax(dim=(2, 3))], dim=1)
        g = self.global_head(pooled)
        ctx = F.interpolate(f32, size=f16.shape[-2:], mode='nearest')
        p = self.patch_head(torch.cat([f16, ctx], dim=1))  # [N, D, G, G]
        p = p.flatten(2).transpose(1, 2)  # [N, G·G, D], index = y·G + x
        return F.normalize(g, dim=-1), F.normalize(p, dim=-1)


class SelfAttention(nn.Module):
    def __init__(self, d: int, heads: int, dropout: float):
        super().__init__()
        self.heads, self.dh = heads, d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        n, length, d = x.shape
        qkv = self.qkv(x).reshape(n, length, 3, self.heads, self.dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = q @ k.transpose(-1, -2) / math.sqrt(self.dh) + bias  # bias: [N, 1, 1, L]
        att = self.drop(att.softmax(dim=-1))
        return self.out((att @ v).transpose(1, 2).reshape(n, length, d))


class Block(nn.Module):
    def __init__(self, d: int, heads: int, ff: int, dropout: float):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.att = SelfAttention(d, heads, dropout)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        x = x + self.drop(self.att(self.ln1(x), bias))
        return x + self.drop(self.ff(self.ln2(x)))


class TextEncoder(nn.Module):
    """ids, mask [N, L] int64 -> global [N, D], tokens [N, L, D], both unit length."""

    def __init__(
        self,
        vocab_size: int,
        max_length: int,
        dim: int,
        layers: int,
        heads: int,
        ff: int,
        dropout: float,
        embed_dim: int,
        hidden: int,
        pooling: str,
    ):
        super().__init__()
        assert pooling in ('max', 'mean', 'cls')
        self.pooling = pooling
        self.tok = nn.Embedding(vocab_size, dim)
        self.pos = nn.Parameter(torch.zeros(max_length, dim))
        nn.init.normal_(self.pos, std=0.02)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(dim, heads, ff, dropout) for _ in range(layers))
        self.ln = nn.LayerNorm(dim)
        self.global_head = _mlp(dim, hidden, embed_dim)
        self.token_head = _mlp(dim, hidden, embed_dim)

    def forward(self, ids, mask):
        length = ids.shape[1]
        x = self.drop(self.tok(ids) + self.pos[:length])
        # Additive mask; -1e4 rather than -inf keeps softmax finite (no NaN) in every runtime.
        keep = mask.to(x.dtype)
        bias = ((1.0 - keep) * -1e4)[:, None, None, :]
        for b in self.blocks:
            x = b(x, bias)
        h = self.ln(x)
        if self.pooling == 'max':
            pooled = h.masked_fill(keep[..., None] == 0, -1e4).max(dim=1).values
        elif self.pooling == 'mean':
            pooled = (h * keep[..., None]).sum(1) / keep.sum(1, keepdim=True).clamp(min=1.0)
        else:
            pooled = h[:, 0]
        g = self.global_head(pooled)
        t = self.token_head(h)
        return F.normalize(g, dim=-1), F.normalize(t, dim=-1)


class DualEncoder(nn.Module):
    def __init__(self, cfg: dict, vocab_size: int):
        super().__init__()
        im, tx, em = cfg['image'], cfg['text'], cfg['embed']
        self.image = ImageEncoder(im['channels'], im['stem'], im['widths'], im['blocks'], em['dim'], em['projHidden'],
                                  im.get('pool', 'mean'))
        self.text = TextEncoder(
            vocab_size,
            cfg['tokenizer']['maxLength'],
            tx['dim'],
            tx['layers'],
            tx['heads'],
            tx['ff'],
            tx['dropout'],
            em['dim'],
            em['projHidden'],
            tx['pooling'],
        )
        # optim.freeze: towers kept as --init-from left them (LiT's locked tower, here usually the text): no
        # gradients, and in eval mode whenever the model trains, so dropout does not perturb what they emit.
        self.frozen = tuple(cfg['optim'].get('freeze', ()))
        for name in self.frozen:
            getattr(self, name).requires_grad_(False)
        scale = torch.tensor(math.log(1.0 / cfg['loss']['tau']))
        if cfg['loss'].get('learnableScale'):
            self.log_scale = nn.Parameter(scale)
        else:
            self.register_buffer('log_scale', scale)

    def train(self, mode: bool = True):
        super().train(mode)
        for name in self.frozen:
            getattr(self, name).eval()
        return self

    @property
    def logit_scale(self) -> torch.Tensor:
        # Clamped as in CLIP so a learnable scale cannot run away (max 100).
        return self.log_scale.clamp(max=math.log(100.0)).exp()


def grid_size(cfg: dict) -> int:
    return cfg['image']['size'] // 16
