"""Make a checkpoint.pt that train.py --init-from accepts, from an exported bundle of this recipe, when the run's
own checkpoint is gone: a shipped model (models/radsift-phantom-convirt-rare) can be continued from the
repository alone.

    /usr/bin/python3 models/train/checkpoint_from_bundle.py models/radsift-phantom-convirt-rare \\
        --data /tmp/rare-train-384 --out /tmp/rare-0.7.4.pt

--data: a training export (radsift demo --export-training) that excludes the bundle's never-seen findings, like
the stage that continues from it; its first --calibrate images give the restored BatchNorms their statistics
(radsift_train/from_bundle.py says why). The recovered model must reproduce the bundle: its eval-mode outputs are
compared with the bundle's ONNX models in onnxruntime-node (check_onnx_parity.mjs, min cosine --min-cosine), and
the script fails otherwise. Prints one JSON summary line.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile

import torch
import torch.nn.functional as F

from radsift_train import augment, data, export, from_bundle
from radsift_train.model import DualEncoder, grid_size
from radsift_train.tokenizer import WordPieceTokenizer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('bundle', help='bundle directory (manifest.json, image.onnx, text.onnx, tokenizer.json)')
    ap.add_argument('--data', required=True, help='training export for the BatchNorm statistics')
    ap.add_argument('--out', required=True, help='checkpoint to write')
    ap.add_argument('--calibrate', type=int, default=512, help='images for the BatchNorm statistics (default 512)')
    ap.add_argument('--min-cosine', type=float, default=0.99999, help='parity with the bundle (default 0.99999)')
    ap.add_argument('--skip-parity', action='store_true', help='skip the onnxruntime-node check (no node here)')
    args = ap.parse_args()
    if args.calibrate < 128:
        raise SystemExit('--calibrate: at least 128 images (the parity check compares 128)')
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))

    try:
        info = from_bundle.read(args.bundle)
        cfg = info['config']
        torch.manual_seed(0)
        model = DualEncoder(cfg, len(info['vocab']))
        folded = from_bundle.load(args.bundle, model)
    except from_bundle.BundleError as e:
        raise SystemExit(f'checkpoint_from_bundle: {e}') from None
    from_bundle.learnt_scale(model, info['manifest']['logitScale'])

    # Calibration images from an export that excludes what the bundle never saw (as train.py would check).
    try:
        man = data.read_manifest(args.data)
        lay = data.layout(man, info['excluded'])
        records = data.read_records(args.data, lay, {})
    except data.ExclusionError as e:
        raise SystemExit(f'checkpoint_from_bundle: STOP — {e}') from None
    if len(records) < args.calibrate:
        raise SystemExit(f'checkpoint_from_bundle: {args.data} holds {len(records)} records, --calibrate asks for '
                         f'{args.calibrate}')
    size = cfg['image']['size']
    split = data.load(args.data, records[: args.calibrate], lay, size, grid_size(cfg))
    pixels = augment.normalize(split.images[:, None].float() / 255.0, info['mean'], info['std'])

    model.eval()
    with torch.no_grad():
        before, _ = model.image(pixels[:64])
        from_bundle.calibrate(model, folded, pixels)
        after, _ = model.image(pixels[:64])
        # What training mode computes at its first step (batch statistics) vs the recovered eval-mode model.
        trained = copy.deepcopy(model.image).train()
        batch_mode, _ = trained(pixels[:64])
    eval_change = float((before - after).abs().max())
    train_cos = F.cosine_similarity(batch_mode, after).tolist()
    if eval_change > 1e-4:
        raise SystemExit(f'checkpoint_from_bundle: calibration changed eval-mode embeddings by {eval_change:.2e}')

    parity = {'ok': None}
    if not args.skip_parity:
        tok = WordPieceTokenizer.from_file(os.path.join(args.bundle, 'tokenizer.json'))
        sentences = sorted({s[0] for sents in split.sentences for s in sents})[:256]
        with tempfile.TemporaryDirectory() as work:
            export.dump_parity(model, pixels[:128], sentences, tok, work)
            parity = export.run_node('check_onnx_parity.mjs', args.bundle, work, str(args.min_cosine))
        if not parity['ok']:
            raise SystemExit('checkpoint_from_bundle: the recovered weights do not reproduce the bundle: '
                             + json.dumps({k: parity.get(k) for k in ('cos', 'error')})[:2000])

    recovered = {
        'bundle': info['manifest']['id'], 'version': info['manifest']['version'],
        'sha256': from_bundle.digest(args.bundle),
        'calibration': {'images': len(split.ids), 'generator': man['generator'],
                        'generatorVersion': man['generatorVersion'], 'seed': man['seed']},
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(from_bundle.checkpoint(info, model, recovered), args.out)
    print(json.dumps({
        'ok': True, 'out': args.out, 'bundle': f"{recovered['bundle']} {recovered['version']}",
        'steps': info['steps'], 'foldedLayers': len(folded), 'calibrationImages': len(split.ids),
        'evalChange': eval_change, 'trainModeCosine': {'min': min(train_cos), 'mean': sum(train_cos) / len(train_cos)},
        'parity': {k: parity.get(k) for k in ('ok', 'cos', 'idMismatches')},
    }))
    return 0


if __name__ == '__main__':
    sys.exit(main())
