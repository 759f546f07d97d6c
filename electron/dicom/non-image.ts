/**
 * DICOM objects that hold no image by design: structured reports, key object selections, presentation states,
 * encapsulated documents, waveforms, radiotherapy plans and structure sets, registrations; and DICOMDIRs. A PACS
 * export or a CD holds them beside the images; screening and every command pass over them (counted, as
 * NOT_AN_IMAGE: cli/skipped-files.ts) instead of failing them on every run. An image class whose Pixel Data is
 * missing stays a failure: that file is broken. The messages made here are read back by
 * screening/skipped-kind.ts, which tells a count what each skipped file was.
 */
import type { DataSet } from './dicom-parser.js';
import { DicomError } from './errors.js';

const DICOMDIR_MESSAGE = 'a DICOMDIR: the directory of the files beside it, which are read themselves';
/** What follows the object's name in a non-image object's message ("a structured report: a DICOM object…"). */
export const NO_IMAGE = ': a DICOM object that holds no image';

/** A DICOMDIR met as a file to decode. */
function dicomdirError(): DicomError {
  return new DicomError('NOT_AN_IMAGE', DICOMDIR_MESSAGE);
}

/** A DICOM object of a class that holds no image; `what` as nonImageObject names it ("a structured report"). */
function nonImageError(what: string): DicomError {
  return new DicomError('NOT_AN_IMAGE', `${what}${NO_IMAGE}`);
}

/**
 * Why a parsed file holds no image by design, as the NOT_AN_IMAGE error it is skipped with, or null: a DICOMDIR
 * (its Directory Record Sequence; the Studies view's catalog notes one instead of listing it as unreadable), or an
 * object of a non-image class (by SOP Class UID, else the meta header's Media Storage SOP Class) without Pixel Data.
 */
export function notAnImage(dataSet: DataSet): DicomError | null {
  const elements = dataSet.elements;
  if (elements.x00041220) return dicomdirError();
  if (elements.x7fe00010 || elements.x7fe00008 || elements.x7fe00009) return null;
  const what = nonImageObject(dataSet.string('x00080016') ?? dataSet.string('x00020002'));
  return what ? nonImageError(what) : null;
}

/** SOP Class UIDs and families of them (PS3.4 Annex B) and what their objects are, most specific first. */
const NON_IMAGE: readonly [prefix: string, what: string][] = [
  ['1.2.840.10008.5.1.4.1.1.88.59', 'a key object selection'],
  ['1.2.840.10008.5.1.4.1.1.88.', 'a structured report'],
  ['1.2.840.10008.5.1.4.1.1.11.', 'a presentation state'],
  ['1.2.840.10008.5.1.4.1.1.104.', 'an encapsulated document'],
  ['1.2.840.10008.5.1.4.1.1.9.', 'a waveform'],
  ['1.2.840.10008.5.1.4.1.1.481.3', 'a radiotherapy structure set'],
  ['1.2.840.10008.5.1.4.1.1.481.5', 'a radiotherapy plan'],
  ['1.2.840.10008.5.1.4.1.1.66.1', 'a spatial registration'],
  ['1.2.840.10008.5.1.4.1.1.66.3', 'a deformable registration'],
  ['1.2.840.10008.5.1.4.1.1.66.5', 'a surface segmentation'],
  ['1.2.840.10008.5.1.4.1.1.66', 'raw data'],
];

/** What a non-image object of `sopClassUid` is ("a structured report"); null for an image class or none. */
export function nonImageObject(sopClassUid: string | undefined): string | null {
  const uid = sopClassUid?.replace(/\0/g, '').trim();
  if (!uid) return null;
  for (const [prefix, what] of NON_IMAGE) {
    // A prefix ending in a dot names a family of classes; one ending in a digit, one class (66 is raw data, 66.4 a
    // segmentation, which holds pixels).
    if (prefix.endsWith('.') ? uid.startsWith(prefix) : uid === prefix) return what;
  }
  return null;
}
