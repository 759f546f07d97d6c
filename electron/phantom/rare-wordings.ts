/**
 * Everyday wordings of the rare findings beside rare-report.ts's canonical sentences: synonyms,
 * measurements, comparison noun phrases, more negated and hedged forms. Same rules as
 * report-wordings.ts: no held-out wording, no word of another finding's name, nothing a
 * CheXpert-style labeler reads as another finding.
 */
import type { FindingSet } from './findings.js';
import type { RareFindingName } from './rare-findings.js';
import { absentFrames, cap, cmTenths, UNDER_DIAPHRAGM, zoneWord } from './report-text.js';
import type { Compared } from './report-variety.js';

/** A hiatal hernia's size words by its measured width (generator 1.8; 1.7 called every one under 6 cm small):
 * small under 4.5 cm, moderate from 4.5, large from 6. Two per band, the first the plain one. */
export function hiatalHerniaSize(diameterMm: number): [string, string] {
  if (diameterMm >= 60) return ['large', 'moderate-to-large'];
  return diameterMm >= 45 ? ['moderate', 'small to moderate'] : ['small', 'small'];
}

/** Positive variants and the comparison noun phrase of each present rare finding. */
export const RARE_POSITIVE: { [K in RareFindingName]: (a: NonNullable<FindingSet[K]>) => string[] } = {
  sternotomy_wires: (s) => {
    const valve =
      s.valve === 'none'
        ? ''
        : s.valve === 'both'
          ? ' and two prosthetic valves'
          : ` and a prosthetic ${s.valve} valve`;
    return [
      'Intact sternotomy wires.',
      `Sequelae of prior sternotomy${valve}.`,
      s.cabgClips
        ? 'S/p CABG, with intact sternotomy wires and surgical clips.'
        : 'Sternotomy wires are in place and intact.',
      `Prior sternotomy${valve}, wires intact.`,
    ];
  },
  cavitary_lesion: (k) => {
    const where = `${k.side} ${zoneWord(k.zone)} lung`;
    const level = k.airFluidLevel ? ' containing an air-fluid level' : '';
    const wall = `${Math.round(k.wallMm)} mm`;
    return [
      `${cmTenths(k.diameterMm)} cm cavity in the ${where} with a wall up to ${wall}${level}.`,
      `Thick-walled cavitary lesion in the ${where}, ${cmTenths(k.diameterMm)} cm${level}.`,
      `Cavitary opacity in the ${where}${level}.`,
    ];
  },
  calcified_granuloma: (g) => {
    const where = `${g.side} ${zoneWord(g.zone)} lung`;
    const size = `${Math.round(g.diameterMm)} mm`;
    return g.count > 1
      ? [
          `Scattered calcified granulomas in the ${where}, up to ${size}.`,
          `Calcified granulomas in the ${where}, benign.`,
        ]
      : [
          `Punctate calcified granuloma in the ${where}.`,
          `${size} calcified granuloma in the ${where}, a benign finding.`,
          `Calcific density in the ${where}, compatible with a granuloma.`,
        ];
  },
  hilar_adenopathy: (a) => {
    const both = a.side === 'bilateral';
    const para = a.paratracheal ? ' and right paratracheal nodes' : '';
    return [
      both ? `Lymphadenopathy in both hilar regions${para}.` : `Lymphadenopathy in the ${a.side} hilum${para}.`,
      `${both ? 'Bilateral hilar' : `${cap(a.side)} hilar`} nodal enlargement, up to ${cmTenths(a.nodeMm)} cm${para}.`,
      `Lobulated ${both ? 'bilateral' : a.side} hilar adenopathy${para}.`,
    ];
  },
  widened_mediastinum: (m) => [
    `Abnormal mediastinal width of ${cmTenths(m.widthMm)} cm at the aortic knob.`,
    `The mediastinum is widened to ${cmTenths(m.widthMm)} cm.`,
    `Widening of the mediastinal silhouette${m.cause === 'vascular' ? ', with an indistinct aortic contour' : ', with lobulated margins'}.`,
  ],
  pneumomediastinum: (p) => {
    const neck = p.neck ? ' extending into the neck' : '';
    return [
      `Lucency tracking along the mediastinum, consistent with pneumomediastinum${neck}.`,
      `Streaks of gas along the aortic arch and left heart border, consistent with pneumomediastinum${neck}.`,
      `${p.extent === 'extensive' ? 'Extensive' : 'Small'} pneumomediastinum${neck}.`,
    ];
  },
  hiatal_hernia: (h) => {
    const size = hiatalHerniaSize(h.diameterMm)[0];
    return [
      `Hiatal hernia, approximately ${cmTenths(h.diameterMm)} cm.`,
      // "Moderate sliding hiatal hernia." is a held-out evaluation sentence (electron/scoring/report-language-set.ts)
      size === 'moderate' ? 'Sliding hiatal hernia of moderate size.' : `${cap(size)} sliding hiatal hernia.`,
      `Retrocardiac soft tissue opacity${h.airFluidLevel ? ' containing an air-fluid level' : ''}, compatible with a hiatal hernia.`,
    ];
  },
  elevated_hemidiaphragm: (e) => [
    `${cap(e.side)} hemidiaphragm elevation of about ${Math.round(e.elevationMm / 10)} cm.`,
    `The ${e.side} hemidiaphragm is elevated relative to the ${e.side === 'left' ? 'right' : 'left'}.`,
    `Elevated ${e.side} hemidiaphragm with a smooth contour.`,
  ],
  rib_fracture: (r) => {
    const many = r.ribs.length > 1;
    const fx = many ? 'fractures' : 'fracture';
    if (r.age === 'healed') return [`Healed ${r.side} rib ${fx} with callus.`, `Remote ${r.side} rib ${fx}, healed.`];
    return [
      `Acute ${r.side} rib ${fx}${r.displaced ? ' with cortical step-off' : ', nondisplaced'}.`,
      `Fx of ${many ? `${r.ribs.length} ${r.side} ribs` : `a ${r.side} rib`}, ${r.displaced ? 'displaced' : 'without displacement'}.`,
      `${many ? `${r.ribs.length} adjacent ${r.side} ribs are` : `A ${r.side} rib is`} fractured${r.displaced ? ' and displaced' : ''}.`,
    ];
  },
  scoliosis: (s) => {
    const region = s.region === 'thoracic' ? 'thoracic' : 'thoracolumbar';
    return [
      `${cap(s.severity)} scoliosis of the ${region} spine, convex to the ${s.convexity}.`,
      `${cap(s.convexity)}-convex ${region} scoliosis, Cobb angle approximately ${Math.round(s.cobbDeg)} degrees.`,
      `${cap(region)} scoliosis with ${s.convexity}ward convexity.`,
    ];
  },
  subcutaneous_emphysema: (e) => {
    const wall = e.side === 'bilateral' ? 'both chest walls' : `the ${e.side} chest wall`;
    const neck = e.neck ? ' and the neck' : '';
    return [
      `Gas tracking in the subcutaneous tissues of ${wall}${neck}.`,
      `${e.extent === 'extensive' ? 'Extensive' : 'Mild'} subcutaneous emphysema of ${wall}${neck}.`,
      `Subcutaneous gas along ${wall}${neck}.`,
    ];
  },
  pneumoperitoneum: (p) => [
    `Lucency under ${UNDER_DIAPHRAGM[p.side]}, consistent with pneumoperitoneum.`,
    `Crescentic lucency beneath ${UNDER_DIAPHRAGM[p.side]}, ${cmTenths(p.depthMm)} cm deep, consistent with pneumoperitoneum.`,
    `Free air beneath ${UNDER_DIAPHRAGM[p.side]}, compatible with pneumoperitoneum.`,
  ],
};

