/**
 * What reports say about the rare findings: positive descriptions (with
 * synonyms, abbreviations, measurements and comparison language), negated
 * and hedged mentions in reports without them, and the indication or
 * comparison a finding implies. Everything is drawn from its own stream, so
 * the sentences generator 1.0 wrote about the base findings are unchanged;
 * an excluded finding is never named, not even negated.
 */
import type { PhantomCase } from './case.js';
import { isRareFinding, type FindingName, type FindingSet } from './findings.js';
import { Random } from './random.js';
import type { RareFindingName } from './rare-findings.js';
import {
  hiatalHerniaSize,
  RARE_COMPARED,
  rareDenials,
  RARE_HEDGES,
  RARE_NEGATED,
  RARE_POSITIVE,
} from './rare-wordings.js';
import { cap, cmTenths, UNDER_DIAPHRAGM, zoneWord } from './report-text.js';
import { Language } from './report-variety.js';

export interface Sentence {
  text: string;
  findings: FindingName[];
  polarity: 'positive' | 'negated' | 'uncertain' | 'none';
}

export interface RareReport {
  /** Replaces the indication (the finding's clinical setting). */
  indication?: string;
  /** Replaces the comparison when a sentence compares with a prior film. */
  comparison?: string;
  /** Findings section: after the devices (sternotomy), after the lungs, before the bones. */
  devices: Sentence[];
  chest: Sentence[];
  bones: Sentence[];
  /** Negated and hedged mentions of absent rare findings. */
  mentions: Sentence[];
  impression: Sentence[];
  /** An impression of "no acute process" would contradict a present finding. */
  acute: boolean;
  /** "The lungs are clear" would contradict a present finding. */
  lungsClear: boolean;
}

const ordinal = (n: number) => `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`;

/** Findings that never make an impression "acute". */
const CHRONIC: readonly RareFindingName[] = [
  'calcified_granuloma',
  'scoliosis',
  'sternotomy_wires',
  'hiatal_hernia',
  'elevated_hemidiaphragm',
];

class Out {
  readonly report: RareReport = {
    devices: [],
    chest: [],
    bones: [],
    mentions: [],
    impression: [],
    acute: false,
    lungsClear: true,
  };
  /** Findings whose sentences already compare with a prior ("Stable …"): the language stream does not. */
  private readonly selfCompared = new Set<RareFindingName>();
  constructor(
    readonly rng: Random,
    readonly c: PhantomCase,
    readonly lang: Language,
  ) {}
  pick<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }
  /** The canonical sentence, or (language stream) a variant or a comparison. */
  add(where: 'devices' | 'chest' | 'bones' | 'impression', name: RareFindingName, text: string): void {
    const compared = this.selfCompared.has(name) ? undefined : () => comparedOf(name, this.c.findings);
    const variants = () => (where === 'impression' ? [] : positiveOf(name, this.c.findings));
    this.report[where].push({
      text: this.lang.say(name, text, variants, compared),
      findings: [name],
      polarity: 'positive',
    });
  }
  /** "Stable …" / "New …": also sets a comparison that makes it true. */
  compared(kind: 'stable' | 'new', name: RareFindingName): boolean {
    if (!this.rng.chance(kind === 'stable' ? 0.3 : 0.2)) return false;
    this.selfCompared.add(name);
    this.report.comparison ??=
      kind === 'stable'
        ? this.pick([
            'Chest radiograph from 2 years prior.',
            'PA and lateral chest radiographs from last year.',
            'Prior chest radiograph, 18 months earlier.',
          ])
        : this.pick(['Chest radiograph from yesterday.', 'Portable chest radiograph from earlier today.']);
    return true;
  }
}

const positiveOf = <K extends RareFindingName>(name: K, f: FindingSet): string[] => RARE_POSITIVE[name](f[name]!);
const comparedOf = <K extends RareFindingName>(name: K, f: FindingSet) => RARE_COMPARED[name](f[name]!);

