"""The recipe's bundle: manifest.json (through the shared writer, `manifest`) and card.md.

The manifest is the only place the app learns how to feed the model, so every
preprocessing choice made in training is stated here explicitly (scale of the
mean/std, resize method, letterbox, DICOM policy, truncation).
"""

from __future__ import annotations

import os
import subprocess

from . import manifest as mf
from . import prompts

MAX_BUNDLE_BYTES = 40 * 1024 * 1024
INTENDED_USE = 'research use, not for clinical decisions'


def git_info(repo_dir: str) -> dict:
    """Commit of the recipe and whether models/train had uncommitted changes (read-only git)."""
    try:
        commit = subprocess.run(
            ['git', '-C', repo_dir, 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ['git', '-C', repo_dir, 'status', '--porcelain', '--', 'models/train'], capture_output=True, text=True
        ).stdout.strip()
        return {'commit': commit, 'recipeDirty': bool(dirty)}
    except (OSError, subprocess.CalledProcessError):
        return {'commit': None, 'recipeDirty': None}


def manifest(out_dir: str, cfg: dict, info: dict) -> dict:
    """The manifest of the bundle in out_dir. info: findings, grid, mean, std, provenance, metrics,
    parity (from train.py)."""
    b, im, tk = cfg['bundle'], cfg['image'], cfg['tokenizer']
    d, g = cfg['embed']['dim'], info['grid']
    # Pad the shorter side with 0 (air) to a centred square, then area-average down to size.
    # DICOM: first Window Center/Width (else VOI LUT, else min–max), 8-bit, MONOCHROME1 inverted after VOI.
    image = mf.image_section(size=(im['size'], im['size']), channels=im['channels'], resize='letterbox',
                             interpolation='area', value_range=1, mean=[info['mean']], std=[info['std']],
                             patches='patch_embeds', patch_grid=(g, g))
    text = {
        **mf.text_section(max_length=tk['maxLength'], pad_to_max_length=False, pad_id=0, lowercase=True,
                          mask='attention_mask'),
        # Descriptive, like everything below `text`: the app ignores these.
        'pooling': cfg['text']['pooling'],
        'truncation': 'keep [CLS] + the first maxLength-2 pieces + [SEP] '
        '(@huggingface/tokenizers 0.2 does not truncate by itself)',
    }
    extra = {
        'outputs': {
            'image_embeds': {'shape': ['N', d], 'l2Normalized': True},
            'patch_embeds': {
                'shape': ['N', g * g, d],
                'grid': [g, g],
                'order': f'row-major: index = y*{g} + x, y from the top, x from the image left',
                'l2Normalized': True,
            },
            'text_embeds': {'shape': ['N', d], 'l2Normalized': True},
            'token_embeds': {'shape': ['N', 'L', d], 'l2Normalized': True, 'note': 'padding positions are garbage'},
        },
        'grounding': {
            'heatmap': 'cosine(patch_embeds[p], text_embeds): > 0 where the phrase is present '
            '(trained with BCE on logitScale·cosine against the phantom masks)',
        },
        'zeroShot': zero_shot_section(info['findings'], info.get('neverSeen', []), info.get('extendedWordings', False)),
        'metrics': info['metrics'],
        'parity': info['parity'],
    }
    return mf.build_manifest(out_dir, id=b['id'], name=b['name'], version=b['version'], licence=b['licence'],
                             intended_use=INTENDED_USE, trained_on_synthetic_data=True,
                             provenance=info['provenance'], embedding_dim=d, logit_scale=info['logitScale'],
                             image=image, text=text, extra=extra,
                             # 2 decimals: a median over one set of images, not a fitted constant
                             region_offset=(round(info['metrics']['regionOffset']['value'], 2)
                                            if 'regionOffset' in info['metrics'] else None))


def zero_shot_section(findings: list[str], never_seen: list[str], extended: bool = False) -> dict:
    """The manifest's zeroShot section (descriptive: the app reads none of it yet). findings: trained on, in
    the order of the training export; neverSeen: excluded from every training image and text (their phrases
    are here because the evaluation asks about them); prompts: each finding's wordings (phrase first, then
    synonyms and abbreviations) and the shared templates, the ensemble the model was trained to answer."""
    return {
        'rule': 'CheXzero: p = softmax(logitScale·[cos(image, phrase), cos(image, negation)])[0]',
        'negation': 'no {}',
        'findings': list(findings),
        'neverSeen': list(never_seen),
        'prompts': {
            'templates': {'positive': list(dict.fromkeys(prompts.POSITIVE_TEMPLATES)),
                          'negative': list(dict.fromkeys(prompts.NEGATIVE_TEMPLATES))},
            'wordings': prompts.ensemble(list(findings) + list(never_seen), extended),
            **({'statements': {'positive': {f: prompts.POSITIVE_STATEMENTS[f] for f in findings
                                            if f in prompts.POSITIVE_STATEMENTS},
                               'negative': {f: prompts.NEGATED_STATEMENTS[f] for f in findings
                                            if f in prompts.NEGATED_STATEMENTS}}} if extended else {}),
        },
    }


def write(out_dir: str, cfg: dict, info: dict, card_text: str) -> dict:
    with open(os.path.join(out_dir, 'card.md'), 'w', encoding='utf-8') as f:
        f.write(card_text)
    return save(out_dir, manifest(out_dir, cfg, info), max_bytes=MAX_BUNDLE_BYTES)


def save(out_dir: str, m: dict, max_bytes: int | None = None) -> dict:
    """Re-hash the bundle's files into m, with their total (at most max_bytes, when given), then
    validate and write it."""
    m['files'] = mf.bundle_files(out_dir)
    m['totalBytes'] = sum(f['bytes'] for f in m['files'].values())
    if max_bytes is not None and m['totalBytes'] > max_bytes:
        raise RuntimeError(f'bundle is {m["totalBytes"] / 1e6:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit')
    mf.write_manifest(out_dir, m)
    return m


def refresh_checksums(out_dir: str) -> dict:
    """Re-hashes the bundle's files after one changed, e.g. card.md gained the held-out evaluation;
    everything else in the manifest is kept."""
    return save(out_dir, mf.read_manifest(out_dir))


def _fmt(x, digits=3):
    return '—' if x is None else f'{x:.{digits}f}'


def _recovered(init: dict) -> str:
    r = init.get('recoveredFrom')
    return (f", recovered from the exported bundle {r['bundle']} {r['version']} by checkpoint_from_bundle.py"
            if r else '')


def _trained_on(info: dict) -> str:
    """The device and its images/s; a run resumed on another device names each one's share."""
    devices = info.get('devices') or {}
    if len(devices) > 1:
        return ' and '.join(f"{k} ({v['steps']} steps, {v['seconds'] / 60:.1f} min, {v['imagesPerSecond']:.1f} "
                            'images/s)' for k, v in devices.items())
    return f"{info['device']} ({info['imagesPerSecond']:.1f} images/s)"


def _stages(cfg: dict, prov: dict) -> str:
    """The earlier stages of a run started with --init-from, oldest first."""
    chain, init = [], prov.get('init')
    while init:
        chain.append(init)
        init = init.get('provenance')
    if not chain:
        return ''
    earlier = '; '.join(
        f"{i['steps']} steps at {i['config']['image']['size']}² (seed {i['seed']}, lr {i['config']['optim']['lr']:g}, "
        f"checkpoint sha256 {i['sha256'][:12]}…{_recovered(i)})"
        for i in reversed(chain)
    )
    return (f"\nThese steps continue from earlier weights (`--init-from`), at {cfg['image']['size']}² input: "
            f"before them, {earlier}. Fine-tuning briefly at a larger input shows small findings at more "
            "pixels for a fraction of the cost of training at that size throughout (FixRes; CLIP's extra "
            "epoch at 336 px).")


def _frozen(cfg: dict) -> str:
    """optim.freeze: the towers this run left as the earlier stage had them."""
    towers = cfg['optim'].get('freeze', [])
    if not towers:
        return ''
    locked, trained = towers[0], 'image' if towers[0] == 'text' else 'text'
    also = (' Its text embeddings are the earlier stage\'s, and so are its report-language figures (polarity, '
            'synonyms).' if locked == 'text' else '')
    views = cfg['optim'].get('cacheImage', 0)
    if views:
        also += (f' The locked image encoder\'s outputs were computed once, for {views} augmented view(s) of each '
                 'training image, and each epoch read one (`optim.cacheImage`).')
    return f'\nThe {locked} encoder stayed locked (`optim.freeze`); only the {trained} encoder trained.{also}'


def _interpolated(cfg: dict) -> str:
    """export.interpolate: the shipped weights lie between the earlier stage's and the trained ones."""
    alpha = cfg.get('export', {}).get('interpolate', 1.0)
    if alpha >= 1:
        return ''
    return (f'\nThe exported weights are not the last step\'s: each is the earlier stage\'s plus {alpha:g} of the way '
            'to its trained value (`export.interpolate`; weight-space ensembling, WiSE-FT), which keeps part of what '
            'the earlier weights knew and this stage\'s data does not teach. Every figure below is of these weights.')


def _region(met: dict) -> str:
    """The manifest's regionOffset and how it was set, when the run trained its patch grid against text."""
    r = met.get('regionOffset')
    if not r:
        return ''
    return (f"The app's zero-shot scores weigh the whole image and its best patch-grid region (docs/region-scores.md); "
            f"`regionOffset` {r['value']:.2f} places them: the median, over these {r['images']} validation images and "
            f"{r['phrases']} finding phrases, of the best region's margin minus the whole image's (label-free).\n\n")


BASE_FINDINGS = ('pleural_effusion', 'cardiomegaly', 'pneumothorax', 'nodule', 'consolidation', 'atelectasis',
                 'edema', 'support_devices')  # generator 1.0's eight


def _names(xs) -> str:
    return ', '.join(x.replace('_', ' ') for x in xs) or 'none'


def _findings(info: dict) -> str:
    """Which findings the model was trained on and which it never saw, and how the latter was ensured."""
    prov = info['provenance']
    trained, never = info['findings'], info.get('neverSeen', [])
    base = [f for f in trained if f in BASE_FINDINGS]
    rare = [f for f in trained if f not in BASE_FINDINGS]
    out = f"Trained on {len(trained)} findings: {_names(base)}" + (f"; and the rarer {_names(rare)}" if rare else '')
    out += '.'
    if not never:
        return out + ' No finding was held out of training.\n'
    chk = prov['data'].get('exclusionCheck') or {}
    scanned, val = chk.get('data') or {}, chk.get('valData')
    fake = prov['data']['generator'] != 'radsift-phantom'
    made = (f"`fake_data.py --exclude-findings {','.join(never)}`" if fake
            else f"`radsift demo --exclude-findings {','.join(never)}`")
    val_note = (f" and the {val['records']} reports ({val['sentences']} sentences) of the validation export"
                if val else '')
    chain, init = [], prov.get('init')
    while init:
        chain.append(init)
        init = init.get('provenance')
    n = len(chain)
    stages = (f" The {'earlier stage' if n == 1 else f'{n} earlier stages'} whose weights this run continues "
              f"(`--init-from`) excluded them too, checked the same way: train.py refuses weights whose checkpoint "
              'does not record excluding them.' if chain else '')
    return out + f"""

**Never seen: {_names(never)}.** No training or validation image shows them and no training text names them,
not even negated. The exports were generated with {made} (the generator forces them absent in every case
and writes no sentence about them), and before training the recipe checked what it was given
(`data.check_exclusion`, `data.load`): no label, mask bit or sentence of theirs, and none of their words
(phrase, synonyms, abbreviations, lexicon: `radsift_train/prompts.py`) in any of the
{scanned.get('records', '?')} reports ({scanned.get('sentences', '?')} sentences) of the training export{val_note};
the run stops at the first one. No training prompt names them and the tokenizer's vocabulary holds none of their
words (both checked).{stages}
Their phrases appear only in the manifest's zero-shot prompt list (`zeroShot.neverSeen`, `zeroShot.prompts`),
because the evaluation asks about them; what the model does with them is zero-shot transfer from the words it
was trained on, and few-shot probes on its image embeddings.
"""


def card(cfg: dict, info: dict) -> str:
    prov, met, par = info['provenance'], info['metrics'], info['parity']
    data = prov['data']
    fake = data['generator'] != 'radsift-phantom'
    rows = '\n'.join(
        f"| {f.replace('_', ' ')} | {_fmt(v['auc'])} | {_fmt(v['p_at_5'], 2)} | {_fmt(met['pointingGame'].get(f), 2)} "
        f"| {v['positives']} |"
        for f, v in met['zeroShot'].items()
    )
    onnx_par = par.get('onnx', {})
    cos = onnx_par.get('cos', {})
    cos_line = ', '.join(f"{k} {_fmt(v.get('min'), 6)}" for k, v in cos.items()) or 'not run'
    warning = (
        '\n> **Trained on the recipe\'s fake stand-in data (`fake_data.py`), not on phantoms. '
        'For tests only; do not ship.**\n'
        if fake
        else ''
    )
    pooling = ' (mean and max pooled)' if cfg['image'].get('pool') == 'meanmax' else ''
    weights = cfg['loss']['weights']
    negation = (
        '\nA text-side term orders report sentences: the phrase nearer its positive sentences than its negated ones, '
        'each sentence nearer "finding" or "no finding" as its polarity says.'
        if weights.get('negation', 0) > 0
        else ''
    ) + (
        " A finding-identity term keeps each finding's positive sentences nearest its own phrase."
        if weights.get('identity', 0) > 0
        else ''
    )
    pointing = (
        ' A pointing term asks the same masks for the hottest patch: softmax over the image\'s patches, mass inside '
        'the finding.'
        if weights.get('pointing', 0) > 0
        else ''
    ) + (
        " A region prompt-pair term trains the score the app reads: the mean of the whole image's and the best "
        "patch's margin (phrase over its negation), less their median gap, against each image's labels."
        if weights.get('regionPrompt', 0) > 0
        else ''
    )
    return f"""# {cfg['bundle']['name']} ({cfg['bundle']['id']} {cfg['bundle']['version']})
{warning}
Intended use: {INTENDED_USE}. Licence: {cfg['bundle']['licence']}.

## What it is
A ConVIRT-style pair of encoders trained from scratch by `models/train/` (recipe {prov['recipeVersion']}):
a small ResNet-style CNN ({info['params']['image'] / 1e6:.2f} M parameters, {cfg['image']['size']}² grayscale input,
global embedding{pooling} + {info['grid']}×{info['grid']} patch embeddings) and a {cfg['text']['layers']}-layer transformer
({info['params']['text'] / 1e6:.2f} M parameters, WordPiece vocabulary of {info['vocabSize']} tokens), both projected
into a {cfg['embed']['dim']}-d joint space, logit scale {info['logitScale']:.1f}.

## Training data
{data['generator']} {data['generatorVersion']}, data seed {data['seed']}: {data['trainCount']} training and
{data['valCount']} validation images ({data['valSource']}). Synthetic phantoms only: nothing here
has seen a real radiograph, so performance on real images is unknown and expected to be poor.

## Findings
{_findings(info)}
## Objectives
Bidirectional InfoNCE (λ = {cfg['loss']['lambda']}) on one report sentence per image per step, negated sentences
included, with label-aware soft targets (images whose sentences imply the same findings are not negatives);
the CheXzero "phrase vs no phrase" rule as an auxiliary loss; GLoRIA-style word–region alignment; and a grounding
loss that uses the phantom masks (patch–phrase cosine > 0 inside the finding, < 0 outside). The last one is
supervision that real report data does not provide.{pointing}{negation}

## Validation (held-out split of the training export, bare phrase vs "no phrase")
Mean zero-shot AUC {_fmt(met['meanAuc'])}; mean pointing game {_fmt(met['meanPointing'], 2)}.

| finding | zero-shot AUC | P@5 | pointing game | positives |
|---|---|---|---|---|
{rows}

{_region(met)}The full evaluation (held-out seeds, shifted acquisition, negation ordering, linear probe) is `radsift eval`.

## Export and parity
ONNX opset 17; onnxruntime-node vs PyTorch minimum cosine on {onnx_par.get('images', 0)} images and
{onnx_par.get('sentences', 0)} sentences: {cos_line}. Tokenizer parity (JS vs Python):
{par.get('tokenizer', {}).get('identical', 0)}/{par.get('tokenizer', {}).get('sentences', 0)} sentences identical.

## Training run
{info['steps']} steps, batch {cfg['optim']['batchSize']}, {info['trainSeconds'] / 60:.1f} min on {_trained_on(info)},
seed {prov['seed']}.{_stages(cfg, prov)}{_frozen(cfg)}{_interpolated(cfg)}

## Limits
- Synthetic training data; findings look like the generator draws them.
- Laterality is learned only as far as the phantom reports state it; no horizontal flip in training.
- Negated phrases ("no effusion") have no meaningful heatmap.
"""
