/** Small text helpers every report writer shares (canonical sentences and their variants alike). */
import type { Side } from './findings.js';

export const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Millimetres as centimetres, rounded to `step` ("2", "2.5"). */
export const cm = (mm: number, step = 0.5): string => {
  const v = Math.max(step, Math.round(mm / 10 / step) * step);
  return Number.isInteger(v) ? `${v}` : v.toFixed(1);
};

/** Millimetres as centimetres with one decimal always ("2.0"), as the rare findings' sentences give them. */
export const cmTenths = (mm: number): string => (Math.round(mm) / 10).toFixed(1);

/** "upper", "mid", "lower" lung zone. */
export const zoneWord = (z: 'upper' | 'middle' | 'lower'): string => (z === 'middle' ? 'mid' : z);

/** What free air lies under, by side. */
export const UNDER_DIAPHRAGM: Readonly<Record<Side | 'bilateral', string>> = {
  right: 'the right hemidiaphragm',
  left: 'the left hemidiaphragm',
  bilateral: 'both hemidiaphragms',
};

/** The CheXpert labeler's "… is absent" and "…: none" negation frames for one noun phrase (generator 1.5). */
export const absentFrames = (noun: string, plural: boolean): string[] => [
  `${cap(noun)} ${plural ? 'are' : 'is'} absent.`,
  `${cap(noun)}: none.`,
];
