/**
 * The rare findings of generator 1.1: their attributes, default prevalences
 * and sampling. Each finding draws from its own stream keyed by (name, seed,
 * index) — never from the case's main stream — so adding, forcing or
 * excluding one leaves the base findings, anatomy and acquisition of every
 * case untouched, and a case without rare findings renders exactly as with
 * generator 1.0.
 */
import type { FindingOverrides, FindingSet, LungZone, Side } from './findings.js';
import { Random } from './random.js';

export const RARE_FINDINGS = [
  'rib_fracture',
  'pneumoperitoneum',
  'hiatal_hernia',
  'pneumomediastinum',
  'widened_mediastinum',
  'hilar_adenopathy',
  'calcified_granuloma',
  'cavitary_lesion',
  'subcutaneous_emphysema',
  'sternotomy_wires',
  'scoliosis',
  'elevated_hemidiaphragm',
] as const;
export type RareFindingName = (typeof RARE_FINDINGS)[number];

export interface RibFractureAttrs {
  side: Side;
  /** Posterior rib numbers (consecutive). */
  ribs: number[];
  /** Along the rib: near the spine, or along the lateral arc (where most are seen). */
  site: 'posterior' | 'lateral';
  /** Acute: a lucent break, displaced or not; healed: a fusiform callus. */
  age: 'acute' | 'healed';
  displaced: boolean;
}
export interface PneumoperitoneumAttrs {
  side: Side | 'bilateral';
  size: 'small' | 'large';
  /** Greatest depth of the gas crescent under the dome, mm. */
  depthMm: number;
}
export interface HiatalHerniaAttrs {
  size: 'small' | 'large';
  diameterMm: number;
  /** Only an upright (PA) film shows the level. */
  airFluidLevel: boolean;
}
export interface PneumomediastinumAttrs {
  extent: 'limited' | 'extensive';
  /** Streaks continue up into the neck. */
  neck: boolean;
  /** Gas under the heart joins both hemidiaphragms. */
  continuousDiaphragm: boolean;
}
export interface WidenedMediastinumAttrs {
  /** Width of the superior mediastinum at the aortic knob, mm (normal here about 65–75). */
  widthMm: number;
  /** Vascular (aorta: mostly leftward, knob effaced) or a mass (both sides, lobulated). */
  cause: 'vascular' | 'mass';
}
export interface HilarAdenopathyAttrs {
  side: Side | 'bilateral';
  /** Right paratracheal node too (with bilateral hila: the 1-2-3 pattern). */
  paratracheal: boolean;
  /** Largest node, mm. */
  nodeMm: number;
}
export interface GranulomaAttrs {
  count: number;
  side: Side;
  zone: LungZone;
  diameterMm: number;
  /** A calcified node at the hilum of the same side (a Ghon complex). */
  hilarNode: boolean;
}
export interface CavityAttrs {
  side: Side;
  zone: LungZone;
  diameterMm: number;
  wallMm: number;
  /** Only an upright (PA) film shows the level. */
  airFluidLevel: boolean;
}
export interface SubcutaneousEmphysemaAttrs {
  side: Side | 'bilateral';
  extent: 'mild' | 'extensive';
  neck: boolean;
}
export interface SternotomyAttrs {
  wires: number;
  valve: 'none' | 'aortic' | 'mitral' | 'both';
  /** Surgical clips along the grafts and the internal mammary bed. */
  cabgClips: boolean;
}
export interface ScoliosisAttrs {
  /** Side of the convexity (right: dextroscoliosis). */
  convexity: Side;
  cobbDeg: number;
  severity: 'mild' | 'moderate' | 'severe';
  region: 'thoracic' | 'thoracolumbar';
}
export interface ElevatedHemidiaphragmAttrs {
  side: Side;
  elevationMm: number;
}

