"""Export the two towers to ONNX (opset 17), check them, and verify them against PyTorch
in the runtime the app uses (onnxruntime-node, via check_onnx_parity.mjs), since
Debian has no Python onnxruntime.

image.onnx  pixel_values [N, C, H, W] float32 -> image_embeds [N, D], patch_embeds [N, G·G, D]
text.onnx   input_ids, attention_mask [N, L] int64 -> text_embeds [N, D], token_embeds [N, L, D]
All outputs are L2-normalised; patch index = y·G + x (row-major, y from the top).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings

import numpy as np
import onnx
import torch
from torch import nn

OPSET = 17
# The node checks are scripts of the recipe, beside this package.
RECIPE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ImageTower(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, pixel_values):
        return self.enc(pixel_values)


class TextTower(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, input_ids, attention_mask):
        return self.enc(input_ids, attention_mask)


def export_onnx(model, cfg: dict, out_dir: str) -> dict[str, str]:
    model = model.cpu().eval()
    size, ch = cfg['image']['size'], cfg['image']['channels']
    paths = {'image': os.path.join(out_dir, 'image.onnx'), 'text': os.path.join(out_dir, 'text.onnx')}
    # torch 1.13 warns about prim::Constant shape inference on every export; harmless here.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        torch.onnx.export(
            ImageTower(model.image).eval(),  # a new wrapper is in training mode, which export restores
            (torch.zeros(2, ch, size, size),),
            paths['image'],
            opset_version=OPSET,
            input_names=['pixel_values'],
            output_names=['image_embeds', 'patch_embeds'],
            dynamic_axes={'pixel_values': {0: 'batch'}, 'image_embeds': {0: 'batch'}, 'patch_embeds': {0: 'batch'}},
            do_constant_folding=True,
        )
        ids = torch.full((2, 8), 5, dtype=torch.long)
        torch.onnx.export(
            TextTower(model.text).eval(),
            (ids, torch.ones_like(ids)),
            paths['text'],
            opset_version=OPSET,
            input_names=['input_ids', 'attention_mask'],
            output_names=['text_embeds', 'token_embeds'],
            dynamic_axes={
                'input_ids': {0: 'batch', 1: 'sequence'},
                'attention_mask': {0: 'batch', 1: 'sequence'},
                'text_embeds': {0: 'batch'},
                'token_embeds': {0: 'batch', 1: 'sequence'},
            },
            do_constant_folding=True,
        )
    for p in paths.values():
        onnx.checker.check_model(onnx.load(p), full_check=True)
    return paths


@torch.no_grad()
def dump_parity(model, pixels: torch.Tensor, sentences: list[str], tokenizer, work_dir: str) -> None:
    """Reference inputs and PyTorch outputs for check_onnx_parity.mjs."""
    os.makedirs(work_dir, exist_ok=True)
    model = model.cpu().eval()
    img, patches = zip(*(model.image(b) for b in pixels.split(32)))
    np.save(os.path.join(work_dir, 'pixel_values.npy'), pixels.numpy().astype(np.float32))
    np.save(os.path.join(work_dir, 'image_embeds.npy'), torch.cat(img).numpy())
    np.save(os.path.join(work_dir, 'patch_embeds.npy'), torch.cat(patches).numpy())
    ids, mask = tokenizer.encode_batch(sentences)
    t_ids, t_mask = torch.tensor(ids), torch.tensor(mask)
    txt, tok = model.text(t_ids, t_mask)
    np.save(os.path.join(work_dir, 'text_embeds.npy'), txt.numpy())
    np.save(os.path.join(work_dir, 'token_embeds.npy'), tok.numpy())
    with open(os.path.join(work_dir, 'sentences.json'), 'w', encoding='utf-8') as f:
        unpadded = [row[: sum(m)] for row, m in zip(ids, mask)]
        json.dump({'sentences': sentences, 'ids': unpadded, 'maxLength': tokenizer.max_length}, f, ensure_ascii=False)


def write_tokenizer_corpus(texts: list[str], tokenizer, path: str) -> int:
    with open(path, 'w', encoding='utf-8') as f:
        json.dump([{'text': t, 'ids': tokenizer.encode(t)} for t in texts], f, ensure_ascii=False)
    return len(texts)


def run_node(script: str, *args: str) -> dict:
    """Run one of the .mjs checks; returns its JSON summary (ok=False if node is missing)."""
    node = shutil.which('node')
    if node is None:
        return {'ok': False, 'error': 'node not found'}
    r = subprocess.run([node, os.path.join(RECIPE_DIR, script), *args], capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith('{')]
    try:
        out = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        out = {'ok': False, 'error': (r.stderr or r.stdout)[-2000:]}
    out['ok'] = bool(out.get('ok')) and r.returncode == 0
    return out
