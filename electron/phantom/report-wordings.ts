/**
 * Everyday wordings of the base findings, beside the canonical sentences report.ts writes:
 * synonyms and abbreviations (ETT, NGT, CVC, pacer, interstitial edema, airspace opacity), sizes
 * and measurements (CTR, apical rim, level of an effusion), the noun phrases comparisons use, the
 * nouns of grouped negations and hedged forms of absent findings.
 *
 * Not one of them contains a held-out everyday wording (scoring/report-language-set.ts), a word of
 * another finding's name ("lesion", "air", "mediastinal", …), nor vocabulary a CheXpert-style
 * labeler reads as another finding ("the heart" is heart size, "lines" a device, "collapse"
 * atelectasis, "plate" a device): test/unit/phantom/report-variety.test.ts checks all three.
 */
import type { PhantomCase } from './case.js';
import type {
  AtelectasisAttrs,
  BaseFindingName,
  CardiomegalyAttrs,
  ConsolidationAttrs,
  DevicesAttrs,
  EdemaAttrs,
  EffusionAttrs,
  Lobe,
  NoduleAttrs,
  PneumothoraxAttrs,
} from './findings.js';
import type { Compared } from './report-variety.js';
import type { ConsolidationExtent } from './lesions/consolidation-extent.js';
import { effusionForm } from './lesions/effusion.js';
import { absentFrames, cap, cm, zoneWord } from './report-text.js';

export const LOBE_NAME: Record<Lobe, string> = {
  RUL: 'right upper lobe',
  RML: 'right middle lobe',
  RLL: 'right lower lobe',
  LUL: 'left upper lobe',
  LLL: 'left lower lobe',
  lingula: 'lingula',
};

const other = (side: 'left' | 'right') => (side === 'left' ? 'right' : 'left');

// --- Pleural effusion ---------------------------------------------------------------------------

const EFFUSION_LEVEL = { small: 'lower third of the', moderate: 'mid', large: 'upper' } as const;

export function effusionVariants(ef: EffusionAttrs, c: PhantomCase): string[] {
  const both = ef.side === 'bilateral';
  const side = both ? 'bilateral' : ef.side;
  const plural = both ? 'effusions' : 'effusion';
  // 1.14: fluid under the lung or held on the wall does not climb to the level a meniscus reaches.
  const sides = both ? ([-1, 1] as const) : ([ef.side === 'left' ? 1 : -1] as const);
  const climbs = sides.every((s) => effusionForm(c, s, ef.size) === 'free');
  const out = [
    `${cap(ef.size)} ${side} ${plural}.`,
    `${cap(side)} pleural ${plural}, ${ef.size} in volume.`,
    both
      ? `Pleural effusions on both sides, ${ef.size} in size.`
      : `${cap(ef.size)} pleural effusion on the ${ef.side}.`,
    ...(climbs
      ? [`${cap(ef.size)} ${side} pleural ${plural}, fluid reaching the ${EFFUSION_LEVEL[ef.size]} hemithorax.`]
      : []),
  ];
  // 1.9: the degree words of the hedges ("trace", "minimal", "tiny") also state a finding, as they do in real
  // reports; while they appeared in hedges only, a model could learn them as cues of doubt.
  if (ef.size === 'small')
    out.push(
      `Trace ${side} pleural ${plural}.`,
      `Minimal ${side} pleural ${plural}, blunting the costophrenic ${both ? 'angles' : 'angle'}.`,
      `Tiny ${side} pleural ${plural}.`,
    );
  if (ef.size === 'small')
    out.push(
      both
        ? 'Blunting of both costophrenic angles from small effusions.'
        : `Blunting of the ${ef.side} costophrenic angle from a small effusion.`,
    );
  if (ef.size === 'large' && !both)
    out.push(`Opacification of the lower ${ef.side} hemithorax from a large pleural effusion.`);
  if (c.acquisition.view === 'AP') out.push(`${cap(side)} layering pleural ${plural} on this semi-upright view.`);
  return out;
}

export const effusionCompared = (ef: EffusionAttrs): Compared => {
  const both = ef.side === 'bilateral';
  // "small bilateral effusions", not the held-out "… bilateral pleural effusions".
  return {
    np: both ? `${ef.size} bilateral effusions` : `${ef.size} ${ef.side} pleural effusion`,
    bare: both ? 'bilateral effusions' : `${ef.side} pleural effusion`,
    now: ef.size === 'moderate' ? 'moderate in size' : ef.size,
  };
};

