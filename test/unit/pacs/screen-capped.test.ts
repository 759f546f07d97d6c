/**
 * `radsift screen` over a real Orthanc that caps its listings (LimitFindInstances 5): 24 one-instance studies and
 * one of 12. What the archive lists is indexed and screened, every instance of it, and the run says after that the
 * listing was cut (listed against counted), over DICOMweb and DIMSE alike.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { layoutFixtures } from '../../support/model-fixtures.js';
import { freePort, orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { buildDicom, imagePixel } from '../dicom/builder.js';

const fixtures = layoutFixtures();
const skip = orthancMissing() ?? ('skip' in fixtures ? fixtures.skip : false);
const BIG = '1.2.826.0.1.3680043.9.7434.1';
const SMALL = 24;

/** A 32×32 CR instance of the 12-instance study. */
const instance = (n: number) =>
  buildDicom({
    x00080016: ['UI', '1.2.840.10008.5.1.4.1.1.1'],
    x00080018: ['UI', `${BIG}.1.${n}`],
    x00080060: ['CS', 'CR'],
    x00100020: ['LO', 'CAPPED'],
    x0020000d: ['UI', BIG],
    x0020000e: ['UI', `${BIG}.1`],
    ...imagePixel({ rows: 32, columns: 32, bitsAllocated: 8 }),
    x7fe00010: ['OB', Uint8Array.from({ length: 32 * 32 }, (_, i) => (i * 7 + n) & 0xff)],
  });

describe('radsift screen <archive that cuts its listings>', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  let model: string;
  let storePort: number;
  before(async () => {
    storePort = await freePort();
    orthanc = await TestOrthanc.start({ config: { LimitFindInstances: 5 }, peers: { RADSIFT: storePort } });
    work = await mkdtemp(path.join(tmpdir(), 'radsift-screen-capped-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    model = path.join((fixtures as { dir: string }).dir, 'hf-clip-bpe');
    const demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: SMALL, seed: 37, size: 128 });
    const scans = path.join(work, 'scans');
    for (const e of await readdir(demo))
      if (e.startsWith('PH')) await cp(path.join(demo, e), path.join(scans, e), { recursive: true });
    for (let n = 1; n <= 12; n++) await writeFile(path.join(scans, `big-${n}.dcm`), instance(n));
    const files = (await readdir(scans, { recursive: true }))
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => path.join(scans, f));
    assert.equal(files.length, SMALL + 12);
    await orthanc.upload(files);
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  const cases = [
    // QIDO: Orthanc lists one more than its limit, and says nothing: the study's count tells.
    { name: 'dicomweb', listed: SMALL + 6, cut: /lists 6 of the 12 instances of study/ },
    // C-FIND: Orthanc ends the listing at its limit with "matching terminated".
    { name: 'dimse', listed: SMALL + 5, cut: /ended the listing of study .* after 5 instances/ },
  ] as const;
  for (const c of cases)
    it(`${c.name}: every instance listed is indexed and screened, then the cut is said`, async () => {
      const archive =
        c.name === 'dicomweb' ? `dicomweb+${orthanc.dicomWebUrl}` : `dimse://ORTHANC@127.0.0.1:${orthanc.dicomPort}`;
      const args = [
        'screen',
        archive,
        ...(c.name === 'dicomweb' ? ['--user', orthanc.user] : ['--retrieve', 'C-GET']),
        '--phrases',
        'pleural effusion',
        '--index',
        path.join(work, `idx-${c.name}`),
        '--model-dir',
        model,
        '--cache',
        path.join(work, `cache-${c.name}`),
      ];
      process.env.RADSIFT_PACS_PASSWORD = orthanc.password;
      try {
        for (const [run, encoded, unchanged] of [
          ['1', c.listed, 0],
          ['2', 0, c.listed],
        ] as const) {
          const out = path.join(work, `${c.name}-${run}.csv`);
          const got = await runCli([...args, '--out', out], work);
          assert.equal(got.code, 2, got.err);
          assert.match(got.err, new RegExp(`index: ${encoded} encoded, ${unchanged} unchanged, 0 failed`), got.err);
          assert.match(got.err, /incomplete: INCOMPLETE: .*LimitFindInstances/);
          assert.match(got.err, c.cut);
          assert.match(got.err, new RegExp(`${c.listed} instances listed and indexed`));
          const rows = (await readFile(out, 'utf8')).trim().split('\n').slice(1);
          assert.equal(rows.length, c.listed, 'every instance listed is in the results');
        }
      } finally {
        delete process.env.RADSIFT_PACS_PASSWORD;
      }
    });
});
