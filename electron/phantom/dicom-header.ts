/**
 * The DICOM header of a phantom: CR Image or DX Image (For Presentation),
 * with the modules those IODs require and the attributes a chest radiograph
 * carries (body part, view, orientation, spacing, windows, dose-free
 * acquisition fields). Everything is synthetic.
 */
import { tag, type DataElement } from '../dicom/write/elements.js';
import type { StoredImage } from './acquisition.js';
import type { PhantomCase } from './case.js';
import type { Identity } from './identity.js';

export const SOP_CLASS = {
  CR: '1.2.840.10008.5.1.4.1.1.1',
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
} as const;

/** Decimal strings within DS's 16 characters. */
const ds = (v: number, digits = 4) => String(Number(v.toFixed(digits)));

export function phantomHeader(c: PhantomCase, id: Identity, img: StoredImage, generatorVersion: string): DataElement[] {
  const acq = c.acquisition;
  const dx = acq.modality === 'DX';
  const ap = acq.view === 'AP';
  const spacing = [ds(acq.pixelMm, 6), ds(acq.pixelMm, 6)];
  const e = (g: number, el: number, vr: DataElement['vr'], value: DataElement['value']): DataElement => ({
    tag: tag(g, el),
    vr,
    value,
  });
  const windows = img.windows;
  const elements: DataElement[] = [
    e(0x0008, 0x0005, 'CS', 'ISO_IR 100'),
    e(0x0008, 0x0008, 'CS', ['ORIGINAL', 'PRIMARY']),
    e(0x0008, 0x0016, 'UI', dx ? SOP_CLASS.DX : SOP_CLASS.CR),
    e(0x0008, 0x0018, 'UI', id.instanceUid),
    e(0x0008, 0x0020, 'DA', id.studyDate),
    e(0x0008, 0x0021, 'DA', id.studyDate),
    e(0x0008, 0x0023, 'DA', id.studyDate),
    e(0x0008, 0x0030, 'TM', id.studyTime),
    e(0x0008, 0x0031, 'TM', id.studyTime),
    e(0x0008, 0x0033, 'TM', id.studyTime),
    e(0x0008, 0x0050, 'SH', id.accession),
    e(0x0008, 0x0060, 'CS', acq.modality),
    e(0x0008, 0x0070, 'LO', 'RadSift Synthetic'),
    e(0x0008, 0x0080, 'LO', 'RadSift Phantom Hospital'),
    e(0x0008, 0x0090, 'PN', id.referringPhysician),
    e(0x0008, 0x1030, 'LO', ap ? 'XR CHEST PORTABLE AP' : 'XR CHEST PA'),
    e(0x0008, 0x103e, 'LO', ap ? 'CHEST AP' : 'CHEST PA'),
    e(0x0008, 0x1090, 'LO', 'radsift-phantom'),
    e(0x0010, 0x0010, 'PN', id.patientName),
    e(0x0010, 0x0020, 'LO', id.patientId),
    e(0x0010, 0x0030, 'DA', id.birthDate),
    e(0x0010, 0x0040, 'CS', id.sex),
    e(0x0010, 0x1010, 'AS', id.age),
    e(0x0018, 0x0015, 'CS', 'CHEST'),
    e(0x0018, 0x0060, 'DS', ds(acq.kvp)),
    e(0x0018, 0x1020, 'LO', `radsift-phantom ${generatorVersion}`),
    e(0x0018, 0x1110, 'DS', ap ? '1000' : '1800'),
    e(0x0018, 0x1164, 'DS', spacing),
    e(0x0018, 0x5101, 'CS', acq.view),
    e(0x0020, 0x000d, 'UI', id.studyUid),
    e(0x0020, 0x000e, 'UI', id.seriesUid),
    e(0x0020, 0x0010, 'SH', id.studyId),
    e(0x0020, 0x0011, 'IS', String(id.seriesNumber)),
    e(0x0020, 0x0013, 'IS', String(id.instanceNumber)),
    // Rows run toward the patient's left, columns toward the feet.
    e(0x0020, 0x0020, 'CS', ['L', 'F']),
    e(0x0028, 0x0002, 'US', 1),
    e(0x0028, 0x0004, 'CS', img.photometric),
    e(0x0028, 0x0010, 'US', img.height),
    e(0x0028, 0x0011, 'US', img.width),
    e(0x0028, 0x0100, 'US', 16),
    e(0x0028, 0x0101, 'US', img.bitsStored),
    e(0x0028, 0x0102, 'US', img.bitsStored - 1),
    e(0x0028, 0x0103, 'US', 0),
    e(0x0028, 0x0301, 'CS', 'NO'),
    e(
      0x0028,
      0x1050,
      'DS',
      windows.map((w) => ds(w.center)),
    ),
    e(
      0x0028,
      0x1051,
      'DS',
      windows.map((w) => ds(w.width)),
    ),
    e(0x0028, 0x1055, 'LO', ['DEFAULT', 'LUNG', 'WIDE'].slice(0, windows.length)),
    e(0x0028, 0x1052, 'DS', '0'),
    e(0x0028, 0x1053, 'DS', '1'),
    e(0x0028, 0x2110, 'CS', '00'),
  ];
  if (dx) {
    elements.push(
      e(0x0008, 0x0068, 'CS', 'FOR PRESENTATION'),
      e(0x0008, 0x2218, 'SQ', [
        [e(0x0008, 0x0100, 'SH', '51185008'), e(0x0008, 0x0102, 'SH', 'SCT'), e(0x0008, 0x0104, 'LO', 'Chest')],
      ]),
      e(0x0018, 0x1508, 'CS', ''),
      e(0x0018, 0x7004, 'CS', 'SCINTILLATOR'),
      e(0x0054, 0x0220, 'SQ', [
        ap
          ? [
              e(0x0008, 0x0100, 'SH', '399182001'),
              e(0x0008, 0x0102, 'SH', 'SCT'),
              e(0x0008, 0x0104, 'LO', 'antero-posterior'),
            ]
          : [
              e(0x0008, 0x0100, 'SH', '399348003'),
              e(0x0008, 0x0102, 'SH', 'SCT'),
              e(0x0008, 0x0104, 'LO', 'postero-anterior'),
            ],
      ]),
      e(0x0020, 0x0062, 'CS', 'U'),
      e(0x0028, 0x1040, 'CS', 'LOG'),
      e(0x0028, 0x1041, 'SS', 1),
      e(0x0028, 0x1054, 'LO', 'US'),
      e(0x0040, 0x0555, 'SQ', []),
      e(0x2050, 0x0020, 'CS', img.photometric === 'MONOCHROME1' ? 'INVERSE' : 'IDENTITY'),
    );
  } else {
    elements.push(e(0x0028, 0x0030, 'DS', spacing), e(0x0028, 0x1054, 'LO', 'US'));
  }
  return elements;
}
