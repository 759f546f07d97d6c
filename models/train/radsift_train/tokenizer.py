"""WordPiece tokenizer: vocabulary building, tokenizer.json writing, and encoding.

The app tokenizes with @huggingface/tokenizers 0.2 (pure JS) reading the bundle's
tokenizer.json, and no `tokenizers` wheel exists for Debian's Python, so this module
re-implements exactly what that JS library does for the components we emit
(BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing "[CLS] $A [SEP]").
Where the JS library deviates from the Rust crate (e.g. CJK detection on UTF-16 code
units), we follow the JS, because the JS is what ships. check_tokenizer_parity.mjs
proves the two agree id for id.

Note: @huggingface/tokenizers 0.2 ignores tokenizer.json's "truncation" block, so
callers must truncate themselves: keep [CLS], the first max_length-2 pieces, [SEP]
(what `encode_batch` does and what the manifest documents).
"""

from __future__ import annotations

import collections
import json
import unicodedata

PAD, UNK, CLS, SEP, MASK = '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'
SPECIAL_TOKENS = [PAD, UNK, CLS, SEP, MASK]  # ids 0..4, in this order
PREFIX = '##'
MAX_INPUT_CHARS_PER_WORD = 100

# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator); differs from str.isspace().
_JS_WHITESPACE = frozenset('\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff') | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)
_ASCII_PUNCT = frozenset(
    chr(c) for r in ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)) for c in range(r[0], r[1] + 1)
)


def _is_js_control(ch: str) -> bool:
    if ch in '\t\n\r':
        return False
    return unicodedata.category(ch) in ('Cc', 'Cf', 'Co', 'Cs')


def _is_chinese_bmp(cp: int) -> bool:
    # The JS checks charCodeAt(i) per UTF-16 unit, so astral CJK never matches:
    # only the BMP ranges of BERT's CJK table can ever fire.
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def _is_punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith('P')


