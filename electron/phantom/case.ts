/**
 * One phantom case: every parameter the renderer, the report writer and the
 * DICOM header need, sampled from a seed. Rendering is a pure function of
 * this object, so tests can alter a field and render again.
 */
import {
  DEFAULT_PREVALENCE,
  isRareFinding,
  sampleFindings,
  type FindingName,
  type FindingOverrides,
  type FindingSet,
  type RareFindingName,
} from './findings.js';
import { Random } from './random.js';
import { sampleRareFindings } from './rare-findings.js';

export type View = 'PA' | 'AP';
export type Photometric = 'MONOCHROME1' | 'MONOCHROME2';

export interface Anatomy {
  sex: 'F' | 'M';
  ageYears: number;
  /** Overall scale of the thorax (1 = average adult). */
  size: number;
  /** 0 = poor inspiration (8 posterior ribs), 1 = deep (11). */
  inspiration: number;
  /** Rotation about the long axis, −1…1 (midline structures shift). */
  rotation: number;
  /** Cardiothoracic ratio before AP magnification. */
  ctr: number;
  /** Right hemidiaphragm height above the left, mm. */
  domeDifferenceMm: number;
  /** Chest wall soft tissue, mm (habitus). */
  chestWallMm: number;
  /** Seeds the fine structure (vessel tree, texture) independently of findings. */
  structureSeed: number;
}

export interface Acquisition {
  view: View;
  modality: 'CR' | 'DX';
  photometric: Photometric;
  bitsStored: 10 | 12 | 14 | 16;
  /** Detector pixel spacing, mm. */
  pixelMm: number;
  width: number;
  height: number;
  kvp: number;
  /** Relative dose: lower means a noisier image. */
  exposure: number;
  /** Detector/focal blur, mm (Gaussian sigma). */
  blurMm: number;
  scatter: number;
  /** Anode-heel gradient, fraction across the field. */
  heel: number;
  /** Strength of the vendor's dynamic range compression. */
  equalization: number;
  transferSyntax: 'explicit' | 'deflate' | 'rle';
}

export interface PhantomCase {
  seed: number;
  index: number;
  anatomy: Anatomy;
  acquisition: Acquisition;
  findings: FindingSet;
  /** Rare findings this set must never show nor name (absent key: none). */
  excluded?: RareFindingName[];
}

export interface CaseOptions {
  /** Missing names keep their default prevalence. */
  prevalence?: Partial<Record<FindingName, number>>;
  force?: FindingOverrides;
  /** Rare findings forced absent and never mentioned in the report, not even negated. */
  exclude?: readonly RareFindingName[];
  /** Longest matrix side in pixels; default: what the detector spacing gives (2000–3000). */
  size?: number;
  view?: View;
  /** Fixed acquisition choices (modality, transfer syntax, photometric, …), e.g. for tests. */
  acquisition?: Partial<Pick<Acquisition, 'modality' | 'photometric' | 'bitsStored' | 'transferSyntax' | 'exposure'>>;
}

/**
 * The acquisition shift of the robustness evaluation: every image AP (portable: magnified heart,
 * poorer inspiration), MONOCHROME1, 10-bit, at a third of the usual dose (√3 more quantum noise).
 */
export const SHIFTED_ACQUISITION: Pick<CaseOptions, 'view' | 'acquisition'> = {
  view: 'AP',
  acquisition: { photometric: 'MONOCHROME1', bitsStored: 10, exposure: 0.35 },
};

