/**
 * Radiology reports for phantoms, sentence by sentence, each sentence with
 * the findings it mentions and its polarity — the training recipe samples
 * single sentences, and negated sentences ("No pleural effusion.") are most
 * of what real reports say about most findings.
 *
 * Wording avoids vocabulary that a CheXpert-style labeler would read as a
 * different finding (e.g. "Kerley B lines" would count as a line/device,
 * "plate-like" as a plate), so phrase-based checkers agree with the labels.
 */
import type { PhantomCase } from './case.js';
import { isRareFinding, type BaseFindingName, type FindingName, type Side } from './findings.js';
import { Random } from './random.js';
import { boneSentence, mediastinalSentence, writeRareReport, type RareReport, type Sentence } from './rare-report.js';
import type { RareFindingName } from './rare-findings.js';
import { EXTRA_NEGATION_RATE, rareDenials, RARE_HEDGES, RARE_NEGATED, RARE_RESOLVED } from './rare-wordings.js';
import { cap, cm, zoneWord } from './report-text.js';
import { Language } from './report-variety.js';
import * as W from './report-wordings.js';
import { consolidationExtent } from './lesions/consolidation-extent.js';

export type Polarity = 'positive' | 'negated' | 'uncertain' | 'none';
export type SectionName = 'examination' | 'indication' | 'comparison' | 'findings' | 'impression';

export interface ReportSentence {
  text: string;
  section: SectionName;
  findings: FindingName[];
  polarity: Polarity;
}

export interface Report {
  text: string;
  sections: Record<SectionName, string>;
  sentences: ReportSentence[];
}

const { LOBE_NAME } = W;

export interface ReportOptions {
  /**
   * Everyday wordings, comparisons with a prior, hedges, lists and measurements from the
   * 'language' stream (default true); false writes every sentence as generator 1.1 did.
   */
  variety?: boolean;
}

class Writer {
  readonly sentences: ReportSentence[] = [];
  constructor(
    readonly rng: Random,
    readonly lang: Language,
  ) {}
  add(section: SectionName, text: string, findings: FindingName[], polarity: Polarity): void {
    // 1.7: with the variety on, no hedge about a finding the report has already denied ("No … effusion." then
    // "Trace left pleural effusion cannot be excluded."). Callers still draw the text, so later draws stay.
    if (polarity === 'uncertain' && this.lang.on && findings.some((k) => this.#denied(k))) return;
    this.sentences.push({ text, section, findings, polarity });
  }
  #denied(k: FindingName): boolean {
    return this.sentences.some((s) => s.polarity === 'negated' && s.findings.includes(k));
  }
  pick<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }
  addAll(section: SectionName, sentences: readonly Sentence[]): void {
    for (const s of sentences) this.add(section, s.text, s.findings, s.polarity);
  }
}

/**
 * The draws from the 'report' stream are those of generator 1.0, in the same
 * order, so what a report says about the base findings is unchanged; the rare
 * findings' sentences (rare-report.ts) come from a stream of their own.
 */
