/**
 * Specific Character Set (0008,0005) → TextDecoder. dicom-parser reads every
 * string as Latin-1 bytes, so strings are decoded here from the element bytes.
 * A value with code extensions (ISO 2022 terms) gets a decoder that follows
 * the escape sequences (iso2022.ts).
 */
import { TextDecoder } from 'node:util';
import { Iso2022Decoder, usesCodeExtensions, type StringDecoder } from './iso2022.js';

export type { StringDecoder };

const LABELS: Record<string, string> = {
  '': 'latin1',
  ISO_IR_6: 'latin1',
  ISO_IR_100: 'latin1',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_203: 'iso-8859-15',
  ISO_IR_13: 'shift_jis',
  ISO_IR_166: 'windows-874',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
  ISO_IR_149: 'euc-kr',
};

/** Maps a Specific Character Set value (possibly multi-valued, ISO 2022 form) to a decoder. */
export function decoderForCharset(specificCharacterSet: string | undefined): StringDecoder {
  const values = (specificCharacterSet ?? '').split('\\');
  // `\ISO 2022 IR 87` (Japanese), `\ISO 2022 IR 149` (Korean): the first value is empty, the names are not.
  if (usesCodeExtensions(values)) return new Iso2022Decoder(values[0]!);
  const first = values[0]!.trim().toUpperCase();
  const key = first.replace(/[ -]/g, '_');
  const label = LABELS[key] ?? 'latin1';
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('latin1');
  }
}
