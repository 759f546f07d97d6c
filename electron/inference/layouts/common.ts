/** Helpers shared by the loaders of published layouts. */
import path from 'node:path';
import { ModelError } from '../errors.js';
import type { Interpolation } from '../../imaging/image-spec.js';

export type Json = Record<string, unknown>;

export function obj(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ModelError('BAD_MANIFEST', `${what} is not a JSON object`);
  return value as Json;
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function numbers(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number')) {
    throw new ModelError('BAD_MANIFEST', `${what} must be a list of numbers`);
  }
  return value as number[];
}

/** A model id from a folder name: lower-case, safe characters. */
export function idFromDir(dir: string): string {
  return (
    path
      .basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 64) || 'model'
  );
}

/** PIL resample codes as Hugging Face processors write them. */
export function pilInterpolation(code: unknown): Interpolation {
  if (code === 2) return 'bilinear';
  if (code === 4) return 'area';
  return 'bicubic'; // 3, and the closest we have for lanczos (1) and hamming (5)
}

export const CLIP_LOGIT_SCALE = 100;
export const PUBLISHED_USE = 'As published by its authors. In RadSift: research use only — not for clinical decisions.';