export function writeReport(c: PhantomCase, options: ReportOptions = {}): Report {
  const lang = new Language(c, options.variety ?? true);
  const w = new Writer(new Random('report', c.seed, c.index), lang);
  const rare = writeRareReport(c, lang);
  const f = c.findings;
  const ap = c.acquisition.view === 'AP';
  w.add(
    'examination',
    ap
      ? w.pick(['Chest, portable AP view.', 'Portable AP chest radiograph.', 'Chest radiograph, single AP view.'])
      : w.pick(['Chest radiograph, PA view.', 'PA chest radiograph.', 'Chest, single PA view.']),
    [],
    'none',
  );
  const why = indication(w, c);
  w.add('indication', rare.indication ?? why, [], 'none');
  const prior = w.pick(['None.', 'None available.', 'No prior studies.', 'None on file.']);
  lang.adoptPrior(rare.comparison);
  w.add('comparison', rare.comparison ?? lang.prior ?? prior, [], 'none');

  w.addAll('findings', rare.devices);
  const positives = positiveFindings(w, c);
  for (const s of positives) w.add('findings', s.text, [s.finding], 'positive');
  w.addAll('findings', rare.chest);
  negations(w, c, rare);
  w.addAll('findings', rare.mentions);
  uncertainties(w, c);
  languageMentions(w, c, rare);
  if (!f.cardiomegaly) {
    const text = w.pick([
      'Heart size is normal.',
      'The heart is not enlarged.',
      'Normal heart size.',
      'Cardiac silhouette is within normal limits.',
      'The cardiomediastinal silhouette is within normal limits.',
    ]);
    // On an AP film a normal heart may look large: now and then the report hedges.
    if (c.acquisition.view === 'AP' && lang.chance(0.06))
      w.add('findings', lang.pick(W.heartHedges), ['cardiomegaly'], 'uncertain');
    else {
      const said = lang.or(mediastinalSentence(text, c) ?? text, () => W.normalHeartVariants(c, lang.prior !== null));
      w.add('findings', said, ['cardiomegaly'], 'negated');
    }
  } else if (w.rng.chance(0.5)) {
    const text = mediastinalSentence(
      w.pick(['The mediastinal contours are otherwise unremarkable.', 'The aortic knob is unremarkable.']),
      c,
    );
    if (text) w.add('findings', text, [], 'none');
  }
  w.addAll('findings', rare.bones);
  const bone = boneSentence(
    w.pick([
      'No acute osseous abnormality.',
      'Visualized osseous structures are unremarkable.',
      'Mild degenerative changes of the thoracic spine.',
      'The bones are intact.',
      'No displaced rib fracture.',
    ]),
    c,
  );
  // Beside a possible nondisplaced fracture only "No displaced rib fracture." agrees (1.7: no other wording then).
  const ribHedged = w.sentences.some((s) => s.polarity === 'uncertain' && s.findings.includes('rib_fracture'));
  if (bone.findings.length) {
    const varied = lang.or(bone.text, () => RARE_NEGATED.rib_fracture!.forms);
    w.add('findings', ribHedged ? bone.text : varied, bone.findings, 'negated');
  } else w.add('findings', bone.text, [], 'none');

  impression(w, c, rare);
  return assemble(w.sentences);
}

function indication(w: Writer, c: PhantomCase): string {
  if (c.findings.support_devices?.ettube)
    return w.pick(['Intubated patient.', 'Respiratory failure.', 'ICU patient, hypoxia.']);
  return w.pick([
    'Cough.',
    'Shortness of breath.',
    'Fever and cough.',
    'Chest pain.',
    'Preoperative evaluation.',
    'Dyspnea.',
    'Follow-up.',
    'Hypoxia.',
    'Weakness.',
    'Routine examination.',
  ]);
}

interface Positive {
  finding: FindingName;
  text: string;
}

function sideWord(side: Side | 'bilateral'): string {
  return side === 'bilateral' ? 'bilateral' : side;
}

