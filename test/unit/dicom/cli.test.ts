/** `radsift info` and `radsift decode`, run through the CLI entry point with captured output. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { main } from '../../../electron/cli/radsift.js';
import { decodeFrame, displayImage, modalityValues, openDicom } from '../../../electron/dicom/image.js';
import { lockedOutPrefix, lockFolder, nodeLockedOut } from '../../support/locked-folder.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { CORPUS, firstDifference, hasTool, tempDir } from './support.js';

const locking = lockedOutPrefix();

async function radsift(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: process.cwd() });
  return { code, stdout, stderr };
}

/** Minimal .npy reader: header dict and the data bytes. */
function readNpy(file: string): { descr: string; shape: number[]; data: Buffer } {
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString('latin1', 10, 10 + headerLength);
  const descr = header.match(/'descr': '([^']+)'/)![1]!;
  const shape = header
    .match(/'shape': \(([^)]*)\)/)![1]!
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  return { descr, shape, data: bytes.subarray(10 + headerLength) };
}

const CT = path.join(CORPUS, 'nema-wg04/J2KR/CT1_J2KR');
const RGB = path.join(CORPUS, 'nema-wg04/RLE/VL1_RLE');

describe('radsift info', () => {
  test('prints the summary as JSON', async () => {
    const { code, stdout } = await radsift('info', CT);
    assert.equal(code, 0);
    const info = JSON.parse(stdout);
    assert.equal(info.transferSyntax.uid, '1.2.840.10008.1.2.4.90');
    assert.deepEqual([info.image.rows, info.image.columns, info.image.frames], [512, 512, 1]);
    assert.equal(info.image.photometric, 'MONOCHROME2');
    assert.equal(info.rescale.intercept, -1024);
    assert.match(info.sopInstanceUID, /^1\.3\.6\.1\.4\.1\.5962\./);
    assert.deepEqual(info.errors, []);
    assert.ok(!('patientName' in info) && !stdout.includes('PatientName'));
  });

  test('takes its files from a list on standard input too', async () => {
    let stdout = '';
    const code = await main(['info', '--header-only', '--files-from', '-'], {
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      cwd: process.cwd(),
      stdin: Readable.from([`${CT}\n`, `${RGB}\r\n`, '\n']),
    });
    assert.equal(code, 0);
    const summaries = JSON.parse(stdout) as { sopInstanceUID: string }[];
    assert.equal(summaries.length, 2);
  });

  test('reports errors per file and exits 2', async () => {
    const { code, stdout } = await radsift(
      'info',
      path.join(CORPUS, 'SOURCES.md'),
      path.join(CORPUS, 'dcm4che/will-jxl.dcm'),
    );
    assert.equal(code, 2);
    const [notDicom, jxl] = JSON.parse(stdout);
    assert.equal(notDicom.errors[0].code, 'NOT_DICOM');
    assert.equal(jxl.transferSyntax.supported, false);
    assert.equal(jxl.errors[0].code, 'UNSUPPORTED_TRANSFER_SYNTAX');
  });

  test(
    'skips DICOMDIRs and objects that hold no image in a folder, as every command does; describes them when named',
    { skip: ['dcmmkdir', 'dcmpsmk', 'dcmodify'].every(hasTool) ? false : 'needs dcmtk (dcmmkdir, dcmpsmk, dcmodify)' },
    async () => {
      // A CD's layout from WG04 CT1 and MR1: a DICOMDIR, a presentation state dcmpsmk makes for CT1, and MR1's
      // header as a structured report (no Pixel Data, an SR class).
      const media = tempDir('cli-dicomdir');
      const at = (name: string) => path.join(media, 'DICOM', name);
      mkdirSync(path.join(media, 'DICOM'));
      copyFileSync(path.join(CORPUS, 'nema-wg04/REF/CT1_UNC'), at('CT1'));
      copyFileSync(path.join(CORPUS, 'nema-wg04/REF/MR1_UNC'), at('MR1'));
      execFileSync('dcmpsmk', [at('CT1'), at('PR1')], { stdio: 'ignore' });
      copyFileSync(at('MR1'), at('SR1'));
      const sr = ['-nb', '-ea', '(7fe0,0010)', '-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.88.22', at('SR1')];
      execFileSync('dcmodify', sr, { stdio: 'ignore' });
      execFileSync('dcmmkdir', ['--output-file', 'DICOMDIR', 'DICOM/CT1', 'DICOM/MR1', 'DICOM/PR1'], {
        cwd: media,
        stdio: 'ignore',
      });
      const folder = await radsift('info', media);
      assert.equal(folder.code, 0, folder.stderr);
      const described = (JSON.parse(folder.stdout) as { file: string; errors: unknown[] }[]).map((s) => [
        path.relative(media, s.file),
        s.errors,
      ]);
      assert.deepEqual(described, [
        [path.join('DICOM', 'CT1'), []],
        [path.join('DICOM', 'MR1'), []],
      ]);
      assert.match(
        folder.stderr,
        /^skipped 3 files: 1 DICOMDIR, 2 not images \(presentation state, structured report\)$/m,
      );
      // Named, each is described as what it is, never a failure, with what it is as a code (`detail`) too.
      const named = await radsift('info', path.join(media, 'DICOMDIR'), at('PR1'), at('SR1'));
      assert.equal(named.code, 0, named.stderr);
      const summaries = JSON.parse(named.stdout) as { sopClassUID?: string; errors: unknown[] }[];
      assert.deepEqual(
        summaries.map((s) => s.errors),
        [
          [
            {
              code: 'NOT_AN_IMAGE',
              message: 'a DICOMDIR: the directory of the files beside it, which are read themselves',
              detail: 'dicomdir',
            },
          ],
          [
            {
              code: 'NOT_AN_IMAGE',
              message: 'a presentation state: a DICOM object that holds no image',
              detail: 'presentation-state',
            },
          ],
          [
            {
              code: 'NOT_AN_IMAGE',
              message: 'a structured report: a DICOM object that holds no image',
              detail: 'structured-report',
            },
          ],
        ],
      );
      assert.equal(summaries[1]!.sopClassUID, '1.2.840.10008.5.1.4.1.1.11.1');
      // An image without its Pixel Data stays a failure: that file is broken.
      copyFileSync(at('CT1'), at('CT1NOPIX'));
      execFileSync('dcmodify', ['-nb', '-ea', '(7fe0,0010)', at('CT1NOPIX')], { stdio: 'ignore' });
      const broken = await radsift('info', at('CT1NOPIX'));
      assert.equal(broken.code, 2);
      assert.equal(JSON.parse(broken.stdout).errors[0].code, 'NO_PIXEL_DATA');
    },
  );

  test('usage error without a file', async () => {
    assert.equal((await radsift('info')).code, 1);
  });

  test(
    'a folder it cannot open is one entry with its reason (no path), the others are read, and it exits 2',
    { skip: 'skip' in locking ? locking.skip : false },
    () => {
      const root = tempDir('cli-locked');
      mkdirSync(path.join(root, 'a'));
      copyFileSync(CT, path.join(root, 'a', 'CT1.dcm'));
      const locked = path.join(root, 'Doe^Jane');
      const unlock = lockFolder(locked, (dir) => copyFileSync(CT, path.join(dir, 'CT1.dcm')));
      try {
        const cli = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
        const run = nodeLockedOut('prefix' in locking ? locking.prefix : [], [cli, 'info', '--header-only', root]);
        assert.equal(run.status, 2, run.stderr);
        const summaries = (
          JSON.parse(run.stdout) as { file: string; errors: { code: string; message: string }[] }[]
        ).map((s) => [path.relative(root, s.file), s.errors]);
        assert.deepEqual(summaries.sort(), [
          ['Doe^Jane', [{ code: 'IO', message: 'cannot open folder: permission denied (EACCES)' }]],
          [path.join('a', 'CT1.dcm'), []],
        ]);
      } finally {
        unlock();
      }
    },
  );
});