/** `lang`: the report's language stream (default: none, every sentence canonical). */
export function writeRareReport(c: PhantomCase, lang = new Language(c, false)): RareReport {
  const o = new Out(new Random('report-rare', c.seed, c.index), c, lang);
  const f = c.findings;
  sternotomy(o, f);
  cavity(o, f);
  granuloma(o, f);
  adenopathy(o, f);
  mediastinum(o, f);
  pneumomediastinum(o, f);
  hernia(o, f);
  diaphragm(o, f);
  ribs(o, f);
  spine(o, f);
  emphysema(o, f);
  peritoneum(o, f);
  mentions(o, c);
  indication(o, c);
  const present = (Object.keys(f) as FindingName[]).filter(isRareFinding);
  o.report.acute = present.some(
    (k) => !CHRONIC.includes(k) && !(k === 'rib_fracture' && f.rib_fracture!.age === 'healed'),
  );
  o.report.lungsClear = !f.cavitary_lesion;
  return o.report;
}

function sternotomy(o: Out, f: FindingSet): void {
  const s = f.sternotomy_wires;
  if (!s) return;
  const valveLong =
    s.valve === 'aortic'
      ? o.pick(['aortic valve replacement', 'prosthetic aortic valve', 'AVR'])
      : s.valve === 'mitral'
        ? o.pick(['mitral valve replacement', 'prosthetic mitral valve', 'MVR'])
        : s.valve === 'both'
          ? o.pick(['aortic and mitral valve replacements', 'AVR and MVR'])
          : '';
  const parts = [s.cabgClips ? 'CABG' : '', valveLong].filter(Boolean);
  const also = parts.join(' and ');
  // "… sternotomy, CABG and AVR" rather than "… sternotomy and CABG and AVR".
  const andAlso = parts.length === 2 ? `, ${parts[0]} and ${parts[1]}` : also ? ` and ${also}` : '';
  const stable = o.compared('stable', 'sternotomy_wires');
  const choices = [
    `${stable ? 'Unchanged' : 'Intact'} median sternotomy wires.`,
    `Median sternotomy wires are ${stable ? 'unchanged' : 'intact'}.`,
    `Post-sternotomy changes${also ? ` with ${also}` : ''}.`,
    `Status post median sternotomy${andAlso}.`,
  ];
  if (s.cabgClips) choices.push('Sternotomy wires and mediastinal surgical clips from prior CABG.');
  if (s.valve !== 'none') choices.push(`S/p sternotomy; ${valveLong} in expected position.`);
  o.add('devices', 'sternotomy_wires', o.pick(choices));
  o.add(
    'impression',
    'sternotomy_wires',
    o.pick([
      `Postsurgical changes of median sternotomy${andAlso}.`,
      'Post-sternotomy changes.',
      s.cabgClips ? 'Post-CABG changes.' : 'Median sternotomy.',
    ]),
  );
}

function cavity(o: Out, f: FindingSet): void {
  const k = f.cavitary_lesion;
  if (!k) return;
  const where = `${k.side} ${zoneWord(k.zone)} lung`;
  const size = cmTenths(k.diameterMm);
  const level = k.airFluidLevel ? o.pick([' with an air-fluid level', ' containing an air-fluid level']) : '';
  const wall = `${Math.round(k.wallMm)} mm`;
  o.add(
    'chest',
    'cavitary_lesion',
    o.pick([
      `${size} cm thick-walled cavitary lesion in the ${where}${level}.`,
      `There is a cavitary lesion in the ${where} measuring ${size} cm, with a wall up to ${wall} thick${level}.`,
      `Cavitating lesion in the ${where}${level}; the wall measures up to ${wall}.`,
      `A ${size} cm cavity with an irregular thick wall projects over the ${where}${level}.`,
    ]),
  );
  o.add(
    'impression',
    'cavitary_lesion',
    o.pick([
      `Cavitary lesion in the ${where}${k.airFluidLevel ? ', likely an abscess' : ''}; CT is recommended.`,
      `${cap(k.side)} ${zoneWord(k.zone)} lung cavitary lesion. Differential includes abscess, mycobacterial infection and cavitating neoplasm.`,
      `Thick-walled cavity in the ${where}.`,
    ]),
  );
}

