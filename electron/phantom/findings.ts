/**
 * The findings the phantom can show, in the fixed order of labels.csv, the
 * mask bits and the training manifest, with their per-case attributes and
 * how the eight base findings are sampled (the rare ones: rare-findings.ts).
 */
import type { Random } from './random.js';
import {
  RARE_DEFAULT_PREVALENCE,
  RARE_FINDINGS,
  type RareFindingAttrs,
  type RareFindingName,
} from './rare-findings.js';

/**
 * The findings of generator 1.0: the shipped model was trained on them, and the
 * training export's `labels` and 8-bit `mask` carry exactly these.
 */
export const BASE_FINDINGS = [
  'pleural_effusion',
  'cardiomegaly',
  'pneumothorax',
  'nodule',
  'consolidation',
  'atelectasis',
  'edema',
  'support_devices',
] as const;
export type BaseFindingName = (typeof BASE_FINDINGS)[number];

/** Every finding: the base eight, then the rare ones (generator 1.1), in labels.csv column order. */
export const FINDINGS = [...BASE_FINDINGS, ...RARE_FINDINGS] as const;
export type FindingName = (typeof FINDINGS)[number];
export { RARE_FINDINGS, type RareFindingName };
export type {
  CavityAttrs,
  ElevatedHemidiaphragmAttrs,
  GranulomaAttrs,
  HiatalHerniaAttrs,
  HilarAdenopathyAttrs,
  PneumomediastinumAttrs,
  PneumoperitoneumAttrs,
  RibFractureAttrs,
  ScoliosisAttrs,
  SternotomyAttrs,
  SubcutaneousEmphysemaAttrs,
  WidenedMediastinumAttrs,
} from './rare-findings.js';

export const isFinding = (name: string): name is FindingName => (FINDINGS as readonly string[]).includes(name);
export const isBaseFinding = (name: string): name is BaseFindingName =>
  (BASE_FINDINGS as readonly string[]).includes(name);
export const isRareFinding = (name: string): name is RareFindingName =>
  (RARE_FINDINGS as readonly string[]).includes(name);

/**
 * Bit of a finding in the 32-bit mask (labels.csv column order). Files hold it
 * as 8-bit planes: plane k>>3, bit k&7 (see maskPlane), so plane 0 is the
 * 8-bit mask of generator 1.0, unchanged.
 */
export const maskBit = (name: FindingName): number => (1 << FINDINGS.indexOf(name)) >>> 0;

/** 8-bit planes needed for every finding's bit. */
export const MASK_PLANES = Math.ceil(FINDINGS.length / 8);

/** File of mask plane p beside `base` (e.g. `IM0001.dcm`): `.png`, then `.p1.png`, `.p2.png`. */
export const maskPlaneFile = (base: string, plane: number): string => `${base}${plane ? `.p${plane}` : ''}.png`;

/** Bits 8p…8p+7 of a 32-bit mask as an 8-bit image (plane 0: the base findings). */
export function maskPlane(mask: Uint32Array, plane: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  const shift = plane * 8;
  for (let i = 0; i < mask.length; i++) out[i] = (mask[i]! >>> shift) & 0xff;
  return out;
}

export type Side = 'left' | 'right';
export type Severity = 'small' | 'moderate' | 'large';

export interface EffusionAttrs {
  side: Side | 'bilateral';
  size: Severity;
}
export interface CardiomegalyAttrs {
  /** Cardiothoracic ratio as drawn (before AP magnification). */
  ctr: number;
  severity: 'mild' | 'moderate' | 'marked';
}
export interface PneumothoraxAttrs {
  side: Side;
  size: 'small' | 'large';
  /** Rim width at the apex, mm. */
  rimMm: number;
  tension: boolean;
}
export type LungZone = 'upper' | 'middle' | 'lower';
export interface NoduleAttrs {
  side: Side;
  zone: LungZone;
  diameterMm: number;
  kind: 'nodule' | 'mass';
  margin: 'smooth' | 'lobulated' | 'spiculated';
}
export type Lobe = 'RUL' | 'RML' | 'RLL' | 'LUL' | 'LLL' | 'lingula';
export interface ConsolidationAttrs {
  lobe: Lobe;
  airBronchograms: boolean;
}
export interface AtelectasisAttrs {
  kind: 'linear' | 'lobar';
  side: Side | 'bilateral';
  /** For lobar collapse. */
  lobe?: 'RUL' | 'LLL' | 'RLL';
}
export interface EdemaAttrs {
  severity: 'mild' | 'moderate' | 'severe';
  kerleyLines: boolean;
}
export interface DevicesAttrs {
  ettube: boolean;
  centralLine: boolean;
  /** Entry side of the central line. */
  lineSide?: Side;
  lineVia?: 'jugular' | 'subclavian';
  pacemaker: boolean;
  ngTube: boolean;
  /** ET tube tip above the carina, mm. */
  ettTipMm?: number;
}