export interface RareFindingAttrs {
  rib_fracture: RibFractureAttrs;
  pneumoperitoneum: PneumoperitoneumAttrs;
  hiatal_hernia: HiatalHerniaAttrs;
  pneumomediastinum: PneumomediastinumAttrs;
  widened_mediastinum: WidenedMediastinumAttrs;
  hilar_adenopathy: HilarAdenopathyAttrs;
  calcified_granuloma: GranulomaAttrs;
  cavitary_lesion: CavityAttrs;
  subcutaneous_emphysema: SubcutaneousEmphysemaAttrs;
  sternotomy_wires: SternotomyAttrs;
  scoliosis: ScoliosisAttrs;
  elevated_hemidiaphragm: ElevatedHemidiaphragmAttrs;
}

/** 1–3 % each (granulomas, scoliosis and sternotomies are the commoner incidental ones). */
export const RARE_DEFAULT_PREVALENCE: Record<RareFindingName, number> = {
  rib_fracture: 0.02,
  pneumoperitoneum: 0.01,
  hiatal_hernia: 0.02,
  pneumomediastinum: 0.01,
  widened_mediastinum: 0.015,
  hilar_adenopathy: 0.015,
  calcified_granuloma: 0.03,
  cavitary_lesion: 0.01,
  subcutaneous_emphysema: 0.01,
  sternotomy_wires: 0.025,
  scoliosis: 0.03,
  elevated_hemidiaphragm: 0.015,
};

interface Context {
  base: FindingSet;
  rare: FindingSet;
  upright: boolean;
}

const side = (rng: Random): Side => (rng.chance(0.5) ? 'left' : 'right');
const zone = (rng: Random, upper: number): LungZone =>
  rng.weighted<LungZone>([
    ['upper', upper],
    ['middle', (1 - upper) * 0.6],
    ['lower', (1 - upper) * 0.4],
  ]);

/** How other findings raise a rare finding's chance (trauma and air leaks travel together). */
function boost(name: RareFindingName, ctx: Context): number {
  const { base, rare } = ctx;
  switch (name) {
    case 'rib_fracture':
      return base.pneumothorax ? 4 : 1;
    case 'subcutaneous_emphysema':
      return base.pneumothorax || rare.pneumomediastinum || rare.rib_fracture?.displaced ? 6 : 1;
    case 'sternotomy_wires':
      return base.support_devices?.pacemaker || base.cardiomegaly ? 2.5 : 1;
    default:
      return 1;
  }
}

