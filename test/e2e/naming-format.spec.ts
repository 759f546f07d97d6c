/**
 * The renderer's scan-naming rules (renderer/src/naming.ts), checked directly: no page, no bridge.
 * DICOM person names read "Family, Given", dates YYYY-MM-DD, and "Hide identifiers" leaves patient
 * name, ID and accession out of the label and out of the path.
 */
import { expect, test } from '@playwright/test';
import { formatDicomDate, formatPersonName, scanText, type ScanLabel } from '../../renderer/src/naming';
import { scansHider } from '../../electron/api/identifiers';

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
  // ACR-NEMA 2.0's YYYY.MM.DD (retired, still in older files) reads as every other date.
  expect(formatDicomDate('2024.03.02')).toBe('2024-03-02');
  expect(formatDicomDate('2024.0302')).toBe('2024.0302');
  expect(formatDicomDate('2024-3-2')).toBe('2024-3-2');
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

  // Paths as the views show them with identifiers hidden (ScanNames.hideText): the scan's own identifiers
  // anywhere, every known scan's as the CLI's --hide-identifiers cuts them.
  const file = '/data/Doe_Jane/P12345/A998/IM1.dcm';
  const hide = scansHider([label]);
  expect(hide(file, label)).toBe('/data/[hidden]_[hidden]/[hidden]/[hidden]/IM1.dcm');
  // A file with no label of its own (one that failed) still loses the identifiers of the scans known.
  expect(hide('/data/Doe_Jane/P12345/broken.dcm')).toBe('/data/[hidden]_[hidden]/[hidden]/broken.dcm');
  // Nothing known: nothing to cut; short name parts (one letter) are left alone.
  expect(scansHider([])(file)).toBe(file);
  expect(scansHider([])('/d/X/Li/f.dcm', { patientName: 'X^Li' })).toBe('/d/X/[hidden]/f.dcm');
  // A replacement is not searched again (a name part inside "[hidden]" stays cut once).
  expect(scansHider([{ patientName: 'Den^Hid' }])('/d/Den/f.dcm', { patientName: 'Den^Hid' })).toBe(
    '/d/[hidden]/f.dcm',
  );
});
