"""Finding phrases, their synonyms and abbreviations, the prompt templates of the auxiliary
"finding vs no finding" loss, and each finding's lexicon (the words a report would use for it).

The app scores a finding zero-shot with the CheXzero rule on the phrase and its
negation, where the phrase is the label name with spaces ("pleural_effusion" ->
"pleural effusion"), averaged over its prompt templates (electron/scoring/prompts.ts:
'{}', '{}.', 'there is {}.', 'findings consistent with {}.', each negated by 'no {}').
Training on exactly that pair (plus templated variants and the wordings radiologists use,
so the model does not overfit one wording) is what makes the rule work.

Never-seen findings: a run given `data.neverSeen` (or an export with `excludedFindings`) must
not put their words into the text tower. Their phrases and synonyms are here all the same,
because the bundle's zero-shot section lists what the evaluation asks about them; `TERMS`
(regexes, broader than the wordings) is what `data.check_exclusion` scans the training texts
with, and `assert_training_prompts` checks the prompts the loss draws.
"""

from __future__ import annotations

import re


class ExclusionError(ValueError):
    """A finding the run must never see is in its training data (a label, a mask bit, a sentence that
    names it, its words in a report, or a training prompt). data re-exports it."""

# Extra wordings per finding, as reports write them (synonyms, abbreviations, the usual
# qualified forms); the bare label phrase is always included first. Vocabulary in the spirit of
# the CheXpert labeler's phrase lists and of the phantom reports, written here, not copied.
SYNONYMS = {
    'pleural_effusion': ['effusion', 'pleural fluid', 'pleural effusions'],
    'cardiomegaly': ['enlarged heart', 'enlarged cardiac silhouette', 'cardiac enlargement'],
    'pneumothorax': ['collapsed lung', 'PTX'],
    'nodule': ['pulmonary nodule', 'lung nodule', 'mass'],
    'consolidation': ['airspace consolidation', 'airspace opacity'],
    'atelectasis': ['volume loss', 'plate-like atelectasis', 'subsegmental atelectasis'],
    'edema': ['pulmonary edema', 'interstitial edema'],
    'support_devices': ['support device', 'tube', 'line', 'catheter', 'pacemaker'],
    # generator 1.1's rare findings
    'rib_fracture': ['rib fractures', 'fractured rib', 'rib fx', 'displaced rib fracture', 'healed rib fracture'],
    'pneumoperitoneum': ['free air under the diaphragm', 'free intraperitoneal air', 'subdiaphragmatic free air',
                         'free air'],
    'hiatal_hernia': ['hiatus hernia', 'retrocardiac hiatal hernia', 'hiatal hernia with an air-fluid level'],
    # not "mediastinal emphysema": it would put the head noun of never-seen subcutaneous emphysema into the vocabulary
    'pneumomediastinum': ['mediastinal air', 'mediastinal gas', 'continuous diaphragm sign'],
    'widened_mediastinum': ['mediastinal widening', 'wide mediastinum', 'widened superior mediastinum',
                            'widening of the mediastinum'],
    'hilar_adenopathy': ['hilar lymphadenopathy', 'enlarged hilar lymph nodes', 'bilateral hilar adenopathy',
                         'hilar lymph node enlargement'],
    'calcified_granuloma': ['granuloma', 'calcified granulomas', 'granulomatous calcification',
                            'sequelae of prior granulomatous disease'],
    'cavitary_lesion': ['cavity', 'cavitating lesion', 'cavitary mass', 'thick-walled cavity', 'cavitation'],
    'subcutaneous_emphysema': ['subcutaneous gas', 'subcutaneous air', 'surgical emphysema', 'soft tissue emphysema',
                               'chest wall emphysema'],
    'sternotomy_wires': ['sternotomy', 'median sternotomy', 'post-sternotomy changes', 'sternal wires',
                         'status post median sternotomy', 'CABG'],
    'scoliosis': ['thoracic scoliosis', 'dextroscoliosis', 'levoscoliosis', 'scoliotic curvature of the spine'],
    'elevated_hemidiaphragm': ['elevation of the hemidiaphragm', 'raised hemidiaphragm', 'hemidiaphragm elevation',
                               'elevated right hemidiaphragm', 'elevated left hemidiaphragm'],
}

