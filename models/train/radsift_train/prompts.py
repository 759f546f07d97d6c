"""Finding phrases and the prompt templates of the auxiliary "finding vs no finding" loss.

The app scores a finding zero-shot with the CheXzero rule on the phrase and its
negation, where the phrase is the label name with spaces ("pleural_effusion" ->
"pleural effusion"). Training on exactly that pair (plus templated variants, so
the model does not overfit one wording) is what makes the rule work.
"""

from __future__ import annotations

# Extra wordings per finding; the bare label phrase is always included first.
SYNONYMS = {
    'pleural_effusion': ['effusion', 'pleural fluid'],
    'cardiomegaly': ['enlarged heart', 'enlarged cardiac silhouette'],
    'pneumothorax': ['collapsed lung'],
    'nodule': ['pulmonary nodule', 'lung nodule', 'mass'],
    'consolidation': ['airspace consolidation', 'airspace opacity'],
    'atelectasis': ['volume loss', 'plate-like atelectasis'],
    'edema': ['pulmonary edema', 'interstitial edema'],
    'support_devices': ['support device', 'tube', 'line', 'catheter', 'pacemaker'],
}

POSITIVE_TEMPLATES = ['{}', '{}', '{}.', 'there is {}', '{} is present', 'findings consistent with {}']
NEGATIVE_TEMPLATES = ['no {}', 'no {}', 'no {}.', 'there is no {}', 'no evidence of {}', 'without {}']

# Words the vocabulary must hold whole, whatever the training reports happen to say.
EXTRA_WORDS = (
    'no not without negative free clear normal unremarkable possible probable likely cannot exclude '
    'definite evidence of there is are the and or with left right bilateral small moderate large '
    'trace mild severe upper lower lobe base apex apical basilar lung lungs heart size silhouette '
    'stable new resolved pa ap view chest radiograph finding findings'
).split()


def phrase(finding: str) -> str:
    return finding.replace('_', ' ')


def wordings(finding: str) -> list[str]:
    return [phrase(finding)] + SYNONYMS.get(finding, [])


def all_prompt_texts(findings: list[str]) -> list[str]:
    """Every prompt the loss can draw: used to seed the vocabulary and the parity corpus."""
    out = []
    for f in findings:
        for w in wordings(f):
            out += [t.format(w) for t in POSITIVE_TEMPLATES + NEGATIVE_TEMPLATES]
    return list(dict.fromkeys(out))


def sample_prompts(findings: list[str], rng, bare_prob: float) -> tuple[list[str], list[str]]:
    """One positive and one negative prompt per finding. With probability bare_prob the
    pair is the bare phrase / "no phrase", the exact form the app's zero-shot rule uses."""
    pos, neg = [], []
    for f in findings:
        if rng.random() < bare_prob:
            w, tp, tn = phrase(f), '{}', 'no {}'
        else:
            ws = wordings(f)
            w = ws[rng.integers(len(ws))]
            tp = POSITIVE_TEMPLATES[rng.integers(len(POSITIVE_TEMPLATES))]
            tn = NEGATIVE_TEMPLATES[rng.integers(len(NEGATIVE_TEMPLATES))]
        pos.append(tp.format(w))
        neg.append(tn.format(w))
    return pos, neg
