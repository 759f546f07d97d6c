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
import { markElevatedHemidiaphragm } from './elevated-hemidiaphragm.js';
import { renderPneumoperitoneum } from './pneumoperitoneum.js';
import { renderHiatalHernia } from './hiatal-hernia.js';
import { renderPneumomediastinum } from './pneumomediastinum.js';
import { renderHilarAdenopathy } from './hilar-adenopathy.js';
import { renderGranuloma } from './granuloma.js';
import { prepareCavity, renderCavity } from './cavity.js';
import { renderSubcutaneousEmphysema } from './subcutaneous-emphysema.js';
import { renderSternotomy } from './sternotomy.js';
import { markWidenedMediastinum } from './widened-mediastinum.js';

const stream = (c: PhantomCase, name: string) => new Random('finding', name, c.seed, c.index);

/** Runs before the lung markings: a pneumothorax and a cavity must clear them first. */
export function prepareFindings(f: Fields): void {
  const c = f.thorax.c;
  const p = c.findings.pneumothorax;
  if (p) renderPneumothorax(f, p);
  const k = c.findings.cavitary_lesion;
  if (k) prepareCavity(f, k, stream(c, 'cavitary_lesion'));
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
  // Rare findings (generator 1.1), after every base finding so those draw exactly as before.
  if (x.widened_mediastinum) markWidenedMediastinum(f);
  if (x.elevated_hemidiaphragm) markElevatedHemidiaphragm(f, x.elevated_hemidiaphragm);
  if (x.hilar_adenopathy) renderHilarAdenopathy(f, x.hilar_adenopathy, stream(c, 'hilar_adenopathy'));
  if (x.cavitary_lesion) renderCavity(f, x.cavitary_lesion, stream(c, 'cavitary_lesion'));
  if (x.calcified_granuloma) renderGranuloma(f, x.calcified_granuloma, stream(c, 'calcified_granuloma'));
  if (x.hiatal_hernia) renderHiatalHernia(f, x.hiatal_hernia, stream(c, 'hiatal_hernia'));
  if (x.pneumomediastinum) renderPneumomediastinum(f, x.pneumomediastinum, stream(c, 'pneumomediastinum'));
  if (x.pneumoperitoneum) renderPneumoperitoneum(f, x.pneumoperitoneum, stream(c, 'pneumoperitoneum'));
  if (x.sternotomy_wires) renderSternotomy(f, x.sternotomy_wires, stream(c, 'sternotomy_wires'));
  if (x.subcutaneous_emphysema)
    renderSubcutaneousEmphysema(f, x.subcutaneous_emphysema, stream(c, 'subcutaneous_emphysema'));
}