describe('radsift decode', () => {
  const dir = tempDir('cli');

  test('stored values to .npy keep the dtype and shape', async () => {
    const out = path.join(dir, 'ct.npy');
    const { code } = await radsift('decode', CT, '--out', out);
    assert.equal(code, 0);
    const npy = readNpy(out);
    assert.equal(npy.descr, '<i2');
    assert.deepEqual(npy.shape, [512, 512]);
    const frame = await decodeFrame(openDicom(readFileSync(CT)));
    const values = new Int16Array(npy.data.buffer.slice(npy.data.byteOffset, npy.data.byteOffset + npy.data.length));
    assert.equal(firstDifference(values, frame.stored), 'identical');
  });

  test('modality values to .npy are float32', async () => {
    const out = path.join(dir, 'ct-hu.npy');
    assert.equal((await radsift('decode', CT, '--values', 'modality', '--out', out)).code, 0);
    const npy = readNpy(out);
    assert.equal(npy.descr, '<f4');
    const file = openDicom(readFileSync(CT));
    const expected = modalityValues(file, await decodeFrame(file));
    const values = new Float32Array(npy.data.buffer.slice(npy.data.byteOffset, npy.data.byteOffset + npy.data.length));
    assert.equal(firstDifference(values, expected), 'identical');
  });

  test('display to .npy and .png: RGB stays RGB, window option applies', async () => {
    const npyOut = path.join(dir, 'vl.npy');
    assert.equal((await radsift('decode', RGB, '--values', 'display', '--out', npyOut)).code, 0);
    assert.deepEqual(readNpy(npyOut).shape, [486, 756, 3]);
    const pngOut = path.join(dir, 'ct.png');
    assert.equal((await radsift('decode', CT, '--window', '40,400', '--out', pngOut)).code, 0);
    const png = readFileSync(pngOut);
    assert.equal(png.toString('latin1', 1, 4), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]], [512, 512, 8, 0]);
    const file = openDicom(readFileSync(CT));
    const display = displayImage(file, await decodeFrame(file), { window: { center: 40, width: 400 } });
    assert.equal(display.data[0], 0); // air is black in a 40/400 window
  });

  test('a file that cannot be decoded is a failed input: exit 2, as info gives for it, with its reason', async () => {
    const jxl = path.join(CORPUS, 'dcm4che/will-jxl.dcm');
    const info = await radsift('info', jxl);
    assert.equal(info.code, 2);
    const decoded = await radsift('decode', jxl, '--out', path.join(dir, 'jxl.npy'));
    assert.equal(decoded.code, info.code, decoded.stderr);
    assert.equal(JSON.parse(decoded.stdout).error.code, 'UNSUPPORTED_TRANSFER_SYNTAX');
    assert.match(decoded.stderr, /^radsift decode: will-jxl\.dcm: UNSUPPORTED_TRANSFER_SYNTAX: /);
  });

  test('frame selection, and failures', async () => {
    const multi = path.join(
      CORPUS,
      'dicomparser/testImages_encapsulated_multi-frame_CT0012.not_fragmented_bot_rle.dcm',
    );
    const out = path.join(dir, 'f1.npy');
    assert.equal((await radsift('decode', multi, '--frame', '1', '--out', out)).code, 0);
    const frame1 = await decodeFrame(openDicom(readFileSync(multi)), 1);
    const npy = readNpy(out);
    const values = new Uint16Array(npy.data.buffer.slice(npy.data.byteOffset, npy.data.byteOffset + npy.data.length));
    assert.equal(firstDifference(values, frame1.stored), 'identical');

    // A frame the file does not have: the option is wrong for it, a usage error (without the usage text).
    const missing = await radsift('decode', multi, '--frame', '7', '--out', out);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'radsift decode: --frame: frame 7 does not exist (2 frames)\n');
    // A write into a folder that is not there: a usage error before any decoding, as every command's output.
    const unwritable = await radsift('decode', CT, '--out', path.join(dir, 'Doe^Jane', 'ct.npy'));
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /--out: the folder .*Doe\^Jane does not exist/);
    assert.equal((await radsift('decode', CT, '--out', path.join(dir, 'x.jpg'))).code, 1);
    assert.equal((await radsift('decode', CT, '--values', 'modality', '--out', path.join(dir, 'x.png'))).code, 1);
    assert.equal((await radsift('decode', CT)).code, 1);
  });
});
