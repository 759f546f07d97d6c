/**
 * DICOM objects that hold no image by design: structured reports, key object selections, presentation states,
 * encapsulated documents, waveforms, radiotherapy plans and structure sets, registrations; and DICOMDIRs. A PACS
 * export or a CD holds them beside the images; screening and every command pass over them (counted, as
 * NOT_AN_IMAGE: cli/skipped-files.ts) instead of failing them on every run. An image class whose Pixel Data is
 * missing stays a failure: that file is broken. Each error carries what the object is as a code (its `detail`, a
 * NonImageKind), which an index stores and screening/skipped-kind.ts counts by: the message is for people only.
 */
import type { DataSet } from './dicom-parser.js';
import { DicomError } from './errors.js';

/** What a DICOM object that holds no image is, as a code: stored with the file's error, never reworded. */
export const NON_IMAGE_KINDS = [
  'dicomdir',
  'key-object-selection',
  'structured-report',
  'presentation-state',
  'encapsulated-document',
  'waveform',
  'rt-structure-set',
  'rt-plan',
  'spatial-registration',
  'deformable-registration',
  'surface-segmentation',
  'raw-data',
] as const;
export type NonImageKind = (typeof NON_IMAGE_KINDS)[number];

/** Each kind in words, with its article: "a structured report". */
const NON_IMAGE_WORDS: Record<NonImageKind, string> = {
  dicomdir: 'a DICOMDIR',
  'key-object-selection': 'a key object selection',
  'structured-report': 'a structured report',
  'presentation-state': 'a presentation state',
  'encapsulated-document': 'an encapsulated document',
  waveform: 'a waveform',
  'rt-structure-set': 'a radiotherapy structure set',
  'rt-plan': 'a radiotherapy plan',
  'spatial-registration': 'a spatial registration',
  'deformable-registration': 'a deformable registration',
  'surface-segmentation': 'a surface segmentation',
  'raw-data': 'raw data',
};

/** A kind in words without its article, as a count lists it: "structured report". */
export const nonImageWords = (kind: NonImageKind): string => NON_IMAGE_WORDS[kind].replace(/^an? /, '');

/** Whether a stored code is one of the kinds (an index written by a later RadSift may know more). */
export const isNonImageKind = (code: unknown): code is NonImageKind =>
  (NON_IMAGE_KINDS as readonly unknown[]).includes(code);

/** The NOT_AN_IMAGE error a file of that kind is skipped with; its kind in `detail`. */
export function nonImageError(kind: NonImageKind): DicomError {
  const message =
    kind === 'dicomdir'
      ? 'a DICOMDIR: the directory of the files beside it, which are read themselves'
      : `${NON_IMAGE_WORDS[kind]}: a DICOM object that holds no image`;
  return new DicomError('NOT_AN_IMAGE', message, { detail: kind });
}

/**
 * Why a parsed file holds no image by design, as the NOT_AN_IMAGE error it is skipped with, or null: a DICOMDIR
 * (its Directory Record Sequence; the Studies view's catalog notes one instead of listing it as unreadable), or an
 * object of a non-image class (by SOP Class UID, else the meta header's Media Storage SOP Class) without Pixel Data.
 */
export function notAnImage(dataSet: DataSet): DicomError | null {
  const elements = dataSet.elements;
  if (elements.x00041220) return nonImageError('dicomdir');
  if (elements.x7fe00010 || elements.x7fe00008 || elements.x7fe00009) return null;
  const kind = nonImageObject(dataSet.string('x00080016') ?? dataSet.string('x00020002'));
  return kind ? nonImageError(kind) : null;
}

/** SOP Class UIDs and families of them (PS3.4 Annex B) and what their objects are, most specific first. */
const NON_IMAGE: readonly [prefix: string, kind: Exclude<NonImageKind, 'dicomdir'>][] = [
  ['1.2.840.10008.5.1.4.1.1.88.59', 'key-object-selection'],
  ['1.2.840.10008.5.1.4.1.1.88.', 'structured-report'],
  ['1.2.840.10008.5.1.4.1.1.11.', 'presentation-state'],
  ['1.2.840.10008.5.1.4.1.1.104.', 'encapsulated-document'],
  ['1.2.840.10008.5.1.4.1.1.9.', 'waveform'],
  ['1.2.840.10008.5.1.4.1.1.481.3', 'rt-structure-set'],
  ['1.2.840.10008.5.1.4.1.1.481.5', 'rt-plan'],
  ['1.2.840.10008.5.1.4.1.1.66.1', 'spatial-registration'],
  ['1.2.840.10008.5.1.4.1.1.66.3', 'deformable-registration'],
  ['1.2.840.10008.5.1.4.1.1.66.5', 'surface-segmentation'],
  ['1.2.840.10008.5.1.4.1.1.66', 'raw-data'],
];

/** What a non-image object of `sopClassUid` is ("structured-report"); null for an image class or none. */
export function nonImageObject(sopClassUid: string | undefined): Exclude<NonImageKind, 'dicomdir'> | null {
  const uid = sopClassUid?.replace(/\0/g, '').trim();
  if (!uid) return null;
  for (const [prefix, kind] of NON_IMAGE) {
    // A prefix ending in a dot names a family of classes; one ending in a digit, one class (66 is raw data, 66.4 a
    // segmentation, which holds pixels).
    if (prefix.endsWith('.') ? uid.startsWith(prefix) : uid === prefix) return kind;
  }
  return null;
}