/** What comparisons call a present rare finding. */
export const RARE_COMPARED: { [K in RareFindingName]: (a: NonNullable<FindingSet[K]>) => Compared } = {
  sternotomy_wires: () => ({ np: 'sternotomy wires', chronic: true }),
  cavitary_lesion: (k) => ({ np: `cavitary lesion in the ${k.side} ${zoneWord(k.zone)} lung` }),
  calcified_granuloma: (g) => ({
    np: `calcified granuloma${g.count > 1 ? 's' : ''} in the ${g.side} ${zoneWord(g.zone)} lung`,
    chronic: true,
  }),
  hilar_adenopathy: (a) => ({
    np: a.side === 'bilateral' ? 'bilateral hilar nodal enlargement' : `${a.side} hilar adenopathy`,
  }),
  widened_mediastinum: () => ({ np: 'widening of the mediastinum' }),
  pneumomediastinum: (p) => ({
    np: `${p.extent === 'extensive' ? 'extensive' : 'small'} pneumomediastinum`,
    bare: 'pneumomediastinum',
  }),
  hiatal_hernia: () => ({ np: 'hiatal hernia', chronic: true }),
  elevated_hemidiaphragm: (e) => ({ np: `elevation of the ${e.side} hemidiaphragm`, chronic: true }),
  rib_fracture: (r) => ({
    np: `${r.side} rib ${r.ribs.length > 1 ? 'fractures' : 'fracture'}`,
    chronic: r.age === 'healed',
  }),
  // 1.10: a curve can progress between studies ("Thoracic scoliosis has progressed."); it never appears new.
  scoliosis: (s) => ({ np: `${s.region} scoliosis`, chronic: true, progresses: true }),
  subcutaneous_emphysema: (e) => ({
    np: `subcutaneous emphysema of ${e.side === 'bilateral' ? 'both chest walls' : `the ${e.side} chest wall`}`,
    bare: 'subcutaneous emphysema',
  }),
  pneumoperitoneum: () => ({ np: 'pneumoperitoneum', bare: 'pneumoperitoneum' }),
};

