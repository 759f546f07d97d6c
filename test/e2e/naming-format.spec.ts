/**
 * The renderer's scan-naming rules (renderer/src/naming.ts), checked directly: no page, no bridge.
 * DICOM person names read "Family, Given", dates YYYY-MM-DD, and "Hide identifiers" leaves patient
 * name, ID and accession out of the label and out of the path.
 */
import { expect, test } from '@playwright/test';
import { formatDicomDate, formatPersonName, scanText, shownPath, type ScanLabel } from '../../renderer/src/naming';

test('DICOM person names read "Family, Given Middle (Prefix Suffix)"', () => {
  const cases: [string | undefined, string][] = [
    ['Doe^Jane', 'Doe, Jane'],
    ['Doe^Jane^^Dr', 'Doe, Jane (Dr)'],
    ['Doe^Jane^Ann^Dr^PhD', 'Doe, Jane Ann (Dr PhD)'],
    ['Doe^Jane^^^PhD', 'Doe, Jane (PhD)'],
    ['Doe', 'Doe'],
    ['Doe^^^', 'Doe'],
    ['^Jane', 'Jane'],
    ['  Doe ^ Jane ', 'Doe, Jane'],
    ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'Yamada, Tarou'],
    ['=山田^太郎=やまだ^たろう', '山田, 太郎'],
    ['^^=^=Yamada^Tarou', 'Yamada, Tarou'],
    ['Hong^Gildong=洪^吉洞', 'Hong, Gildong'],
    ['^^^Dr', 'Dr'],
    ['', ''],
    [undefined, ''],
  ];
  for (const [pn, shown] of cases) expect(formatPersonName(pn), String(pn)).toBe(shown);
});

test('DICOM dates read YYYY-MM-DD; other values as they are', () => {
  expect(formatDicomDate('20240302')).toBe('2024-03-02');
  expect(formatDicomDate(' 20240302 ')).toBe('2024-03-02');
  expect(formatDicomDate('2024.03.02')).toBe('2024.03.02');
  expect(formatDicomDate('')).toBe('');
  expect(formatDicomDate(null)).toBe('');
});

test('a label names patient, study and image; hidden, without name, ID or accession', () => {
  const label: ScanLabel = {
    patientName: 'Doe^Jane',
    patientId: 'P12345',
    studyDate: '20240302',
    accession: 'A998',
    viewPosition: 'PA',
    seriesNumber: 2,
    instanceNumber: 1,
  };
  expect(scanText(label, false)).toBe('Doe, Jane · P12345 · 2024-03-02 · PA · S2/I1 · Acc A998');
  expect(scanText(label, true)).toBe('2024-03-02 · PA · S2/I1');
  expect(scanText({ studyDate: '20240302' }, false)).toBe('2024-03-02');
  expect(scanText(undefined, false)).toBe('');

  const file = '/data/Doe_Jane/P12345/A998/IM1.dcm';
  expect(shownPath(file, label, false)).toBe(file);
  expect(shownPath(file, label, true)).toBe('/data/[hidden]_[hidden]/[hidden]/[hidden]/IM1.dcm');
  // Nothing to cut without a label; short name parts (one letter) are left alone.
  expect(shownPath(file, undefined, true)).toBe(file);
  expect(shownPath('/d/X/Li/f.dcm', { patientName: 'X^Li' }, true)).toBe('/d/X/[hidden]/f.dcm');
  // A replacement is not searched again (a name part inside "[hidden]" stays cut once).
  expect(shownPath('/d/Den/f.dcm', { patientName: 'Den^Hid' }, true)).toBe('/d/[hidden]/f.dcm');
});