# Recipe 1.6.0, configs with loss.promptWordings "extended" (report language): more of the ways reports
# and researchers name the trained findings — the CheXpert labeler's mention phrases (MIT; vocabulary, not copied
# lists) and the usual lay forms, abbreviations and signs — so that a typed wording lands on its finding. Trained
# findings only: a never-seen finding has no prompts at all. Written after docs/report-language.md's first
# measurement, so some of them are on its held-out synonym list; `radsift eval-language` reports the share of the
# list that is not among a bundle's training wordings apart.
EXTENDED_SYNONYMS = {
    'pleural_effusion': ['blunting of the costophrenic angle', 'blunted costophrenic angle', 'layering effusion',
                         'fluid in the pleural space', 'hydrothorax', 'meniscus sign', 'subpulmonic effusion'],
    'cardiomegaly': ['heart enlargement', 'enlarged cardiac shadow', 'increased cardiothoracic ratio', 'large heart',
                     'cardiac silhouette enlargement'],
    'pneumothorax': ['pneumothoraces', 'air in the pleural space', 'pleural air', 'visible pleural line',
                     'apical pneumothorax', 'deep sulcus sign'],
    # not "coin lesion" / "lung lesion" (nor "ghon lesion" below): "lesion" is the head noun of never-seen
    # cavitary lesion
    'nodule': ['nodular opacity', 'nodular density', 'lung mass', 'pulmonary mass', 'solitary pulmonary nodule',
               'spn'],
    'consolidation': ['airspace disease', 'air space disease', 'infiltrate', 'pneumonia', 'lobar consolidation',
                      'air bronchograms', 'alveolar opacity'],
    'atelectasis': ['collapse', 'lobar collapse', 'collapsed lobe', 'atelectatic change', 'linear atelectasis',
                    'discoid atelectasis', 'bibasilar atelectasis'],
    'edema': ['vascular congestion', 'pulmonary vascular congestion', 'chf', 'heart failure', 'fluid overload',
              'kerley b lines', 'cephalization', 'perihilar haziness'],
    'support_devices': ['endotracheal tube', 'et tube', 'ett', 'nasogastric tube', 'ng tube', 'central venous catheter',
                        'central line', 'picc', 'picc line', 'icd', 'defibrillator', 'pacer', 'chest tube',
                        'feeding tube', 'lines and tubes'],
    'rib_fracture': ['broken rib', 'fracture of the rib', 'fractured ribs', 'old rib fracture', 'acute rib fracture'],
    # not "air in the mediastinum": "mediastinum" names widened mediastinum, which a run may hold out
    'pneumomediastinum': ['mediastinal air lucency', 'air outlining the heart border'],
    'widened_mediastinum': ['enlarged mediastinal silhouette', 'broad mediastinum', 'mediastinal enlargement',
                            'widened mediastinal silhouette', 'prominent mediastinal contour'],
    'hilar_adenopathy': ['bihilar adenopathy', 'hilar enlargement', 'enlarged hila', 'hilar lymph nodes',
                         'hilar masses'],
    'calcified_granuloma': ['calcified nodule', 'granulomatous disease', 'healed granulomatous disease', 'ghon complex',
                            'calcified granulomata'],
    'sternotomy_wires': ['sternal cerclage wires', 'post sternotomy', 'prior cardiac surgery',
                         'median sternotomy wires', 'sternotomy sutures'],
    'scoliosis': ['curvature of the spine', 'spinal curvature', 'curved spine', 'thoracolumbar scoliosis',
                  'rotatory scoliosis'],
    'elevated_hemidiaphragm': ['high hemidiaphragm', 'diaphragmatic eventration', 'eventration', 'elevated diaphragm',
                               'raised diaphragm', 'phrenic nerve palsy'],
}
# Whole statements, used as they are (no template): how reports assert a finding without its noun, and how they
# deny it without "no" — "heart size is normal" is the commonest negation of cardiomegaly in real reports.
POSITIVE_STATEMENTS = {
    'cardiomegaly': ['the heart is enlarged', 'heart size is enlarged', 'the cardiac silhouette is enlarged'],
    'widened_mediastinum': ['the mediastinum is widened', 'the superior mediastinum is wide'],
    'elevated_hemidiaphragm': ['the right hemidiaphragm is elevated', 'the left hemidiaphragm is elevated'],
    'hilar_adenopathy': ['the hila are enlarged', 'both hila are enlarged'],
    'scoliosis': ['the thoracic spine is curved'],
    'atelectasis': ['the left lower lobe is collapsed', 'there is volume loss at the lung bases'],
    'pneumothorax': ['the lung is collapsed', 'a visceral pleural line is seen'],
}
NEGATED_STATEMENTS = {
    'cardiomegaly': ['heart size is normal', 'normal heart size', 'the heart is not enlarged',
                     'heart size within normal limits', 'normal cardiac silhouette',
                     'the cardiomediastinal silhouette is within normal limits'],
    'widened_mediastinum': ['the mediastinum is not widened', 'normal mediastinal contour', 'mediastinal width is normal'],
    'elevated_hemidiaphragm': ['normal position of the hemidiaphragms', 'the hemidiaphragms are at normal height'],
    'hilar_adenopathy': ['the hila are normal', 'normal hilar contours'],
    'scoliosis': ['the spine is straight', 'normal alignment of the spine'],
    'pleural_effusion': ['the costophrenic angles are sharp', 'clear costophrenic angles'],
    'pneumothorax': ['the lungs are fully expanded', 'no pleural air'],
    'support_devices': ['no lines or tubes', 'no tubes or lines are present'],
    'edema': ['no vascular congestion', 'pulmonary vasculature is normal'],
    'consolidation': ['the lungs are clear', 'no focal airspace disease'],
    'atelectasis': ['the lungs are well expanded', 'lung volumes are normal'],
    'rib_fracture': ['no acute osseous abnormality', 'the ribs are intact'],
    'nodule': ['no focal lung nodule', 'no pulmonary mass'],
}
STATEMENT_PROB = 0.25  # of the non-bare draws, with extended wordings: a whole statement where one exists