const SAMPLERS: { [K in RareFindingName]: (rng: Random, ctx: Context) => RareFindingAttrs[K] } = {
  rib_fracture: (rng, ctx) => {
    const n = rng.weighted([
      [1, 0.5],
      [2, 0.3],
      [3, 0.2],
    ] as const);
    const first = rng.int(4, 11 - n);
    const age = rng.chance(0.7) ? 'acute' : 'healed';
    return {
      // A pneumothorax and its fractures are usually on one side.
      side: ctx.base.pneumothorax && rng.chance(0.8) ? ctx.base.pneumothorax.side : side(rng),
      ribs: Array.from({ length: n }, (_, k) => first + k),
      site: rng.chance(0.7) ? 'lateral' : 'posterior',
      age,
      displaced: age === 'acute' && rng.chance(0.5),
    };
  },
  pneumoperitoneum: (rng) => {
    const large = rng.chance(0.45);
    return {
      side: rng.weighted<PneumoperitoneumAttrs['side']>([
        ['right', 0.55],
        ['bilateral', 0.35],
        ['left', 0.1],
      ]),
      size: large ? 'large' : 'small',
      depthMm: large ? rng.uniform(13, 30) : rng.uniform(4, 10),
    };
  },
  hiatal_hernia: (rng, ctx) => {
    const diameterMm = rng.uniform(35, 95);
    return { size: diameterMm < 60 ? 'small' : 'large', diameterMm, airFluidLevel: ctx.upright && rng.chance(0.8) };
  },
  pneumomediastinum: (rng) => {
    const extensive = rng.chance(0.45);
    return {
      extent: extensive ? 'extensive' : 'limited',
      neck: extensive || rng.chance(0.5),
      continuousDiaphragm: extensive && rng.chance(0.6),
    };
  },
  widened_mediastinum: (rng) => ({
    widthMm: rng.uniform(88, 125),
    cause: rng.chance(0.55) ? 'vascular' : 'mass',
  }),
  hilar_adenopathy: (rng) => {
    const s = rng.weighted<HilarAdenopathyAttrs['side']>([
      ['bilateral', 0.6],
      ['right', 0.25],
      ['left', 0.15],
    ]);
    return { side: s, paratracheal: rng.chance(s === 'bilateral' ? 0.5 : 0.25), nodeMm: rng.uniform(16, 34) };
  },
  calcified_granuloma: (rng) => ({
    count: rng.weighted([
      [1, 0.65],
      [2, 0.25],
      [3, 0.1],
    ] as const),
    side: side(rng),
    zone: zone(rng, 0.5),
    diameterMm: rng.uniform(3.5, 9),
    hilarNode: rng.chance(0.3),
  }),
  cavitary_lesion: (rng, ctx) => {
    const diameterMm = rng.uniform(25, 70);
    return {
      side: side(rng),
      zone: zone(rng, 0.6),
      diameterMm,
      wallMm: rng.uniform(4, Math.min(15, diameterMm * 0.28)),
      airFluidLevel: ctx.upright && rng.chance(0.65),
    };
  },
  subcutaneous_emphysema: (rng, ctx) => {
    const extensive = rng.chance(0.4);
    const ptx = ctx.base.pneumothorax;
    return {
      side:
        ptx && rng.chance(0.8)
          ? ptx.side
          : rng.weighted<SubcutaneousEmphysemaAttrs['side']>([
              ['bilateral', 0.3],
              ['left', 0.35],
              ['right', 0.35],
            ]),
      extent: extensive ? 'extensive' : 'mild',
      neck: extensive || rng.chance(0.3),
    };
  },
  sternotomy_wires: (rng) => ({
    wires: rng.int(5, 8),
    valve: rng.weighted<SternotomyAttrs['valve']>([
      ['none', 0.55],
      ['aortic', 0.3],
      ['mitral', 0.1],
      ['both', 0.05],
    ]),
    cabgClips: rng.chance(0.5),
  }),
  scoliosis: (rng) => {
    const severity = rng.weighted<ScoliosisAttrs['severity']>([
      ['mild', 0.6],
      ['moderate', 0.3],
      ['severe', 0.1],
    ]);
    const cobbDeg =
      severity === 'mild' ? rng.uniform(12, 20) : severity === 'moderate' ? rng.uniform(20, 40) : rng.uniform(40, 58);
    return {
      // Idiopathic thoracic curves are mostly convex to the right.
      convexity: rng.chance(0.7) ? 'right' : 'left',
      cobbDeg,
      severity,
      region: rng.chance(0.75) ? 'thoracic' : 'thoracolumbar',
    };
  },
  elevated_hemidiaphragm: (rng) => ({ side: rng.chance(0.55) ? 'right' : 'left', elevationMm: rng.uniform(32, 70) }),
};

export interface RareOptions {
  prevalence: Record<RareFindingName, number>;
  force?: FindingOverrides;
  /** Never present (and never mentioned by the report writer). */
  excluded?: readonly RareFindingName[];
  /** Upright film (PA): air-fluid levels show. */
  upright: boolean;
}

/** The rare findings of case (seed, index), given its base findings. */
export function sampleRareFindings(seed: number, index: number, base: FindingSet, opts: RareOptions): FindingSet {
  const rare: FindingSet = {};
  const ctx: Context = { base, rare, upright: opts.upright };
  for (const name of RARE_FINDINGS) {
    const rng = new Random('phantom-rare', name, seed, index);
    // The presence draw happens whatever is forced, so attributes do not depend on it.
    const drawn = rng.chance(Math.min(1, opts.prevalence[name] * boost(name, ctx)));
    const present = opts.excluded?.includes(name) ? false : (opts.force?.[name] ?? drawn);
    if (present) put(rare, name, rng, ctx);
  }
  return rare;
}

function put<K extends RareFindingName>(set: FindingSet, name: K, rng: Random, ctx: Context): void {
  set[name] = SAMPLERS[name](rng, ctx);
}
