"""Test corpus for the Python/JS tokenizer parity check: the training sentences and
prompts, hand-written edge cases, and deterministic random mutations of real
sentences (case, punctuation, numbers, hyphens, unknown and accented words)."""

from __future__ import annotations

import numpy as np

EDGE_CASES = [
    '',
    ' ',
    'No pleural effusion.',
    'NO PLEURAL EFFUSION',
    'No   pleural\teffusion\n',
    'Small left-sided pleural effusion, unchanged since 2024-03-01.',
    'Nodule measures 1.5 x 2.3 cm (previously 12mm).',
    'ET tube tip ~4.5 cm above the carina; NG tube below the diaphragm.',
    "There's a right PTX/effusion? Can't exclude.",
    'Heart size: normal!!! Lungs: clear...',
    'Status-post CABG with sternotomy wires #7.',
    'Findings: 1) Cardiomegaly 2) Mild edema 3) No pneumothorax.',
    'Zyxqvbronchiectasis and supercalifragilistic opacities.',
    'Naïve café résumé: pleural effusion über alles.',
    'Ünïcödé ÀÉÎÕÜ accents çà et là.',
    'Opacity — likely atelectasis – versus consolidation…',
    '“Quoted” ‘phrases’ «guillemets» and ¿inverted¡ marks.',
    'Temperature 38°C, SpO2 95%, ±2 mm, 3×4 cm, → stable.',
    '肺 nodule 结节 in the 右 lung.',
    'Emoji 🙂 in a report 🫁 line.',
    'Zero\u200bwidth and\u00a0no-break\u2003spaces\u2028line sep.',
    'Control\x00chars\x07and\x1bescapes\ufeff.',
    'Replacement \ufffd char.',
    '[CLS] literal special [SEP] tokens [UNK] and [MASK] [PAD]',
    '[cls] lower-case specials [sep]',
    'x' * 101,
    'a' * 100,
    'pneumothorax' * 9,
    'İstanbul ΣΊΣΥΦΟΣ straße ǅ',
    'tab\tseparated\tvalues',
    '12345678901234567890 0.000001 1e-5 -3 +4',
    'C-reactive protein; T4-T5 level; L1/L2.',
    'right-to-left shunt? left-to-right!',
    "O'Brien's lung; patient's heart.",
    'ALL CAPS REPORT WITH NO PUNCTUATION',
    'mixedCase WordsLike iPhone and McDonald',
    'Edema\r\nwith CRLF\rline endings',
]

_UNKNOWN = ['zorblax', 'quintessential', 'hyperlucency', 'ground-glass', 'bronchovascular', 'xyzzy', 'perihilar']
_PUNCT = ['.', ',', ';', ':', '!', '?', '-', '/', '(', ')', '"', "'"]


def _mutate(s: str, rng: np.random.Generator) -> str:
    words = s.split()
    if not words:
        return s
    op = rng.integers(7)
    i = int(rng.integers(len(words)))
    if op == 0:
        return s.upper()
    if op == 1:
        words[i] = words[i].capitalize() if rng.random() < 0.5 else words[i].swapcase()
    elif op == 2:
        words.insert(i, str(rng.integers(0, 1000)) + rng.choice(['', ' cm', 'mm', '%', '.5']))
    elif op == 3:
        words.insert(i, _UNKNOWN[rng.integers(len(_UNKNOWN))])
    elif op == 4:
        words[i] = words[i] + _PUNCT[rng.integers(len(_PUNCT))]
    elif op == 5 and len(words) > 1:
        j = min(i + 1, len(words) - 1)
        words[i : j + 1] = ['-'.join(words[i : j + 1])]
    else:
        words[i] = words[i] + rng.choice(['ing', 'ed', 's', 'ness', 'ity'])
    return ' '.join(words)


def build(sentences: list[str], prompts: list[str], min_size: int = 600, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    base = list(dict.fromkeys(sentences))
    out = EDGE_CASES + prompts + base[:400]
    while len(out) < min_size + len(EDGE_CASES):
        out.append(_mutate(base[rng.integers(len(base))] if base else 'no finding', rng))
    return list(dict.fromkeys(out))
