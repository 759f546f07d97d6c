"""Read the phantom generator's training export (the data contract, see README.md)
into memory, and sample one report sentence per image per step.

Both export layouts load: generator 1.1's `all*` keys (every finding; masks as 8-bit planes, finding k
in plane k>>3, bit k&7; `excludedFindings` never drawn nor named), read in preference, and generator
1.0's keys (at most 8 findings, one 8-bit mask). A run trains on the export's findings minus the
excluded ones, and checks that no excluded finding reaches it (check_exclusion, and the mask bits in
load): the card's "never seen" rests on that check, not only on the generator's word.

Images are kept as uint8 at a "source" size a little above the model input, so
random crops rarely upsample and never alias; masks are kept per finding as
coverage fractions on a small grid, which is all the grounding loss needs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from . import prompts

GENERATORS = ('radsift-phantom', 'radsift-train-fake')
POLARITY_CLAIM = {'positive': 1, 'negated': -1, 'uncertain': 0, 'none': 0}


ExclusionError = prompts.ExclusionError  # a finding the run must never see is in its training data


def read_manifest(data_dir: str) -> dict:
    with open(os.path.join(data_dir, 'manifest.json'), encoding='utf-8') as f:
        m = json.load(f)
    for key in ('generator', 'generatorVersion', 'seed', 'count', 'imageSize', 'findings'):
        if key not in m:
            raise ValueError(f'{data_dir}/manifest.json: missing "{key}"')
    if m['generator'] not in GENERATORS:
        raise ValueError(f'{data_dir}: unknown generator {m["generator"]!r}')
    if 'allFindings' in m:
        planes = m.get('maskPlanes')
        if not isinstance(planes, int) or planes < 1 or len(m['allFindings']) > 8 * planes:
            raise ValueError(f'{data_dir}/manifest.json: {len(m["allFindings"])} findings need '
                             f'{-(-len(m["allFindings"]) // 8)} mask planes, maskPlanes is {planes!r}')
        if len(set(m['allFindings'])) != len(m['allFindings']):
            raise ValueError(f'{data_dir}/manifest.json: allFindings repeats a name')
        unknown = [x for x in m.get('excludedFindings', []) if x not in m['allFindings']]
        if unknown:
            raise ValueError(f'{data_dir}/manifest.json: excludedFindings {unknown} are not in allFindings')
    elif len(m['findings']) > 8:  # generator 1.0's one 8-bit mask
        raise ValueError(f'{data_dir}/manifest.json: {len(m["findings"])} findings without allFindings/maskPlanes: '
                         'the 8-bit mask of generator 1.0 holds at most 8')
    return m


@dataclass(frozen=True)
class Layout:
    """What an export holds. findings: the ones to train on, in bit order (allFindings minus
    excludedFindings; generator 1.0: findings); all_findings: every bit, in order; excluded: never
    drawn nor named in the set (also those the run asks to be, with never_seen); extended: the
    all* keys (generator 1.1) are read rather than the 1.0 ones."""

    findings: tuple[str, ...]
    all_findings: tuple[str, ...]
    excluded: tuple[str, ...]
    extended: bool

    def bit(self, finding: str) -> tuple[int, int]:
        """(mask plane, bit in it) of a finding: plane k>>3, bit k&7 for its index k in all_findings."""
        k = self.all_findings.index(finding)
        return k >> 3, k & 7


def layout(m: dict, never_seen: list[str] | tuple[str, ...] = ()) -> Layout:
    """The export's layout, for a run that must never see never_seen (config data.neverSeen): each of those
    must be excluded by the export itself (generator --exclude-findings), or the run stops here."""
    if 'allFindings' in m:
        all_f, excluded = tuple(m['allFindings']), tuple(m.get('excludedFindings', []))
    else:
        all_f, excluded = tuple(m['findings']), ()
    missing = [x for x in never_seen if x not in excluded]
    if missing:
        raise ExclusionError(
            f'the run must never see {", ".join(missing)}, but the export does not exclude '
            f'{"them" if len(missing) > 1 else "it"} (excludedFindings: {list(excluded) or "none"}); '
            'generate it with radsift demo --exclude-findings ' + ','.join(never_seen))
    return Layout(tuple(f for f in all_f if f not in excluded), all_f, excluded, 'allFindings' in m)


def check_exclusion(records: list[dict], excluded: tuple[str, ...] | list[str], where: str = 'records.jsonl') -> dict:
    """Fails loudly (ExclusionError) when an excluded finding is in the export's text or labels: a label
    of 1, a sentence that lists it (allFindings), or its words (prompts.names: phrase, synonyms,
    lexicon) in any sentence or report text. records: as read from records.jsonl. Returns what was
    scanned, for the card."""
    hits, n_sent, n_text = [], 0, 0
    named_by = {x: prompts.namer(x) for x in excluded}
    for n, r in enumerate(records, 1):
        for x in excluded:
            if r.get('allLabels', {}).get(x, 0) or r.get('labels', {}).get(x, 0) or x in (r.get('attributes') or {}):
                hits.append(f'{where}:{n} ({r.get("id")}): labelled {x}')
        texts = [r.get('report') or '']
        for s in r.get('sentences', []):
            n_sent += 1
            texts.append(s.get('text', ''))
            named = set(s.get('allFindings', [])) | set(s.get('findings', []))
            hits += [f'{where}:{n} ({r.get("id")}): sentence lists {x}: "{s.get("text")}"' for x in excluded
                     if x in named]
        for t in texts:
            n_text += 1
            hits += [f'{where}:{n} ({r.get("id")}): names {x}: "{t[:160]}"' for x in excluded if named_by[x](t)]
        if len(hits) > 20:
            break
    if hits:
        raise ExclusionError(f'{len(hits)}{"+" if len(hits) > 20 else ""} mentions of findings this run must never '
                             'see (' + ', '.join(excluded) + '):\n  ' + '\n  '.join(hits[:20]))
    return {'records': len(records), 'sentences': n_sent, 'texts': n_text}


def read_records(data_dir: str, lay: Layout, exclusion: dict | None = None) -> list[dict]:
    """records.jsonl, checked against the layout and normalised to what `load` reads: id, image, planes
    (mask plane files, plane 0 first), labels {finding: 0|1} over lay.findings, sentences
    [(text, findings, polarity)] with the findings restricted to lay.findings. Raises ExclusionError when an
    excluded finding shows up (check_exclusion, whose summary goes into `exclusion` when given)."""
    raw = []
    with open(os.path.join(data_dir, 'records.jsonl'), encoding='utf-8') as f:
        for line in f:
            if line.strip():
                raw.append(json.loads(line))
    if lay.excluded:
        scanned = check_exclusion(raw, lay.excluded, os.path.join(data_dir, 'records.jsonl'))
        if exclusion is not None:
            exclusion.update(scanned)
    known = set(lay.all_findings)
    out = []
    for n, r in enumerate(raw, 1):
        need = ('id', 'image', 'allLabels', 'maskPlanes', 'sentences') if lay.extended else \
            ('id', 'image', 'mask', 'labels', 'sentences')
        missing = [k for k in need if k not in r]
        labels = r.get('allLabels' if lay.extended else 'labels', {})
        if missing or set(labels) != known:
            raise ValueError(f'records.jsonl:{n}: missing {missing} or labels != manifest '
                             f'{"allFindings" if lay.extended else "findings"}')
        planes = r['maskPlanes'] if lay.extended else [r['mask']]
        if lay.extended and len(planes) < -(-len(lay.all_findings) // 8):
            raise ValueError(f'records.jsonl:{n}: {len(planes)} mask planes for {len(lay.all_findings)} findings')
        sents = []
        for s in r['sentences']:
            fs = s.get('allFindings', []) if lay.extended else s.get('findings', [])
            pol = s.get('allPolarity') if lay.extended else s.get('polarity')
            if pol not in POLARITY_CLAIM or any(x not in known for x in fs):
                raise ValueError(f'records.jsonl:{n}: bad sentence {s!r}')
            sents.append((s['text'], [x for x in fs if x in lay.findings], pol))
        out.append({'id': r['id'], 'image': r['image'], 'planes': planes,
                    'labels': {x: labels[x] for x in lay.findings}, 'sentences': sents})
    return out


def fingerprint(data_dir: str) -> dict:
    """sha256 of an export's manifest.json (generator version, seed, count, sizes, exclusions) and records.jsonl
    (every record's files, labels and report), which identify it: its images and masks are the generator's pure
    function of the same. A resumed run refuses an export with other digests."""
    out = {}
    for name in ('manifest.json', 'records.jsonl'):
        h = hashlib.sha256()
        with open(os.path.join(data_dir, name), 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                h.update(chunk)
        out[name] = h.hexdigest()
    return out


def split(records: list[dict], val_fraction: float) -> tuple[list[dict], list[dict]]:
    """By a hash of the id: stable whatever the order, count or seed of the run."""

    def bucket(r):
        return int(hashlib.sha256(r['id'].encode()).hexdigest()[:8], 16) / 0x100000000

    return [r for r in records if bucket(r) >= val_fraction], [r for r in records if bucket(r) < val_fraction]


@dataclass
class Split:
    images: torch.Tensor  # uint8 [N, S, S]
    masks: torch.Tensor  # uint8 [N, K, M, M], coverage fraction · 255
    labels: torch.Tensor  # float [N, K]
    sentences: list[list[tuple[str, np.ndarray, str]]]  # per image: (text, claims int8 [K], polarity)
    ids: list[str]


def _box(arr: np.ndarray, size: int) -> np.ndarray:
    if arr.shape[0] == size and arr.shape[1] == size:
        return arr.astype(np.float32)
    return np.asarray(Image.fromarray(arr.astype(np.float32)).resize((size, size), Image.BOX))


def load(data_dir: str, records: list[dict], lay: Layout, image_size: int, mask_size: int) -> Split:
    """records: from read_records. image_size: area (box) resize target; mask_size: grid of the
    per-finding coverage. An excluded finding's mask bit set anywhere is an ExclusionError: the image
    side must not see it either."""
    findings = list(lay.findings)
    n, k = len(records), len(findings)
    images = np.zeros((n, image_size, image_size), np.uint8)
    masks = np.zeros((n, k, mask_size, mask_size), np.uint8)
    labels = np.zeros((n, k), np.float32)
    where = [lay.bit(f) for f in findings]
    banned = {}
    for x in lay.excluded:
        p, b = lay.bit(x)
        banned[p] = banned.get(p, 0) | (1 << b)
    used = sorted({p for p, _ in where} | set(banned))

    def one(i: int, r: dict) -> list:
        img = np.asarray(Image.open(os.path.join(data_dir, r['image'])).convert('L'))
        images[i] = np.clip(_box(img, image_size).round(), 0, 255).astype(np.uint8)
        planes = {p: np.asarray(Image.open(os.path.join(data_dir, r['planes'][p]))) for p in used}
        for p, bits in banned.items():
            if (planes[p] & bits).any():
                raise ExclusionError(f'{r["id"]}: the mask ({r["planes"][p]}) has the bit of an excluded finding '
                                     f'({", ".join(x for x in lay.excluded if lay.bit(x)[0] == p)})')
        for j, (p, b) in enumerate(where):
            plane = ((planes[p] >> b) & 1).astype(np.float32)
            if plane.any():
                masks[i, j] = np.clip((_box(plane, mask_size) * 255).round(), 0, 255).astype(np.uint8)
        labels[i] = [r['labels'][f] for f in findings]
        sents = []
        for text, fs, polarity in r['sentences']:
            claims = np.zeros(k, np.int8)
            for f in fs:
                claims[findings.index(f)] = POLARITY_CLAIM[polarity]
            sents.append((text, claims, polarity))
        return sents

    # PNG decoding and PIL's resize release the GIL: threads fill the arrays by index (the same bytes
    # whatever their number), and map raises the first error in record order.
    with ThreadPoolExecutor(max_workers=min(16, os.cpu_count() or 1)) as pool:
        sentences = list(pool.map(one, range(n), records))
    ids = [r['id'] for r in records]
    return Split(torch.from_numpy(images), torch.from_numpy(masks), torch.from_numpy(labels), sentences, ids)


def sample_sentences(split: Split, idx: np.ndarray, weights: dict[str, float], rng: np.random.Generator):
    """One sentence per image, drawn with per-polarity weights (negated ones included:
    they are most of what real reports say). Returns texts, claims [B, K] int8."""
    texts, claims = [], []
    for i in idx:
        sents = split.sentences[i]
        if not sents:
            texts.append('')
            claims.append(np.zeros(split.labels.shape[1], np.int8))
            continue
        w = np.array([weights.get(p, 1.0) for _, _, p in sents], np.float64)
        w = w / w.sum() if w.sum() > 0 else np.full(len(sents), 1.0 / len(sents))
        t, c, _ = sents[rng.choice(len(sents), p=w)]
        texts.append(t)
        claims.append(c)
    return texts, np.stack(claims)


_SIDE = re.compile(r'\b(left|right)\b', re.IGNORECASE)


def swap_sides(text: str) -> str:
    """Companion of a horizontal flip: the patient's left becomes the image's other side."""

    def repl(m):
        w = m.group(0)
        o = 'right' if w.lower() == 'left' else 'left'
        return o.capitalize() if w[0].isupper() else o

    return _SIDE.sub(repl, text)


def pixel_stats(images: torch.Tensor) -> tuple[float, float]:
    """Mean and std on the 0–1 scale, written into the manifest for the app to apply."""
    s = s2 = 0.0
    for chunk in images.split(256):  # chunked: the whole set in float64 would need GBs
        x = chunk.double() / 255.0
        s += float(x.sum())
        s2 += float((x * x).sum())
    n = images.numel()
    mean = s / n
    return mean, (s2 / n - mean * mean) ** 0.5


def negation_pools(split: Split) -> list[tuple[list[str], list[str]]]:
    """Per finding: the distinct report sentences that assert it and that negate it."""
    k = split.labels.shape[1]
    pools: list[tuple[set, set]] = [(set(), set()) for _ in range(k)]
    for sents in split.sentences:
        for text, claims, _ in sents:
            for j in np.nonzero(claims)[0]:
                pools[j][0 if claims[j] > 0 else 1].add(text)
    return [(sorted(p), sorted(n)) for p, n in pools]


def sample_negation_texts(pools, m: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """M positive then M negated sentences per finding (with replacement), flattened in
    [K, 2, M] order, and a valid mask of that shape (False where a pool is empty)."""
    texts, valid = [], np.zeros((len(pools), 2, m), bool)
    for j, sides in enumerate(pools):
        for s, pool in enumerate(sides):
            if pool:
                texts += [pool[i] for i in rng.integers(len(pool), size=m)]
                valid[j, s] = True
            else:
                texts += [''] * m
    return texts, valid