def normalize(text: str) -> str:
    """BertNormalizer(clean_text, handle_chinese_chars, lowercase, strip_accents=null)."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_js_control(ch):
            continue
        out.append(' ' if ch in _JS_WHITESPACE else ch)
    text = ''.join(f' {c} ' if _is_chinese_bmp(ord(c)) else c for c in out)
    text = text.lower()
    # strip_accents null + lowercase => accents stripped (NFD, drop Mn).
    text = unicodedata.normalize('NFD', text)
    return ''.join(c for c in text if unicodedata.category(c) != 'Mn')


def pre_tokenize(text: str) -> list[str]:
    """BertPreTokenizer: runs of non-space non-punctuation, each punctuation char alone."""
    words, cur = [], []
    for ch in text:
        if ch in _JS_WHITESPACE:
            if cur:
                words.append(''.join(cur))
                cur = []
        elif _is_punct(ch):
            if cur:
                words.append(''.join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append(''.join(cur))
    return words


def wordpiece(word: str, vocab: dict[str, int]) -> list[str]:
    """Greedy longest-match-first; any unmatched remainder makes the whole word [UNK]."""
    if len(word) > MAX_INPUT_CHARS_PER_WORD:
        return [UNK]
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        piece = None
        while start < end:
            sub = word[start:end] if start == 0 else PREFIX + word[start:end]
            if sub in vocab:
                piece = sub
                break
            end -= 1
        if piece is None:
            return [UNK]
        pieces.append(piece)
        start = end
    return pieces


def _split_special(text: str) -> list[str]:
    """Cut literal special-token strings out of raw text (longest match, left to right),
    as the JS DictionarySplitter does before normalization."""
    parts, start, i = [], 0, 0
    while i < len(text):
        match = None
        for tok in SPECIAL_TOKENS:
            if text.startswith(tok, i) and (match is None or len(tok) > len(match)):
                match = tok
        if match:
            if i > start:
                parts.append(text[start:i])
            parts.append(match)
            i += len(match)
            start = i
        else:
            i += 1
    if start < len(text):
        parts.append(text[start:])
    return parts


class WordPieceTokenizer:
    def __init__(self, vocab: dict[str, int], max_length: int = 64):
        self.vocab = vocab
        self.max_length = max_length
        self.pad_id, self.unk_id = vocab[PAD], vocab[UNK]
        self.cls_id, self.sep_id = vocab[CLS], vocab[SEP]
        self.special_ids = frozenset(vocab[t] for t in SPECIAL_TOKENS)

    @classmethod
    def from_file(cls, path: str) -> 'WordPieceTokenizer':
        with open(path, encoding='utf-8') as f:
            spec = json.load(f)
        trunc = spec.get('truncation') or {}
        return cls(spec['model']['vocab'], trunc.get('max_length', 64))

    def tokenize(self, text: str) -> list[str]:
        tokens = []
        for part in _split_special(text):
            if part in SPECIAL_TOKENS:
                tokens.append(part)
                continue
            for word in pre_tokenize(normalize(part)):
                tokens.extend(wordpiece(word, self.vocab))
        return tokens

    def encode(self, text: str) -> list[int]:
        """Untruncated ids with [CLS]/[SEP]: exactly what JS `tokenizer.encode(text).ids` returns."""
        body = [self.vocab.get(t, self.unk_id) for t in self.tokenize(text)]
        return [self.cls_id] + body + [self.sep_id]

    def encode_truncated(self, text: str) -> list[int]:
        """At most max_length ids: [CLS], the first max_length-2 pieces, [SEP]."""
        ids = self.encode(text)
        return ids if len(ids) <= self.max_length else ids[: self.max_length - 1] + [self.sep_id]

    def encode_batch(self, texts: list[str]) -> tuple[list[list[int]], list[list[int]]]:
        """Truncated and right-padded to the longest in the batch."""
        rows = [self.encode_truncated(t) for t in texts]
        width = max(len(r) for r in rows)
        ids = [r + [self.pad_id] * (width - len(r)) for r in rows]
        mask = [[1] * len(r) + [0] * (width - len(r)) for r in rows]
        return ids, mask


def build_vocab(texts: list[str], required_words: list[str], max_size: int = 3000, min_freq: int = 2) -> dict[str, int]:
    """Learn a WordPiece vocabulary by frequency-driven merges (as the HF WordPiece trainer
    does via BPE): start from characters, merge the most frequent adjacent pair until
    max_size or no pair occurs min_freq times. The alphabet always contains lower-case
    ASCII letters, digits and punctuation so unseen English words degrade to pieces,
    not [UNK]. Ties break on the merged string: the result depends only on the input."""
    counts: collections.Counter[str] = collections.Counter()
    for t in texts:
        counts.update(w for w in pre_tokenize(normalize(t)))
    for w in required_words:
        for piece in pre_tokenize(normalize(w)):
            counts[piece] += min_freq  # always mergeable to a whole token

    alphabet = set('abcdefghijklmnopqrstuvwxyz0123456789') | set(_ASCII_PUNCT)
    for w in counts:
        alphabet.update(w)
    vocab_list = list(SPECIAL_TOKENS)
    for ch in sorted(alphabet):
        vocab_list.append(ch)
        if not _is_punct(ch):  # punctuation is always its own word: never a continuation
            vocab_list.append(PREFIX + ch)
    seen = set(vocab_list)

    words = {w: [w[0]] + [PREFIX + c for c in w[1:]] for w in counts if len(w) <= MAX_INPUT_CHARS_PER_WORD}
    while len(vocab_list) < max_size:
        pairs: collections.Counter[tuple[str, str]] = collections.Counter()
        for w, pieces in words.items():
            for a, b in zip(pieces, pieces[1:]):
                pairs[(a, b)] += counts[w]
        if not pairs:
            break
        (a, b), n = min(pairs.items(), key=lambda kv: (-kv[1], kv[0][0] + kv[0][1][2:], kv[0]))
        if n < min_freq:
            break
        merged = a + b[len(PREFIX) :]
        for w, pieces in words.items():
            i, out = 0, []
            while i < len(pieces):
                if i + 1 < len(pieces) and pieces[i] == a and pieces[i + 1] == b:
                    out.append(merged)
                    i += 2
                else:
                    out.append(pieces[i])
                    i += 1
            words[w] = out
        if merged not in seen:
            seen.add(merged)
            vocab_list.append(merged)
    return {tok: i for i, tok in enumerate(vocab_list)}


def tokenizer_json(vocab: dict[str, int], max_length: int) -> dict:
    special = {t: vocab[t] for t in SPECIAL_TOKENS}

    def tpl(*items):
        return [
            {'SpecialToken': {'id': x, 'type_id': 0}} if x in special else {'Sequence': {'id': x, 'type_id': 0}}
            for x in items
        ]

    return {
        'version': '1.0',
        # Honoured by the Rust crate; ignored by @huggingface/tokenizers 0.2 (see module doc).
        'truncation': {'direction': 'Right', 'max_length': max_length, 'strategy': 'LongestFirst', 'stride': 0},
        'padding': None,
        'added_tokens': [
            {
                'id': special[t],
                'content': t,
                'single_word': False,
                'lstrip': False,
                'rstrip': False,
                'normalized': False,
                'special': True,
            }
            for t in SPECIAL_TOKENS
        ],
        'normalizer': {
            'type': 'BertNormalizer',
            'clean_text': True,
            'handle_chinese_chars': True,
            'strip_accents': None,
            'lowercase': True,
        },
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': tpl(CLS, 'A', SEP),
            'pair': tpl(CLS, 'A', SEP, 'B', SEP),
            'special_tokens': {t: {'id': t, 'ids': [special[t]], 'tokens': [t]} for t in (CLS, SEP)},
        },
        'decoder': {'type': 'WordPiece', 'prefix': PREFIX, 'cleanup': True},
        'model': {
            'type': 'WordPiece',
            'unk_token': UNK,
            'continuing_subword_prefix': PREFIX,
            'max_input_chars_per_word': MAX_INPUT_CHARS_PER_WORD,
            'vocab': vocab,
        },
    }


def tokenizer_config(max_length: int) -> dict:
    """tokenizer_config.json: the second argument of the JS `new Tokenizer(json, config)`."""
    return {
        'tokenizer_class': 'BertTokenizer',
        'do_lower_case': True,
        'model_max_length': max_length,
        'cls_token': CLS,
        'sep_token': SEP,
        'pad_token': PAD,
        'unk_token': UNK,
        'mask_token': MASK,
        'clean_up_tokenization_spaces': True,
    }


def write_tokenizer(out_dir: str, vocab: dict[str, int], max_length: int) -> None:
    import os

    with open(os.path.join(out_dir, 'tokenizer.json'), 'w', encoding='utf-8') as f:
        json.dump(tokenizer_json(vocab, max_length), f, ensure_ascii=False, indent=1)
        f.write('\n')
    with open(os.path.join(out_dir, 'tokenizer_config.json'), 'w', encoding='utf-8') as f:
        json.dump(tokenizer_config(max_length), f, indent=2)
        f.write('\n')
