/**
 * DICOM objects that hold no image by design: structured reports, key object selections, presentation states,
 * encapsulated documents, waveforms, radiotherapy plans and structure sets, registrations. A PACS export or a CD
 * holds them beside the images; screening passes over them (counted, as a DICOMDIR is) instead of failing them
 * on every run. An image class whose Pixel Data is missing stays a failure: that file is broken.
 */

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
