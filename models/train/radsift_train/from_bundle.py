"""Recover trainable PyTorch weights from an exported RadSift bundle (image.onnx, text.onnx, manifest.json,
tokenizer.json), so that a later stage can continue from a shipped model when the run's checkpoint.pt is
gone (a scratch disk wiped, a model trained elsewhere).

What the export keeps and what it folds:
- Parameters that reach the graph as they are keep their names (enc.<module path>): embeddings, layer norms,
  biases, the image heads' convolutions, the Gemm of the global heads.
- The text tower's other linear layers become MatMul by a transposed weight under an anonymous name; the Add
  that follows carries the layer's named bias, which names the weight.
- Every Conv+BatchNorm of the CNN is folded into one Conv with a bias (eval mode). The BatchNorm's own
  parameters and running statistics are gone.
- Identical initializers are stored once, the copies as Identity nodes of it (layer norms still at their
  initial values).
So parameters are found by the module each node belongs to, which the node's name records (its scope).

A folded layer is restored as conv weight W/s followed by a BatchNorm that reproduces W·x + b exactly in eval
mode (for any s) and approximately in training mode: its running mean/variance are the per-channel statistics
of W·x over calibration images, so the batch statistics training normalises with are close to them. s brings
the conv weight back to the He-initialisation scale (AdamW's step is a fixed size per weight, so the
folded weights' own scale would change the effective learning rate)."""

from __future__ import annotations

import hashlib
import json
import math
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from .model import ConvBN, DualEncoder
from .tokenizer import WordPieceTokenizer


class BundleError(Exception):
    pass


def read(bundle_dir: str) -> dict:
    """The manifest facts a continuing stage needs: config, findings, never-seen findings, vocabulary (ids in
    order), steps of the bundle's own stage, preprocessing mean/std."""
    try:
        with open(os.path.join(bundle_dir, 'manifest.json'), encoding='utf-8') as f:
            man = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise BundleError(f'{bundle_dir}: no readable manifest.json ({e})') from None
    prov = man.get('provenance') or {}
    cfg = prov.get('config')
    if not isinstance(cfg, dict) or 'image' not in cfg or 'text' not in cfg:
        raise BundleError(f'{bundle_dir}: the manifest records no training config (provenance.config); only '
                          'bundles made by this recipe can be continued')
    try:
        tok = WordPieceTokenizer.from_file(os.path.join(bundle_dir, 'tokenizer.json'))
    except (OSError, json.JSONDecodeError, KeyError) as e:
        raise BundleError(f'{bundle_dir}: no readable tokenizer.json ({e})') from None
    vocab = sorted(tok.vocab, key=tok.vocab.get)
    if [tok.vocab[t] for t in vocab] != list(range(len(vocab))):
        raise BundleError(f'{bundle_dir}: tokenizer.json ids are not 0..{len(vocab) - 1}')
    data = prov.get('data') or {}
    opt = cfg['optim']
    per_epoch = (data.get('trainCount') or 0) // opt['batchSize']
    steps = min(x for x in (opt.get('maxSteps'), opt['epochs'] * per_epoch) if x) if per_epoch else 0
    zs = man.get('zeroShot') or {}
    return {'manifest': man, 'config': cfg, 'vocab': vocab, 'findings': list(zs.get('findings') or []),
            'excluded': list(zs.get('neverSeen') or []), 'steps': steps, 'seed': prov.get('seed', 0),
            'init': prov.get('init'), 'mean': man['image']['mean'][0], 'std': man['image']['std'][0]}


def _graph(path: str):
    try:
        g = onnx.load(path).graph
    except Exception as e:  # noqa: BLE001 - onnx raises DecodeError and others
        raise BundleError(f'{path}: not a readable ONNX model ({e})') from None
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for node in g.node:  # the export stores identical initializers once, the others as Identity of it
        if node.op_type == 'Identity' and node.input[0] in inits:
            inits[node.output[0]] = inits[node.input[0]]
    return g, inits


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(a, dtype=np.float32, copy=True))


