"""Probe: are everyday synonyms missed because their words are read as pieces of other words?

The recipe's WordPiece vocabulary is learnt from the training text (a few thousand pieces), so a word the
reports never use ("spot", "high", "drain") is read as pieces ("sp ##o ##t") that the model learnt inside
other words. This maps each synonym to the nearest finding phrase twice, as `radsift eval-language` does (prompt
templates averaged, every finding a candidate, never-seen ones included), from a checkpoint's text tower:

  as trained      the tokenizer as shipped;
  unread blank    every word of more than one piece that the training text (--data's reports, the recipe's
                  prompts and extra words) never holds is one token with a zero embedding instead: no pieces
                  of other words, only its position (it is still attended to and pooled);
  taught only     as trained, with the never-seen findings' phrases left out of the candidates.

If the pieces were what misleads, the second count would rise; the third says what the never-seen findings'
phrases, made of words the model never read, take. Prints one JSON line.

    node -e "import('./dist/electron/scoring/report-language-validation.js').then((m) =>
      console.log(JSON.stringify(m.VALIDATION_SYNONYMS)))" > /tmp/val-synonyms.json
    /usr/bin/python3 models/train/probe_unread_words.py --checkpoint /tmp/rare-0.7.11.pt \\
        --data /tmp/s6g110-train-512 --synonyms /tmp/val-synonyms.json

Use the validation synonyms: the held-out ones are what a model card reports, never what a choice is made on.
"""

from __future__ import annotations

import argparse
import collections
import json
import os

import torch
import torch.nn.functional as F

from radsift_train import prompts
from radsift_train.model import DualEncoder
from radsift_train.tokenizer import CLS, SEP, UNK, normalize, pre_tokenize, wordpiece

# The app's prompt templates (electron/scoring/prompts.ts DEFAULT_TEMPLATES).
TEMPLATES = ['{}', '{}.', 'there is {}.', 'findings consistent with {}.']


class Reader:
    """A checkpoint's text tower with its tokenizer, and one extra zero row: the blank an unread word becomes."""

    def __init__(self, ck: dict, read: set[str]):
        self.vocab = {t: i for i, t in enumerate(ck['vocab'])}
        self.model = DualEncoder(ck['config'], len(self.vocab))
        self.model.load_state_dict(ck['model'])
        self.model.eval()
        self.blank = len(self.vocab)
        with torch.no_grad():
            rows = self.model.text.tok.weight
            self.model.text.tok = torch.nn.Embedding.from_pretrained(torch.cat([rows, torch.zeros(1, rows.shape[1])]))
        self.read = read
        self.max_length = ck['config']['tokenizer']['maxLength']

    def ids(self, text: str, blank_unread: bool) -> list[int]:
        out = [self.vocab[CLS]]
        for word in pre_tokenize(normalize(text)):
            pieces = wordpiece(word, self.vocab)
            if blank_unread and len(pieces) > 1 and word not in self.read:
                out.append(self.blank)
            else:
                out += [self.vocab.get(p, self.vocab[UNK]) for p in pieces]
        # Truncated as the app truncates: [CLS], the first maxLength - 2 pieces, [SEP].
        return out[: self.max_length - 1] + [self.vocab[SEP]]

    def phrase_vector(self, text: str, blank_unread: bool) -> torch.Tensor:
        """The prompt templates' mean embedding, as the app embeds a typed phrase."""
        rows = [self.ids(t.format(text), blank_unread) for t in TEMPLATES]
        width = max(map(len, rows))
        tok = torch.tensor([r + [0] * (width - len(r)) for r in rows])
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
        with torch.no_grad():
            # The mean of the templates' embeddings, L2-normalised, as the app's phraseVectors (meanRow) makes it.
            return F.normalize(self.model.text(tok, mask)[0].mean(0), dim=-1)

    def map_synonyms(self, synonyms: dict, candidates: list[str], blank_unread: bool) -> dict:
        """Each synonym of a candidate finding against every candidate's phrase: how many are nearest their own."""
        anchors = {x: self.phrase_vector(x.replace('_', ' '), blank_unread) for x in candidates}
        mapped = total = 0
        wrong: collections.Counter[str] = collections.Counter()
        for finding, wordings in synonyms.items():
            if finding not in candidates:
                continue
            for s in wordings:
                q = self.phrase_vector(s.lower(), blank_unread)
                nearest = max(anchors, key=lambda x: float(q @ anchors[x]))
                total += 1
                mapped += nearest == finding
                if nearest != finding:
                    wrong[nearest] += 1
        return {'mapped': mapped, 'total': total, 'missesNearest': dict(wrong.most_common())}


def words_read(data_dir: str, taught: list[str]) -> set[str]:
    """The words of --data's reports, the recipe's prompts for the taught findings and its extra words."""
    read: set[str] = set(prompts.EXTRA_WORDS)
    with open(os.path.join(data_dir, 'records.jsonl'), encoding='utf-8') as f:
        for line in f:
            read.update(pre_tokenize(normalize(json.loads(line)['report'])))
    read.update(w for t in prompts.all_prompt_texts(taught, True) for w in pre_tokenize(normalize(t)))
    return read


def probe(ck: dict, data_dir: str, synonyms: dict) -> dict:
    taught, never_seen = list(ck['findings']), list(ck.get('excluded') or [])
    reader = Reader(ck, words_read(data_dir, taught))
    # Only the taught findings' synonyms are counted; the never-seen ones' phrases compete as candidates.
    own = {f: w for f, w in synonyms.items() if f in taught}
    return {
        'wordsRead': len(reader.read),
        'asTrained': reader.map_synonyms(own, taught + never_seen, False),
        'unreadBlank': reader.map_synonyms(own, taught + never_seen, True),
        'taughtOnly': reader.map_synonyms(own, taught, False),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', required=True, help='train.py checkpoint (or checkpoint_from_bundle.py output)')
    ap.add_argument('--data', required=True, help='a training export whose reports stand for the words read')
    ap.add_argument('--synonyms', required=True, help='JSON {finding: [synonym, ...]}')
    args = ap.parse_args()
    with open(args.synonyms, encoding='utf-8') as f:
        synonyms = json.load(f)
    out = {'checkpoint': os.path.basename(args.checkpoint)}
    out.update(probe(torch.load(args.checkpoint, map_location='cpu'), args.data, synonyms))
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
