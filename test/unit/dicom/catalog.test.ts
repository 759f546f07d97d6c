/** Catalog: streaming walk, grouping, ordering, skipped files with reasons, DICOMDIR. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import {
  catalogDicomdir,
  catalogFolder,
  instanceHeader,
  readDicomdir,
  walkFiles,
  type Catalog,
} from '../../../electron/dicom/catalog.js';
import { withinTime } from '../../support/fifo.js';
import { lockedOutPrefix, lockFolder, nodeLockedOut } from '../../support/locked-folder.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { parseDicom } from '../../../electron/dicom/parse.js';
import { buildDicom, imagePixel, type Item } from './builder.js';
import { tempDir } from './support.js';

function instance(patient: string, study: string, series: string, sop: string, extra: Item = {}): Buffer {
  return buildDicom({
    x00080018: ['UI', sop],
    x00080060: ['CS', 'CT'],
    x00100010: ['PN', `Name^${patient}`],
    x00100020: ['LO', patient],
    x0020000d: ['UI', study],
    x0020000e: ['UI', series],
    ...imagePixel({ rows: 1, columns: 1, bitsAllocated: 8 }),
    x7fe00010: ['OB', Uint8Array.from([1, 0])],
    ...extra,
  });
}

test('groups patient → study → series → instance and orders instances', async () => {
  const root = tempDir('catalog');
  mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
  const axial = '1\\0\\0\\0\\1\\0';
  writeFileSync(
    path.join(root, 'a', 'z3.dcm'),
    instance('P1', '1.1', '1.1.1', '1.1.1.3', { x00200013: ['IS', '3'], x00185101: ['CS', 'PA'] }),
  );
  writeFileSync(
    path.join(root, 'a', 'b', 'z1.dcm'),
    instance('P1', '1.1', '1.1.1', '1.1.1.1', { x00200013: ['IS', '1'] }),
  );
  writeFileSync(path.join(root, 'z2.dcm'), instance('P1', '1.1', '1.1.1', '1.1.1.2', { x00200013: ['IS', '2'] }));
  // No Instance Number: ordered by position along the slice normal.
  for (const [name, z] of [
    ['p-high', '50'],
    ['p-low', '-10'],
    ['p-mid', '5'],
  ]) {
    const extra: Item = { x00200032: ['DS', `0\\0\\${z}`], x00200037: ['DS', axial] };
    writeFileSync(path.join(root, `${name}.dcm`), instance('P1', '1.1', '1.1.2', `1.1.2.${name}`, extra));
  }
  writeFileSync(path.join(root, 'other.dcm'), instance('P2', '2.1', '2.1.1', '2.1.1.1'));
  writeFileSync(path.join(root, 'notes.txt'), 'not an image');
  writeFileSync(path.join(root, 'fake.dcm'), 'a text file named like a scan');
  writeFileSync(path.join(root, 'cut.dcm'), instance('P3', '3.1', '3.1.1', '3.1.1.1').subarray(0, 200));

  const files: string[] = [];
  for await (const file of walkFiles(root)) files.push(path.relative(root, file));
  assert.equal(files.length, 10);

  const catalog = await catalogFolder(root);
  assert.deepEqual(
    catalog.patients.map((p) => p.patientId),
    ['P1', 'P2'],
  );
  const [p1] = catalog.patients;
  assert.equal(p1!.patientName, 'Name^P1');
  assert.equal(p1!.studies[0]!.series[0]!.instances[2]!.viewPosition, 'PA');
  const series = p1!.studies[0]!.series;
  assert.deepEqual(
    series.map((s) => s.instances.map((i) => i.sopInstanceUID)),
    [
      ['1.1.1.1', '1.1.1.2', '1.1.1.3'],
      ['1.1.2.p-low', '1.1.2.p-mid', '1.1.2.p-high'],
    ],
  );
  // Not DICOM at all: skipped. Claims to be DICOM (DICM framing, or a .dcm name) and cannot be read: failed.
  const listed = (files: { path: string; code: string }[]) =>
    Object.fromEntries(files.map((s) => [path.basename(s.path), s.code]));
  assert.deepEqual(listed(catalog.skipped), { 'notes.txt': 'NOT_DICOM' });
  assert.deepEqual(listed(catalog.failed), { 'cut.dcm': 'TRUNCATED', 'fake.dcm': 'NOT_DICOM' });
  assert.ok([...catalog.skipped, ...catalog.failed].every((s) => s.reason.length > 0));
});

test('DICOMDIR: records and the files they reference', async () => {
  const root = tempDir('dicomdir');
  mkdirSync(path.join(root, 'DICOM'));
  writeFileSync(path.join(root, 'DICOM', 'IM1'), instance('P9', '9.1', '9.1.1', '9.1.1.1', { x00200013: ['IS', '1'] }));
  writeFileSync(path.join(root, 'DICOM', 'IM2'), instance('P9', '9.1', '9.1.1', '9.1.1.2', { x00200013: ['IS', '2'] }));
  const record = (type: string, extra: Item = {}): Item => ({ x00041430: ['CS', type], ...extra });
  const dicomdir = buildDicom({
    x00041220: [
      'SQ',
      [
        record('PATIENT', { x00100020: ['LO', 'P9'] }),
        record('STUDY', { x0020000d: ['UI', '9.1'] }),
        record('SERIES', { x0020000e: ['UI', '9.1.1'] }),
        record('IMAGE', { x00041500: ['CS', 'DICOM\\IM2'] }),
        record('IMAGE', { x00041500: ['CS', 'DICOM\\IM1'] }),
      ],
    ],
  });
  writeFileSync(path.join(root, 'DICOMDIR'), dicomdir);

  const records = await readDicomdir(path.join(root, 'DICOMDIR'));
  assert.deepEqual(
    records.map((r) => r.type),
    ['PATIENT', 'STUDY', 'SERIES', 'IMAGE', 'IMAGE'],
  );
  assert.equal(records[3]!.file, path.join(root, 'DICOM', 'IM2'));

  const catalog = await catalogDicomdir(path.join(root, 'DICOMDIR'));
  assert.deepEqual(
    catalog.patients[0]!.studies[0]!.series[0]!.instances.map((i) => i.sopInstanceUID),
    ['9.1.1.1', '9.1.1.2'],
  );
  const folder = await catalogFolder(root);
  assert.deepEqual(folder.dicomdirs, [path.join(root, 'DICOMDIR')]);
});

test('a header longer than the first read: every record and attribute, however the part read first ends', async () => {
  const root = tempDir('long-header');
  // An enhanced multi-frame file: 2,000 per-frame items (about 300 KB) before Pixel Data, the first read's cut
  // inside one of them (dicom-parser: "invalid value for parameter 'maxP osition'").
  const perFrame: Item[] = Array.from({ length: 2000 }, (_, i) => ({
    x00209111: ['SQ', [{ x00209157: ['UL', [i + 1]], x00209056: ['SH', `frame ${i + 1}`.padEnd(120, '.')] }]],
  }));
  writeFileSync(
    path.join(root, 'enhanced.dcm'),
    instance('P5', '5.1', '5.1.1', '5.1.1.1', { x52009230: ['SQ', perFrame] }),
  );
  // Implicit VR: a private 300 KB value before the study and series UIDs, which the first read passed over
  // silently, losing them.
  writeFileSync(
    path.join(root, 'implicit.dcm'),
    buildDicom(
      {
        x00080018: ['UI', '6.1.1.1'],
        x00091001: ['OB', new Uint8Array(300_000).fill(7)],
        x00100020: ['LO', 'P6'],
        x0020000d: ['UI', '6.1'],
        x0020000e: ['UI', '6.1.1'],
        ...imagePixel({ rows: 1, columns: 1, bitsAllocated: 8 }),
        x7fe00010: ['OB', Uint8Array.from([1, 0])],
      },
      { transferSyntax: '1.2.840.10008.1.2' },
    ),
  );
  // A DICOMDIR of 3,000 records (no Pixel Data to stop at), the one image last.
  mkdirSync(path.join(root, 'dir', 'DICOM'), { recursive: true });
  writeFileSync(path.join(root, 'dir', 'DICOM', 'IM1'), instance('P7', '7.1', '7.1.1', '7.1.1.1'));
  const patients: Item[] = Array.from({ length: 3000 }, (_, i) => ({
    x00041430: ['CS', 'PATIENT'],
    x00100020: ['LO', `P${i}`.padEnd(64, '0')],
  }));
  writeFileSync(
    path.join(root, 'dir', 'DICOMDIR'),
    buildDicom({
      x00041220: ['SQ', [...patients, { x00041430: ['CS', 'IMAGE'], x00041500: ['CS', 'DICOM\\IM1'] }]],
    }),
  );

  const catalog = await catalogFolder(root);
  assert.deepEqual(catalog.failed, []);
  assert.deepEqual(
    catalog.patients.map((p) => [p.patientId, p.studies[0]!.studyInstanceUID]),
    [
      ['P5', '5.1'],
      ['P6', '6.1'],
      ['P7', '7.1'],
    ],
  );
  const records = await readDicomdir(path.join(root, 'dir', 'DICOMDIR'));
  assert.equal(records.length, 3001);
  assert.equal(records.at(-1)!.file, path.join(root, 'dir', 'DICOM', 'IM1'));
});

const locking = lockedOutPrefix();
const lockedOut = 'prefix' in locking ? locking.prefix : [];

test(
  'a folder that cannot be opened is listed as failed, by a reason that names no path, and the walk goes on',
  { skip: 'skip' in locking ? locking.skip : false },
  () => {
    const root = tempDir('catalog-locked');
    for (const [dir, patient] of [
      ['a', 'P1'],
      ['z', 'P2'],
    ] as const) {
      mkdirSync(path.join(root, dir));
      writeFileSync(
        path.join(root, dir, 'IM1.dcm'),
        instance(patient, `${patient}.1`, `${patient}.1.1`, `${patient}.1.1.1`),
      );
    }
    // Named after its patient, as folders often are; what it holds must not be read.
    const locked = path.join(root, 'm', 'Doe^Jane');
    const unlock = lockFolder(locked, (dir) =>
      writeFileSync(path.join(dir, 'IM1.dcm'), instance('P3', '3.1', '3.1.1', '3.1.1.1')),
    );
    try {
      const catalog = pathToFileURL(path.join(PROJECT_ROOT, 'dist', 'electron', 'dicom', 'catalog.js')).href;
      const script = `const { catalogFolder } = await import(${JSON.stringify(catalog)});
        const [root, locked] = process.argv.slice(1);
        console.log(JSON.stringify({ root: await catalogFolder(root), locked: await catalogFolder(locked) }));`;
      const run = nodeLockedOut(lockedOut, ['--input-type=module', '-e', script, root, locked]);
      assert.equal(run.status, 0, run.stderr);
      const { root: walked, locked: alone } = JSON.parse(run.stdout) as { root: Catalog; locked: Catalog };
      assert.deepEqual(
        walked.patients.map((p) => p.patientId),
        ['P1', 'P2'],
      );
      const failure = { path: locked, code: 'IO', reason: 'cannot open folder: permission denied (EACCES)' };
      assert.deepEqual(walked.failed, [failure]);
      // The folder opened itself cannot be: the same entry, nothing else.
      assert.deepEqual(alone, { patients: [], skipped: [], failed: [failure], dicomdirs: [] });
    } finally {
      unlock();
    }
  },
);

/** Settles `work`, or fails after `ms`, first opening the FIFO for writing so that a read stuck on it ends. */