# The words that name a finding in a report: what the exclusion check looks for in every training
# text of a run that must never see the finding (case-insensitive; word-bounded where a stem could
# sit inside an unrelated word). Broader than SYNONYMS on purpose (stems, hedged and lay forms), and
# narrow enough that no sentence about another finding matches: test_recipe checks both on the
# recipe's fake data, and `data.check_exclusion` on every export a run reads. The base eight cannot
# be excluded by the generator, so they have none.
TERMS = {
    'rib_fracture': r'fractur|\bfx\b|callus|cortical break|rib (deformity|break)',
    'pneumoperitoneum': r'pneumoperitone'
                        r'|free (intraperitoneal |intra-abdominal |subdiaphragmatic |peritoneal )?(air|gas)'
                        r'|subdiaphragmatic|intraperitoneal|perforated viscus|rigler|cupola sign',
    'hiatal_hernia': r'hiatal|hiatus|hernia',
    'pneumomediastinum': r'pneumomediastin|mediastinal (air|gas|emphysema)|continuous diaphragm'
                         r'|(air|gas|lucenc\w*) outlining the (mediastin|heart)',
    'widened_mediastinum': r'mediastin\w*( \w+){0,3} (widen|wide\b)|widen\w* (of )?(the )?(superior |upper )?mediastin'
                           r'|wide mediastin|mediastinal width|mediastinal widening',
    'hilar_adenopathy': r'hilar (lymph)?adenopath|hilar lymph nodes|enlarged (\w+ )?hil(a|um|ar)\b'
                        r'|hil(a|um) (is|are) (not )?enlarged'
                        r'|paratracheal|prominent hila|bihilar',
    'calcified_granuloma': r'granulom|ghon',
    'cavitary_lesion': r'cavit|abscess',
    'subcutaneous_emphysema': r'subcutaneous|soft[- ]tissue (emphysema|gas|air)|surgical emphysema'
                              r'|chest wall (emphysema|gas|air)',
    'sternotomy_wires': r'sternotom|sternal wire|\bcabg\b|\bavr\b|\bmvr\b|valve (replacement|prosthesis)'
                        r'|prosthetic (aortic|mitral) valve',
    'scoliosis': r'scolio',
    'elevated_hemidiaphragm': r'hemidiaphragms? (is |are )?(elevat|raised|high)|(elevat|rais)\w* (of )?(the )?'
                              r'(right |left )?hemidiaphragm|hemidiaphragm elevation|position of the hemidiaphragms'
                              r'|eventration|phrenic nerve palsy|diaphragmatic elevation',
}