export interface FindingAttrs extends RareFindingAttrs {
  pleural_effusion: EffusionAttrs;
  cardiomegaly: CardiomegalyAttrs;
  pneumothorax: PneumothoraxAttrs;
  nodule: NoduleAttrs;
  consolidation: ConsolidationAttrs;
  atelectasis: AtelectasisAttrs;
  edema: EdemaAttrs;
  support_devices: DevicesAttrs;
}
/** Present findings with their attributes; an absent finding has no key. */
export type FindingSet = { [K in FindingName]?: FindingAttrs[K] };

/**
 * Default prevalences. Pneumothorax and nodule are deliberately rare (screening
 * for rare pathology); independent draws leave about 40 % of cases normal.
 */
export const DEFAULT_PREVALENCE: Record<FindingName, number> = {
  pleural_effusion: 0.16,
  cardiomegaly: 0.13,
  pneumothorax: 0.015,
  nodule: 0.02,
  consolidation: 0.1,
  atelectasis: 0.12,
  edema: 0.07,
  support_devices: 0.14,
  ...RARE_DEFAULT_PREVALENCE,
};

/** true forces a finding present, false absent; missing keys are sampled. */
export type FindingOverrides = Partial<Record<FindingName, boolean>>;

export function sampleFindings(
  rng: Random,
  prevalence: Record<FindingName, number>,
  force: FindingOverrides = {},
): FindingSet {
  const present = (name: FindingName, p: number) => force[name] ?? rng.chance(Math.min(1, p));
  const set: FindingSet = {};
  // Edema travels with cardiomegaly and effusions (heart failure); a zero
  // prevalence still means never.
  const edema = present('edema', prevalence.edema);
  const boost = (p: number) => (edema ? Math.min(1, p * 3) : p);
  if (edema) set.edema = sampleEdema(rng);
  if (present('cardiomegaly', boost(prevalence.cardiomegaly))) set.cardiomegaly = sampleCardiomegaly(rng);
  if (present('pleural_effusion', boost(prevalence.pleural_effusion)))
    set.pleural_effusion = sampleEffusion(rng, edema);
  if (present('pneumothorax', prevalence.pneumothorax)) set.pneumothorax = samplePneumothorax(rng);
  if (present('nodule', prevalence.nodule)) set.nodule = sampleNodule(rng);
  if (present('consolidation', prevalence.consolidation)) set.consolidation = sampleConsolidation(rng);
  if (present('atelectasis', prevalence.atelectasis)) set.atelectasis = sampleAtelectasis(rng, set);
  if (present('support_devices', prevalence.support_devices)) set.support_devices = sampleDevices(rng);
  return set;
}

function sampleEffusion(rng: Random, edema: boolean): EffusionAttrs {
  const side =
    edema && rng.chance(0.6)
      ? 'bilateral'
      : rng.weighted<EffusionAttrs['side']>([
          ['left', 0.35],
          ['right', 0.4],
          ['bilateral', 0.25],
        ]);
  const size = rng.weighted<Severity>([
    ['small', 0.45],
    ['moderate', 0.35],
    ['large', 0.2],
  ]);
  return { side, size };
}

function sampleCardiomegaly(rng: Random): CardiomegalyAttrs {
  const ctr = rng.uniform(0.55, 0.68);
  return { ctr, severity: ctr < 0.59 ? 'mild' : ctr < 0.64 ? 'moderate' : 'marked' };
}

function samplePneumothorax(rng: Random): PneumothoraxAttrs {
  const rimMm = rng.chance(0.55) ? rng.uniform(8, 19) : rng.uniform(22, 55);
  return {
    side: rng.chance(0.5) ? 'left' : 'right',
    size: rimMm < 20 ? 'small' : 'large',
    rimMm,
    tension: rimMm > 40 && rng.chance(0.4),
  };
}