function granuloma(o: Out, f: FindingSet): void {
  const g = f.calcified_granuloma;
  if (!g) return;
  const where = `${g.side} ${zoneWord(g.zone)} lung`;
  const size = `${Math.round(g.diameterMm)} mm`;
  const stable = o.compared('stable', 'calcified_granuloma');
  const plural = g.count > 1;
  const node = g.hilarNode ? ` and a calcified ${g.side} hilar lymph node` : '';
  const choices = plural
    ? [
        `${stable ? 'Stable c' : 'C'}alcified granulomas in the ${where}${node}.`,
        `Several small calcified granulomas in the ${where}, the largest ${size}.`,
        `Sequelae of prior granulomatous disease, with calcified granulomas in the ${where}${node}.`,
      ]
    : [
        `${stable ? 'Stable ' : ''}${size} calcified granuloma in the ${where}.`,
        `A calcified granuloma projects over the ${where}${stable ? ', unchanged' : ''}.`,
        `Densely calcified ${size} nodule in the ${where}, consistent with a granuloma.`,
        `Calcified granuloma in the ${where}${node}.`,
      ];
  o.add('chest', 'calcified_granuloma', o.pick(choices));
  o.add(
    'impression',
    'calcified_granuloma',
    o.pick([
      `Calcified granuloma${plural ? 's' : ''}, a benign finding.`,
      'Sequelae of prior granulomatous disease.',
      `${cap(g.side)} ${zoneWord(g.zone)} lung calcified granuloma${plural ? 's' : ''}.`,
    ]),
  );
}

function adenopathy(o: Out, f: FindingSet): void {
  const a = f.hilar_adenopathy;
  if (!a) return;
  const both = a.side === 'bilateral';
  const hila = both ? 'bilateral hilar' : `${a.side} hilar`;
  const para = a.paratracheal
    ? o.pick([
        ', with widening of the right paratracheal stripe',
        ' and right paratracheal lymphadenopathy',
        ' and right paratracheal adenopathy',
      ])
    : '';
  const size = cmTenths(a.nodeMm);
  o.add(
    'chest',
    'hilar_adenopathy',
    o.pick([
      `${cap(hila)} lymphadenopathy${para}.`,
      `${cap(hila)} adenopathy${para}.`,
      both
        ? `Both hila are enlarged and lobulated, consistent with hilar lymphadenopathy${para}.`
        : `The ${a.side} hilum is enlarged and lobulated, consistent with hilar lymphadenopathy${para}.`,
      `Enlarged ${hila} lymph nodes, the largest measuring about ${size} cm${para}.`,
    ]),
  );
  o.add(
    'impression',
    'hilar_adenopathy',
    o.pick([
      both && a.paratracheal
        ? 'Bilateral hilar and right paratracheal lymphadenopathy; sarcoidosis is a consideration.'
        : `${cap(hila)} lymphadenopathy; CT is recommended.`,
      `${cap(hila)} adenopathy.`,
    ]),
  );
}