# The app's zero-shot pair for a phrase (electron/scoring/prompts.ts DEFAULT_TEMPLATES and DEFAULT_NEGATION: each
# template filled with the phrase, and with 'no <phrase>'); a test checks the two agree.
APP_TEMPLATES = ['{}', '{}.', 'there is {}.', 'findings consistent with {}.']
APP_NEGATION = 'no {}'


def app_pair(phrase_text: str) -> tuple[list[str], list[str]]:
    """The prompts the app embeds and averages for a phrase and for its negation."""
    return ([t.format(phrase_text) for t in APP_TEMPLATES],
            [t.format(APP_NEGATION.format(phrase_text)) for t in APP_TEMPLATES])


# Positive templates, with the app's own ensemble among them ('{}', '{}.', 'there is {}.',
# 'findings consistent with {}.'), and the forms impressions take.
POSITIVE_TEMPLATES = ['{}', '{}', '{}.', 'there is {}.', 'findings consistent with {}.', '{} is present',
                      'compatible with {}', 'evidence of {}']
# Negated templates: the app negates each of its templates with 'no {}', which gives
# 'there is no {}.' and also 'findings consistent with no {}.' (not how radiologists write, but what
# the app embeds, so the model sees it); the rest are the negations reports use.
NEGATIVE_TEMPLATES = ['no {}', 'no {}', 'no {}.', 'there is no {}.', 'findings consistent with no {}.',
                      'no evidence of {}', 'without {}', 'negative for {}', 'no radiographic evidence of {}']

# Words the vocabulary must hold whole, whatever the training reports happen to say.
EXTRA_WORDS = (
    'no not without negative free clear normal unremarkable possible probable likely cannot exclude '
    'definite evidence of there is are the and or with left right bilateral small moderate large '
    'trace mild severe upper lower lobe base apex apical basilar lung lungs heart size silhouette '
    'stable new resolved pa ap view chest radiograph finding findings'
).split()


def phrase(finding: str) -> str:
    return finding.replace('_', ' ')


def wordings(finding: str, extended: bool = False) -> list[str]:
    """The phrase, its synonyms, and with extended (recipe 1.6.0 configs) the further wordings of a trained
    finding."""
    more = EXTENDED_SYNONYMS.get(finding, []) if extended else []
    return list(dict.fromkeys([phrase(finding)] + SYNONYMS.get(finding, []) + more))


def _words_re(finding: str) -> re.Pattern:
    """One regex for a finding: any of its wordings as whole words, or its lexicon. Built per call, not cached,
    so that an edit of SYNONYMS (tests do that) is seen at once; callers that scan many texts use namer()."""
    alts = [r'(?<![\w-])' + re.escape(w) + r'(?![\w-])' for w in wordings(finding)]
    if finding in TERMS:
        alts.append(f'(?:{TERMS[finding]})')
    return re.compile('|'.join(alts), re.IGNORECASE)


def namer(finding: str):
    """names(finding, ·) with its regex compiled once, for scanning many texts."""
    r = _words_re(finding)
    return lambda text: bool(r.search(text))


def names(finding: str, text: str) -> bool:
    """Whether text uses the words of finding: its phrase, a synonym (whole words) or its lexicon."""
    return namer(finding)(text)


