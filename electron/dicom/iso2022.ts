/**
 * Strings under a Specific Character Set with code extensions (PS3.5 6.1.2.5, PS3.3 C.12.1.1.2): a value
 * such as `\ISO 2022 IR 87` (Japanese), `\ISO 2022 IR 149` (Korean) or `\ISO 2022 IR 58` (Chinese) lets a
 * string switch repertoire with escape sequences. The bytes are cut at each ESC and every run is decoded
 * with the repertoire its escape sequence designates; a run before any escape uses the first value's.
 * TextDecoder has no decoder that follows every DICOM escape, so the state (what G0 and G1 hold) is kept
 * here, and the 94×94 sets written in G0 (JIS X 0208, JIS X 0212) are moved to their EUC form and read with
 * the EUC-JP decoder.
 */
import { TextDecoder } from 'node:util';

/** What DatasetReader needs of a decoder: TextDecoder, or the ISO 2022 one below. */
export interface StringDecoder {
  decode(bytes: Uint8Array): string;
}

/** G0 holds ASCII (or JIS X 0201 Romaji) or a 94×94 Japanese set; G1, any other set, is read with `g1`. */
type G0 = 'ascii' | 'jis0208' | 'jis0212';
interface State {
  g0: G0;
  g1: string;
}

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    // A runtime whose ICU lacks the encoding reads the bytes as Latin-1 rather than failing the file.
    try {
      d = new TextDecoder(label);
    } catch {
      d = new TextDecoder('latin1');
    }
    decoders.set(label, d);
  }
  return d;
}

/** Escape sequences (the bytes after ESC) and what each one designates. */
const ESCAPES: Array<[bytes: string, designates: Partial<State>]> = [
  ['(B', { g0: 'ascii' }], // ISO 646
  ['(J', { g0: 'ascii' }], // JIS X 0201 Romaji: ASCII but for ¥ and ‾
  ['$B', { g0: 'jis0208' }],
  ['$(D', { g0: 'jis0212' }],
  [')I', { g1: 'shift_jis' }], // JIS X 0201 Katakana: its single bytes are Shift_JIS's
  ['$)C', { g1: 'euc-kr' }], // KS X 1001
  ['$)A', { g1: 'gbk' }], // GB 2312
  ['-A', { g1: 'latin1' }],
  ['-B', { g1: 'iso-8859-2' }],
  ['-C', { g1: 'iso-8859-3' }],
  ['-D', { g1: 'iso-8859-4' }],
  ['-L', { g1: 'iso-8859-5' }],
  ['-G', { g1: 'iso-8859-6' }],
  ['-F', { g1: 'iso-8859-7' }],
  ['-H', { g1: 'iso-8859-8' }],
  ['-M', { g1: 'iso-8859-9' }],
  ['-T', { g1: 'windows-874' }],
  ['-b', { g1: 'iso-8859-15' }],
];

/** The repertoire of a run that starts without an escape, by the first value of Specific Character Set. */
const INITIAL: Record<string, string> = {
  ISO_2022_IR_13: 'shift_jis',
  ISO_2022_IR_100: 'latin1',
  ISO_2022_IR_101: 'iso-8859-2',
  ISO_2022_IR_109: 'iso-8859-3',
  ISO_2022_IR_110: 'iso-8859-4',
  ISO_2022_IR_144: 'iso-8859-5',
  ISO_2022_IR_127: 'iso-8859-6',
  ISO_2022_IR_126: 'iso-8859-7',
  ISO_2022_IR_138: 'iso-8859-8',
  ISO_2022_IR_148: 'iso-8859-9',
  ISO_2022_IR_166: 'windows-874',
  ISO_2022_IR_203: 'iso-8859-15',
  // Written without escapes by some Korean and Chinese systems when it is the only value.
  ISO_2022_IR_149: 'euc-kr',
  ISO_2022_IR_58: 'gbk',
};

/** Whether a Specific Character Set value uses code extensions (any of its values is an ISO 2022 term). */
export function usesCodeExtensions(values: string[]): boolean {
  return values.some((v) => /^ISO 2022/i.test(v.trim()));
}

export class Iso2022Decoder implements StringDecoder {
  private readonly initial: State;

  /** `first`: the first value of Specific Character Set ('' for the default repertoire). */
  constructor(first: string) {
    const key = first.trim().toUpperCase().replace(/[ -]/g, '_');
    this.initial = { g0: 'ascii', g1: INITIAL[key] ?? 'latin1' };
  }

  decode(bytes: Uint8Array): string {
    let text = '';
    let state = this.initial;
    let start = 0;
    for (let at = 0; at <= bytes.length; at++) {
      if (at < bytes.length && bytes[at] !== 0x1b) continue;
      text += decodeRun(state, bytes.subarray(start, at));
      if (at === bytes.length) break;
      const escape = ESCAPES.find(([code]) => matches(bytes, at + 1, code));
      // An escape sequence not listed keeps the current repertoire; its ESC is dropped.
      if (escape) {
        state = { ...state, ...escape[1] };
        at += escape[0].length;
      }
      start = at + 1;
    }
    return text;
  }
}

function matches(bytes: Uint8Array, at: number, code: string): boolean {
  for (let i = 0; i < code.length; i++) if (bytes[at + i] !== code.charCodeAt(i)) return false;
  return true;
}

function decodeRun(state: State, bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  // The G1 sets are ASCII-compatible: one decoder reads both halves.
  if (state.g0 === 'ascii') return decoder(state.g1).decode(bytes);
  // A 94×94 set in G0: each byte pair is a character; its EUC-JP form sets the high bits (and prefixes 0x8F
  // for JIS X 0212). G1 katakana becomes EUC-JP's 0x8E form; other bytes (controls) stay as they are.
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const next = bytes[i + 1];
    if (b >= 0x21 && b <= 0x7e && next !== undefined && next >= 0x21 && next <= 0x7e) {
      if (state.g0 === 'jis0212') out.push(0x8f);
      out.push(b | 0x80, next | 0x80);
      i++;
    } else if (b >= 0xa1 && b <= 0xdf && state.g1 === 'shift_jis') out.push(0x8e, b);
    else out.push(b);
  }
  return decoder('euc-jp').decode(Uint8Array.from(out));
}