function mediastinum(o: Out, f: FindingSet): void {
  const m = f.widened_mediastinum;
  if (!m) return;
  const width = cmTenths(m.widthMm);
  const cause =
    m.cause === 'vascular'
      ? o.pick([
          ', with an indistinct aortic knob; aortic injury cannot be excluded',
          ' with loss of the normal aortic knob contour',
          '',
        ])
      : o.pick([', with a lobulated contour, possibly lymphadenopathy', ' with lobulated margins', '']);
  o.add(
    'chest',
    'widened_mediastinum',
    o.pick([
      `The superior mediastinum is widened, measuring ${width} cm${cause}.`,
      `Mediastinal widening to ${width} cm at the level of the aortic knob${cause}.`,
      `Widened mediastinum${cause}.`,
      `Widening of the upper mediastinum${cause}.`,
    ]),
  );
  o.add(
    'impression',
    'widened_mediastinum',
    m.cause === 'vascular'
      ? o.pick([
          'Widened mediastinum; CT angiography is recommended to exclude aortic pathology.',
          'Mediastinal widening, concerning for an aortic abnormality.',
        ])
      : o.pick(['Widened mediastinum; CT of the chest is recommended.', 'Mediastinal widening.']),
  );
}

function pneumomediastinum(o: Out, f: FindingSet): void {
  const p = f.pneumomediastinum;
  if (!p) return;
  const neck = p.neck
    ? o.pick([' extending into the neck', ' tracking into the soft tissues of the neck', ' extending superiorly'])
    : '';
  const isNew = o.compared('new', 'pneumomediastinum');
  const choices = [
    `${isNew ? 'New p' : 'P'}neumomediastinum${neck}.`,
    `Linear lucencies outlining the mediastinum and the left heart border, consistent with pneumomediastinum${neck}.`,
    `Air outlining the mediastinal structures, compatible with ${p.extent === 'limited' ? 'a small ' : ''}pneumomediastinum${neck}.`,
  ];
  if (p.continuousDiaphragm) choices.push('Continuous diaphragm sign, consistent with pneumomediastinum.');
  if (p.extent === 'limited') choices.push('Small-volume pneumomediastinum.');
  o.add('chest', 'pneumomediastinum', o.pick(choices));
  o.add(
    'impression',
    'pneumomediastinum',
    o.pick([
      `${isNew ? 'New p' : 'P'}neumomediastinum.`,
      `${cap(p.extent === 'extensive' ? 'extensive' : 'small')} pneumomediastinum.`,
    ]),
  );
}

function hernia(o: Out, f: FindingSet): void {
  const h = f.hiatal_hernia;
  if (!h) return;
  // One pick of two words in every band, as in 1.7, so the draws after it, and every other report, stay 1.7's.
  // Variety off keeps 1.1's words (small under 6 cm), as the canonical writer keeps every 1.1 sentence.
  const size = o.pick(
    o.lang.on
      ? hiatalHerniaSize(h.diameterMm)
      : h.size === 'large'
        ? ['large', 'moderate-to-large']
        : ['small', 'small to moderate'],
  );
  const stable = o.compared('stable', 'hiatal_hernia');
  const choices = [
    `${cap(stable ? `stable ${size}` : size)} hiatal hernia.`,
    // "hiatus hernia" is a held-out everyday wording: only the canonical writer (1.1's words) keeps it, as its
    // size words (a varied sentence that differs from 1.1's may not use a held-out wording).
    `${cap(size)} ${o.lang.on ? 'hiatal' : 'hiatus'} hernia measuring ${cmTenths(h.diameterMm)} cm.`,
    `A ${cmTenths(h.diameterMm)} cm hiatal hernia projects over the retrocardiac region${stable ? ', unchanged' : ''}.`,
  ];
  if (h.airFluidLevel)
    choices.push(
      'Retrocardiac soft tissue density with an air-fluid level, consistent with a hiatal hernia.',
      o.lang.on // "retrocardiac air-fluid level" is held out too
        ? `${cap(size)} hiatal hernia projecting over the retrocardiac region.`
        : `Retrocardiac air-fluid level, compatible with a ${size} hiatal hernia.`,
    );
  o.add('chest', 'hiatal_hernia', o.pick(choices));
  o.add('impression', 'hiatal_hernia', o.pick(['Hiatal hernia.', `${cap(size)} hiatal hernia.`]));
}