/**
 * 1.5: the CheXpert labeler's other negation frames ("no obvious", "X is absent", "X: none") for a rare
 * finding's noun, beside its own forms.
 */
const frames = (noun: string, plural = false): string[] => [`No obvious ${noun}.`, ...absentFrames(noun, plural)];

/** More negated forms of absent rare findings (nouns for lists where they go in one). */
export const RARE_NEGATED: Partial<Record<RareFindingName, { forms: readonly string[]; noun?: readonly string[] }>> = {
  pneumoperitoneum: {
    forms: [
      'No pneumoperitoneum.',
      'No lucency beneath the hemidiaphragms to suggest free air.',
      ...frames('pneumoperitoneum'),
    ],
    noun: ['free air', 'pneumoperitoneum'],
  },
  pneumomediastinum: {
    forms: ['No pneumomediastinum is seen.', ...frames('pneumomediastinum')],
    noun: ['pneumomediastinum'],
  },
  subcutaneous_emphysema: {
    forms: ['No subcutaneous emphysema in the chest wall.', 'No soft tissue emphysema.', ...frames('subcutaneous gas')],
    noun: ['subcutaneous emphysema'],
  },
  widened_mediastinum: {
    forms: [
      'The mediastinum is not widened on this view.',
      'Normal mediastinal width.',
      ...frames('widening of the mediastinum'),
    ],
  },
  hilar_adenopathy: {
    forms: ['No hilar nodal enlargement.', 'No hilar adenopathy on this study.', ...frames('hilar adenopathy')],
  },
  hiatal_hernia: { forms: ['No hiatal hernia is seen.', ...frames('hiatal hernia')] },
  cavitary_lesion: {
    forms: ['No cavitary lesion is seen.', 'No cavitary opacity in either lung.', ...frames('cavitary lesion')],
  },
  elevated_hemidiaphragm: {
    forms: [
      'The hemidiaphragms are not elevated.',
      'Neither hemidiaphragm is elevated on this view.',
      // 1.10: one side named, as follow-up reports of a suspected palsy write it.
      'The right hemidiaphragm is at a normal level.',
      'The left hemidiaphragm is normal in position.',
      'Normal height of the left hemidiaphragm.',
      ...frames('elevation of a hemidiaphragm'),
    ],
  },
  calcified_granuloma: { forms: ['No calcified granuloma.', ...frames('calcified granulomas', true)] },
  scoliosis: { forms: ['No scoliosis.', 'No scoliosis of the thoracic spine is seen.', ...frames('scoliosis')] },
  sternotomy_wires: { forms: ['No sternotomy wires.', 'No obvious sternotomy wires.', 'Sternotomy wires: none.'] },
  rib_fracture: {
    forms: [
      'No acute rib fracture.',
      'No displaced fracture of the ribs.',
      'No rib fracture is seen.',
      // 1.10: "intact", the other way reports deny a fracture.
      'The ribs are intact.',
      'The right ribs appear intact.',
      ...frames('acute rib fracture'),
    ],
  },
};