function positiveFindings(w: Writer, c: PhantomCase): Positive[] {
  const f = c.findings;
  const out: Positive[] = [];
  const lang = w.lang;
  const d = f.support_devices;
  if (d) {
    // One sentence per device: canonical (the 'report' stream, in 1.0's order), varied or compared.
    const device = (key: W.Device, canonical: readonly string[], variants: () => readonly string[]) =>
      out.push({
        finding: 'support_devices',
        text: lang.say(key, w.pick(canonical), variants, () => W.deviceCompared(key, d)),
      });
    if (d.ettube) {
      const tip = cm(d.ettTipMm ?? 50);
      device(
        'ett',
        [
          `Endotracheal tube terminates ${tip} cm above the carina.`,
          `The endotracheal tube tip is approximately ${tip} cm above the carina.`,
          `ET tube in place, tip ${tip} cm above the carina.`,
        ],
        () => W.ettVariants(tip),
      );
    }
    if (d.ngTube)
      device(
        'ng',
        [
          'Enteric tube courses below the diaphragm with the tip in the stomach.',
          'Nasogastric tube tip is in the stomach.',
          'An orogastric tube extends into the stomach.',
        ],
        () => W.ngVariants,
      );
    if (d.centralLine) {
      const via = d.lineVia === 'subclavian' ? 'subclavian' : 'internal jugular';
      device(
        'line',
        [
          `${cap(d.lineSide ?? 'right')} ${via} central venous catheter with tip at the cavoatrial junction.`,
          `${cap(d.lineSide ?? 'right')} ${via} line terminates in the lower SVC.`,
          `A ${d.lineSide ?? 'right'} ${via} catheter ends in the distal superior vena cava.`,
        ],
        () => W.lineVariants(d),
      );
    }
    if (d.pacemaker)
      device(
        'pacer',
        [
          'Left chest wall pacemaker with leads in the right atrium and right ventricle.',
          'Dual-chamber pacemaker in place with leads in expected position.',
          'Cardiac pacemaker with two leads terminating in the right atrium and right ventricle.',
        ],
        () => W.pacerVariants,
      );
  }
  const con = f.consolidation;
  if (con) {
    const lobe = LOBE_NAME[con.lobe];
    const border =
      con.lobe === 'RML'
        ? ', obscuring the right heart border'
        : con.lobe === 'lingula'
          ? ', obscuring the left heart border'
          : con.lobe === 'RLL'
            ? ', obscuring the right hemidiaphragm'
            : con.lobe === 'LLL'
              ? ', obscuring the left hemidiaphragm'
              : '';
    const bronch = con.airBronchograms ? w.pick([' with air bronchograms', ' containing air bronchograms']) : '';
    out.push({
      finding: 'consolidation',
      text: lang.say(
        'consolidation',
        w.pick([
          `Consolidation in the ${lobe}${bronch}${border}.`,
          `Focal airspace consolidation in the ${lobe}${bronch}.`,
          `${cap(lobe)} consolidation${bronch}${border}.`,
        ]),
        () => W.consolidationVariants(con, consolidationExtent(c)),
        () => W.consolidationCompared(con),
      ),
    });
  }
  const at = f.atelectasis;
  if (at) {
    if (at.kind === 'linear') {
      const where =
        at.side === 'bilateral' ? w.pick(['at both lung bases', 'at the lung bases']) : `at the ${at.side} lung base`;
      out.push({
        finding: 'atelectasis',
        text:
          at.side === 'bilateral'
            ? w.pick([
                `Bibasilar linear atelectasis.`,
                `Subsegmental atelectasis ${where}.`,
                `Linear atelectasis ${where}.`,
              ])
            : w.pick([
                `Linear atelectasis ${where}.`,
                `Discoid atelectasis ${where}.`,
                `Subsegmental atelectasis ${where}.`,
              ]),
      });
    } else {
      const lobe = LOBE_NAME[at.lobe ?? 'LLL'];
      out.push({
        finding: 'atelectasis',
        text:
          at.lobe === 'RUL'
            ? w.pick([
                `Right upper lobe collapse with elevation of the minor fissure.`,
                `Atelectasis of the right upper lobe with volume loss.`,
              ])
            : w.pick([
                `${cap(lobe)} collapse with volume loss.`,
                `Atelectasis of the ${lobe}${at.lobe === 'LLL' ? ', with a triangular retrocardiac density' : ''}.`,
                `Complete ${lobe} atelectasis.`,
              ]),
      });
    }
  }
  if (at) {
    const last = out[out.length - 1]!;
    last.text = lang.say(
      'atelectasis',
      last.text,
      () => W.atelectasisVariants(at),
      () => W.atelectasisCompared(at),
    );
  }
  const n = f.nodule;
  if (n) {
    const zone = zoneWord(n.zone);
    const size = cm(n.diameterMm, 0.1);
    const margin = n.margin === 'smooth' ? w.pick(['smoothly marginated', 'well-circumscribed']) : n.margin;
    out.push({
      finding: 'nodule',
      text: lang.say(
        'nodule',
        w.pick([
          `A ${size} cm ${margin} ${n.kind} projects over the ${n.side} ${zone} lung zone.`,
          `There is a ${size} cm ${n.kind} in the ${n.side} ${zone} lung.`,
          `${cap(margin)} ${n.kind} in the ${n.side} ${zone} lung measuring ${size} cm.`,
        ]),
        () => W.noduleVariants(n),
        () => W.noduleCompared(n),
      ),
    });
  }
  const e = f.edema;
  if (e) {
    const text =
      e.severity === 'mild'
        ? w.pick([
            'Mild pulmonary vascular congestion with interstitial edema.',
            'Mild interstitial pulmonary edema.',
            'Pulmonary vascular congestion and mild interstitial edema.',
          ])
        : e.severity === 'moderate'
          ? w.pick([
              'Moderate pulmonary edema with perihilar haziness.',
              'Moderate interstitial and perihilar alveolar edema.',
              'Perihilar haziness and vascular indistinctness, consistent with moderate pulmonary edema.',
            ])
          : w.pick([
              'Severe pulmonary edema with bilateral perihilar airspace opacities.',
              'Diffuse bilateral perihilar airspace opacities consistent with severe pulmonary edema.',
            ]);
    out.push({
      finding: 'edema',
      text: lang.say(
        'edema',
        text,
        () => W.edemaVariants(e),
        () => W.edemaCompared(e),
      ),
    });
    if (e.kerleyLines && w.rng.chance(0.6))
      out.push({
        finding: 'edema',
        text: lang.or(
          w.pick([
            'Interlobular septal thickening at the lung bases, consistent with interstitial edema.',
            'Septal thickening at the bases from interstitial edema.',
          ]),
          () => W.septalVariants,
        ),
      });
  }
  const ef = f.pleural_effusion;
  if (ef) {
    const side = sideWord(ef.side);
    const plural = ef.side === 'bilateral' ? 'effusions' : 'effusion';
    const size = ef.size === 'moderate' ? w.pick(['moderate', 'moderate-sized']) : ef.size;
    const choices = [
      `${cap(size)} ${side} pleural ${plural}.`,
      `There ${ef.side === 'bilateral' ? 'are' : 'is a'} ${size} ${side} pleural ${plural}.`,
      `${cap(side)} pleural ${plural}, ${ef.size} in size.`,
    ];
    if (ef.size === 'small' && ef.side !== 'bilateral' && c.acquisition.view === 'PA')
      choices.push(`Blunting of the ${side} costophrenic angle, consistent with a small pleural effusion.`);
    if (c.acquisition.view === 'AP') choices.push(`${cap(size)} layering ${side} pleural ${plural}.`);
    out.push({
      finding: 'pleural_effusion',
      text: lang.say(
        'pleural_effusion',
        w.pick(choices),
        () => W.effusionVariants(ef, c),
        () => W.effusionCompared(ef),
      ),
    });
  }
  const p = f.pneumothorax;
  if (p) {
    const where = c.acquisition.view === 'AP' ? w.pick(['', ' basilar']) : ' apical';
    const shift = p.tension
      ? `, with ${p.side === 'left' ? 'rightward' : 'leftward'} mediastinal shift concerning for tension`
      : '';
    out.push({
      finding: 'pneumothorax',
      text: lang.say(
        'pneumothorax',
        w.pick([
          `${cap(p.size)} ${p.side}${where} pneumothorax${shift}.`,
          `There is a ${p.side} pneumothorax measuring approximately ${cm(p.rimMm)} cm at the apex${shift}.`,
          `A visceral pleural margin with no lung markings beyond it is seen in the ${p.side} hemithorax, consistent with a ${p.size} pneumothorax${shift}.`,
        ]),
        () => W.pneumothoraxVariants(p),
        () => W.pneumothoraxCompared(p),
      ),
    });
  }
  const cg = f.cardiomegaly;
  if (cg) {
    const deg = cg.severity === 'mild' ? 'mildly' : cg.severity === 'moderate' ? 'moderately' : 'markedly';
    out.push({
      finding: 'cardiomegaly',
      text: lang.say(
        'cardiomegaly',
        w.pick([
          `The heart is ${deg} enlarged.`,
          `${cap(cg.severity)} cardiomegaly.`,
          `The cardiac silhouette is ${deg} enlarged.`,
          `Cardiac enlargement.`,
        ]),
        () => W.cardiomegalyVariants(cg, c),
        W.cardiomegalyCompared,
      ),
    });
  }
  return out;
}

