import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DicomError } from '../../../electron/dicom/errors.js';
import { openDicom } from '../../../electron/dicom/image.js';

/** A Part 10 file (explicit VR little endian) whose Content Sequence nests `depth` levels deep, undefined lengths. */
function nested(depth: number): Buffer {
  const u16 = (v: number) => Buffer.from([v & 0xff, v >> 8]);
  const u32 = (v: number) => Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]);
  const tag = (g: number, e: number) => Buffer.concat([u16(g), u16(e)]);
  const syntax = Buffer.from('1.2.840.10008.1.2.1\0', 'latin1');
  const syntaxElement = Buffer.concat([tag(0x0002, 0x0010), Buffer.from('UI'), u16(syntax.length), syntax]);
  const meta = Buffer.concat([
    tag(0x0002, 0x0000),
    Buffer.from('UL'),
    u16(4),
    u32(syntaxElement.length),
    syntaxElement,
  ]);
  const open = Buffer.concat([
    tag(0x0040, 0xa730),
    Buffer.from('SQ'),
    u16(0),
    u32(0xffffffff),
    tag(0xfffe, 0xe000),
    u32(0xffffffff),
  ]);
  const close = Buffer.concat([tag(0xfffe, 0xe00d), u32(0), tag(0xfffe, 0xe0dd), u32(0)]);
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM'),
    meta,
    ...Array(depth).fill(open),
    ...Array(depth).fill(close),
  ]);
}

describe('sequences nested deep', () => {
  it('a few levels parse; thousands are MALFORMED saying so, not the engine’s "call stack" message', () => {
    assert.doesNotThrow(() => openDicom(nested(20)));
    assert.throws(
      () => openDicom(nested(20_000)),
      (e: unknown) =>
        e instanceof DicomError &&
        e.code === 'MALFORMED' &&
        e.message === 'cannot parse dataset: sequences nested thousands deep',
    );
  });
});