/**
 * The denials of rare finding k that this case's report can make (none: it makes none). 1.11: no hemidiaphragm's
 * height beside a moderate or large effusion on its side, which hides it (neither, where both sides have one).
 */
export function rareDenials(k: RareFindingName, f: FindingSet): readonly string[] {
  const forms = RARE_NEGATED[k]?.forms ?? [];
  const eff = f.pleural_effusion;
  if (k !== 'elevated_hemidiaphragm' || !eff || eff.size === 'small') return forms;
  if (eff.side === 'bilateral') return [];
  return forms.filter((t) => /\b(left|right) hemidiaphragm\b/i.exec(t)?.[1]?.toLowerCase() !== eff.side);
}

/** Acute rare findings a prior may have shown and that resolve ("The pneumomediastinum has cleared."). */
export const RARE_RESOLVED: Partial<Record<RareFindingName, readonly string[]>> = {
  pneumomediastinum: ['pneumomediastinum'],
  subcutaneous_emphysema: ['subcutaneous emphysema', 'subcutaneous gas'],
  pneumoperitoneum: ['pneumoperitoneum', 'free air'],
};

/** Rare findings a report without them denies now and then from the language stream (rare-report.ts never did). */
export const EXTRA_NEGATION_RATE: Partial<Record<RareFindingName, number>> = {
  calcified_granuloma: 0.01,
  scoliosis: 0.01,
  sternotomy_wires: 0.008,
  // 1.10: rare-report.ts denies it in under 1 % of reports, too few for a model to learn its denials.
  elevated_hemidiaphragm: 0.02,
};

/** Hedged forms of absent rare findings. */
export const RARE_HEDGES: Partial<Record<RareFindingName, readonly string[]>> = {
  pneumoperitoneum: ['Questionable lucency under the right hemidiaphragm; pneumoperitoneum cannot be excluded.'],
  hiatal_hernia: [
    'Retrocardiac opacity, which may represent a small hiatal hernia.',
    'Questionable small hiatal hernia.',
  ],
  pneumomediastinum: ['Possible subtle pneumomediastinum.'],
  rib_fracture: [
    'Possible nondisplaced fracture of a left lateral rib.',
    'Questionable right rib fracture; correlate with point tenderness.',
  ],
  hilar_adenopathy: ['The hila are prominent, possibly vascular; hilar adenopathy cannot be excluded.'],
  widened_mediastinum: ['The mediastinum may be slightly widened, likely accentuated by the AP technique.'],
  scoliosis: ['Possible mild scoliosis, which may be positional.'],
  calcified_granuloma: ['Tiny calcific density in the left upper lung, possibly a granuloma.'],
};