/** Nouns for grouped negations ("No focal consolidation, effusion or pneumothorax."). */
const NEG_NOUN: Partial<Record<FindingName, readonly string[]>> = {
  pleural_effusion: ['pleural effusion', 'effusion'],
  pneumothorax: ['pneumothorax'],
  consolidation: ['focal consolidation', 'consolidation'],
  edema: ['pulmonary edema', 'edema'],
  nodule: ['suspicious pulmonary nodule', 'nodule or mass'],
  atelectasis: ['atelectasis'],
};
/** How often a report bothers to deny an absent finding. */
const NEG_RATE: Partial<Record<FindingName, number>> = {
  pleural_effusion: 0.85,
  pneumothorax: 0.8,
  consolidation: 0.7,
  edema: 0.35,
  nodule: 0.15,
  atelectasis: 0.1,
};

function negations(w: Writer, c: PhantomCase, rare: RareReport): void {
  const f = c.findings;
  const lang = w.lang;
  const drawn = (Object.keys(NEG_RATE) as FindingName[]).filter((k) => !f[k] && w.rng.chance(NEG_RATE[k]!));
  // A cavitary lesion is a mass: the report does not deny one.
  const absent = f.cavitary_lesion ? drawn.filter((k) => k !== 'nodule') : drawn;
  w.rng.shuffle(absent);
  // "The lungs are clear" at most once, and only when they are.
  let clearAvailable =
    rare.lungsClear && !f.consolidation && !f.atelectasis && !f.nodule && !f.edema && !f.pneumothorax;
  while (absent.length > 0) {
    const group = absent.splice(0, w.rng.int(1, Math.min(3, absent.length)));
    // Beside a calcified granuloma only a suspicious nodule is denied.
    const nouns = group
      .map((g) => w.pick(NEG_NOUN[g]!))
      .map((n) => (n === 'nodule or mass' && f.calcified_granuloma ? 'suspicious pulmonary nodule' : n));
    // The Oxford comma is drawn only for three or more (1.0's draws).
    const list = W.listJoinWords(nouns, nouns.length > 2 && w.rng.chance(0.5));
    const forms = [`No ${list}.`, `There is no ${list}.`, `No evidence of ${list}.`, `Negative for ${list}.`];
    if (group.length === 1) forms.push(`${cap(list)} is not seen.`, `No ${list} is identified.`);
    if (clearAvailable) forms.push(`The lungs are clear without ${list}.`, `Lungs are clear; no ${list}.`);
    const text = w.pick(forms);
    if (text.startsWith('The lungs') || text.startsWith('Lungs')) {
      clearAvailable = false;
      w.add('findings', text, group, 'negated');
    } else {
      const varied = variedNegation(lang, c, group as BaseFindingName[], rare);
      w.add('findings', varied?.text ?? text, varied?.findings ?? group, 'negated');
    }
  }
  if (clearAvailable && w.rng.chance(0.5))
    w.add(
      'findings',
      w.pick(['The lungs are clear.', 'Lungs are well expanded and clear.', 'Clear lungs.']),
      [],
      'none',
    );
}