function sampleNodule(rng: Random): NoduleAttrs {
  const kind = rng.chance(0.65) ? 'nodule' : 'mass';
  const diameterMm = kind === 'nodule' ? rng.uniform(12, 29) : rng.uniform(32, 65);
  return {
    side: rng.chance(0.5) ? 'left' : 'right',
    zone: rng.weighted<LungZone>([
      ['upper', 0.45],
      ['middle', 0.3],
      ['lower', 0.25],
    ]),
    diameterMm,
    kind,
    margin: rng.weighted([
      ['smooth', 0.4],
      ['lobulated', 0.3],
      ['spiculated', 0.3],
    ] as const),
  };
}

function sampleConsolidation(rng: Random): ConsolidationAttrs {
  const lobe = rng.weighted<Lobe>([
    ['RUL', 0.15],
    ['RML', 0.15],
    ['RLL', 0.25],
    ['LUL', 0.12],
    ['LLL', 0.25],
    ['lingula', 0.08],
  ]);
  return { lobe, airBronchograms: rng.chance(0.7) };
}

function sampleAtelectasis(rng: Random, set: FindingSet): AtelectasisAttrs {
  if (rng.chance(0.7)) {
    return {
      kind: 'linear',
      side: rng.weighted<AtelectasisAttrs['side']>([
        ['left', 0.3],
        ['right', 0.3],
        ['bilateral', 0.4],
      ]),
    };
  }
  // Lobar collapse on the side of an effusion is the common pairing.
  const lobe = rng.weighted<'RUL' | 'LLL' | 'RLL'>([
    ['RUL', 0.3],
    ['LLL', 0.45],
    ['RLL', 0.25],
  ]);
  void set;
  return { kind: 'lobar', side: lobe === 'LLL' ? 'left' : 'right', lobe };
}

function sampleEdema(rng: Random): EdemaAttrs {
  const severity = rng.weighted<EdemaAttrs['severity']>([
    ['mild', 0.35],
    ['moderate', 0.4],
    ['severe', 0.25],
  ]);
  return { severity, kerleyLines: severity !== 'severe' ? rng.chance(0.7) : rng.chance(0.3) };
}

function sampleDevices(rng: Random): DevicesAttrs {
  const kind = rng.weighted([
    ['icu', 0.55],
    ['pacer', 0.3],
    ['line', 0.15],
  ] as const);
  const d: DevicesAttrs = { ettube: false, centralLine: false, pacemaker: false, ngTube: false };
  if (kind === 'icu') {
    d.ettube = true;
    d.ettTipMm = rng.uniform(30, 70);
    d.ngTube = rng.chance(0.6);
    d.centralLine = rng.chance(0.6);
  } else if (kind === 'pacer') {
    d.pacemaker = true;
    d.centralLine = rng.chance(0.15);
  } else {
    d.centralLine = true;
  }
  if (d.centralLine) {
    d.lineSide = rng.chance(0.7) ? 'right' : 'left';
    d.lineVia = rng.chance(0.6) ? 'jugular' : 'subclavian';
  }
  return d;
}

/** Parses `finding=p,finding=p` (the CLI's --prevalence). */
export function parsePrevalence(text: string | undefined): Record<FindingName, number> {
  const out = { ...DEFAULT_PREVALENCE };
  if (!text) return out;
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const bits = part.split('=').map((s) => s.trim());
    // "name=" or "=0.3" or "a=0.2=9": not a prevalence (Number('') would quietly be 0).
    if (bits.length !== 2 || !bits[0] || !bits[1]) throw new RangeError(`"${part.trim()}" is not finding=prevalence`);
    const [name, value] = bits as [string, string];
    if (!isFinding(name)) {
      throw new RangeError(`unknown finding "${name}" (one of ${FINDINGS.join(', ')})`);
    }
    const p = Number(value);
    if (!Number.isFinite(p) || p < 0 || p > 1)
      throw new RangeError(`prevalence of ${name} must be in [0, 1], got "${value}"`);
    out[name] = p;
  }
  return out;
}

/**
 * Parses `a,b` (the CLI's --exclude-findings): rare findings that must never
 * appear in a set, neither drawn nor named in any report. The base eight are
 * part of every report's wording ("Heart size is normal.", "The lungs are
 * clear."), so they can be made absent (--prevalence name=0) but not unsaid.
 */
export function parseExcluded(text: string | undefined): RareFindingName[] {
  const out: RareFindingName[] = [];
  for (const raw of (text ?? '').split(',')) {
    const name = raw.trim();
    if (!name) continue;
    if (isBaseFinding(name))
      throw new RangeError(`"${name}" is a base finding: make it absent with --prevalence ${name}=0 instead`);
    if (!isRareFinding(name)) throw new RangeError(`unknown finding "${name}" (one of ${RARE_FINDINGS.join(', ')})`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
