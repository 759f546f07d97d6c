"""Train the default RadSift model and write its bundle, in one command:

    /usr/bin/python3 models/train/train.py --config models/train/configs/default.json \\
        --data <training export> --out <bundle dir> --seed 0

data -> tokenizer -> training -> validation -> ONNX export -> parity checks (node)
-> card.md + manifest.json. Deterministic given config, data and seed (per-epoch
generators, so --resume continues exactly where a run stopped). Uses CUDA when
PyTorch sees it, else the CPU with runtime.threads threads.

--train-only stops after training and validation, leaving <work>/checkpoint.pt; the same
command with --resume instead then exports, checks and bundles. That is how a GPU machine
trains while the machine that ships the model exports (the same torch.onnx exporter, node and
onnxruntime-node for every bundle): copy the work folder, the --init-from checkpoint and
regenerate the exports (the same seed gives the same bytes; the checkpoint records the
exports' digests and --resume refuses others).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import os
import sys
import time

# Before torch loads libgomp: its default spin-waiting makes 2 threads on 2 *shared* cores
# ~10x slower (measured: 13 vs 144 img/s on the smoke config while other jobs ran).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

from hugepages import reexec_with_hugepages  # noqa: E402

if __name__ == '__main__':  # a command, not an import (the tests import it): glibc's huge pages, hugepages.py
    reexec_with_hugepages()

import numpy as np  # noqa: E402
import torch  # noqa: E402

from radsift_train import augment, bundle, data, export, losses, metrics, parity_corpus, prompts  # noqa: E402
from radsift_train import tokenizer as wp  # noqa: E402
from radsift_train.model import DualEncoder, grid_size  # noqa: E402

RECIPE_VERSION = '1.16.0'  # 1.1.0: image.pool, the text-side negation term; 1.2.0: finding identity;
# 1.3.0: --init-from (a second stage from an earlier run's weights, e.g. at a higher input size);
# 1.4.0: the pointing term (loss.weights.pointing); 1.5.0: generator 1.1's export (every finding, mask
# planes), never-seen findings (data.neverSeen, excludedFindings) checked out of the training data;
# 1.6.0: loss.promptWordings 'extended' (more wordings of the trained findings, whole statements);
# 1.6.1: no extended wording brings in a word of a never-seen finding ("lesion", of cavitary lesion);
# 1.7.0: tokenizer.fromInit (a later stage keeps its --init-from checkpoint's vocabulary on reports with new words)
# 1.8.0: --init-from accepts checkpoint_from_bundle.py's checkpoints (recovered from an exported bundle; provenance
#        init.recoveredFrom names it)
# 1.9.0: --train-only (train on one machine, export on another with --resume); checkpoints record the exports'
#        digests and each training device's steps, time and images/s, so a resumed run's card reports the whole run
# 1.10.0: optim.freeze (a tower kept as --init-from left it: e.g. a higher-resolution image stage that leaves the
#         report language, and so the language figures, of the stage it continues)
# 1.11.0: optim.cacheImage (with the image tower locked, its outputs for N augmented views of every training image
#         are computed once, and each epoch reads one view: a text stage no longer runs the CNN every step); the export
#         sets the manifest's regionOffset itself (metrics.region_offset on the val images) when the patch grid is
#         trained against text
# 1.12.0: --image-cache DIR keeps optim.cacheImage's views between runs, keyed by everything they are a function of
#         (not the reports: a stage on a new generator's export of the same seed reads an earlier stage's views)
# 1.13.0: loss.weights.textAnchor (1 - cosine to the --init-from text tower's embedding of each training text): a
#         language stage that keeps the phrases its reports do not teach where they were
# 1.14.0: loss.anchorPhrases (that many random token sequences per step held by textAnchor too: everyday wordings are
#         the vocabulary's tokens in orders no training text has)
# 1.14.1: the anchor replays the training forward's dropout (it ran without: the term was mostly dropout noise)
# 1.15.0: export.interpolate (weight-space ensembling, WiSE-FT: the exported weights are the --init-from weights plus
#         that share of the way to the trained ones); a resumed run compares the config without bundle and export,
#         which do not change a training step, so trained weights can be exported again another way
# 1.16.0: loss.weights.regionPrompt (the app's score for a model with region margins, mean of the whole image's and
#         the best cell's margin less their median gap, as the prompt-pair loss: the ranking `radsift eval` measures)
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def log(msg: str) -> None:
    print(f'[train] {msg}', flush=True)


def blas_note() -> str | None:
    """Debian's torch takes matmuls from whatever libblas.so.3 the alternatives system
    points at; the default reference BLAS is ~5-10x slower than OpenBLAS."""
    try:
        with open('/proc/self/maps', encoding='utf-8') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line}
    except OSError:
        return None
    paths = {os.path.realpath(p) for p in libs}
    if any('/blas/libblas' in p for p in paths) and not any('openblas' in p or 'blis' in p for p in paths):
        return 'reference BLAS (slow matmuls; apt-get install libopenblas0-openmp to speed up the text tower)'
    return ', '.join(sorted(os.path.basename(p) for p in paths)) or None


def load_checkpoint(path: str, device) -> dict:
    """A checkpoint of this recipe (train.py, checkpoint_from_bundle.py): tensors plus plain config and history.
    weights_only is named because its default changed (False before torch 2.6, True since) and torch 1.13's
    weights-only unpickler rejects a plain float; the recipe loads only checkpoints it wrote."""
    return torch.load(path, map_location=device, weights_only=False)


def setup(cfg: dict, seed: int) -> torch.device:
    want = cfg['runtime']['device']
    dev = torch.device('cuda' if want == 'auto' and torch.cuda.is_available() else ('cpu' if want == 'auto' else want))
    if dev.type == 'cpu':
        torch.set_num_threads(cfg['runtime']['threads'])
    else:
        os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')
        torch.backends.cudnn.benchmark = False
    # warn_only: a few CUDA kernels (none on CPU) have no deterministic variant.
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.manual_seed(seed)
    return dev


def build_tokenizer(train_split: data.Split, findings: list[str], cfg: dict, out_dir: str,
                    inherited: list[str] | None = None):
    """The vocabulary learnt from the training reports and the base prompts, or `inherited` (tokens in id
    order: tokenizer.fromInit), in which words the earlier stage never read are split into its pieces."""
    texts = [t for sents in train_split.sentences for t, _, _ in sents]
    tk = cfg['tokenizer']
    if inherited is not None:
        vocab = {t: i for i, t in enumerate(inherited)}
    else:
        # The base prompts only, whatever loss.promptWordings says: a later stage's vocabulary must equal its
        # --init-from checkpoint's, token for token; extended wordings are tokenized into its pieces.
        corpus = texts + prompts.all_prompt_texts(findings)
        vocab = wp.build_vocab(corpus, prompts.EXTRA_WORDS, tk['maxVocab'], tk['minFreq'])
    wp.write_tokenizer(out_dir, vocab, tk['maxLength'])
    return wp.WordPieceTokenizer(vocab, tk['maxLength']), texts


def inherited_vocab(cfg: dict, init_path: str | None) -> list[str] | None:
    """tokenizer.fromInit: the --init-from checkpoint's vocabulary, so that its weights continue on reports
    that use words it never read (a generator that writes more varied language) instead of refusing them."""
    if not cfg['tokenizer'].get('fromInit'):
        return None
    if not init_path:
        raise SystemExit('tokenizer.fromInit keeps the --init-from checkpoint\'s vocabulary: give --init-from')
    vocab = load_checkpoint(init_path, 'cpu').get('vocab')
    if not vocab:
        raise SystemExit(f'--init-from {init_path}: the checkpoint stores no vocabulary (recipe < 1.5), so '
                         'tokenizer.fromInit cannot keep it')
    return list(vocab)


def whole_word_share(tok: wp.WordPieceTokenizer, texts: list[str]) -> float:
    """Share of the distinct words of `texts` that are one token (the rest are split into pieces)."""
    words = {w for t in set(texts) for w in wp.pre_tokenize(wp.normalize(t))}
    return sum(w in tok.vocab for w in words) / max(1, len(words))


class TextBatcher:
    """Tokenizes with a cache (reports repeat sentences a lot) and pads per batch."""

    def __init__(self, tok: wp.WordPieceTokenizer):
        self.tok, self.cache = tok, {}

    def __call__(self, texts: list[str], device) -> tuple[torch.Tensor, torch.Tensor]:
        rows = []
        for t in texts:
            if t not in self.cache:
                self.cache[t] = self.tok.encode_truncated(t)
            rows.append(self.cache[t])
        width = max(len(r) for r in rows)
        ids = torch.zeros(len(rows), width, dtype=torch.long)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r)
            mask[i, : len(r)] = 1
        return ids.to(device), mask.to(device)


def lr_at(step: int, total: int, cfg: dict) -> float:
    o = cfg['optim']
    if step < o['warmupSteps']:
        return o['lr'] * (step + 1) / o['warmupSteps']
    t = (step - o['warmupSteps']) / max(1, total - o['warmupSteps'])
    return o['lr'] * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))


def grounding_targets(cov: torch.Tensor, labels: torch.Tensor, claims: np.ndarray) -> torch.Tensor:
    """Coverage [B, K+1, P] for queries = K finding prompts + the image's own sentence.
    -1 marks pairs to skip: finding labelled present without a mask, or a sentence
    that asserts no finding (negated phrases have no place to point at)."""
    b, k, g, _ = cov.shape
    c = cov.reshape(b, k, g * g)
    present_no_mask = (labels > 0.5) & (c.amax(-1) <= 0)
    prompt_t = torch.where(present_no_mask[..., None], torch.full_like(c, -1.0), c)
    pos = torch.from_numpy(claims > 0)  # [B, K]
    sent_t = (c * pos[..., None]).amax(1)  # union of the asserted findings' masks
    has = pos.any(1) & (sent_t.amax(-1) > 0)
    sent_t = torch.where(has[:, None], sent_t, torch.full_like(sent_t, -1.0))
    return torch.cat([prompt_t, sent_t[:, None]], dim=1)


def visible(cov: torch.Tensor, masks_before: torch.Tensor, labels: torch.Tensor, area: torch.Tensor) -> torch.Tensor:
    """[B, K] weight: 0 where a present finding was mostly cropped or rotated out of view
    (< 25% of its mask area left), so the prompt loss does not demand a finding the
    augmented image no longer shows. cov [B, K, G, G] after the warp; masks_before
    [B, K, 4G, 4G] uint8 coverage before it; area [B]: the crop's share of the source
    (a crop magnifies what stays in view by 1/area)."""
    after = cov.sum((2, 3)) * area[:, None]
    before = masks_before.float().sum((2, 3)) / (255.0 * 16)  # in grid cells, like `after`
    hidden = (labels > 0.5) & (before > 0) & (after < 0.25 * before)
    return (~hidden).float()


def train_step(model, batch, cfg, pos_weight, special_ids, image_out=None, anchor=None):
    """image_out: the locked image tower's (embedding, patches) for this batch, read from the cache
    (optim.cacheImage) instead of computing them from x. anchor: the text tower as --init-from left it
    (loss.weights.textAnchor)."""
    x, cov, labels, claims, ids, mask, n_prompts, seen, neg_valid = batch
    w, lc = cfg['loss']['weights'], cfg['loss']
    b = labels.shape[0]
    img, patches = image_out if image_out is not None else model.image(x)
    dev = labels.device
    drawn = rng_state(dev) if anchor is not None else None  # the anchor replays this forward's dropout
    txt_all, tok_all = model.text(ids, mask)
    txt, pos = txt_all[:b], txt_all[b : b + n_prompts]
    neg = txt_all[b + n_prompts : b + 2 * n_prompts]
    scale = model.logit_scale
    compat = losses.compatibility(labels.cpu(), torch.from_numpy(claims)).to(dev)
    parts = {
        'global': losses.global_contrastive(img, txt, compat, scale, lc['lambda']),
        'prompt': losses.prompt_pairs(img, pos, neg, labels, scale, pos_weight, seen),
    }
    if w.get('regionPrompt', 0) > 0:
        parts['regionPrompt'] = losses.region_prompt_pairs(img, patches, pos, neg, labels, scale, pos_weight, seen)
    if w['local'] > 0:
        # All-pairs word–region attention costs B²·L·P·D: use the first localBatch pairs
        # (the batch is already a random draw) to keep it a fraction of the CNN's cost.
        nl = min(b, lc['localBatch'])
        words = (mask[:nl] > 0) & ~torch.isin(ids[:nl], special_ids)
        parts['local'] = losses.local_alignment(
            tok_all[:nl], words, patches[:nl], compat[:nl, :nl], lc['lambda'], lc['localAttnScale'],
            lc['localAggScale'], scale
        )
    if w['grounding'] > 0 or w.get('pointing', 0) > 0:  # both ask the masks: finding prompts + own sentence
        queries = torch.cat([pos[None].expand(b, -1, -1), txt[:, None]], dim=1)
        target = grounding_targets(cov.cpu(), labels.cpu(), claims).to(dev)
        if w['grounding'] > 0:
            parts['grounding'] = losses.grounding(patches, queries, target, scale)
        if w.get('pointing', 0) > 0:
            parts['pointing'] = losses.pointing(patches, queries, target, scale)
    if neg_valid is not None:  # sampled report sentences for the text-side terms
        sents = txt_all[b + 2 * n_prompts :].reshape(n_prompts, 2, -1, txt_all.shape[-1])
        valid = neg_valid.to(dev)
        if w.get('negation', 0) > 0:
            parts['negation'] = losses.text_negation(pos, neg, sents, valid, scale)
        if w.get('identity', 0) > 0:
            parts['identity'] = losses.finding_identity(pos, sents, valid, scale)
    if anchor is not None:
        tower, extra = anchor
        drift = text_anchor(txt_all, tower, ids, mask, drawn)
        if extra is not None:  # loss.anchorPhrases: random token sequences, weighted by count with the batch's texts
            drawn = rng_state(dev)
            e_txt, _ = model.text(*extra)
            n_a, n_e = ids.shape[0], extra[0].shape[0]
            drift = (drift * n_a + text_anchor(e_txt, tower, *extra, drawn) * n_e) / (n_a + n_e)
        parts['textAnchor'] = drift
    total = sum(w[k] * v for k, v in parts.items())
    return total, {k: float(v.detach()) for k, v in parts.items()}


def rng_state(device) -> tuple:
    """The random state a forward pass's dropout draws from (CPU, and the CUDA device's when on one)."""
    return torch.get_rng_state(), (torch.cuda.get_rng_state(device) if device.type == 'cuda' else None)


def text_anchor(txt: torch.Tensor, anchor, ids: torch.Tensor, mask: torch.Tensor, drawn: tuple | None = None
                ) -> torch.Tensor:
    """loss.weights.textAnchor (recipe 1.13.0): 1 - cosine between each text of the batch and what the text tower
    --init-from left embeds for it, averaged. A language stage teaches new frames through its report sentences; the
    contrastive terms also move every other phrase, and words no training text has (everyday wordings) drift with
    them. Both embeddings are unit length. drawn: the random state txt's forward pass started from; the anchor (in
    the training tower's mode) replays it, so both drop the same units and the term measures the weights' drift
    alone — zero at identical weights (1.14.1; before, the anchor ran without dropout and the term was mostly dropout
    noise). The replay is forked: the run's own random stream goes on as if the anchor had not run."""
    with torch.no_grad():
        if drawn is None:
            ref, _ = anchor(ids, mask)
        else:
            cpu, cuda = drawn
            with torch.random.fork_rng(devices=[ids.device] if cuda is not None else []):
                torch.set_rng_state(cpu)
                if cuda is not None:
                    torch.cuda.set_rng_state(cuda, ids.device)
                ref, _ = anchor(ids, mask)
    return (1.0 - (txt * ref).sum(-1)).mean()