// --- Cardiomegaly -------------------------------------------------------------------------------

const ctrText = (ctr: number) => ctr.toFixed(2);

export function cardiomegalyVariants(cg: CardiomegalyAttrs, c: PhantomCase): string[] {
  const deg = cg.severity === 'mild' ? 'mildly' : cg.severity === 'moderate' ? 'moderately' : 'markedly';
  const out = [
    `Cardiac silhouette ${deg} enlarged.`,
    `Heart size is ${deg} enlarged.`,
    `The heart is enlarged.`,
    // Not the held-out "Cardiomegaly, moderate in degree." nor "Mild enlargement of the cardiac silhouette."
    cg.severity === 'moderate' ? 'Cardiomegaly of moderate degree.' : `Cardiomegaly, ${cg.severity} in degree.`,
    `${cg.severity === 'mild' ? 'Slight' : cap(cg.severity)} enlargement of the cardiac silhouette.`,
  ];
  // A cardiothoracic ratio is measured on PA films (AP magnifies the heart).
  if (c.acquisition.view === 'PA')
    out.push(
      `${cap(cg.severity)} cardiomegaly (CTR ${ctrText(cg.ctr)}).`,
      `The heart is ${deg} enlarged, CTR ${ctrText(cg.ctr)}.`,
      `Cardiomegaly with a cardiothoracic ratio of approximately ${ctrText(cg.ctr)}.`,
    );
  return out;
}

// "Stable cardiomegaly.": never the held-out "Stable marked cardiomegaly."
export const cardiomegalyCompared = (): Compared => ({ np: 'cardiomegaly', chronic: true });

export function normalHeartVariants(c: PhantomCase, prior: boolean): string[] {
  const out = ['The heart is normal in size.', 'Heart size within normal limits.', 'No cardiomegaly.'];
  if (c.acquisition.view === 'PA') out.push(`Normal heart size (cardiothoracic ratio ${ctrText(c.anatomy.ctr)}).`);
  if (prior) out.push('Heart size is unchanged and within normal limits.', 'Unchanged normal heart size.');
  return out;
}

/** On AP films a normal heart may look large: the hedge replaces the heart-size sentence. */
export const heartHedges: readonly string[] = [
  'Heart size is difficult to assess on this AP view; mild cardiomegaly cannot be excluded.',
  'The cardiac silhouette may be mildly enlarged, accentuated by the AP technique.',
];

// --- Pneumothorax -------------------------------------------------------------------------------

export function pneumothoraxVariants(p: PneumothoraxAttrs): string[] {
  const rim = cm(p.rimMm);
  const tension = p.tension
    ? `, with shift of the trachea and heart border to the ${other(p.side)}, concerning for tension`
    : '';
  const out = [
    `${cap(p.side)} pneumothorax, ${rim} cm at the apex${tension}.`,
    `${cap(p.size)} ${p.side}-sided pneumothorax${tension}.`,
    `Pneumothorax on the ${p.side}, ${p.size} in size, with a ${rim} cm apical rim${tension}.`,
    `${cap(p.side)} visceral pleural edge ${rim} cm from the apical chest wall, consistent with pneumothorax${tension}.`,
  ];
  // 1.9: the hedges' "tiny" and "thin" (see effusionVariants).
  if (p.size === 'small')
    out.push(`Tiny ${p.side} apical pneumothorax.`, `Thin ${p.side} apical pleural edge from a small pneumothorax.`);
  if (p.tension) out.push(`${cap(p.side)} tension pneumothorax.`);
  return out;
}

export const pneumothoraxCompared = (p: PneumothoraxAttrs): Compared => ({
  np: `${p.size} ${p.side} pneumothorax`,
  bare: `${p.side} pneumothorax`,
  now: `${cm(p.rimMm)} cm at the apex`,
});

// --- Nodule -------------------------------------------------------------------------------------