function diaphragm(o: Out, f: FindingSet): void {
  const e = f.elevated_hemidiaphragm;
  if (!e) return;
  const stable = o.compared('stable', 'elevated_hemidiaphragm');
  o.add(
    'chest',
    'elevated_hemidiaphragm',
    o.pick([
      `Elevation of the ${e.side} hemidiaphragm${stable ? ', unchanged' : ''}.`,
      `The ${e.side} hemidiaphragm is elevated${stable ? ', as before' : ''}.`,
      `${e.elevationMm > 50 ? 'Marked e' : 'E'}levation of the ${e.side} hemidiaphragm, which may reflect phrenic nerve palsy or eventration.`,
      `Elevated ${e.side} hemidiaphragm, about ${Math.round(e.elevationMm / 10)} cm higher than expected.`,
    ]),
  );
  o.add(
    'impression',
    'elevated_hemidiaphragm',
    o.pick([`Elevated ${e.side} hemidiaphragm.`, `${cap(e.side)} hemidiaphragm elevation.`]),
  );
}

function ribList(ribs: number[]): string {
  if (ribs.length === 1) return ordinal(ribs[0]!);
  if (ribs.length === 2) return `${ordinal(ribs[0]!)} and ${ordinal(ribs[1]!)}`;
  return `${ordinal(ribs[0]!)} through ${ordinal(ribs[ribs.length - 1]!)}`;
}

function ribs(o: Out, f: FindingSet): void {
  const r = f.rib_fracture;
  if (!r) return;
  const many = r.ribs.length > 1;
  const list = ribList(r.ribs);
  const site = r.site === 'lateral' ? o.pick(['lateral ', 'lateral ', '']) : 'posterior ';
  const of = `${r.side} ${site}${list} rib${many ? 's' : ''}`;
  const fx = many ? 'fractures' : 'fracture';
  let text: string;
  if (r.age === 'healed') {
    const stable = o.compared('stable', 'rib_fracture');
    text = o.pick([
      `${stable ? 'Stable h' : 'H'}ealed ${fx} of the ${of} with callus formation.`,
      `Old healed ${r.side} rib ${fx}.`,
      `Remote ${fx} of the ${of}.`,
      `Chronic deformity of the ${of} from ${many ? 'healed fractures' : 'a healed fracture'}.`,
    ]);
  } else if (r.displaced) {
    text = o.pick([
      `Acute displaced ${fx} of the ${of}.`,
      `Displaced ${fx} of the ${of}.`,
      `There ${many ? 'are' : 'is a'} mildly displaced ${fx} of the ${of}.`,
      `${cap(r.side)} ${list} rib ${fx} with step-off.`,
    ]);
  } else {
    text = o.pick([
      `Nondisplaced ${fx} of the ${of}.`,
      `Acute ${fx} of the ${of} without significant displacement.`,
      `Fx of the ${of}, nondisplaced.`,
      `Cortical ${many ? 'breaks' : 'break'} of the ${of}, consistent with ${many ? 'nondisplaced fractures' : 'a nondisplaced fracture'}.`,
    ]);
  }
  o.add('bones', 'rib_fracture', text);
  o.add(
    'impression',
    'rib_fracture',
    r.age === 'healed'
      ? o.pick([`Healed ${r.side} rib ${fx}.`, `Old ${r.side} rib ${fx}.`])
      : o.pick([`Acute ${r.side} rib ${fx}.`, `${cap(r.side)} ${list} rib ${fx}.`]),
  );
}

function spine(o: Out, f: FindingSet): void {
  const s = f.scoliosis;
  if (!s) return;
  const dir = s.convexity === 'right' ? 'dextro' : 'levo';
  const region = s.region === 'thoracic' ? 'thoracic' : 'thoracolumbar';
  const stable = o.compared('stable', 'scoliosis');
  const sev = stable ? `stable ${s.severity}` : s.severity;
  o.add(
    'bones',
    'scoliosis',
    o.pick([
      `${cap(sev)} ${dir}convex scoliosis of the ${region} spine.`,
      `${cap(sev)} ${region} ${dir}scoliosis.`,
      `${cap(dir)}scoliosis of the ${region} spine, Cobb angle approximately ${Math.round(s.cobbDeg)} degrees.`,
      `Scoliosis of the ${region} spine, convex to the ${s.convexity}${stable ? ', unchanged' : ''}.`,
    ]),
  );
  o.add(
    'impression',
    'scoliosis',
    o.pick([`${cap(region)} scoliosis.`, `${cap(dir)}scoliosis.`, `${cap(s.severity)} scoliosis.`]),
  );
}