def anchor_phrases(n: int, vocab_size: int, special: frozenset, cls_id: int, sep_id: int, rng: np.random.Generator,
                   device, longest: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """loss.anchorPhrases (recipe 1.14.0): n random sequences of 1..longest ordinary tokens (whole words and ##
    pieces alike) between [CLS] and [SEP], as ids and mask. Everyday wordings are made of the same tokens in orders
    no training text has; holding such sequences near the starting tower holds what the reports do not teach."""
    ordinary = np.array([i for i in range(vocab_size) if i not in special])
    lengths = rng.integers(1, longest + 1, n)
    ids = torch.zeros(n, longest + 2, dtype=torch.long)
    mask = torch.zeros(n, longest + 2, dtype=torch.long)
    for r, k in enumerate(lengths):
        ids[r, : k + 2] = torch.from_numpy(np.concatenate([[cls_id], rng.choice(ordinary, k), [sep_id]]))
        mask[r, : k + 2] = 1
    return ids.to(device), mask.to(device)


def augmented_batch(train, idx, cfg, mean: float, std: float, size: int, grid: int, gen: torch.Generator, device,
                    fmt) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """One draw of the augmentation for training images idx: the model's input x (on device), the finding masks'
    coverage of the grid after the warp, the flips (which sentences swap sides) and the visible weights (on CPU)."""
    p = augment.draw(len(idx), cfg['augment'], gen)
    x, cov = augment.apply(train.images[idx], train.masks[idx], p, cfg['augment'], size, grid, gen)
    x = augment.normalize(x, mean, std).to(device).contiguous(memory_format=fmt)
    return x, cov, p['flip'], visible(cov, train.masks[idx], train.labels[idx], p['sx'] * p['sy'])


@torch.no_grad()
def image_cache(model, train, cfg, seed: int, mean: float, std: float, size: int, grid: int, device, fmt,
                bs: int) -> list[dict]:
    """optim.cacheImage (recipe 1.11.0): the locked image tower's outputs for that many augmented views of every
    training image, computed once (on CPU most of a step's time is the CNN's, which a locked tower spends on the
    same answers every epoch). Per view: embeddings, patches, mask coverage, the visible weights and the flips,
    all in training-image order; the views' augmentation streams are apart from the epochs'."""
    views = []
    n = len(train.images)
    for v in range(cfg['optim']['cacheImage']):
        gen = torch.Generator().manual_seed(seed * 1_000_003 + 500_009 + v)
        parts: dict[str, list] = {'img': [], 'patches': [], 'cov': [], 'seen': [], 'flip': []}
        for s in range(0, n, bs):
            x, cov, flip, seen = augmented_batch(train, np.arange(s, min(n, s + bs)), cfg, mean, std, size, grid, gen,
                                                 device, fmt)
            img, patches = model.image(x)
            parts['img'].append(img.cpu())
            parts['patches'].append(patches.cpu())
            parts['cov'].append(cov)
            parts['seen'].append(seen)
            parts['flip'].append(flip)
        views.append({k: torch.cat(v) for k, v in parts.items()})
    return views


IMAGE_CACHE_FORMAT = 1


def image_cache_key(model, train, cfg, seed: int, mean: float, std: float, size: int, grid: int, device, fmt,
                    bs: int) -> str:
    """What the cached views are a pure function of (recipe 1.12.0, --image-cache): the locked tower's weights, the
    training images, masks and labels in their order, the augmentation, the views, the run's seed, the batch size
    (draws are made batch by batch), input size, grid, pixel statistics and the kind of device. Not the reports: a
    language stage on a new generator's export of the same seed reads the views an earlier stage wrote."""
    h = hashlib.sha256(json.dumps({
        'format': IMAGE_CACHE_FORMAT, 'views': cfg['optim']['cacheImage'], 'augment': cfg['augment'], 'seed': seed,
        'batch': bs, 'size': size, 'grid': grid, 'mean': mean, 'std': std, 'device': device.type,
        'channelsLast': fmt == torch.channels_last}, sort_keys=True).encode())
    for name, t in sorted(model.image.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    for t in (train.images, train.masks, train.labels):
        h.update(f'{tuple(t.shape)} {t.dtype}'.encode())
        h.update(t.contiguous().numpy().tobytes())
    return h.hexdigest()


def cached_image_views(model, train, cfg, seed: int, mean: float, std: float, size: int, grid: int, device, fmt,
                       bs: int, cache_dir: str | None) -> tuple[list[dict], str]:
    """image_cache's views, read from cache_dir when a run with the same key wrote them, else computed (and written
    there when cache_dir is given). Returns the views and where they came from, for the log."""
    if not cache_dir:
        return image_cache(model, train, cfg, seed, mean, std, size, grid, device, fmt, bs), 'computed'
    key = image_cache_key(model, train, cfg, seed, mean, std, size, grid, device, fmt, bs)
    path = os.path.join(cache_dir, f'image-cache-{key[:32]}.pt')
    note = ''
    if os.path.exists(path):
        try:
            saved = torch.load(path, map_location='cpu', weights_only=True)
        except MemoryError:
            raise
        except Exception as e:  # noqa: BLE001 - truncated or unreadable: a cache is computed again
            saved, note = {}, f' (the kept file was unreadable: {type(e).__name__}; replaced)'
        if isinstance(saved, dict) and saved.get('key') == key:
            return saved['views'], f'read from {path}'
    views = image_cache(model, train, cfg, seed, mean, std, size, grid, device, fmt, bs)
    os.makedirs(cache_dir, exist_ok=True)
    tmp = f'{path}.{os.getpid()}.tmp'  # written whole, then renamed: an interrupted run leaves no half file
    torch.save({'key': key, 'views': views}, tmp)
    os.replace(tmp, path)
    return views, f'computed, written to {path}{note}'


@torch.no_grad()
def embed_images(model, pixels: torch.Tensor, device, bs: int = 64):
    model.eval()
    g, p = [], []
    for chunk in pixels.split(bs):
        a, b = model.image(chunk.to(device))
        g.append(a.float().cpu())
        p.append(b.float().cpu())
    return torch.cat(g), torch.cat(p)


@torch.no_grad()
def embed_texts(model, batcher, texts, device):
    model.eval()
    ids, mask = batcher(texts, device)
    return model.text(ids, mask)[0].float().cpu()


def training_config(cfg: dict) -> dict:
    """What a resumed run must share with the checkpoint: everything but the bundle's name and the export,
    which change no training step (trained weights may be exported again, e.g. at another export.interpolate)."""
    return {k: v for k, v in cfg.items() if k not in ('bundle', 'export')}


@torch.no_grad()
def interpolate_weights(model: torch.nn.Module, start: dict[str, torch.Tensor], alpha: float) -> dict[str, float]:
    """export.interpolate: every floating-point weight becomes start + alpha * (trained - start), in place
    (weight-space ensembling, WiSE-FT: Wortsman et al. 2022, for CLIP fine-tuned from its zero-shot weights).
    Integer buffers keep the trained value. Returns the L2 distance each tower's parameters (not its normalisation
    statistics) moved in training and after."""
    params = {name for name, _ in model.named_parameters()}
    moved: dict[str, float] = {}
    for name, value in model.state_dict().items():
        if not value.is_floating_point():
            continue
        before = start[name].to(value.device, value.dtype)
        trained = float((value - before).pow(2).sum())
        value.copy_(before + alpha * (value - before))
        if name in params:
            tower = name.split('.')[0]
            moved[f'{tower}Trained'] = moved.get(f'{tower}Trained', 0.0) + trained
            moved[f'{tower}Exported'] = moved.get(f'{tower}Exported', 0.0) + float((value - before).pow(2).sum())
    return {k: math.sqrt(v) for k, v in moved.items()}


def scores_regions(cfg: dict) -> bool:
    """export.regionOffset: the bundle lets the app weigh a scan's best patch-grid region (the manifest's
    regionOffset; docs/region-scores.md). Asked for, not implied by a grounding term: the rule was chosen on the
    rare model's validation phantoms, and a model ships it only when its recipe says so."""
    return bool(cfg.get('export', {}).get('regionOffset', False))


def check_export(cfg: dict, path: str, init_path: str | None = None) -> None:
    """export.regionOffset needs a patch grid trained against text (the grounding or pointing term);
    export.interpolate a share in (0, 1] and the --init-from weights it starts from."""
    wanted = cfg.get('export', {}).get('regionOffset', False)
    if not isinstance(wanted, bool):
        raise SystemExit(f'{path}: export.regionOffset must be true or false, not {wanted!r}')
    alpha = cfg.get('export', {}).get('interpolate', 1.0)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha <= 1:
        raise SystemExit(f'{path}: export.interpolate must be a number in (0, 1] (the share of the way from the '
                         f'--init-from weights to the trained ones), not {alpha!r}')
    if alpha < 1 and not init_path:
        raise SystemExit(f'{path}: export.interpolate {alpha} starts from the --init-from weights: give --init-from')
    w = cfg['loss']['weights']
    if wanted and not (w.get('grounding', 0) > 0 or w.get('pointing', 0) > 0):
        raise SystemExit(f'{path}: export.regionOffset weighs the best patch-grid region, which only the grounding '
                         'or pointing term trains against text: set one of their weights above 0')


@torch.no_grad()
def app_phrase_vectors(model, batcher, phrases: list[str], device) -> tuple[torch.Tensor, torch.Tensor]:
    """Each phrase and its negation as the app embeds them (prompts.app_pair: the mean of its templates')."""
    pos, neg = [], []
    for ph in phrases:
        p, n = prompts.app_pair(ph)
        e = embed_texts(model, batcher, p + n, device)
        pos.append(e[: len(p)].mean(0))
        neg.append(e[len(p) :].mean(0))
    return torch.stack(pos), torch.stack(neg)


def evaluate(model, val: data.Split, pixels, batcher, findings, device, region_phrases=None) -> dict:
    """region_phrases: also the regionOffset (metrics.region_offset) over these phrases and the val images."""
    img, patches = embed_images(model, pixels, device)
    pos = embed_texts(model, batcher, [prompts.phrase(f) for f in findings], device)
    neg = embed_texts(model, batcher, ['no ' + prompts.phrase(f) for f in findings], device)
    scale = float(model.logit_scale)
    zs = metrics.zero_shot(img, pos, neg, val.labels, scale, findings)
    cov = val.masks.float().flatten(2) / 255.0
    pg = metrics.pointing_game(patches, pos, cov, val.labels, findings)
    region = None
    if region_phrases:
        rp, rn = app_phrase_vectors(model, batcher, region_phrases, device)
        offset = metrics.region_offset(img, patches, rp, rn)
        if math.isfinite(offset):
            region = {'value': round(offset, 4), 'images': len(pixels), 'phrases': len(region_phrases),
                      'how': "median over the validation images and every finding's phrase of the best patch-grid "
                             "cell's margin minus the whole image's (margin: cos(·, phrase) − cos(·, negation), the "
                             "app's prompt pair); label-free"}
        else:  # degenerate embeddings: no offset, so the app scores the whole image
            log(f'regionOffset: not a number ({offset}); the bundle will have none')
    model.train()
    return {
        'zeroShot': zs,
        'pointingGame': pg,
        'meanAuc': metrics.mean(v['auc'] for v in zs.values()),
        'meanPointing': metrics.mean(pg.values()),
        **({'regionOffset': region} if region else {}),
    }


ARCH_KEYS = ('text', 'embed')


def init_from(path: str, model: DualEncoder, cfg: dict, vocab: list[str], device,
              excluded: tuple[str, ...] = ()) -> dict:
    """Load an earlier run's weights for a second stage (FixRes / CLIP's extra epoch at 336 px: a short
    fine-tune at a larger input). The CNN has no size-bound parameters, so only image.size may differ
    in the architecture; the tokenizer (vocab: tokens in id order) must be the same, token for token.
    A run with never-seen findings continues only weights that never saw them either (the checkpoint
    records what its run excluded)."""
    ck = load_checkpoint(path, device)
    seen = [x for x in excluded if x not in ck.get('excluded', ())]
    if seen:
        raise SystemExit(f'--init-from {path}: this run must never see {", ".join(seen)}, but the checkpoint '
                         f'does not record excluding {"them" if len(seen) > 1 else "it"} '
                         f'(it excluded {list(ck["excluded"]) if "excluded" in ck else "nothing on record"})')
    prev = ck['config']
    same_image = {k: v for k, v in prev['image'].items() if k != 'size'} == \
        {k: v for k, v in cfg['image'].items() if k != 'size'}
    if not same_image or any(prev[k] != cfg[k] for k in ARCH_KEYS):
        raise SystemExit(f'--init-from {path}: another architecture (image, text or embed config differs '
                         'beyond image.size)')
    if 'vocab' in ck:
        if ck['vocab'] != vocab:
            raise SystemExit(f'--init-from {path}: its tokenizer differs from the one built from --data')
    elif ck['model']['text.tok.weight'].shape[0] != len(vocab):
        raise SystemExit(f'--init-from {path}: vocabulary of {ck["model"]["text.tok.weight"].shape[0]} tokens, '
                         f'--data gives {len(vocab)}')
    model.load_state_dict(ck['model'])
    with open(path, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    log(f'initialised from {path} (step {ck["step"]}, image size {prev["image"]["size"]}, '
        f'recipe checkpoint {"with" if "vocab" in ck else "without"} a stored vocabulary)')
    out = {'sha256': digest, 'steps': ck['step'], 'seed': ck['seed'], 'config': prev,
           'findings': ck.get('findings'), 'excluded': ck.get('excluded'), 'provenance': ck.get('init')}
    if 'recoveredFrom' in ck:  # checkpoint_from_bundle.py: the weights of an exported bundle, not a run's own
        out['recoveredFrom'] = ck['recoveredFrom']
    return out


def make_optimizer(model: DualEncoder, cfg: dict) -> torch.optim.AdamW:
    """AdamW over the parameters that train (optim.freeze leaves a tower out); no weight decay on biases,
    norms and position embeddings."""
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in trainable if p.ndim >= 2 and 'pos' not in n]
    no_decay = [p for n, p in trainable if not (p.ndim >= 2 and 'pos' not in n)]
    return torch.optim.AdamW(
        [{'params': decay, 'weight_decay': cfg['optim']['weightDecay']}, {'params': no_decay, 'weight_decay': 0.0}],
        lr=cfg['optim']['lr'],
    )


def check_freeze(cfg: dict, path: str, init_from: str | None) -> None:
    """optim.freeze (recipe 1.10.0): towers that keep their --init-from weights. Locking the text tower lets
    a stage train the image side at a new size without moving the report language the earlier stage had."""
    frozen = cfg['optim'].get('freeze', [])
    if not isinstance(frozen, list) or not set(frozen) <= {'image', 'text'} or len(set(frozen)) != len(frozen):
        raise SystemExit(f'{path}: optim.freeze must list "image" and/or "text" once each, not {frozen!r}')
    if len(frozen) == 2:
        raise SystemExit(f'{path}: optim.freeze names both towers: nothing would train')
    if frozen and not init_from:
        raise SystemExit(f'{path}: optim.freeze keeps weights from --init-from: give --init-from')
    views = cfg['optim'].get('cacheImage', 0)
    if not isinstance(views, int) or isinstance(views, bool) or views < 0:
        raise SystemExit(f'{path}: optim.cacheImage must be a whole number of views (0: no cache), not {views!r}')
    if views > cfg['optim']['epochs']:
        raise SystemExit(f'{path}: optim.cacheImage {views} views for {cfg["optim"]["epochs"]} epochs: each epoch '
                         'reads one view, so the rest would be computed for nothing')
    if views and 'image' not in frozen:
        raise SystemExit(f'{path}: optim.cacheImage caches a locked image tower\'s outputs: add "image" to '
                         'optim.freeze')
    w = cfg['loss']['weights']
    phrases = cfg['loss'].get('anchorPhrases', 0)
    if not isinstance(phrases, int) or isinstance(phrases, bool) or phrases < 0:
        raise SystemExit(f'{path}: loss.anchorPhrases must be a whole number of phrases per step, not {phrases!r}')
    if phrases and not w.get('textAnchor', 0) > 0:
        raise SystemExit(f'{path}: loss.anchorPhrases are held by loss.weights.textAnchor: give it a weight')
    if w.get('textAnchor', 0) > 0 and (not init_from or 'text' in frozen):
        raise SystemExit(f'{path}: loss.weights.textAnchor holds a training text tower near --init-from\'s: it needs '
                         '--init-from and a text tower that trains')
    text_only = [t for t in ('negation', 'identity') if w.get(t, 0) > 0]
    if 'text' in frozen and text_only:
        raise SystemExit(f'{path}: loss.weights {" and ".join(text_only)} train only the text tower, which '
                         'optim.freeze locks: set them to 0')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--config', required=True)
    ap.add_argument('--data', required=True, help='training export: manifest.json, records.jsonl, images/, masks/')
    ap.add_argument('--val-data', help='separate held-out export (default: a hash split of --data)')
    ap.add_argument('--out', required=True, help='bundle directory to write')
    ap.add_argument('--work', help='scratch: checkpoints, parity inputs (default <out>.work)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--epochs', type=int, help='override optim.epochs')
    ap.add_argument('--max-steps', type=int, help='override optim.maxSteps (e.g. to time a run)')
    ap.add_argument('--resume', action='store_true', help='continue from <work>/checkpoint.pt')
    ap.add_argument('--skip-parity', action='store_true', help='skip the node checks (no node available)')
    ap.add_argument('--train-only', action='store_true',
                    help='stop after training and validation (export, parity and bundle by a later --resume run)')
    ap.add_argument('--init-from', metavar='CHECKPOINT',
                    help="start from an earlier run's <work>/checkpoint.pt (weights only: a new optimiser and "
                         'schedule), e.g. to fine-tune at a larger image.size; same data, tokenizer and architecture')
    ap.add_argument('--image-cache', metavar='DIR',
                    help='keep optim.cacheImage\'s views in DIR, keyed by what they are a function of (tower weights, '
                         'images, masks, labels, augmentation, seed): a later run with the same key reads them')
    args = ap.parse_args()

    with open(args.config, encoding='utf-8') as f:
        cfg = json.load(f)
    if args.epochs is not None:
        cfg['optim']['epochs'] = args.epochs
    if args.max_steps is not None:
        cfg['optim']['maxSteps'] = args.max_steps
    wording = cfg['loss'].get('promptWordings', 'base')
    if wording not in ('base', 'extended'):
        raise SystemExit(f'{args.config}: loss.promptWordings must be "base" or "extended", not {wording!r}')
    extended = wording == 'extended'  # recipe 1.6.0: more wordings and whole statements in the prompt loss
    check_freeze(cfg, args.config, args.init_from)
    check_export(cfg, args.config, args.init_from)
    work = args.work or args.out.rstrip('/') + '.work'
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    device = setup(cfg, args.seed)
    started = time.time()

    # Data. The run trains on the export's findings minus the excluded ones; data.neverSeen names findings it
    # must never see, which the export must exclude (checked here: labels, mask bits, sentences, report words).
    never_seen = tuple(cfg['data'].get('neverSeen', []))
    man = data.read_manifest(args.data)
    try:
        lay = data.layout(man, never_seen)
        exclusion = {}
        records = data.read_records(args.data, lay, exclusion)
        vman, vlay, val_exclusion = None, None, None
        if args.val_data:
            vman = data.read_manifest(args.val_data)
            vlay = data.layout(vman, lay.excluded)
            if vlay.findings != lay.findings:
                raise SystemExit(f'--val-data trains other findings ({", ".join(vlay.findings)}) than --data '
                                 f'({", ".join(lay.findings)}): generate both with the same --exclude-findings')
            val_exclusion = {}
            train_recs, val_recs = records, data.read_records(args.val_data, vlay, val_exclusion)
            val_dir = args.val_data
        else:
            train_recs, val_recs = data.split(records, cfg['data']['valFraction'])
            val_dir = args.data
        findings, excluded = list(lay.findings), lay.excluded
        prompts.assert_training_prompts(findings, list(excluded), extended)
        size, g = cfg['image']['size'], grid_size(cfg)
        source = min(man['imageSize'], round(size * 8 / 7))
        train = data.load(args.data, train_recs, lay, source, 4 * g)
        val = data.load(val_dir, val_recs, vlay or lay, size, g)
    except data.ExclusionError as e:
        raise SystemExit(f'train.py: STOP — {e}') from None
    mean, std = data.pixel_stats(train.images)
    exports = {'data': data.fingerprint(args.data),
               'valData': data.fingerprint(args.val_data) if args.val_data else None}
    log(f'data: {len(train_recs)} train / {len(val_recs)} val, {man["generator"]} {man["generatorVersion"]} '
        f'seed {man["seed"]}; source {source}², input {size}², grid {g}², mean {mean:.4f} std {std:.4f} '
        f'({time.time() - started:.1f} s)')
    log(f'findings: {len(findings)} trained ({", ".join(findings)})'
        + (f'; never seen: {", ".join(excluded)} (excluded by the export; {exclusion["sentences"]} sentences and '
           f'{exclusion["records"]} reports scanned for their words, none found)' if excluded else ''))

    inherited = inherited_vocab(cfg, args.init_from)
    tok, train_texts = build_tokenizer(train, findings, cfg, args.out, inherited)
    try:
        prompts.assert_vocabulary(tok.vocab, list(excluded))
    except data.ExclusionError as e:
        raise SystemExit(f'train.py: STOP — {e}') from None
    batcher = TextBatcher(tok)
    special_ids = torch.tensor(sorted(tok.special_ids), device=device)
    log(f'tokenizer: {len(tok.vocab)} tokens'
        + (f' (--init-from\'s; {whole_word_share(tok, train_texts):.1%} of the reports\' distinct words are whole '
           'tokens, the rest split into its pieces)' if inherited else ''))

    # channels_last helps on GPUs; on this CPU build it measured slower, hence a switch.
    fmt = torch.channels_last if cfg['runtime']['channelsLast'] else torch.contiguous_format
    model = DualEncoder(cfg, len(tok.vocab)).to(device).to(memory_format=fmt)
    n_img = sum(p.numel() for p in model.image.parameters())
    n_txt = sum(p.numel() for p in model.text.parameters())
    log(f'model: image {n_img / 1e6:.2f} M, text {n_txt / 1e6:.2f} M parameters, device {device}'
        + (f', threads {torch.get_num_threads()}, BLAS: {blas_note()}' if device.type == 'cpu' else ''))
    if model.frozen:
        log(f'frozen (optim.freeze): {", ".join(model.frozen)} encoder, as --init-from left it')
    opt = make_optimizer(model, cfg)

    bs = cfg['optim']['batchSize']
    n = len(train_recs)
    if n < bs:
        raise SystemExit(f'{n} training images < batch size {bs}')
    per_epoch = n // bs
    total = cfg['optim']['maxSteps'] or cfg['optim']['epochs'] * per_epoch
    epochs = math.ceil(total / per_epoch)
    prevalence = train.labels.mean(0).clamp(1e-3, 1 - 1e-3)
    pos_weight = ((1 - prevalence) / prevalence).sqrt().clamp(1.0, 10.0).to(device)
    val_pixels = augment.normalize(val.images[:, None].float() / 255.0, mean, std)
    k = len(findings)
    # Report sentences sampled per finding for the text-side terms (negation ordering, finding identity).
    weights = cfg['loss']['weights']
    text_terms = weights.get('negation', 0) > 0 or weights.get('identity', 0) > 0
    n_neg = cfg['loss'].get('negationSamples', 0) if text_terms else 0
    neg_pools = data.negation_pools(train) if n_neg else []
    if n_neg:
        log('negation pools (positive/negated sentences): '
            + ', '.join(f'{f} {len(p)}/{len(q)}' for f, (p, q) in zip(findings, neg_pools)))

    vocab = sorted(tok.vocab, key=tok.vocab.get)  # tokens in id order, kept in checkpoints
    init = init_from(args.init_from, model, cfg, vocab, device, excluded) if args.init_from else None
    alpha = cfg.get('export', {}).get('interpolate', 1.0)
    start_weights = {k: v.detach().clone() for k, v in model.state_dict().items()} if alpha < 1 else None
    step, start_epoch, history = 0, 0, []
    # Over every run of a resumed training: seconds, and per device that trained its steps, seconds and timed
    # images and seconds (images/s is a property of a device, not of a run split between two).
    earlier: dict = {'seconds': 0.0, 'devices': {}}
    device_name = str(device) if device.type == 'cpu' else torch.cuda.get_device_name(device)
    ckpt_path = os.path.join(work, 'checkpoint.pt')
    if args.resume and os.path.exists(ckpt_path):
        ck = load_checkpoint(ckpt_path, device)
        if (training_config(ck.get('config') or {}) != training_config(cfg) or ck.get('seed') != args.seed
                or ck.get('init') != init):
            raise SystemExit(f'{ckpt_path} was written with another config, seed or --init-from: not resuming')
        if 'exports' in ck and ck['exports'] != exports:  # checkpoints before recipe 1.9.0 did not record them
            raise SystemExit(f'{ckpt_path} was trained on other exports (--data/--val-data differ from its '
                             f'records.jsonl and manifest.json digests): not resuming')
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        step, start_epoch, history = ck['step'], ck['epoch'] + 1, ck['history']
        earlier = ck.get('run', earlier)
        log(f'resumed after epoch {ck["epoch"]} (step {step}' + (f', trained on {", ".join(earlier["devices"])}'
                                                               if earlier['devices'] else '') + ')')
    devices = {k: dict(v) for k, v in earlier['devices'].items()}

    model.train()
    anchor = None
    if weights.get('textAnchor', 0) > 0 and start_epoch < epochs:  # the text tower as --init-from left it
        if args.resume and os.path.exists(ckpt_path):  # not in the checkpoint; a run resumed to export needs none
            raise SystemExit('train.py: loss.weights.textAnchor: a run cannot resume training (its anchor, the '
                             '--init-from text tower, is not in the checkpoint); --train-only then --resume exports')
        anchor = copy.deepcopy(model.text).requires_grad_(False)  # in the training tower's mode: same dropout
    n_phrases = cfg['loss'].get('anchorPhrases', 0)
    cache, cache_seconds = None, 0.0
    if cfg['optim'].get('cacheImage', 0) and start_epoch < epochs:
        # After the resume check: a run resumed only to export builds none, and a refused one wastes no time.
        t0 = time.time()
        cache, where = cached_image_views(model, train, cfg, args.seed, mean, std, size, g, device, fmt, bs,
                                          args.image_cache)
        cache_seconds = time.time() - t0
        mb = sum(t.numel() * t.element_size() for view in cache for t in view.values()) / 1e6
        log(f'image cache (optim.cacheImage): {len(cache)} augmented view(s) of {n} images, {mb:.0f} MB, {where} in '
            f'{cache_seconds:.1f} s; each epoch reads one instead of running the locked image tower')
    if start_epoch < epochs:
        devices.setdefault(device_name, {'steps': 0, 'seconds': 0.0, 'images': 0, 'timedSeconds': 0.0})
    here = devices.get(device_name)
    train_started = time.time() - earlier['seconds'] - cache_seconds  # the cache is part of the training time
    run_started = time.time()
    run_first = step
    for epoch in range(start_epoch, epochs):
        # Per-epoch streams: the run is a pure function of (seed, epoch), so resuming is exact.
        gen = torch.Generator().manual_seed(args.seed * 1_000_003 + epoch)
        rng = np.random.default_rng([args.seed, epoch])
        phrase_rng = np.random.default_rng([args.seed, epoch, 1])  # loss.anchorPhrases: apart from the data's draws
        torch.manual_seed(args.seed * 7919 + epoch)  # dropout
        perm = rng.permutation(n)
        for s in range(per_epoch):
            if step >= total:
                break
            t0 = time.time()
            idx = np.sort(perm[s * bs : (s + 1) * bs])
            image_out = None
            if cache:
                view, rows = cache[epoch % len(cache)], torch.from_numpy(idx)
                x, cov, flip, seen = None, view['cov'][rows], view['flip'][rows], view['seen'][rows]
                image_out = (view['img'][rows].to(device), view['patches'][rows].to(device))
            else:
                x, cov, flip, seen = augmented_batch(train, idx, cfg, mean, std, size, g, gen, device, fmt)
            texts, claims = data.sample_sentences(train, idx, cfg['data']['sentenceWeights'], rng)
            texts = [data.swap_sides(t) if f else t for t, f in zip(texts, flip.tolist())]
            pos_t, neg_t = prompts.sample_prompts(findings, rng, cfg['loss']['promptBareProb'], extended)
            neg_texts, neg_valid = [], None
            if n_neg:
                neg_texts, valid = data.sample_negation_texts(neg_pools, n_neg, rng)
                neg_valid = torch.from_numpy(valid)
            ids, mask = batcher(texts + pos_t + neg_t + neg_texts, device)
            labels = train.labels[idx].to(device)
            for group in opt.param_groups:
                group['lr'] = lr_at(step, total, cfg)
            batch = (x, cov.to(device), labels, claims, ids, mask, k, seen.to(device), neg_valid)
            extra = None
            if anchor is not None and n_phrases:
                extra = anchor_phrases(n_phrases, len(tok.vocab), tok.special_ids, tok.cls_id, tok.sep_id, phrase_rng,
                                       device)
            loss, parts = train_step(model, batch, cfg, pos_weight, special_ids, image_out,
                                     (anchor, extra) if anchor is not None else None)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg['optim']['gradClip'])
            opt.step()
            if device.type == 'cuda':
                torch.cuda.synchronize()
            dt = time.time() - t0
            here['steps'] += 1
            if step >= run_first + 3:  # a run's first steps are warm-up (allocator, kernels)
                here['images'] += bs
                here['timedSeconds'] += dt
            value = float(loss.detach())  # torch 2.x warns on float() of a tensor that requires grad
            history.append({'step': step, 'loss': value, **parts})
            if step % cfg['runtime']['logEvery'] == 0 or step == total - 1:
                ips = here['images'] / here['timedSeconds'] if here['timedSeconds'] else bs / dt
                log(f'epoch {epoch} step {step}/{total} loss {value:.4f} '
                    + ' '.join(f'{a} {b:.3f}' for a, b in parts.items())
                    + f' lr {lr_at(step, total, cfg):.2e} {ips:.1f} img/s')
            step += 1
        ev = cfg['runtime']['evalEvery']
        if ev and (epoch + 1) % ev == 0 and step < total:
            m = evaluate(model, val, val_pixels, batcher, findings, device)
            log(f'epoch {epoch}: val mean AUC {m["meanAuc"] or 0:.4f}, '
                f'pointing {m["meanPointing"] or 0:.3f}')
        here['seconds'] += time.time() - run_started
        run_started = time.time()
        torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step, 'epoch': epoch,
                    'history': history, 'config': cfg, 'seed': args.seed, 'init': init, 'vocab': vocab,
                    'findings': findings, 'excluded': list(excluded), 'exports': exports,
                    'run': {'seconds': time.time() - train_started, 'devices': devices}}, ckpt_path)
        if step >= total:
            break
    train_seconds = time.time() - train_started
    rate = {k: (v['images'] / v['timedSeconds'] if v['timedSeconds'] else 0.0) for k, v in devices.items()}
    main_device = max(devices, key=lambda k: devices[k]['steps']) if devices else device_name
    ips = rate.get(main_device, 0.0)  # of the device that trained most of the steps

    if start_weights is not None:  # validation, export and card are of the interpolated weights
        moved = interpolate_weights(model, start_weights, alpha)
        log(f'export.interpolate {alpha:g}: weights = --init-from + {alpha:g} × (trained − --init-from); L2 moved '
            + ', '.join(f'{t} {moved[t + "Trained"]:.3f} → {moved[t + "Exported"]:.3f}' for t in ('image', 'text')
                        if t + 'Trained' in moved))

    # Validation
    met = evaluate(model, val, val_pixels, batcher, findings, device,
                   [prompts.phrase(f) for f in findings + list(excluded)] if scores_regions(cfg) else None)
    log('val zero-shot AUC: ' + ', '.join(f'{f} {v["auc"] if v["auc"] is None else round(v["auc"], 3)}'
                                          for f, v in met['zeroShot'].items())
        + f'; mean {met["meanAuc"]}')
    log(f'val pointing game: mean {met["meanPointing"]}')
    if 'regionOffset' in met:
        log(f'regionOffset {met["regionOffset"]["value"]:.4f} (best region minus whole image, median over '
            f'{met["regionOffset"]["images"]} val images × {met["regionOffset"]["phrases"]} phrases)')
    first = np.mean([h['loss'] for h in history[:5]])
    last = np.mean([h['loss'] for h in history[-5:]])
    met['loss'] = {'first5': float(first), 'last5': float(last)}

    log(f'training {train_seconds:.1f} s, validation done at {time.time() - started:.1f} s')
    if args.train_only:
        log(f'--train-only: stopped before the export; {ckpt_path} holds the trained weights. The same command '
            'with --resume instead of --train-only exports, checks and bundles them.')
        return 0

    # Export and parity
    model = model.cpu().float().eval().to(memory_format=torch.contiguous_format)
    export.export_onnx(model, cfg, args.out)
    log(f'exported ONNX at {time.time() - started:.1f} s')
    n_par = cfg['parity']['images']
    par_pixels = val_pixels[:n_par]
    if len(par_pixels) < n_par:  # small val split: top up with augmented training images (distinct inputs)
        need = n_par - len(par_pixels)
        pick = torch.arange(need) % len(train.images)
        gen = torch.Generator().manual_seed(args.seed)
        extra, _ = augment.apply(train.images[pick], train.masks[pick], augment.draw(need, cfg['augment'], gen),
                                 cfg['augment'], size, g, gen)
        par_pixels = torch.cat([par_pixels, augment.normalize(extra, mean, std)])
    par_texts = list(dict.fromkeys([t for sents in val.sentences for t, _, _ in sents] + train_texts))
    par_texts = (prompts.all_prompt_texts(findings, extended) + par_texts)[: cfg['parity']['sentences']]
    par_dir = os.path.join(work, 'parity')
    export.dump_parity(model, par_pixels, par_texts, tok, par_dir)
    corpus_path = os.path.join(work, 'tokenizer_corpus.json')
    # The never-seen findings' prompts are tokenized at inference (zero-shot evaluation), so the parity
    # corpus holds them too; it is checked after training, never trained on.
    export.write_tokenizer_corpus(parity_corpus.build(train_texts,
                                                      prompts.all_prompt_texts(findings + list(excluded), extended)),
                                  tok, corpus_path)
    parity = {}
    log(f'parity inputs written at {time.time() - started:.1f} s')
    if not args.skip_parity:
        parity['tokenizer'] = export.run_node('check_tokenizer_parity.mjs', os.path.join(args.out, 'tokenizer.json'),
                                              corpus_path)
        parity['onnx'] = export.run_node('check_onnx_parity.mjs', args.out, par_dir, str(cfg['parity']['minCosine']))
        for name, r in parity.items():
            log(f'{name} parity: {"ok" if r["ok"] else "FAILED"} ' + json.dumps(
                {k: v for k, v in r.items() if k in ('identical', 'sentences', 'images', 'cos', 'error')}))

    # Bundle
    info = {
        'findings': findings,
        'neverSeen': list(excluded),
        'extendedWordings': extended,
        'grid': g,
        'mean': round(mean, 6),
        'std': round(std, 6),
        'logitScale': float(model.logit_scale),
        'vocabSize': len(tok.vocab),
        'params': {'image': n_img, 'text': n_txt},
        'steps': step,
        'trainSeconds': train_seconds,
        'imagesPerSecond': ips,
        'device': main_device,
        'devices': {k: {**v, 'imagesPerSecond': rate[k]} for k, v in devices.items()},  # the card names each share
        'metrics': met,
        'parity': parity,
        'provenance': {
            'recipe': 'models/train',
            'recipeVersion': RECIPE_VERSION,
            'git': bundle.git_info(REPO),
            'seed': args.seed,
            'config': cfg,
            'init': init,
            'torch': torch.__version__,
            'data': {
                'generator': man['generator'],
                'generatorVersion': man['generatorVersion'],
                'seed': man['seed'],
                'count': man['count'],
                'imageSize': man['imageSize'],
                'trainCount': len(train_recs),
                'valCount': len(val_recs),
                'valSource': (f'separate export: generator seed {vman["seed"]}, {vman["count"]} phantoms'
                              if args.val_data else f'{cfg["data"]["valFraction"]:.0%} hash split of the record ids'),
                'layout': 'allFindings (generator 1.1)' if lay.extended else 'findings (generator 1.0)',
                'findings': findings,
                'neverSeen': list(excluded),
                'exclusionCheck': {
                    'how': 'data.check_exclusion: labels, sentence findings, and the phrase, synonyms and lexicon '
                           '(prompts.TERMS) of each never-seen finding in every report and sentence text; '
                           'data.load: their mask bits',
                    'data': exclusion,
                    'valData': val_exclusion or None,
                    'lexicon': {x: prompts.TERMS.get(x) for x in excluded},
                    'wordings': {x: prompts.wordings(x) for x in excluded},
                } if excluded else None,
            },
        },
    }
    m = bundle.write(args.out, cfg, info, bundle.card(cfg, info))
    log(f'bundle: {args.out} ({m["totalBytes"] / 1e6:.2f} MB, {len(m["files"])} files); '
        f'total {time.time() - started:.1f} s')
    ok = all(r['ok'] for r in parity.values())
    with open(os.path.join(work, 'summary.json'), 'w', encoding='utf-8') as f:
        json.dump({'ok': ok, 'imagesPerSecond': ips, 'trainSeconds': train_seconds,
                   'totalSeconds': time.time() - started, 'metrics': met, 'parity': parity,
                   'bundleBytes': m['totalBytes']}, f, indent=2)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
