"""The reference for `npm run bench:screen`: the screening pipeline a researcher
would write instead of RadSift — pydicom to read, numpy for the VOI window,
PIL to letterbox to the model size, PyTorch for the image tower — with the
same weights (read from the bundle's image.onnx) and the same files. Prints
JSON: files/s and the cosine similarity of every file to each phrase
embedding (given as a .npy from `radsift embed --text`), so the bench can
check both pipelines agree.

  PYTHONPATH=models/train /usr/bin/python3 test/bench/screen_reference.py \
      --bundle models/radsift-phantom-convirt --folder <dicom folder> --phrases phrases.npy --batch 16 --threads 2

(PYTHONPATH: the training recipe's folder: its package, radsift_train, builds the image tower, and its
hugepages.py asks glibc for huge pages as the recipe's training does; test/bench/screen.ts sets it.)
"""
import argparse
import json
import os
import sys
import time

# Spin-waiting OpenMP threads make PyTorch many times slower on shared cores (models/train/README.md).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

from hugepages import reexec_with_hugepages  # noqa: E402 (models/train, on PYTHONPATH as below)

if __name__ == '__main__':  # glibc's huge pages before torch loads: the reference at its best (hugepages.py)
    reexec_with_hugepages()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import pydicom  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from PIL import Image  # noqa: E402
from pydicom.pixel_data_handlers.util import apply_modality_lut  # noqa: E402

from radsift_train import vit  # noqa: E402
from radsift_train.model import ImageEncoder  # noqa: E402


def load_image_tower(bundle: str) -> tuple[torch.nn.Module, dict]:
    """The recipe's ImageEncoder with the bundle's weights. The ONNX export folded each
    BatchNorm into its convolution, so the torch model is built with the same folding:
    its ConvBN convolutions, in registration (= forward) order, take the folded weights
    of the graph's unnamed Conv nodes, in graph order; the heads keep their names."""
    manifest = json.load(open(os.path.join(bundle, 'manifest.json')))
    if manifest['provenance'].get('architecture') == 'vit-b16-twin':  # models/train/vit_twin.py
        tower = vit.build(manifest['image']['size'][0], manifest['embeddingDim'], 0)
        tower.load_state_dict(torch.load(vit.weights_path(bundle)))
        return tower.eval(), manifest['image']
    cfg = manifest['provenance']['config']
    img, emb = cfg['image'], cfg['embed']
    enc = ImageEncoder(img['channels'], img['stem'], img['widths'], img['blocks'], emb['dim'], emb['projHidden'],
                       img.get('pool', 'mean'))
    graph = onnx.load(os.path.join(bundle, manifest['image']['file'])).graph
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    folded = [n.input[1:] for n in graph.node if n.op_type == 'Conv' and not n.input[1].startswith('enc.')]
    convbn = [m for m in enc.modules() if isinstance(m, torch.nn.Sequential) and type(m).__name__ == 'ConvBN']
    if len(folded) != len(convbn):
        raise SystemExit(f'image.onnx has {len(folded)} folded convolutions, the recipe model {len(convbn)}')
    for block, (w, b) in zip(convbn, folded):
        conv = block[0]
        if tuple(weights[w].shape) != tuple(conv.weight.shape):
            raise SystemExit(f'shape mismatch: {w} {tuple(weights[w].shape)} vs {tuple(conv.weight.shape)}')
        conv.weight.data = weights[w]
        conv.bias = torch.nn.Parameter(weights[b])
        block[1] = torch.nn.Identity()
    heads = {k[len('enc.'):]: v for k, v in weights.items() if k.startswith('enc.')}
    state = enc.state_dict()
    for k, v in heads.items():
        state[k] = v.reshape(state[k].shape)
    enc.load_state_dict(state, strict=False)
    return enc.eval(), manifest['image']


def to_input(path: str, spec: dict) -> np.ndarray:
    """A DICOM file → the model input, the way the manifest describes it."""
    ds = pydicom.dcmread(path)
    arr = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
    if 'WindowCenter' in ds:  # the first window, LINEAR (PS3.3 C.11.2.1.2)
        c, w = float(np.atleast_1d(ds.WindowCenter)[0]), float(np.atleast_1d(ds.WindowWidth)[0])
        lo, hi = c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2
        y = np.clip((arr - lo) / (hi - lo), 0, 1) * 255
    else:
        lo, hi = arr.min(), arr.max()
        y = (arr - lo) / max(hi - lo, 1) * 255
    if ds.PhotometricInterpretation == 'MONOCHROME1' and spec['dicom']['invertMonochrome1']:
        y = 255 - y
    im = Image.fromarray(y.astype(np.uint8)).convert('F')  # an 8-bit display image, as viewers make
    size = spec['size'][1]
    scale = size / max(im.width, im.height)
    nw, nh = max(1, round(im.width * scale)), max(1, round(im.height * scale))
    im = im.resize((nw, nh), Image.BOX)
    canvas = np.zeros((size, size), np.float32)
    ox, oy = (size - nw) // 2, (size - nh) // 2
    canvas[oy : oy + nh, ox : ox + nw] = np.asarray(im)
    return (canvas / 255 - spec['mean'][0]) / spec['std'][0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--bundle', required=True)
    ap.add_argument('--folder', required=True)
    ap.add_argument('--phrases', required=True, help='.npy [P, D] phrase embeddings')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, spec = load_image_tower(args.bundle)
    phrases = torch.from_numpy(np.load(args.phrases)).float()
    start = time.perf_counter()
    files = sorted(
        os.path.join(d, f) for d, _, names in os.walk(args.folder) for f in names if f.lower().endswith('.dcm')
    )
    scores, failed = {}, 0

    def flush(paths, inputs):
        with torch.no_grad():
            g, _ = model(torch.from_numpy(np.stack(inputs)[:, None]))
        for p, row in zip(paths, (g @ phrases.T).tolist()):
            scores[os.path.relpath(p, args.folder)] = row

    paths, inputs = [], []
    for f in files:
        try:
            inputs.append(to_input(f, spec).astype(np.float32))
            paths.append(f)
        except Exception:  # a researcher's loop skips what it cannot read
            failed += 1
        if len(inputs) == args.batch:
            flush(paths, inputs)
            paths, inputs = [], []
    if inputs:
        flush(paths, inputs)
    seconds = time.perf_counter() - start
    print(json.dumps({'files': len(files), 'failed': failed, 'seconds': seconds, 'scores': scores}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