function emphysema(o: Out, f: FindingSet): void {
  const e = f.subcutaneous_emphysema;
  if (!e) return;
  const wall = e.side === 'bilateral' ? 'both chest walls' : `the ${e.side} chest wall`;
  const neck = e.neck ? o.pick([' extending into the neck', ' and the lower neck', ' tracking into the neck']) : '';
  const extensive = e.extent === 'extensive';
  o.add(
    'bones',
    'subcutaneous_emphysema',
    o.pick([
      `${extensive ? 'Extensive s' : 'S'}ubcutaneous emphysema along ${wall}${neck}.`,
      `${extensive ? 'Extensive s' : 'S'}ubcutaneous gas in ${wall}${neck}.`,
      `Soft tissue emphysema of ${wall}${neck}.`,
      `Surgical emphysema over ${wall}${neck}.`,
      extensive
        ? `Extensive subcutaneous emphysema dissecting along the pectoral muscles${neck}.`
        : `A small amount of subcutaneous emphysema in ${wall}.`,
    ]),
  );
  o.add(
    'impression',
    'subcutaneous_emphysema',
    o.pick([`${extensive ? 'Extensive s' : 'S'}ubcutaneous emphysema.`, 'Subcutaneous emphysema.']),
  );
}

function peritoneum(o: Out, f: FindingSet): void {
  const p = f.pneumoperitoneum;
  if (!p) return;
  const isNew = o.compared('new', 'pneumoperitoneum');
  const amount = p.size === 'large' ? 'large' : 'small';
  o.add(
    'bones',
    'pneumoperitoneum',
    o.pick([
      `Free air under ${UNDER_DIAPHRAGM[p.side]}, consistent with ${isNew ? 'new ' : ''}pneumoperitoneum.`,
      `There is a ${amount} amount of free intraperitoneal air beneath ${UNDER_DIAPHRAGM[p.side]}.`,
      `Crescent of subdiaphragmatic free air measuring ${cmTenths(p.depthMm)} cm, consistent with pneumoperitoneum.`,
      `${isNew ? 'New l' : 'L'}ucency beneath ${UNDER_DIAPHRAGM[p.side]}, consistent with free intraperitoneal air.`,
    ]),
  );
  o.add(
    'impression',
    'pneumoperitoneum',
    o.pick([
      `${isNew ? 'New p' : 'P'}neumoperitoneum.`,
      'Free intraperitoneal air; correlate for perforated viscus.',
      'Free air under the diaphragm.',
    ]),
  );
}

/**
 * How often a report without the finding denies it anyway, in which words; air leaks also as
 * nouns for a list. Hedged forms below.
 */
