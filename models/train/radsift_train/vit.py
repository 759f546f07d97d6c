"""The ViT-B/16 image tower of the benchmark-only compute twin (vit_twin.py writes the bundle;
test/bench/screen_reference.py rebuilds the tower in PyTorch from the same seed and weights).
"""

from __future__ import annotations

import os

import torch
import torch.nn.functional as F
from torch import nn

from .model import Block

ARCH = {'patch': 16, 'width': 768, 'layers': 12, 'heads': 12, 'ff': 3072}


class ViTImageTower(nn.Module):
    """ViT-B/16 on one channel: patch embedding, [CLS] + learned positions, pre-LN blocks, final
    LN; the [CLS] token projects to the global embedding, the patch tokens to patch embeddings."""

    def __init__(self, size: int, embed_dim: int, patch=16, width=768, layers=12, heads=12, ff=3072):
        super().__init__()
        self.grid = size // patch
        self.patch = nn.Conv2d(1, width, patch, patch)
        self.cls = nn.Parameter(torch.randn(1, 1, width) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, self.grid * self.grid + 1, width) * 0.02)
        self.blocks = nn.ModuleList(Block(width, heads, ff, 0.0) for _ in range(layers))
        self.ln = nn.LayerNorm(width)
        self.global_head = nn.Linear(width, embed_dim)
        self.patch_head = nn.Linear(width, embed_dim)

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)  # [N, G·G, W], row-major
        t = torch.cat([self.cls.expand(t.shape[0], -1, -1), t], dim=1) + self.pos
        bias = torch.zeros(1, 1, 1, t.shape[1], dtype=t.dtype)  # no padding among image tokens
        for b in self.blocks:
            t = b(t, bias)
        t = self.ln(t)
        return F.normalize(self.global_head(t[:, 0]), dim=-1), F.normalize(self.patch_head(t[:, 1:]), dim=-1)


def weights_path(out: str) -> str:
    return os.path.normpath(out) + '.weights.pt'


def build(size: int, embed_dim: int, seed: int) -> ViTImageTower:
    torch.manual_seed(seed)
    return ViTImageTower(size, embed_dim, **ARCH).eval()