/** Air leaks a denied pneumothorax may take along ("No pneumothorax, pneumomediastinum or free air."). */
const AIR_LEAKS = ['pneumomediastinum', 'pneumoperitoneum', 'subcutaneous_emphysema'] as const;

/**
 * A grouped negation in other words, from the language stream: another noun for each finding, a
 * denied pneumothorax with the air leaks the report does not otherwise mention, or (with a prior,
 * one finding) its resolution. null: the canonical sentence stays.
 */
function variedNegation(
  lang: Language,
  c: PhantomCase,
  group: BaseFindingName[],
  rare: RareReport,
): { text: string; findings: FindingName[] } | null {
  if (!lang.on) return null;
  const f = c.findings;
  // Beside a calcified granuloma a resolved "nodule" would be about it.
  const resolvable =
    group.length === 1 && !(group[0] === 'nodule' && f.calcified_granuloma) ? W.RESOLVED_NOUN[group[0]!] : undefined;
  if (resolvable && lang.prior !== null && lang.chance(0.2)) {
    const nouns = resolvable(lang.pick(['left', 'right']));
    return { text: lang.resolved(lang.pick(nouns)), findings: group };
  }
  if (!lang.chance(0.4)) return null;
  const findings: FindingName[] = [...group];
  const nouns = group.map((g) =>
    g === 'nodule' && f.calcified_granuloma ? lang.pick(W.NODULE_BESIDE_GRANULOMA) : lang.pick(W.NEG_SYNONYMS[g]!),
  );
  if (group.includes('pneumothorax') && group.length < 3 && lang.chance(0.3)) {
    const said = new Set(rare.mentions.flatMap((s) => s.findings));
    for (const k of AIR_LEAKS)
      if (!f[k] && !c.excluded?.includes(k) && !said.has(k) && findings.length < 4 && lang.chance(0.5)) {
        findings.push(k);
        nouns.push(lang.pick(RARE_NEGATED[k]!.noun!));
      }
  }
  const list = W.listJoinWords(nouns, lang.chance(0.5));
  const sites = new Set(findings.map((k) => W.NEGATION_SITE[k as BaseFindingName]));
  const site = sites.size === 1 ? [...sites][0] : undefined;
  return { text: lang.pick(W.negationForms(list, findings.length === 1, site)), findings };
}