def _set(state: dict, key: str, value: torch.Tensor, where: str) -> None:
    if key not in state:
        raise BundleError(f'{where}: {key} is not a parameter of this architecture')
    if tuple(state[key].shape) != tuple(value.shape):
        raise BundleError(f'{where}: {key} has shape {tuple(value.shape)}, the architecture {tuple(state[key].shape)}')
    state[key] = value


def scope(node_name: str) -> str:
    """The module path of a node from its exported name: '/enc/stages.1/stages.1.0/body/body.0/body.0.0/Conv'
    -> 'stages.1.0.body.0.0' (each scope level repeats its parent's qualified name)."""
    segs = node_name.strip('/').split('/')[1:-1]  # drop the tower wrapper ('enc') and the op
    path, prev = [], None
    for seg in segs:
        path.append(seg[len(prev) + 1:] if prev and seg.startswith(prev + '.') else seg)
        prev = seg
    return '.'.join(path)


def _weights(path: str, tower: str, model: DualEncoder, state: dict) -> tuple[set[str], list[ConvBN]]:
    """Read one tower's parameters by the module each node belongs to (its scope), not by initializer names:
    the export names some anonymously and shares identical ones (untrained layer norms) under one name."""
    g, inits = _graph(path)
    modules = dict(model.named_modules())
    done, folded = set(), []

    def put(key, arr):
        _set(state, key, _t(arr), path)
        done.add(key)

    for node in g.node:
        held = [x for x in node.input if x in inits]
        if not held:
            continue
        where = f'{tower}.{scope(node.name)}'.rstrip('.')
        mod, op = modules.get(where), node.op_type
        if op == 'LayerNormalization' and isinstance(mod, nn.LayerNorm):
            put(f'{where}.weight', inits[node.input[1]])
            put(f'{where}.bias', inits[node.input[2]])
        elif op == 'Gemm' and isinstance(mod, nn.Linear):
            attrs = {a.name: a.i for a in node.attribute}
            if attrs.get('transA', 0) or not attrs.get('transB', 0):
                raise BundleError(f'{path}: Gemm {node.name} is not x·Wᵀ')
            put(f'{where}.weight', inits[node.input[1]])
            put(f'{where}.bias', inits[node.input[2]])
        elif op == 'MatMul' and isinstance(mod, nn.Linear) and node.input[1] in inits:
            put(f'{where}.weight', inits[node.input[1]].T)
        elif op == 'Add' and isinstance(mod, nn.Linear):
            put(f'{where}.bias', inits[held[0]])
        elif op == 'Gather' and isinstance(mod, nn.Embedding):
            put(f'{where}.weight', inits[node.input[0]])
        elif op == 'Conv' and isinstance(mod, nn.Conv2d):
            parent = modules.get(where.rsplit('.', 1)[0])
            if isinstance(parent, ConvBN):
                if len(node.input) < 3:
                    raise BundleError(f'{path}: Conv {node.name} has no bias (not a folded Conv+BatchNorm)')
                prefix = where.rsplit('.', 1)[0]
                put(f'{prefix}.0.weight', inits[node.input[1]])
                put(f'{prefix}.1.bias', inits[node.input[2]])
                eps = parent[1].eps
                # Exact in eval mode until calibrated: BN(y) = (y - 0) / sqrt(1 - eps + eps) · 1 + b.
                state[f'{prefix}.1.running_mean'] = torch.zeros_like(state[f'{prefix}.1.bias'])
                state[f'{prefix}.1.running_var'] = torch.full_like(state[f'{prefix}.1.bias'], 1.0 - eps)
                state[f'{prefix}.1.weight'] = torch.ones_like(state[f'{prefix}.1.bias'])
                done |= {f'{prefix}.1.running_mean', f'{prefix}.1.running_var', f'{prefix}.1.weight'}
                folded.append(parent)
            else:
                put(f'{where}.weight', inits[node.input[1]])
                if len(node.input) > 2:
                    put(f'{where}.bias', inits[node.input[2]])
        else:  # a parameter used as it is (the text position table, sliced to the input's length)
            for x in held:
                if x.startswith('enc.'):
                    put(f'{tower}.{x[4:]}', inits[x])
    return done, folded


