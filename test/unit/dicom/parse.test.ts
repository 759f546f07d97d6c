/**
 * Parsing and error typing: how bytes are framed, character sets, and the
 * typed errors bad input produces. Also codec dispatch on mislabelled or
 * marker-less JPEG streams and J2K streams that disagree with the header.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DicomError } from '../../../electron/dicom/errors.js';
import { decodeFrame, openDicom } from '../../../electron/dicom/image.js';
import { parseDicom } from '../../../electron/dicom/parse.js';
import { buildDicom, imagePixel } from './builder.js';
import { CORPUS, firstDifference, hasTool, runTool, tempDir } from './support.js';

const CT = path.join(CORPUS, 'nema-wg04/REF/CT1_UNC');

function throwsCode(fn: () => unknown, code: string) {
  assert.throws(fn, (e: unknown) => e instanceof DicomError && e.code === code, `expected ${code}`);
}

describe('framing', () => {
  const dataset = {
    x00100010: ['PN', 'Doe^Jane'] as [string, string],
    ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8 }),
    x7fe00010: ['OB', Uint8Array.from([3, 4])] as [string, Uint8Array],
  };

  test('Part 10 file', () => {
    assert.equal(parseDicom(buildDicom(dataset)).framing, 'part10');
  });

  test('meta header without preamble', async () => {
    const file = openDicom(buildDicom(dataset, { preamble: false }));
    assert.equal(file.parsed.framing, 'meta-without-preamble');
    assert.deepEqual([...(await decodeFrame(file)).stored], [3, 4]);
  });

  test('bare dataset, implicit and explicit VR', async () => {
    for (const implicit of [true, false]) {
      const file = openDicom(buildDicom(dataset, { meta: false, implicit }));
      assert.equal(file.parsed.framing, 'bare-dataset');
      assert.equal(file.transferSyntaxUID, implicit ? '1.2.840.10008.1.2' : '1.2.840.10008.1.2.1');
      assert.equal(file.reader.string('x00100010'), 'Doe^Jane');
      assert.deepEqual([...(await decodeFrame(file)).stored], [3, 4]);
    }
  });

  test('meta information without a Transfer Syntax UID: the dataset is read as it looks, with a warning', async () => {
    // dcmtk reads such files (old writers, anonymizers); dicom-parser refused them: MALFORMED.
    for (const syntax of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']) {
      const bytes = buildDicom(dataset, { transferSyntax: syntax });
      const at = bytes.indexOf(Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49]), 132);
      const withoutSyntax = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 8 + bytes.readUInt16LE(at + 6))]);
      const file = openDicom(withoutSyntax);
      assert.equal(file.transferSyntaxUID, syntax);
      assert.equal(file.reader.string('x00100010'), 'Doe^Jane');
      assert.deepEqual([...(await decodeFrame(file)).stored], [3, 4]);
      assert.match(file.parsed.warnings[0] ?? '', /no Transfer Syntax UID/);
    }
  });

  test('a Buffer that is a slice of a shared pool parses at its own offset', async () => {
    const bytes = buildDicom(dataset);
    const pool = Buffer.concat([Buffer.alloc(37, 0xaa), bytes, Buffer.alloc(11, 0xbb)]);
    const file = openDicom(pool.subarray(37, 37 + bytes.length));
    assert.deepEqual([...(await decodeFrame(file)).stored], [3, 4]);
  });

  test('deflated dataset, and one that inflates past the cap', () => {
    const bytes = buildDicom(
      { ...dataset, x00081030: ['LO', 'x'.repeat(60_000)] },
      { transferSyntax: '1.2.840.10008.1.2.1.99' },
    );
    assert.equal(openDicom(bytes).reader.string('x00100010'), 'Doe^Jane');
    throwsCode(() => openDicom(bytes, { maxInflatedBytes: 10_000 }), 'TOO_LARGE');
  });
});

describe('Specific Character Set', () => {
  test('ISO_IR 192 (UTF-8) and ISO_IR 100 (Latin-1)', () => {
    const utf8 = openDicom(buildDicom({ x00080005: ['CS', 'ISO_IR 192'], x00100010: ['PN', 'Müller^Zoë'] }));
    assert.equal(utf8.reader.string('x00100010'), 'Müller^Zoë');
    const latin1 = buildDicom({ x00080005: ['CS', 'ISO_IR 100'], x00100010: ['PN', 'placeholder'] });
    const at = latin1.indexOf('placeholder');
    latin1.write('M\xfcller^Zo\xeb', at, 'latin1');
    assert.equal(openDicom(latin1).reader.string('x00100010')?.slice(0, 10), 'Müller^Zoë');
  });

  test('sequence items keep the character set', () => {
    const file = openDicom(
      buildDicom({
        x00080005: ['CS', 'ISO_IR 192'],
        x00081110: ['SQ', [{ x00081150: ['UI', '1.2'], x00081155: ['UI', '1.2.3'] }]],
        x00400254: ['LO', 'Thorax ümlaut'],
      }),
    );
    assert.equal(file.reader.sequence('x00081110')[0]?.string('x00081155'), '1.2.3');
    assert.equal(file.reader.string('x00400254'), 'Thorax ümlaut');
  });

  // The examples of PS3.5 Annexes H, I and J: names whose ideographic and phonetic groups switch repertoire
  // with ISO 2022 escape sequences. `dcmconv +U8` gives the same Korean and Chinese strings.
  const ESC = 0x1b;
  const bytes = (...parts: Array<string | number[] | Uint8Array>) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
  const nameWith = (charset: string, name: Buffer) =>
    openDicom(buildDicom({ x00080005: ['CS', charset], x00100010: ['PN', name] })).reader.string('x00100010');
  const jisX0208 = (text: string) => bytes([ESC], '$B', text, [ESC], '(B');

  test('ISO 2022 IR 87: Japanese names switch to JIS X 0208 and back', () => {
    const name = bytes(
      'Yamada^Tarou=',
      jisX0208(';3ED'),
      '^',
      jisX0208('B@O:'),
      '=',
      jisX0208('$d$^$@'),
      '^',
      jisX0208('$?$m$&'),
    );
    assert.equal(nameWith('\\ISO 2022 IR 87', name), 'Yamada^Tarou=山田^太郎=やまだ^たろう');
  });

  test('ISO 2022 IR 13 with IR 87: half-width katakana in G1, kanji in G0', () => {
    const romaji = (text: string) => bytes([ESC], '$B', text, [ESC], '(J');
    const name = bytes(
      [0xd4, 0xcf, 0xc0, 0xde, 0x5e, 0xc0, 0xdb, 0xb3, 0x3d],
      romaji(';3ED'),
      '^',
      romaji('B@O:'),
      '=',
      romaji('$d$^$@'),
      '^',
      romaji('$?$m$&'),
    );
    assert.equal(nameWith('ISO 2022 IR 13\\ISO 2022 IR 87', name), 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう');
  });

  test('ISO 2022 IR 149 (Korean) and IR 58 (Chinese): KS X 1001 and GB 2312 in G1', () => {
    const ksx = [ESC, 0x24, 0x29, 0x43];
    const korean = bytes('Hong^Gildong=', ksx, [0xfb, 0xf3, 0x5e], ksx, [0xd1, 0xce, 0xd4, 0xd7, 0x3d], ksx);
    assert.equal(
      nameWith('\\ISO 2022 IR 149', Buffer.concat([korean, bytes([0xc8, 0xab, 0x5e], ksx, [0xb1, 0xe6, 0xb5, 0xbf])])),
      'Hong^Gildong=洪^吉洞=홍^길동',
    );
    const gb = [ESC, 0x24, 0x29, 0x41];
    const chinese = bytes('Wang^XiaoDong=', gb, [0xcd, 0xf5, 0x5e], gb, [0xd0, 0xa1, 0xb6, 0xab, 0x3d]);
    assert.equal(nameWith('\\ISO 2022 IR 58', chinese), 'Wang^XiaoDong=王^小东=');
  });
});

describe('typed errors', () => {
  test('not DICOM: PNG, text, empty', () => {
    throwsCode(() => openDicom(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')), 'NOT_DICOM');
    throwsCode(() => openDicom(Buffer.from('hello, this is a text file that is long enough')), 'NOT_DICOM');
    throwsCode(() => openDicom(new Uint8Array(0)), 'NOT_DICOM');
  });

  test('truncated file', () => {
    const bytes = readFileSync(CT);
    throwsCode(() => openDicom(bytes.subarray(0, 700)), 'TRUNCATED');
  });

  test('a sequence item whose length runs past the end of the file is TRUNCATED, not MALFORMED', () => {
    const bytes = buildDicom({
      x00080060: ['CS', 'CR'],
      x00100010: ['PN', 'Doe^Jane'],
      x00400275: ['SQ', [{ x00400007: ['LO', 'x'.repeat(40)] }]],
    });
    const item = bytes.indexOf(Buffer.from([0xfe, 0xff, 0x00, 0xe0]));
    // dicom-parser says "invalid value for parameter 'maxP osition'" (sic) for this one.
    bytes.writeUInt32LE(1000, item + 4);
    throwsCode(() => parseDicom(bytes), 'TRUNCATED');
  });

  test('every error is a DicomError with a code and a message', async () => {
    const bytes = readFileSync(CT);
    for (const cut of [0, 10, 132, 200, 400, 800, bytes.length - 1000]) {
      try {
        await decodeFrame(openDicom(bytes.subarray(0, cut)));
        assert.fail(`cut at ${cut} decoded`);
      } catch (error) {
        assert.ok(error instanceof DicomError, `cut at ${cut}: ${String(error)}`);
        assert.ok(error.message.length > 10);
      }
    }
  });
});

describe('codec dispatch', () => {
  const dir = tempDir('dispatch');

  test('a JPEG baseline stream labelled JPEG lossless decodes by its SOF marker', async () => {
    const file = path.join(CORPUS, 'cornerstone/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm');
    const original = readFileSync(file);
    const relabelled = Buffer.from(original);
    const at = relabelled.indexOf('1.2.840.10008.1.2.4.50');
    relabelled.write('1.2.840.10008.1.2.4.57', at, 'latin1');
    const a = await decodeFrame(openDicom(original));
    const b = await decodeFrame(openDicom(relabelled));
    assert.equal(openDicom(relabelled).transferSyntaxUID, '1.2.840.10008.1.2.4.57');
    assert.equal(firstDifference(a.stored, b.stored), 'identical');
  });

  test('RGB JPEG without an Adobe or JFIF marker is not colour-converted', { skip: !hasTool('dcmcjpeg') }, async () => {
    const source = path.join(CORPUS, 'cornerstone/TestPattern_RGB.dcm');
    const encoded = path.join(dir, 'rgb-baseline.dcm');
    const reference = path.join(dir, 'rgb-baseline-ref.dcm');
    assert.ok(runTool('dcmcjpeg', ['+eb', '+cr', source, encoded]).ok);
    assert.ok(runTool('dcmdjpeg', [encoded, reference]).ok);
    // dcmtk writes an Adobe APP14 segment; strip it (and shorten the fragment) to get a marker-less stream.
    const bytes = Buffer.from(readFileSync(encoded));
    const soi = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff, 0xee]));
    const segment = 2 + bytes.readUInt16BE(soi + 4);
    bytes.writeUInt32LE(bytes.readUInt32LE(soi - 4) - segment, soi - 4);
    const stripped = Buffer.concat([bytes.subarray(0, soi + 2), bytes.subarray(soi + 2 + segment)]);
    const ours = await decodeFrame(openDicom(stripped));
    const ref = await decodeFrame(openDicom(readFileSync(reference)));
    assert.equal(ours.photometric, 'RGB');
    assert.equal(firstDifference(ours.stored, ref.stored), 'identical');
  });

  test('a J2K codestream whose size disagrees with Rows/Columns is a SIZE_MISMATCH', async () => {
    const bytes = Buffer.from(readFileSync(path.join(CORPUS, 'nema-wg04/J2KR/CT1_J2KR')));
    const file = openDicom(bytes);
    const rows = file.reader.element('x00280010')!;
    bytes.writeUInt16LE(256, rows.dataOffset);
    await assert.rejects(
      decodeFrame(openDicom(bytes)),
      (e: unknown) => e instanceof DicomError && e.code === 'SIZE_MISMATCH',
    );
  });

  test('the next J2K frame never shows the previous image (fresh decoder per frame)', async () => {
    const good = path.join(CORPUS, 'nema-wg04/J2KR/MR1_J2KR');
    const bytes = Buffer.from(readFileSync(good));
    await decodeFrame(openDicom(bytes));
    // Zero the codestream after its main header: a broken frame must not come back as MR1.
    const soc = bytes.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
    bytes.fill(0, soc + 200);
    const reference = await decodeFrame(openDicom(readFileSync(good)));
    try {
      const broken = await decodeFrame(openDicom(bytes));
      assert.notEqual(firstDifference(broken.stored, reference.stored), 'identical');
    } catch (error) {
      assert.ok(error instanceof DicomError);
    }
  });

  test('corrupt JPEG-LS frames do not break the decoder for the files after them', async () => {
    // CharLS throws a C++ exception per bad stream, which leaked WASM stack: after ~270 every frame failed
    // ("memory access out of bounds"), good ones too, for the rest of the thread (a screening run's worker).
    const good = path.join(CORPUS, 'nema-wg04/JLSL/CT1_JLSL');
    const bytes = Buffer.from(readFileSync(good));
    const [fragment] = parseDicom(bytes).dataSet.elements.x7fe00010!.fragments!;
    bytes.fill(0, fragment!.position + 2000, fragment!.position + fragment!.length); // the scan after its start
    const broken = openDicom(bytes);
    for (let i = 0; i < 300; i++) {
      await assert.rejects(
        decodeFrame(broken),
        (e: unknown) => e instanceof DicomError && e.code === 'CORRUPT_PIXEL_DATA',
      );
    }
    const reference = await decodeFrame(openDicom(readFileSync(path.join(CORPUS, 'nema-wg04/REF/CT1_UNC'))));
    assert.equal(
      firstDifference((await decodeFrame(openDicom(readFileSync(good)))).stored, reference.stored),
      'identical',
    );
  });
});

describe('64-bit VRs (OV, SV, UV), which dicom-parser 1.8 does not know', () => {
  // Bytes that look like a 64-bit VR's header ("OV", "SV", "UV" then two zero bytes) inside values.
  const lookalikes = Uint8Array.from([0x4f, 0x56, 0, 0, 0x53, 0x56, 0, 0, 0x55, 0x56, 0, 0]);
  const dataset = {
    x00080060: ['CS', 'CR'] as [string, string],
    x00090010: ['LO', 'RADSIFT TEST'] as [string, string],
    x00091001: ['OB', lookalikes] as [string, Uint8Array],
    // A palette entry 0x564f followed by 0: the same bytes in a value that is read.
    x00281201: ['OW', [0x564f, 0, 0x5653, 0]] as [string, number[]],
    ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8 }),
    x7fe00010: ['OB', Uint8Array.from([3, 4])] as [string, Uint8Array],
  };
  const valueOf = (bytes: Buffer, tag: string) => {
    const parsed = parseDicom(bytes);
    const element = parsed.dataSet.elements[tag]!;
    return [...parsed.bytes.subarray(element.dataOffset, element.dataOffset + element.length)];
  };

  test('values that hold their header bytes are read as written, in every encoding', () => {
    for (const options of [
      {},
      { preamble: false },
      { transferSyntax: '1.2.840.10008.1.2' },
      { meta: false, implicit: false },
      { meta: false, implicit: true },
    ]) {
      const bytes = buildDicom(dataset, options);
      assert.deepEqual(valueOf(bytes, 'x00091001'), [...lookalikes], JSON.stringify(options));
      assert.deepEqual(valueOf(bytes, 'x00281201'), [0x4f, 0x56, 0, 0, 0x53, 0x56, 0, 0], JSON.stringify(options));
    }
  });

  test('OV, SV and UV elements, at the top level and in a sequence, are read with their 4-byte lengths', async () => {
    const eight = (n: number) => Uint8Array.from([n, 0, 0, 0, 0, 0, 0, 0]);
    const bytes = buildDicom({
      ...dataset,
      x00400441: ['SQ', [{ x0040a131: ['SV', eight(7)], x0040a132: ['UV', eight(9)], x00080100: ['SH', 'code'] }]],
      x00720082: ['UV', eight(5)],
      x7fe00001: ['OV', eight(0)],
    });
    const parsed = parseDicom(bytes);
    const item = parsed.dataSet.elements.x00400441!.items![0]!.dataSet!;
    assert.equal(item.string('x00080100'), 'code');
    assert.equal(item.elements.x0040a132!.length, 8);
    assert.equal(parsed.dataSet.elements.x00720082!.length, 8);
    assert.deepEqual(valueOf(bytes, 'x00091001'), [...lookalikes]);
    assert.deepEqual([...(await decodeFrame(openDicom(bytes))).stored], [3, 4]);
  });
});