export function noduleVariants(n: NoduleAttrs): string[] {
  const where = `${n.side} ${zoneWord(n.zone)} lung`;
  const size = cm(n.diameterMm, 0.1);
  const margins = n.margin === 'smooth' ? 'smooth margins' : `${n.margin} margins`;
  if (n.kind === 'nodule') {
    const mm = Math.round(n.diameterMm);
    return [
      `${mm} mm pulmonary nodule in the ${where} zone.`,
      `Solitary ${mm} mm nodule with ${margins} in the ${where}.`,
      `Nodular opacity in the ${where}, ${size} cm.`,
      `Rounded ${size} cm nodular density projecting over the ${where}.`,
      `${cap(n.side)} ${zoneWord(n.zone)} zone pulmonary nodule measuring ${mm} mm.`,
      // 1.9: the hedges' "subtle" (see effusionVariants).
      `Subtle ${mm} mm nodular opacity in the ${where}.`,
    ];
  }
  return [
    `${size} cm mass with ${margins} in the ${where}.`,
    `Rounded ${size} cm opacity in the ${where}, concerning for a neoplasm.`,
    `Large ${size} cm ${n.margin === 'smooth' ? 'well-defined' : n.margin} pulmonary opacity in the ${where}, compatible with a mass.`,
  ];
}

// "nodule in the left upper lung", never "lung mass" (held out).
export const noduleCompared = (n: NoduleAttrs): Compared => ({
  np: `${cm(n.diameterMm, 0.1)} cm ${n.kind} in the ${n.side} ${zoneWord(n.zone)} lung`,
});

// --- Consolidation ------------------------------------------------------------------------------

const LOBE_ABBR: Record<Lobe, string> = {
  RUL: 'RUL',
  RML: 'RML',
  RLL: 'RLL',
  LUL: 'LUL',
  LLL: 'LLL',
  lingula: 'lingular',
};

export function consolidationVariants(con: ConsolidationAttrs, extent: ConsolidationExtent = 'lobar'): string[] {
  const lobe = LOBE_NAME[con.lobe];
  const bronch = con.airBronchograms ? ' with visible bronchograms' : '';
  const silhouette =
    con.lobe === 'RML'
      ? ', silhouetting the right heart border'
      : con.lobe === 'lingula'
        ? ', silhouetting the left heart border'
        : '';
  return [
    `Consolidation in the ${LOBE_ABBR[con.lobe]}${bronch}.`,
    `Dense airspace opacity in the ${lobe}${bronch}${silhouette}, compatible with consolidation.`,
    `Airspace opacification of the ${lobe}${silhouette}.`,
    `Focal infiltrate in the ${lobe}${bronch}.`,
    // 1.14: a consolidation that fills part of its lobe is not called lobar.
    extent === 'lobar'
      ? `Lobar opacity in the ${lobe}, consistent with an infectious process.`
      : extent === 'segmental'
        ? `Segmental opacity in the ${lobe}, consistent with an infectious process.`
        : `Multifocal patchy opacities in the ${lobe}, consistent with an infectious process.`,
    // 1.9: the hedges' "patchy" and "hazy" (see effusionVariants).
    `Patchy airspace consolidation involving the ${lobe}${bronch}.`,
    `Hazy opacity in the ${lobe}, consistent with consolidation.`,
  ];
}

export const consolidationCompared = (con: ConsolidationAttrs): Compared => ({
  np: `${LOBE_NAME[con.lobe]} consolidation`,
  bare: `${LOBE_NAME[con.lobe]} consolidation`,
});

// --- Atelectasis --------------------------------------------------------------------------------

export function atelectasisVariants(at: AtelectasisAttrs): string[] {
  if (at.kind === 'linear') {
    const where = at.side === 'bilateral' ? 'both lung bases' : `the ${at.side} lung base`;
    return [
      `Linear opacities at ${where}, consistent with atelectasis.`,
      `Minor atelectasis at ${where}.`,
      `Atelectatic changes at ${where}.`,
      `Bandlike opacity at ${where} from subsegmental atelectasis.`,
      // 1.9: the hedges' "streaky", "minimal" and "subtle" (see effusionVariants).
      `Streaky opacities at ${where}, consistent with atelectasis.`,
      `Minimal subsegmental atelectasis at ${where}.`,
      `Subtle linear atelectasis at ${where}.`,
    ];
  }
  const lobe = LOBE_NAME[at.lobe ?? 'LLL'];
  if (at.lobe === 'RUL')
    return [
      'Right upper lobe atelectasis, with the minor fissure displaced upward.',
      'Collapse of the right upper lobe with superior shift of the minor fissure.',
    ];
  const outline = at.lobe === 'RLL' ? 'right' : 'left';
  return [
    `Collapse of the ${lobe}.`,
    `${at.lobe} atelectasis.`,
    `${cap(lobe)} atelectasis with loss of the ${outline} hemidiaphragm outline.`,
    at.lobe === 'LLL' ? 'Left lower lobe collapse with a retrocardiac opacity.' : `Lobar atelectasis of the ${lobe}.`,
  ];
}

