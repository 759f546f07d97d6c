/**
 * Synthetic identities: names built from syllables (no real person),
 * IDs, dates and UIDs, all from the case's seed.
 */
import { uidFrom128 } from '../dicom/write/uid.js';
import type { PhantomCase } from './case.js';
import { Random } from './random.js';

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'tr', 'st', 'kl'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ae', 'ei'];
const CODAS = ['', 'n', 'r', 'l', 's', 'x', 'th'];

function syllableName(rng: Random, syllables: number): string {
  let s = '';
  for (let i = 0; i < syllables; i++)
    s += rng.pick(ONSETS) + rng.pick(VOWELS) + (i === syllables - 1 ? rng.pick(CODAS) : '');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface Identity {
  patientName: string;
  patientId: string;
  birthDate: string;
  sex: 'F' | 'M';
  age: string;
  studyDate: string;
  studyTime: string;
  accession: string;
  studyId: string;
  referringPhysician: string;
  studyUid: string;
  seriesUid: string;
  instanceUid: string;
  seriesNumber: number;
  instanceNumber: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function makeIdentity(c: PhantomCase): Identity {
  const rng = new Random('identity', c.seed, c.index);
  // Dates between 2015 and 2024; no calendar edge cases (day ≤ 28).
  const year = rng.int(2015, 2024);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  const birthYear = year - c.anatomy.ageYears;
  return {
    // DICOM PN: Family^Given. A "Phantom" prefix marks every record as synthetic.
    patientName: `Phantom${syllableName(rng, 2)}^${syllableName(rng, rng.int(1, 2))}`,
    // Unique within a demo set: seed and index, not a random draw.
    patientId: `PH${pad(c.seed % 10000, 4)}${pad(c.index, 6)}`,
    birthDate: `${birthYear}${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}`,
    sex: c.anatomy.sex,
    age: `${pad(c.anatomy.ageYears, 3)}Y`,
    studyDate: `${year}${pad(month, 2)}${pad(day, 2)}`,
    studyTime: `${pad(rng.int(0, 23), 2)}${pad(rng.int(0, 59), 2)}${pad(rng.int(0, 59), 2)}`,
    accession: `ACC${pad(c.seed % 10000, 4)}${pad(c.index, 6)}`,
    studyId: `${rng.int(1, 99999)}`,
    referringPhysician: `Dr${syllableName(rng, 2)}^${syllableName(rng, 1)}`,
    studyUid: uidFrom128(rng.bigDecimal128()),
    seriesUid: uidFrom128(rng.bigDecimal128()),
    instanceUid: uidFrom128(rng.bigDecimal128()),
    seriesNumber: rng.int(1, 3),
    instanceNumber: 1,
  };
}