/** Hedged mentions of absent findings, as radiologists write them. */
function uncertainties(w: Writer, c: PhantomCase): void {
  const f = c.findings;
  const lang = w.lang;
  if (!w.rng.chance(0.14)) return;
  if (!f.pleural_effusion) {
    const side = w.pick(['left', 'right']);
    w.add(
      'findings',
      lang.or(
        w.pick([
          `Cannot exclude a small ${side} effusion.`,
          `Possible trace ${side} pleural effusion.`,
          `Equivocal blunting of the ${side} costophrenic angle, which may reflect a trace effusion.`,
        ]),
        () => W.HEDGES.pleural_effusion!(side, ''),
      ),
      ['pleural_effusion'],
      'uncertain',
    );
  } else if (!f.consolidation && (f.atelectasis || f.edema)) {
    w.add(
      'findings',
      lang.or(
        w.pick(['Superimposed consolidation cannot be excluded.', 'Possible early consolidation at the base.']),
        () => [
          'Superimposed consolidation is not excluded.',
          'Questionable early consolidation at the base.',
          'Basilar opacity, which may represent early consolidation.',
        ],
      ),
      ['consolidation'],
      'uncertain',
    );
  } else if (!f.pneumothorax) {
    w.add(
      'findings',
      w.pick(['No definite pneumothorax.', 'No convincing pneumothorax.']),
      ['pneumothorax'],
      'negated',
    );
  }
}

const CLEAR_LUNGS = /\blungs are (well expanded and )?clear\b|^clear lungs\b/i;

/**
 * From the language stream only: now and then a hedge about an absent finding the report has not
 * mentioned (never a lung finding after "the lungs are clear"), denials of rare findings that
 * reports of generator 1.1 never denied, and of devices where there are none.
 */