test('DICOMDIR: references that leave its folder or are not regular files are refused and listed as failed', async () => {
  const root = tempDir('dicomdir-refused');
  const media = path.join(root, 'media');
  const images = path.join(media, 'DICOM');
  mkdirSync(images, { recursive: true });
  writeFileSync(path.join(images, 'IM1'), instance('P9', '9.1', '9.1.1', '9.1.1.1'));
  symlinkSync('IM1', path.join(images, 'ALIAS')); // a link inside the folder is followed
  // Another patient's scan beside the media: no reference may reach it.
  const other = path.join(root, 'OTHERPT');
  mkdirSync(other);
  writeFileSync(path.join(other, 'IM1'), instance('SECRET7', '7.1', '7.1.1', '7.1.1.1'));
  symlinkSync(path.join(other, 'IM1'), path.join(images, 'LINK'));
  symlinkSync(other, path.join(images, 'LINKDIR'));
  execFileSync('mkfifo', [path.join(images, 'PIPE')]);
  const ids = [
    'DICOM\\IM1',
    'DICOM\\ALIAS',
    '..\\OTHERPT\\IM1',
    'DICOM\\..\\..\\OTHERPT\\IM1',
    'DICOM\\\\IM1',
    '.\\DICOM\\IM1',
    `..${path.sep}OTHERPT${path.sep}IM1`,
    'C:\\IM1',
    'DICOM\\LINK',
    'DICOM\\LINKDIR\\IM1',
    'DICOM\\PIPE',
  ];
  const dicomdir = path.join(media, 'DICOMDIR');
  writeFileSync(
    dicomdir,
    buildDicom({
      x00041220: [
        'SQ',
        [
          { x00041430: ['CS', 'PATIENT'], x00100020: ['LO', 'P9'] },
          ...ids.map((id): Item => ({ x00041430: ['CS', 'IMAGE'], x00041500: ['CS', id] })),
        ],
      ],
    }),
  );

  const records = await readDicomdir(dicomdir);
  assert.deepEqual(
    records.map((r) => (r.file ? path.relative(media, r.file) : (r.refused?.reason ?? null))),
    [
      null,
      path.join('DICOM', 'IM1'),
      path.join('DICOM', 'ALIAS'),
      ...Array<string>(6).fill(
        'reference refused: a Referenced File ID component is empty, dots only, or holds a separator',
      ),
      "reference refused: it resolves outside the DICOMDIR's folder",
      "reference refused: it resolves outside the DICOMDIR's folder",
      path.join('DICOM', 'PIPE'),
    ],
  );

  const catalog = await withinTime(catalogDicomdir(dicomdir), 10_000, path.join(images, 'PIPE'));
  assert.deepEqual(
    catalog.patients.map((p) => [p.patientId, p.studies[0]!.series[0]!.instances.map((i) => path.basename(i.path))]),
    [['P9', ['ALIAS', 'IM1']]],
  );
  const failed = catalog.failed.map((f) => [path.relative(media, f.path), f.code, f.reason]);
  assert.deepEqual(failed, [
    ...Array<string[]>(6).fill([
      'DICOMDIR',
      'IO',
      'reference refused: a Referenced File ID component is empty, dots only, or holds a separator',
    ]),
    [path.join('DICOM', 'LINK'), 'IO', "reference refused: it resolves outside the DICOMDIR's folder"],
    [path.join('DICOM', 'LINKDIR', 'IM1'), 'IO', "reference refused: it resolves outside the DICOMDIR's folder"],
    [path.join('DICOM', 'PIPE'), 'IO', 'not a regular file'],
  ]);
  // Nothing of the other patient's: not their data, not their folder's name.
  assert.doesNotMatch(JSON.stringify(catalog), /SECRET7|OTHERPT|7\.1\.1/);
});

test('Number of Frames 0 is listed as 1 frame, as the image decodes', () => {
  const header = instanceHeader(parseDicom(instance('P', '1.2', '1.2.3', '1.2.3.4', { x00280008: ['IS', '0'] })), 'f');
  assert.equal(header.instance.frames, 1);
});