const NEGATION: Partial<Record<RareFindingName, { rate: number; forms: readonly string[]; noun?: readonly string[] }>> =
  {
    pneumoperitoneum: {
      rate: 0.03,
      forms: ['No free air under the diaphragm.', 'No free intraperitoneal air.', 'No subdiaphragmatic free air.'],
      noun: ['pneumoperitoneum', 'free air under the diaphragm'],
    },
    pneumomediastinum: { rate: 0.02, forms: ['No pneumomediastinum.'], noun: ['pneumomediastinum'] },
    subcutaneous_emphysema: {
      rate: 0.02,
      forms: ['No subcutaneous emphysema.', 'No subcutaneous gas.'],
      noun: ['subcutaneous emphysema', 'subcutaneous gas'],
    },
    widened_mediastinum: {
      rate: 0.03,
      forms: ['The mediastinum is not widened.', 'No mediastinal widening.', 'Normal mediastinal width.'],
    },
    hilar_adenopathy: {
      rate: 0.02,
      forms: ['No hilar adenopathy.', 'No hilar lymphadenopathy.', 'The hila are not enlarged.'],
    },
    hiatal_hernia: { rate: 0.008, forms: ['No hiatal hernia.'] },
    cavitary_lesion: { rate: 0.008, forms: ['No cavitary lesion.', 'No cavitation.'] },
    elevated_hemidiaphragm: {
      rate: 0.008,
      forms: ['Normal position of the hemidiaphragms.', 'Neither hemidiaphragm is elevated.'],
    },
  };

const HEDGED: Partial<Record<RareFindingName, (o: Out) => string>> = {
  pneumoperitoneum: (o) =>
    o.pick([
      'Cannot exclude a small amount of free air under the right hemidiaphragm; an upright or decubitus view may help.',
      'Possible trace free air under the right hemidiaphragm, which may be bowel gas.',
    ]),
  hiatal_hernia: (o) =>
    o.pick(['Possible small hiatal hernia.', 'Retrocardiac lucency, possibly a small hiatal hernia.']),
  pneumomediastinum: () => 'Subtle lucency along the left heart border; a small pneumomediastinum cannot be excluded.',
  rib_fracture: (o) =>
    o.pick([
      `Subtle irregularity of a ${o.pick(['left', 'right'])} lateral rib; a nondisplaced fracture cannot be excluded.`,
      'Possible nondisplaced rib fracture; dedicated rib views could be considered.',
    ]),
  hilar_adenopathy: () => 'Prominent hila, likely vascular; adenopathy cannot be excluded.',
  widened_mediastinum: () => 'The mediastinum appears slightly widened, possibly due to AP technique.',
};

function mentions(o: Out, c: PhantomCase): void {
  const f = c.findings;
  const excluded = new Set<string>(c.excluded ?? []);
  const allowed = (k: RareFindingName) => !f[k] && !excluded.has(k);
  const negated: RareFindingName[] = [];
  for (const [k, n] of Object.entries(NEGATION) as [RareFindingName, (typeof NEGATION)[RareFindingName] & {}][])
    if (allowed(k) && o.rng.chance(n.rate)) negated.push(k);
  // Air-leak words come as a list ("No pneumothorax, pneumomediastinum or subcutaneous emphysema.").
  const leaks: RareFindingName[] = negated.filter(
    (k) => k === 'pneumomediastinum' || k === 'subcutaneous_emphysema' || k === 'pneumoperitoneum',
  );
  const rest = negated.filter((k) => !leaks.includes(k));
  if (leaks.length > 1 || (leaks.length === 1 && o.rng.chance(0.5))) {
    const group: FindingName[] = [...leaks];
    if (!f.pneumothorax && o.rng.chance(0.5)) group.unshift('pneumothorax');
    const nouns = group.map((k) => {
      if (k === 'pneumothorax') return 'pneumothorax';
      const noun = o.pick(NEGATION[k as RareFindingName]!.noun ?? [k]);
      return o.lang.or(noun, () => RARE_NEGATED[k as RareFindingName]?.noun ?? []);
    });
    const list =
      nouns.length === 1
        ? nouns[0]!
        : `${nouns.slice(0, -1).join(', ')}${nouns.length > 2 && o.rng.chance(0.5) ? ',' : ''} or ${nouns.at(-1)!}`;
    o.report.mentions.push({
      text: o.pick([`No ${list}.`, `No evidence of ${list}.`, `There is no ${list}.`]),
      findings: group,
      polarity: 'negated',
    });
  } else rest.push(...leaks);
  for (const k of rest) {
    const text = o.lang.or(o.pick(NEGATION[k]!.forms), () => rareDenials(k, f));
    o.report.mentions.push({ text, findings: [k], polarity: 'negated' });
  }
  // A hedged mention now and then, on AP films the mediastinal one (magnification widens it).
  if (o.rng.chance(0.03)) {
    const k = o.pick(Object.keys(HEDGED) as RareFindingName[]);
    const apOnly = k === 'widened_mediastinum' && c.acquisition.view !== 'AP';
    if (allowed(k) && !apOnly) {
      const text = o.lang.or(HEDGED[k]!(o), () => RARE_HEDGES[k] ?? []);
      o.report.mentions.push({ text, findings: [k], polarity: 'uncertain' });
    }
  }
}