export const atelectasisCompared = (at: AtelectasisAttrs): Compared => {
  const np =
    at.kind === 'lobar'
      ? `${LOBE_NAME[at.lobe ?? 'LLL']} atelectasis`
      : at.side === 'bilateral'
        ? 'bibasilar atelectasis'
        : `${at.side} basilar atelectasis`;
  return { np, bare: np };
};

// --- Edema --------------------------------------------------------------------------------------

export function edemaVariants(e: EdemaAttrs): string[] {
  if (e.severity === 'mild')
    return [
      'Interstitial edema.',
      'Mild interstitial edema with pulmonary vascular congestion.',
      'Vascular congestion with mild interstitial edema.',
      // 1.9: the hedges' "hazy" and "subtle" (see effusionVariants).
      'Hazy perihilar opacity from mild interstitial edema.',
      'Subtle interstitial edema.',
    ];
  if (e.severity === 'moderate')
    return [
      'Moderate interstitial edema with perihilar haze.',
      'Moderate pulmonary edema, interstitial and early alveolar.',
      'Interstitial edema, compatible with congestive heart failure.',
    ];
  return [
    'Diffuse alveolar edema.',
    'Bilateral perihilar opacities in a butterfly pattern, consistent with alveolar edema.',
    'Severe pulmonary edema with confluent perihilar opacities.',
  ];
}

export const septalVariants: readonly string[] = [
  'Septal thickening at the lung bases, in keeping with interstitial edema.',
  'Peribronchial cuffing and septal thickening from interstitial edema.',
];

export const edemaCompared = (e: EdemaAttrs): Compared => ({
  np: `${e.severity} pulmonary edema`,
  bare: 'pulmonary edema',
  now: e.severity,
});

// --- Support devices ----------------------------------------------------------------------------

export const ettVariants = (tip: string): string[] => [
  `ETT tip ${tip} cm above the carina.`,
  `ETT terminates ${tip} cm above the carina.`,
  `Endotracheal tube in satisfactory position, ${tip} cm above the carina.`,
  `The ETT is in standard position, approximately ${tip} cm above the carina.`,
];

export const ngVariants: readonly string[] = [
  'NGT tip projects over the stomach.',
  'Enteric tube with its tip and side port in the stomach.',
  'Orogastric tube tip in the gastric body.',
  'Feeding tube coursing below the diaphragm, tip in the stomach.',
];

export function lineVariants(d: DevicesAttrs): string[] {
  const side = d.lineSide ?? 'right';
  const via = d.lineVia === 'subclavian' ? 'subclavian' : 'IJ';
  return [
    `${cap(side)} ${via} CVC with tip in the lower SVC.`,
    `${cap(side)} ${via} central venous catheter terminating at the cavoatrial junction.`,
    `${cap(side)}-sided ${d.lineVia === 'subclavian' ? 'subclavian' : 'jugular'} venous catheter, tip in the distal SVC.`,
  ];
}

export const pacerVariants: readonly string[] = [
  'Left chest wall dual-chamber pacer with leads in the RA and RV.',
  'Dual-lead cardiac pacing device, leads terminating in the right atrium and right ventricle.',
  'Transvenous pacer with atrial and ventricular leads in expected position.',
];

export type Device = 'ett' | 'ng' | 'line' | 'pacer';

export const deviceCompared = (device: Device, d: DevicesAttrs): Compared => ({
  np:
    device === 'ett'
      ? 'position of the endotracheal tube'
      : device === 'ng'
        ? 'position of the enteric tube'
        : device === 'line'
          ? `position of the ${d.lineSide ?? 'right'} ${d.lineVia === 'subclavian' ? 'subclavian' : 'IJ'} catheter`
          : 'position of the cardiac pacer and leads',
  chronic: true,
});

