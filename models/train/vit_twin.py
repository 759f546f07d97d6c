"""A benchmark-only bundle: the default bundle with its image tower replaced by a ViT-B/16
(the image-tower architecture of BiomedCLIP: 12 blocks, width 768, 12 heads, 16-px patches at
224², ~86 M parameters, ~17.5 GFLOPs per image) with random weights.

Why: `npm run bench:screen` reports pipeline efficiency = end-to-end files/s over encoder-only
images/s, i.e. how well decoding hides behind encoding. The shipped model encodes ~400 images/s
on 2 cores, 30x faster than any 12 MB radiograph can be read and decoded, so with it the ratio
measures decoding, not overlap. With a published model's compute the encoder is the bottleneck
and the ratio shows whether the pipeline keeps it busy. The weights are random: the embeddings
mean nothing, the arithmetic is the same. Never ship or screen with it (its manifest says so).

  /usr/bin/python3 models/train/vit_twin.py --from models/radsift-phantom-convirt --out /tmp/vit-twin

Writes image.onnx (opset 17, dynamic batch; [N,1,224,224] -> image_embeds [N,D],
patch_embeds [N,196,D], both unit length, the default bundle's contract) and, beside the bundle,
<out>.weights.pt (the same weights, for the PyTorch reference pipeline), copies the text tower and tokenizer, and
writes a manifest with fresh checksums.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import torch

from radsift_train import bundle, manifest
from radsift_train.vit import ARCH, build, weights_path

TWIN_SIZE = 224


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--from', dest='source', required=True, help='a recipe bundle (text tower, tokenizer, spec)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()

    m = manifest.read_manifest(args.source)
    # BiomedCLIP's input size whatever the source bundle takes (the default takes 320² or more since 0.5):
    # the twin stands for a published model's compute, so its image spec is that model's too.
    size = TWIN_SIZE
    if m['image']['channels'] != 1:
        raise SystemExit('the source bundle must take one-channel input')
    m['image']['size'] = [size, size]
    os.makedirs(args.out, exist_ok=True)
    for name in m['files']:
        if name not in ('image.onnx', 'card.md'):
            shutil.copyfile(os.path.join(args.source, name), os.path.join(args.out, name))

    tower = build(size, m['embeddingDim'], args.seed)
    # Beside the bundle, not in it: the app verifies every listed file's sha256 when it loads a model.
    torch.save(tower.state_dict(), weights_path(args.out))
    x = torch.zeros(2, 1, size, size)
    with torch.no_grad():
        torch.onnx.export(tower, (x,), os.path.join(args.out, 'image.onnx'), opset_version=17,
                          input_names=[m['image']['input']],
                          output_names=[m['image']['outputs']['embeds'], m['image']['outputs']['patches']],
                          dynamic_axes={m['image']['input']: {0: 'N'}, m['image']['outputs']['embeds']: {0: 'N'},
                                        m['image']['outputs']['patches']: {0: 'N'}})
    grid = size // ARCH['patch']
    with open(os.path.join(args.out, 'card.md'), 'w', encoding='utf-8') as f:
        f.write('# ViT-B/16 compute twin (benchmarks only)\n\nRandom image-tower weights with the compute of '
                "BiomedCLIP's ViT-B/16; made by models/train/vit_twin.py to measure pipeline overlap. "
                'Its scores mean nothing: never screen with it.\n')
    m.update({
        'id': 'radsift-vit-b16-twin',
        'name': 'ViT-B/16 compute twin (random weights, benchmarks only)',
        'version': '0.0.0',
        'intendedUse': 'benchmarks only: random image-tower weights, scores are meaningless',
    })
    m['image']['patchGrid'] = [grid, grid]
    m['outputs']['patch_embeds']['shape'] = ['N', grid * grid, m['embeddingDim']]
    m['outputs']['patch_embeds']['grid'] = [grid, grid]
    m['outputs']['patch_embeds']['order'] = f'row-major: index = y*{grid} + x, y from the top, x from the image left'
    m['provenance'] = {'recipe': 'models/train/vit_twin.py', 'architecture': 'vit-b16-twin', 'seed': args.seed,
                       'vit': ARCH, 'textFrom': os.path.basename(os.path.normpath(args.source))}
    m.pop('metrics', None)
    m.pop('parity', None)
    bundle.save(args.out, m)  # fresh checksums, validated
    print(json.dumps({'out': args.out, 'parameters': sum(p.numel() for p in tower.parameters())}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