export function sampleCase(seed: number, index: number, options: CaseOptions = {}): PhantomCase {
  const rng = new Random('phantom-case', seed, index);
  const prevalence = { ...DEFAULT_PREVALENCE, ...options.prevalence };
  // Base findings, anatomy and acquisition come from the case stream exactly as in
  // generator 1.0; rare findings (below) never draw from it.
  const findings = sampleFindings(rng.fork('findings'), prevalence, options.force);
  const a = rng.fork('anatomy');
  const sex = a.chance(0.5) ? 'F' : 'M';
  const ill = Object.keys(findings).length > 0;
  const anatomy: Anatomy = {
    sex,
    ageYears: Math.round(a.clippedNormal(ill ? 64 : 52, 16, 19, 95)),
    size: a.clippedNormal(sex === 'F' ? 0.94 : 1.03, 0.05, 0.84, 1.15),
    inspiration: a.clippedNormal(0.62, 0.2, 0, 1),
    rotation: a.clippedNormal(0, 0.3, -1, 1),
    ctr: findings.cardiomegaly?.ctr ?? a.clippedNormal(0.43, 0.03, 0.36, 0.49),
    domeDifferenceMm: a.clippedNormal(20, 6, 8, 32),
    chestWallMm: a.clippedNormal(24, 8, 10, 50),
    structureSeed: a.nextUint32(),
  };

  const q = rng.fork('acquisition');
  // Sick patients with lines and tubes are imaged supine/portable (AP).
  const pAP = findings.support_devices?.ettube ? 0.95 : findings.support_devices ? 0.5 : ill ? 0.3 : 0.12;
  const view: View = options.view ?? (q.chance(pAP) ? 'AP' : 'PA');
  if (view === 'AP') anatomy.inspiration = Math.max(0, anatomy.inspiration - q.uniform(0.1, 0.35));
  const modality = q.chance(0.45) ? 'CR' : 'DX';
  const photometric: Photometric =
    modality === 'CR'
      ? q.chance(0.75)
        ? 'MONOCHROME1'
        : 'MONOCHROME2'
      : q.chance(0.15)
        ? 'MONOCHROME1'
        : 'MONOCHROME2';
  const bitsStored = q.weighted<Acquisition['bitsStored']>([
    [10, 0.15],
    [12, 0.4],
    [14, 0.3],
    [16, 0.15],
  ]);
  // Detector formats: 35×43 cm portrait, 43×43 cm, 35×35 cm (portable cassettes).
  const [fovW, fovH] = q.weighted<[number, number]>([
    [[350, 430], 0.45],
    [[430, 430], 0.4],
    [[350, 350], 0.15],
  ]);
  let pixelMm = q.weighted([
    [0.139, 0.25],
    [0.143, 0.15],
    [0.148, 0.2],
    [0.16, 0.15],
    [0.175, 0.15],
    [0.2, 0.1],
  ] as const);
  if (options.size) pixelMm = Math.max(fovW, fovH) / options.size;
  const width = Math.round(fovW / pixelMm);
  const height = Math.round(fovH / pixelMm);
  const acquisition: Acquisition = {
    view,
    modality,
    photometric,
    bitsStored,
    pixelMm,
    width,
    height,
    kvp: view === 'AP' ? Math.round(q.uniform(80, 100)) : Math.round(q.uniform(100, 125)),
    exposure: q.clippedNormal(1, 0.35, 0.35, 2),
    blurMm: q.uniform(0.15, 0.45),
    scatter: q.uniform(0.08, view === 'AP' ? 0.35 : 0.2),
    heel: q.uniform(-0.12, 0.12),
    // 1.4: strong enough that the spine shows through the heart shadow at 384² (detector processing does this).
    equalization: q.uniform(0.8, 0.9),
    transferSyntax: q.weighted([
      ['explicit', 0.6],
      ['deflate', 0.2],
      ['rle', 0.2],
    ] as const),
  };
  Object.assign(acquisition, options.acquisition ?? {});
  const excluded = [...new Set(options.exclude ?? [])];
  for (const name of excluded)
    if (!isRareFinding(name)) throw new RangeError(`only rare findings can be excluded, not "${String(name)}"`);
  Object.assign(
    findings,
    sampleRareFindings(seed, index, findings, {
      prevalence,
      force: options.force,
      excluded,
      upright: view === 'PA',
    }),
  );
  return { seed, index, anatomy, acquisition, findings, ...(excluded.length ? { excluded } : {}) };
}