function languageMentions(w: Writer, c: PhantomCase, rare: RareReport): void {
  const lang = w.lang;
  if (!lang.on) return;
  const f = c.findings;
  const excluded = new Set<string>(c.excluded ?? []);
  const said = new Set<FindingName>([...w.sentences, ...rare.bones, ...rare.impression].flatMap((s) => s.findings));
  const free = (k: FindingName) => !f[k] && !said.has(k) && !excluded.has(k);
  const clear = w.sentences.some((s) => CLEAR_LUNGS.test(s.text));
  if (lang.chance(0.12)) {
    const lung: FindingName[] = ['consolidation', 'nodule', 'edema', 'atelectasis', 'calcified_granuloma'];
    const candidates = (Object.keys(W.HEDGES) as FindingName[])
      .concat(Object.keys(RARE_HEDGES) as FindingName[])
      .filter((k) => free(k) && !(clear && lung.includes(k)))
      // A nodule hedge beside a granuloma or cavity would be about them.
      .filter((k) => !(k === 'nodule' && (f.calcified_granuloma || f.cavitary_lesion)))
      // The bone sentence, the heart sentence and the impression come later and may deny these.
      .filter((k) => k !== 'rib_fracture' && k !== 'widened_mediastinum')
      .filter((k) => !(k === 'pneumothorax' && f.support_devices))
      .filter((k) => !(k === 'consolidation' && !(f.atelectasis || f.edema)));
    if (candidates.length) {
      const k = lang.pick(candidates);
      const side = lang.pick(['left', 'right']);
      const zone = lang.pick(['upper', 'mid', 'lower']);
      const forms = isRareFinding(k) ? RARE_HEDGES[k]! : W.HEDGES[k as BaseFindingName]!(side, zone);
      w.add('findings', lang.pick(forms), [k], 'uncertain');
      said.add(k);
    }
  }
  for (const [k, rate] of Object.entries(EXTRA_NEGATION_RATE) as [RareFindingName, number][]) {
    const forms = free(k) && lang.chance(rate) ? rareDenials(k, f) : [];
    if (forms.length) w.add('findings', lang.pick(forms), [k], 'negated');
  }
  // 1.5: with a prior, now and then an acute rare finding it showed has resolved (negated).
  if (lang.prior !== null)
    for (const [k, nouns] of Object.entries(RARE_RESOLVED) as [RareFindingName, readonly string[]][])
      if (free(k) && lang.chance(0.02)) w.add('findings', lang.resolved(lang.pick(nouns)), [k], 'negated');
  if (free('support_devices') && lang.chance(0.06))
    w.add(
      'findings',
      lang.pick(lang.prior !== null && lang.chance(0.5) ? W.DEVICES_REMOVED : W.NO_DEVICES),
      ['support_devices'],
      'negated',
    );
}

const IMPRESSION_ORDER: BaseFindingName[] = [
  'pneumothorax',
  'consolidation',
  'edema',
  'pleural_effusion',
  'nodule',
  'atelectasis',
  'cardiomegaly',
  'support_devices',
];

function impression(w: Writer, c: PhantomCase, rare: RareReport): void {
  const f = c.findings;
  const items: Sentence[] = [];
  for (const name of IMPRESSION_ORDER) {
    if (!f[name]) continue;
    items.push({ text: impressionOf(w, c, name), findings: [name], polarity: 'positive' });
  }
  if (items.length === 0) {
    const text = w.pick([
      'No acute cardiopulmonary process.',
      'No acute cardiopulmonary abnormality.',
      'Normal chest radiograph.',
      'No radiographic evidence of acute disease.',
    ]);
    // Incidental chronic findings follow "no acute process"; anything else replaces it.
    if (!rare.acute)
      items.push({
        text:
          rare.impression.length && text === 'Normal chest radiograph.' ? 'No acute cardiopulmonary process.' : text,
        findings: [],
        polarity: 'none',
      });
  } else if (f.support_devices && !f.pneumothorax && w.rng.chance(0.6)) {
    const text = w.lang.or('No pneumothorax.', () => ['No pneumothorax is seen.', 'Negative for pneumothorax.']);
    items.push({ text, findings: ['pneumothorax'], polarity: 'negated' });
  }
  items.push(...rare.impression);
  for (const it of items) w.add('impression', it.text, it.findings, it.polarity);
}