def all_prompt_texts(findings: list[str], extended: bool = False) -> list[str]:
    """Every prompt the loss can draw: used to seed the vocabulary and the parity corpus."""
    out = []
    for f in findings:
        for w in wordings(f, extended):
            out += [t.format(w) for t in POSITIVE_TEMPLATES + NEGATIVE_TEMPLATES]
        if extended:
            out += POSITIVE_STATEMENTS.get(f, []) + NEGATED_STATEMENTS.get(f, [])
    return list(dict.fromkeys(out))


def assert_training_prompts(findings: list[str], never_seen: list[str], extended: bool = False) -> None:
    """The prompts (and the vocabulary seeds) of a run must not name a never-seen finding: a synonym of a
    trained finding that did would leak it. Raises ExclusionError naming each offending prompt."""
    named_by = {x: namer(x) for x in never_seen}
    texts = all_prompt_texts(findings, extended) + [' '.join(EXTRA_WORDS)]
    bad = [(t, x) for t in texts for x in never_seen if named_by[x](t)]
    if extended:
        # A word of a never-seen finding's name that the extended prompts would bring in (the base prompts do
        # not use it): "lesion" from "coin lesion" would teach the head noun of "cavitary lesion".
        words = lambda ts: {w for t in ts for w in re.findall(r"[a-z]+", t.lower())}  # noqa: E731
        brought_in = words(texts) - words(all_prompt_texts(findings) + EXTRA_WORDS)
        for x in never_seen:
            bad += [(f'a prompt with "{w}"', x) for w in sorted(words([phrase(x)]) & brought_in)]
    if bad:
        raise ExclusionError('training prompts name never-seen findings: '
                             + '; '.join(f'"{t}" ({x})' for t, x in bad[:10]))


def assert_vocabulary(tokens, never_seen: list[str]) -> None:
    """No whole-word token of the run's vocabulary may name a never-seen finding (built from the training text
    and prompts, it cannot unless those leaked). Raises ExclusionError."""
    named_by = {x: namer(x) for x in never_seen}
    bad = [(t, x) for t in tokens if not t.startswith('##') for x in never_seen if named_by[x](t)]
    if bad:
        raise ExclusionError('the vocabulary holds words of never-seen findings: '
                             + ', '.join(f'"{t}" ({x})' for t, x in bad[:10]))


def ensemble(findings: list[str], extended: bool = False) -> dict:
    """The zero-shot prompt ensemble the bundle ships (descriptive: manifest zeroShot.prompts): per finding,
    its wordings; the templates are shared. Includes never-seen findings when they are passed in."""
    return {f: wordings(f, extended) for f in findings}


def sample_prompts(findings: list[str], rng, bare_prob: float, extended: bool = False) -> tuple[list[str], list[str]]:
    """One positive and one negative prompt per finding. With probability bare_prob the
    pair is the bare phrase / "no phrase", the exact form the app's zero-shot rule uses. With extended, the
    wordings of EXTENDED_SYNONYMS too, and in STATEMENT_PROB of the other draws whole statements in place of the
    templated ones (the random draws without extended are those of earlier recipes, so old runs reproduce)."""
    pos, neg = [], []
    for f in findings:
        if rng.random() < bare_prob:
            p, n = phrase(f), f'no {phrase(f)}'
        else:
            ws = wordings(f, extended)
            w = ws[rng.integers(len(ws))]
            p = POSITIVE_TEMPLATES[rng.integers(len(POSITIVE_TEMPLATES))].format(w)
            n = NEGATIVE_TEMPLATES[rng.integers(len(NEGATIVE_TEMPLATES))].format(w)
            if extended and rng.random() < STATEMENT_PROB:
                ps, ns = POSITIVE_STATEMENTS.get(f), NEGATED_STATEMENTS.get(f)
                if ps:
                    p = ps[rng.integers(len(ps))]
                if ns:
                    n = ns[rng.integers(len(ns))]
        pos.append(p)
        neg.append(n)
    return pos, neg
