/**
 * One phantom end to end: case → image, mask, report, identity, DICOM file.
 * The CLI, tests and the training export all go through here.
 */
import { writePart10 } from '../dicom/write/part10.js';
import { sampleCase, type CaseOptions, type PhantomCase } from './case.js';
import { phantomHeader, SOP_CLASS } from './dicom-header.js';
import { FINDINGS, type FindingName } from './findings.js';
import { makeIdentity, type Identity } from './identity.js';
import { renderCase, type RenderedPhantom } from './render.js';
import { writeReport, type Report } from './report.js';

/** Bump when the same seed would give different pixels, text or headers. */
export const GENERATOR_VERSION = '1.14.0';

export interface Phantom {
  case: PhantomCase;
  rendered: RenderedPhantom;
  report: Report;
  identity: Identity;
  labels: Record<FindingName, 0 | 1>;
  /** Path of the DICOM file relative to the output folder. */
  relativePath: string;
}

export function generatePhantom(seed: number, index: number, options: CaseOptions = {}): Phantom {
  const c = sampleCase(seed, index, options);
  const rendered = renderCase(c);
  const identity = makeIdentity(c);
  const labels = Object.fromEntries(FINDINGS.map((f) => [f, c.findings[f] ? 1 : 0])) as Record<FindingName, 0 | 1>;
  const relativePath = `${identity.patientId}/ST${identity.accession.slice(3)}/SE${identity.seriesNumber}/IM${String(identity.instanceNumber).padStart(4, '0')}.dcm`;
  return { case: c, rendered, report: writeReport(c), identity, labels, relativePath };
}

export function phantomDicom(p: Phantom): Buffer {
  const { image } = p.rendered;
  const acq = p.case.acquisition;
  return writePart10({
    sopClassUid: acq.modality === 'DX' ? SOP_CLASS.DX : SOP_CLASS.CR,
    sopInstanceUid: p.identity.instanceUid,
    transferSyntax: acq.transferSyntax,
    elements: phantomHeader(p.case, p.identity, image, GENERATOR_VERSION),
    pixels: image.pixels,
    width: image.width,
    height: image.height,
  });
}
