"""Batched, seeded augmentation on tensors (no per-image PIL work in the loop).

One affine warp per image does random-resized-crop (area 0.6–1.0), rotation and
the resize to the model input at once, and the same warp moves the finding masks,
so grounding targets stay aligned with the pixels. Then photometric jitter
(brightness, contrast, gamma: exposure), Gaussian blur and noise.

No horizontal flip by default: chest anatomy is lateral (heart on the left) and
reports say "left"/"right". With hflipProb > 0 the caller must swap the words too
(data.swap_sides), which train.py does.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _uniform(n, lo, hi, g):
    return lo + (hi - lo) * torch.rand(n, generator=g)


def draw(n: int, cfg: dict, g: torch.Generator) -> dict:
    """All random parameters of a batch, drawn in a fixed order from one generator."""
    area = _uniform(n, cfg['cropScale'][0], cfg['cropScale'][1], g)
    log_r = _uniform(n, math.log(cfg['cropRatio'][0]), math.log(cfg['cropRatio'][1]), g)
    p = {
        'sx': (area * log_r.exp()).sqrt().clamp(max=1.0),
        'sy': (area / log_r.exp()).sqrt().clamp(max=1.0),
        'tx': _uniform(n, -1, 1, g),
        'ty': _uniform(n, -1, 1, g),
        'rot': _uniform(n, -cfg['rotateDeg'], cfg['rotateDeg'], g) * math.pi / 180,
        'flip': torch.rand(n, generator=g) < cfg['hflipProb'],
        'brightness': _uniform(n, -cfg['brightness'], cfg['brightness'], g),
        'contrast': _uniform(n, 1 - cfg['contrast'], 1 + cfg['contrast'], g),
        'gamma': _uniform(n, -math.log(cfg['gamma']), math.log(cfg['gamma']), g).exp(),
        'blur': torch.rand(n, generator=g) < cfg['blurProb'],
        'sigma': _uniform(n, cfg['blurSigma'][0], cfg['blurSigma'][1], g),
        'noise': _uniform(n, 0, cfg['noiseStd'], g),
    }
    return p


def _theta(p: dict) -> torch.Tensor:
    """Output coords [-1, 1]² -> input coords: rotate, scale (crop), then shift the crop
    centre within the room the crop leaves."""
    cos, sin = p['rot'].cos(), p['rot'].sin()
    sx = torch.where(p['flip'], -p['sx'], p['sx'])
    sy = p['sy']
    t = torch.zeros(len(sx), 2, 3)
    t[:, 0, 0], t[:, 0, 1] = cos * sx, -sin * sy
    t[:, 1, 0], t[:, 1, 1] = sin * sx, cos * sy
    t[:, 0, 2] = p['tx'] * (1 - p['sx'])
    t[:, 1, 2] = p['ty'] * (1 - p['sy'])
    return t


def _gaussian_blur(x: torch.Tensor, sigma: torch.Tensor, radius: int = 3) -> torch.Tensor:
    n = x.shape[0]
    r = torch.arange(-radius, radius + 1, dtype=x.dtype)
    k = torch.exp(-0.5 * (r[None] / sigma[:, None]) ** 2)
    k = (k / k.sum(1, keepdim=True)).to(x.dtype)
    y = x.transpose(0, 1)  # [1, N, H, W]: one group per image
    y = F.conv2d(F.pad(y, (radius, radius, 0, 0), mode='reflect'), k[:, None, None, :], groups=n)
    y = F.conv2d(F.pad(y, (0, 0, radius, radius), mode='reflect'), k[:, None, :, None], groups=n)
    return y.transpose(0, 1)


def apply(images_u8: torch.Tensor, masks_u8: torch.Tensor, p: dict, cfg: dict, out_size: int, grid: int,
          g: torch.Generator):
    """images_u8 [N, S, S], masks_u8 [N, K, M, M] -> x [N, 1, out, out] in 0–1, mask coverage [N, K, grid, grid]."""
    n = images_u8.shape[0]
    theta = _theta(p)
    x = images_u8[:, None].float() / 255.0
    x = F.grid_sample(x, F.affine_grid(theta, [n, 1, out_size, out_size], align_corners=False), align_corners=False)
    m = masks_u8.float() / 255.0
    k = m.shape[1]
    fine = grid * 4  # warp at 4× the grid, then average: coverage stays a fraction
    m = F.grid_sample(m, F.affine_grid(theta, [n, k, fine, fine], align_corners=False), align_corners=False)
    m = F.avg_pool2d(m, 4)

    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * p['contrast'][:, None, None, None] + mean + p['brightness'][:, None, None, None]
    x = x.clamp(0, 1) ** p['gamma'][:, None, None, None]
    if bool(p['blur'].any()):
        sigma = torch.where(p['blur'], p['sigma'], torch.full_like(p['sigma'], 1e-3))
        x = _gaussian_blur(x, sigma)
    x = x + p['noise'][:, None, None, None] * torch.randn(x.shape, generator=g)
    return x.clamp(0, 1), m


def normalize(x01: torch.Tensor, mean: float, std: float) -> torch.Tensor:
    return (x01 - mean) / std
