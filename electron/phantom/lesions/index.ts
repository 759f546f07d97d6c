/**
 * Findings, each in its own module; this file only says in which order they
 * are drawn. Every finding writes its own bit into the mask and draws from
 * its own random stream, so adding one never changes another.
 */
import type { PhantomCase } from '../case.js';
import type { Fields } from '../fields.js';
import { Random } from '../random.js';
import type { MarkingOptions } from '../vessels.js';
import { renderAtelectasis } from './atelectasis.js';
import { markCardiomegaly } from './cardiomegaly.js';
import { renderConsolidation } from './consolidation.js';
import { renderDevices } from './devices.js';
import { renderEdema } from './edema.js';
import { renderEffusion } from './effusion.js';
import { renderNodule } from './nodule.js';
import { renderPneumothorax } from './pneumothorax.js';

const stream = (c: PhantomCase, name: string) => new Random('finding', name, c.seed, c.index);

/** Runs before the lung markings: a pneumothorax must clear them first. */
export function prepareFindings(f: Fields): void {
  const p = f.thorax.c.findings.pneumothorax;
  if (p) renderPneumothorax(f, p);
}

export function markingOptions(c: PhantomCase): MarkingOptions {
  const e = c.findings.edema;
  if (!e) return { cephalization: 0, indistinct: 0 };
  const k = e.severity === 'mild' ? 0.5 : e.severity === 'moderate' ? 0.8 : 1;
  return { cephalization: k, indistinct: 0.8 + 1.5 * k };
}

export function renderFindings(f: Fields): void {
  const c = f.thorax.c;
  const x = c.findings;
  if (x.edema) renderEdema(f, x.edema, stream(c, 'edema'));
  if (x.consolidation) renderConsolidation(f, x.consolidation, stream(c, 'consolidation'));
  if (x.atelectasis) renderAtelectasis(f, x.atelectasis, stream(c, 'atelectasis'));
  if (x.nodule) renderNodule(f, x.nodule, stream(c, 'nodule'));
  if (x.pleural_effusion) renderEffusion(f, x.pleural_effusion, stream(c, 'effusion'));
  if (x.cardiomegaly) markCardiomegaly(f);
  if (x.support_devices) renderDevices(f, x.support_devices, stream(c, 'devices'));
}
