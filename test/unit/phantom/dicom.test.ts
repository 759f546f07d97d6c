import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { encodeElement, tag } from '../../../electron/dicom/write/elements.js';
import { decodeRle16, encodeRle16 } from '../../../electron/dicom/write/rle.js';
import { Random } from '../../../electron/phantom/random.js';
import { generatePhantom, phantomDicom } from '../../../electron/phantom/generate.js';
import type { Acquisition } from '../../../electron/phantom/case.js';

const TOOLS = ['/usr/bin/dciodvfy', '/usr/bin/dcm2pnm', '/usr/bin/dcmdump'];
const haveTools = TOOLS.every((t) => existsSync(t));

test('values are padded to even length with the VR’s padding byte', () => {
  const ui = encodeElement({ tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.3' });
  assert.equal(ui.readUInt16LE(6), 6);
  assert.equal(ui[ui.length - 1], 0);
  const cs = encodeElement({ tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CRX' });
  assert.equal(cs.readUInt16LE(6), 4);
  assert.equal(cs[cs.length - 1], 0x20);
  const ob = encodeElement({ tag: tag(0x0002, 0x0001), vr: 'OB', value: new Uint8Array([0, 1]) });
  assert.deepEqual([...ob.subarray(0, 12)], [2, 0, 1, 0, 0x4f, 0x42, 0, 0, 2, 0, 0, 0]);
});

test('RLE encoding round-trips, including runs, literals and odd widths', () => {
  const rng = new Random('rle');
  for (const [w, h] of [
    [1, 1],
    [3, 5],
    [257, 7],
  ] as const) {
    const px = new Uint16Array(w * h);
    for (let i = 0; i < px.length; i++) px[i] = i % 7 < 3 ? 1000 : rng.int(0, 65535);
    assert.deepEqual(decodeRle16(encodeRle16(px, w, h), w, h), px);
  }
});

test(
  'phantom DICOM files pass dciodvfy and open in dcmtk',
  { skip: !haveTools && 'dicom3tools/dcmtk not installed' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'radsift-dicom-'));
    try {
      const variants: [
        Acquisition['modality'],
        Acquisition['transferSyntax'],
        'PA' | 'AP',
        Acquisition['photometric'],
      ][] = [
        ['DX', 'explicit', 'PA', 'MONOCHROME2'],
        ['DX', 'rle', 'AP', 'MONOCHROME1'],
        ['CR', 'explicit', 'AP', 'MONOCHROME1'],
        ['CR', 'deflate', 'PA', 'MONOCHROME2'],
        ['DX', 'deflate', 'AP', 'MONOCHROME2'],
      ];
      variants.forEach(([modality, ts, view, photometric], k) => {
        const p = generatePhantom(31, k, {
          size: 256,
          view,
          acquisition: { modality, transferSyntax: ts, photometric },
        });
        const file = path.join(dir, `${k}.dcm`);
        const bytes = phantomDicom(p);
        writeFileSync(file, bytes);
        let check = file;
        if (ts === 'deflate') {
          // dciodvfy cannot read deflated files: check that inflating gives
          // exactly the explicit-VR dataset, and validate that file instead.
          p.case.acquisition.transferSyntax = 'explicit';
          const plain = phantomDicom(p);
          const metaEnd = (b: Buffer) => 132 + 12 + b.readUInt32LE(132 + 8);
          assert.ok(inflateRawSync(bytes.subarray(metaEnd(bytes))).equals(plain.subarray(metaEnd(plain))));
          check = path.join(dir, `${k}-inflated.dcm`);
          writeFileSync(check, plain);
        }
        const v = spawnSync('/usr/bin/dciodvfy', [check], { encoding: 'utf8' });
        const out = `${v.stdout}${v.stderr}`;
        assert.ok(!/^Error/m.test(out), `${modality} ${ts}: ${out}`);
        assert.match(out, modality === 'DX' ? /DXImageForPresentation/ : /CRImage/);
        const d = spawnSync('/usr/bin/dcmdump', ['+P', '0018,5101', '+P', '0028,0004', file], { encoding: 'utf8' });
        assert.equal(d.status, 0, d.stderr);
        assert.match(d.stdout, new RegExp(view));
        assert.match(d.stdout, new RegExp(photometric));
        const png = spawnSync('/usr/bin/dcm2pnm', ['+on', file, path.join(dir, `${k}.png`)], { encoding: 'utf8' });
        assert.equal(png.status, 0, png.stderr);
        assert.ok(!/RLE decoder|insufficient/.test(png.stderr), png.stderr);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