const INDICATIONS: [RareFindingName, readonly string[]][] = [
  ['widened_mediastinum', ['Chest pain radiating to the back.', 'Trauma.', 'Hypertension and chest pain.']],
  ['pneumomediastinum', ['Chest pain after vomiting.', 'Sudden chest pain.', 'Asthma exacerbation.']],
  ['pneumoperitoneum', ['Abdominal pain.', 'Acute abdominal pain.', 'Postoperative, abdominal distension.']],
  ['subcutaneous_emphysema', ['Trauma.', 'Chest wall swelling.', 'Crepitus over the chest wall.']],
  ['rib_fracture', ['Fall.', 'Trauma.', 'Chest wall pain after a fall.', 'Motor vehicle collision.']],
  ['cavitary_lesion', ['Cough and weight loss.', 'Hemoptysis.', 'Fever and night sweats.']],
  ['hilar_adenopathy', ['Cough.', 'Dyspnea.', 'Fatigue and cough.']],
  ['hiatal_hernia', ['Reflux.', 'Epigastric pain.']],
];

/** The clinical setting of a present finding, for some of its reports (intubated patients keep theirs). */
function indication(o: Out, c: PhantomCase): void {
  if (c.findings.support_devices?.ettube) return;
  for (const [k, texts] of INDICATIONS) {
    const r = c.findings.rib_fracture;
    if (!c.findings[k] || (k === 'rib_fracture' && r?.age === 'healed')) continue;
    if (o.rng.chance(0.6)) o.report.indication = o.pick(texts);
    return;
  }
}

/**
 * Generator 1.0's bone sentence, kept when it fits the case; otherwise its
 * nearest true form. Returns the text and the findings it names.
 */
export function boneSentence(text: string, c: PhantomCase): { text: string; findings: FindingName[] } {
  const f = c.findings;
  const fx = f.rib_fracture;
  const excluded = c.excluded?.includes('rib_fracture') ?? false;
  const acuteFx = fx && fx.age === 'acute';
  if (text === 'No displaced rib fracture.') {
    if (!fx && !excluded) return { text, findings: ['rib_fracture'] };
    return {
      text: acuteFx ? 'Otherwise, the osseous structures are intact.' : 'No acute osseous abnormality.',
      findings: [],
    };
  }
  if (acuteFx && (text === 'No acute osseous abnormality.' || text === 'The bones are intact.'))
    return { text: 'Otherwise, the osseous structures are intact.', findings: [] };
  if ((fx || f.scoliosis || f.sternotomy_wires) && text === 'Visualized osseous structures are unremarkable.')
    return {
      text: fx || f.scoliosis ? 'Otherwise, the osseous structures are intact.' : 'No acute osseous abnormality.',
      findings: [],
    };
  return { text, findings: [] };
}

/** Heart and mediastinum sentences of generator 1.0 that a widened mediastinum contradicts, replaced. */
export function mediastinalSentence(text: string, c: PhantomCase): string | null {
  if (!c.findings.widened_mediastinum) return text;
  if (text === 'The cardiomediastinal silhouette is within normal limits.')
    return 'Heart size is within normal limits.';
  if (text === 'The mediastinal contours are otherwise unremarkable.' || text === 'The aortic knob is unremarkable.')
    return null;
  return text;
}