@torch.no_grad()
def calibrate(model: DualEncoder, folded: list[ConvBN], pixels: torch.Tensor, batch: int = 32) -> None:
    """Give each restored BatchNorm the statistics of its conv's output over pixels (normalised input), and
    the conv weight He-initialisation scale; eval-mode outputs do not change."""
    stats = {m: [0.0, 0.0, 0] for m in folded}  # per channel: sum, sum of squares (float64), count

    def hook(m):
        def f(mod, i, o):
            y = o.double().transpose(0, 1).reshape(o.shape[1], -1)
            s = stats[m]
            s[0] = s[0] + y.sum(1)
            s[1] = s[1] + (y * y).sum(1)
            s[2] += y.shape[1]
        return f

    hooks = [m[0].register_forward_hook(hook(m)) for m in folded]
    model.image.eval()
    for x in pixels.split(batch):
        model.image(x)
    for h in hooks:
        h.remove()
    for m in folded:
        conv, bn = m[0], m[1]
        total, sq, n = stats[m]
        mu = total / n
        var = (sq / n - mu * mu).clamp(min=0.0)
        fan_in = conv.weight[0].numel()
        s = float(conv.weight.double().pow(2).mean().sqrt()) / math.sqrt(2.0 / fan_in)
        b = bn.bias.double().clone()
        conv.weight.div_(s)
        bn.running_mean.copy_(mu / s)
        bn.running_var.copy_(var / (s * s))
        bn.weight.copy_(s * (bn.running_var.double() + bn.eps).sqrt())
        bn.bias.copy_(b + mu)


def load(bundle_dir: str, model: DualEncoder) -> list[ConvBN]:
    """Load the bundle's weights into model (built from the bundle's config and vocabulary). Every parameter
    and buffer must come from the bundle. Returns the restored Conv+BatchNorm modules, for calibrate()."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    done, _ = _weights(os.path.join(bundle_dir, 'text.onnx'), 'text', model, state)
    img_done, folded = _weights(os.path.join(bundle_dir, 'image.onnx'), 'image', model, state)
    done |= img_done
    done |= {k for k in state if k.endswith('num_batches_tracked')}
    if 'log_scale' in state:  # the config's temperature; a learnt one is the manifest's logitScale
        done.add('log_scale')
    missing = sorted(k for k in state if k not in done)
    if missing:
        raise BundleError(f'{bundle_dir}: the bundle does not hold {", ".join(missing[:5])}'
                          + (f' and {len(missing) - 5} more' if len(missing) > 5 else ''))
    model.load_state_dict(state)
    return folded


def digest(bundle_dir: str) -> str:
    """sha256 over image.onnx, text.onnx and tokenizer.json: what the recovered weights come from."""
    h = hashlib.sha256()
    for name in ('image.onnx', 'text.onnx', 'tokenizer.json'):
        with open(os.path.join(bundle_dir, name), 'rb') as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def checkpoint(info: dict, model: DualEncoder, recovered: dict) -> dict:
    """What train.py --init-from reads (init_from): the recovered weights under the bundle's config, vocabulary
    and never-seen findings, its own stage's steps, its earlier stages' chain, and where the weights came from."""
    return {'model': model.state_dict(), 'step': info['steps'], 'epoch': -1, 'history': [], 'config': info['config'],
            'seed': info['seed'], 'init': info['init'], 'vocab': info['vocab'], 'findings': info['findings'],
            'excluded': info['excluded'], 'recoveredFrom': recovered}


def learnt_scale(model: DualEncoder, logit_scale: float) -> None:
    """A learnt temperature is the manifest's logitScale; a fixed one is the config's (already set)."""
    if isinstance(model.log_scale, nn.Parameter):
        with torch.no_grad():
            model.log_scale.fill_(math.log(logit_scale))