/** The canonical impression, or (language stream) another wording or a comparison. */
function impressionOf(w: Writer, c: PhantomCase, name: BaseFindingName): string {
  const text = impressionText(w, c, name);
  const f = c.findings;
  const compared = {
    pneumothorax: () => W.pneumothoraxCompared(f.pneumothorax!),
    consolidation: () => W.consolidationCompared(f.consolidation!),
    edema: () => W.edemaCompared(f.edema!),
    pleural_effusion: () => W.effusionCompared(f.pleural_effusion!),
    nodule: () => W.noduleCompared(f.nodule!),
    atelectasis: () => W.atelectasisCompared(f.atelectasis!),
    cardiomegaly: W.cardiomegalyCompared,
    support_devices: undefined,
  }[name];
  return w.lang.say(name, text, () => W.impressionVariants(name, c), compared);
}

function impressionText(w: Writer, c: PhantomCase, name: BaseFindingName): string {
  const f = c.findings;
  switch (name) {
    case 'pneumothorax':
      return `${cap(f.pneumothorax!.size)} ${f.pneumothorax!.side} pneumothorax${f.pneumothorax!.tension ? ' with signs of tension' : ''}.`;
    case 'consolidation':
      return w.pick([
        `${cap(LOBE_NAME[f.consolidation!.lobe])} consolidation, concerning for pneumonia.`,
        `Consolidation in the ${LOBE_NAME[f.consolidation!.lobe]}.`,
      ]);
    case 'edema':
      return w.pick([
        'Pulmonary edema.',
        `${cap(f.edema!.severity)} pulmonary edema.`,
        'Findings consistent with congestive heart failure.',
      ]);
    case 'pleural_effusion': {
      const e = f.pleural_effusion!;
      return e.side === 'bilateral'
        ? w.pick([`${cap(e.size)} bilateral pleural effusions.`, 'Bilateral pleural effusions.'])
        : w.pick([`${cap(e.size)} ${e.side} pleural effusion.`, `${cap(e.side)} pleural effusion.`]);
    }
    case 'nodule': {
      const n = f.nodule!;
      return w.pick([
        `${cap(n.side)} ${zoneWord(n.zone)} lung ${n.kind}; CT is recommended for further evaluation.`,
        `${cap(n.kind)} in the ${n.side} lung, ${cm(n.diameterMm, 0.1)} cm.`,
      ]);
    }
    case 'atelectasis': {
      const a = f.atelectasis!;
      return a.kind === 'lobar'
        ? `${cap(LOBE_NAME[a.lobe ?? 'LLL'])} collapse.`
        : w.pick([
            'Basilar atelectasis.',
            `${a.side === 'bilateral' ? 'Bibasilar' : cap(a.side) + ' basilar'} atelectasis.`,
          ]);
    }
    case 'cardiomegaly':
      return w.pick(['Cardiomegaly.', `${cap(f.cardiomegaly!.severity)} cardiomegaly.`]);
    case 'support_devices':
      return w.pick([
        'Support devices as described.',
        'Lines and tubes in satisfactory position.',
        'Medical devices in expected position.',
      ]);
  }
}

function assemble(sentences: ReportSentence[]): Report {
  const get = (s: SectionName) => sentences.filter((x) => x.section === s).map((x) => x.text);
  const imp = get('impression');
  const sections: Record<SectionName, string> = {
    examination: get('examination').join(' '),
    indication: get('indication').join(' '),
    comparison: get('comparison').join(' '),
    findings: get('findings').join(' '),
    impression: imp.length > 1 ? imp.map((t, i) => `${i + 1}. ${t}`).join('\n') : (imp[0] ?? ''),
  };
  const text = [
    `EXAMINATION: ${sections.examination}`,
    `INDICATION: ${sections.indication}`,
    `COMPARISON: ${sections.comparison}`,
    `FINDINGS: ${sections.findings}`,
    `IMPRESSION:${imp.length > 1 ? '\n' : ' '}${sections.impression}`,
  ].join('\n');
  return { text, sections, sentences };
}