// --- Impressions --------------------------------------------------------------------------------

export function impressionVariants(name: BaseFindingName, c: PhantomCase): string[] {
  const f = c.findings;
  switch (name) {
    case 'pneumothorax': {
      const p = f.pneumothorax!;
      return [`${cap(p.side)} pneumothorax, ${p.size}${p.tension ? ', under tension' : ''}.`];
    }
    case 'consolidation':
      return [
        `${LOBE_ABBR[f.consolidation!.lobe]} consolidation, likely infectious.`,
        `${cap(LOBE_NAME[f.consolidation!.lobe])} airspace opacity, compatible with consolidation.`,
      ];
    case 'edema':
      return [
        'Interstitial pulmonary edema.',
        `${cap(f.edema!.severity)} edema.`,
        'Pulmonary vascular congestion and edema.',
      ];
    case 'pleural_effusion': {
      const e = f.pleural_effusion!;
      return e.side === 'bilateral'
        ? [`${cap(e.size)} effusions on both sides.`, 'Bilateral effusions.']
        : [`${cap(e.side)} effusion, ${e.size}.`, `${cap(e.size)} ${e.side} effusion.`];
    }
    case 'nodule': {
      const n = f.nodule!;
      return n.kind === 'nodule'
        ? [`${Math.round(n.diameterMm)} mm ${n.side} pulmonary nodule; recommend CT.`]
        : [`${cm(n.diameterMm, 0.1)} cm ${n.side} ${zoneWord(n.zone)} zone mass, suspicious for malignancy.`];
    }
    case 'atelectasis':
      return f.atelectasis!.kind === 'lobar'
        ? [`${cap(LOBE_NAME[f.atelectasis!.lobe ?? 'LLL'])} atelectasis.`]
        : ['Minor basilar atelectasis.', 'Atelectatic changes at the lung bases.'];
    case 'cardiomegaly':
      return ['Cardiac silhouette enlarged.', 'Heart size is enlarged.'];
    case 'support_devices':
      return [
        'Tubes and lines in appropriate position.',
        'Support apparatus in standard position.',
        'Devices as described above.',
      ];
  }
}

// --- Negations ----------------------------------------------------------------------------------

/** Nouns of absent base findings in (grouped) negations, beside report.ts's NEG_NOUN. */
export const NEG_SYNONYMS: Partial<Record<BaseFindingName, readonly string[]>> = {
  pleural_effusion: ['pleural effusions', 'sizable effusion', 'layering effusion'],
  pneumothorax: ['pneumothorax', 'visible pneumothorax', 'apical pneumothorax'],
  consolidation: ['lobar consolidation', 'focal infiltrate', 'confluent airspace opacity'],
  edema: ['interstitial edema', 'vascular congestion', 'alveolar edema'],
  nodule: ['discrete pulmonary nodule', 'nodular opacity', 'suspicious nodular density'],
  atelectasis: ['lobar atelectasis', 'basilar atelectasis', 'segmental atelectasis'],
};

/** Where a calcified granuloma is present, only a suspicious nodule is denied. */
export const NODULE_BESIDE_GRANULOMA: readonly string[] = ['suspicious nodular density', 'suspicious pulmonary nodule'];

export const negationForms = (list: string, single: boolean, site?: NegationSite): string[] => {
  const out = [
    `No ${list}.`,
    `No radiographic evidence of ${list}.`,
    `No ${list} is seen.`,
    `There is no evidence of ${list}.`,
    `No ${list} identified.`,
  ];
  if (single) out.push(`${cap(list)} not identified.`, `No definite ${list}.`);
  // 1.5: the CheXpert labeler's other negation frames ("no obvious", "free of", "absent", "X: none").
  out.push(`No obvious ${list}.`, `No sign of ${list}.`, `Without evidence of ${list}.`);
  if (single) out.push(...absentFrames(list, pluralNoun(list)));
  // 1.10: the denial inside a sentence about the film ("… without …") and "free of", which real reports use and
  // a model trained on sentence-initial "No" alone reads as a positive statement.
  out.push(`Frontal chest radiograph without ${list}.`, `Single view of the chest without ${list}.`);
  if (site) out.push(`The ${site} are free of ${list}.`);
  return out;
};

/** Where the denied findings lie, for "The … are free of …" (1.10): only when all of a group lie there. */
export type NegationSite = 'lungs' | 'pleural spaces';
export const NEGATION_SITE: Partial<Record<BaseFindingName, NegationSite>> = {
  consolidation: 'lungs',
  edema: 'lungs',
  nodule: 'lungs',
  atelectasis: 'lungs',
  pleural_effusion: 'pleural spaces',
  pneumothorax: 'pleural spaces',
};

/**
 * Whether one of NEG_SYNONYMS' nouns is plural ("pleural effusions"; not "atelectasis", "pneumothorax"). Right
 * for those nouns only: "subcutaneous gas" would read as plural, which is why rare-wordings.ts says it.
 */
const pluralNoun = (np: string): boolean => /(?:[^s]s|ies)$/.test(np) && !/(?:is|us|thorax)$/.test(np);

/** Absent findings the prior may have shown ("Previously noted … has resolved."). */
export const RESOLVED_NOUN: Partial<Record<BaseFindingName, (side: string) => readonly string[]>> = {
  pleural_effusion: (side) => [`${side} pleural effusion`, 'pleural effusion'],
  pneumothorax: (side) => [`${side} pneumothorax`, 'pneumothorax', `${side} apical pneumothorax`],
  consolidation: (side) => [`${side} basilar consolidation`, 'consolidation'],
  atelectasis: (side) => [`${side} basilar atelectasis`, 'atelectasis'],
  edema: () => ['pulmonary edema', 'interstitial edema'],
  // 1.10: a nodule that was inflammatory clears too ("The left lung nodule has resolved.").
  nodule: (side) => [`${side} lung nodule`, 'pulmonary nodule', `${side} upper lobe nodular opacity`],
};

// --- Hedges -------------------------------------------------------------------------------------

/** Hedged mentions of an absent finding; report.ts chooses when one fits the report. */
export const HEDGES: Partial<Record<BaseFindingName, (side: string, zone: string) => readonly string[]>> = {
  pleural_effusion: (side) => [
    `Trace ${side} pleural effusion cannot be excluded.`,
    `Questionable small ${side} effusion.`,
    `Slight blunting of the ${side} costophrenic angle, possibly a trace effusion.`,
    `Minimal ${side} basilar opacity, which may represent a small effusion.`,
  ],
  consolidation: (side) => [
    `Superimposed infection at the ${side} base cannot be excluded.`,
    `Hazy ${side} basilar opacity; early consolidation is possible.`,
    `Patchy ${side} basilar opacity, suggestive of early consolidation in the appropriate clinical setting.`,
  ],
  pneumothorax: (side) => [
    `Questionable thin ${side} apical pleural edge; a tiny pneumothorax cannot be excluded.`,
    `Possible small ${side} apical pneumothorax, which may be a skin fold.`,
  ],
  nodule: (side, zone) => [
    `Questionable nodular opacity in the ${side} ${zone} lung, which may represent overlapping vessels.`,
    `Possible ${side} ${zone} zone nodule; an oblique view or CT may help.`,
  ],
  edema: () => ['Possible mild vascular congestion.', 'Mild interstitial prominence, which may represent early edema.'],
  atelectasis: (side) => [
    `Streaky ${side} basilar opacity, which may represent atelectasis.`,
    `Possible minor ${side} basilar atelectasis.`,
  ],
};

/** Denials of devices where there are none (with a prior: removals). */
export const NO_DEVICES: readonly string[] = [
  'No indwelling lines or tubes.',
  'No support devices are present.',
  'No catheters or tubes are seen.',
  // 1.10: "free of" (negationForms).
  'The chest is free of catheters and tubes.',
  'Free of indwelling devices.',
];
export const DEVICES_REMOVED: readonly string[] = [
  'Interval removal of the endotracheal tube.',
  'The previously seen enteric tube has been removed.',
  'Interval removal of the right-sided venous catheter.',
  'The nasogastric tube has since been removed.',
  'Removal of the right internal jugular catheter since the prior study.',
];

/** "a, b or c" (an Oxford comma when asked). */
export function listJoinWords(items: readonly string[], comma: boolean): string {
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')}${items.length > 2 && comma ? ',' : ''} or ${items.at(-1)!}`;
}
