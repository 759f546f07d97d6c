/**
 * Typed, bounds-checked reads of element values from a parsed dataset (or a
 * sequence item). Strings are decoded with the file's Specific Character Set;
 * numbers follow the dataset's byte order.
 */
import type { StringDecoder } from './charset.js';
import type { DataSet, Element } from './dicom-parser.js';

const ONE_LITTLE_ENDIAN = Uint8Array.of(1, 0);

export class DatasetReader {
  constructor(
    readonly dataSet: DataSet,
    readonly decoder: StringDecoder,
  ) {}

  element(tag: string): Element | undefined {
    const element = this.dataSet.elements[tag];
    if (!element || element.length < 0) return undefined;
    if (element.dataOffset + element.length > this.dataSet.byteArray.length) return undefined;
    return element;
  }

  /** Whether numbers are little endian (false: Explicit VR Big Endian, retired but still met). */
  get littleEndian(): boolean {
    return this.dataSet.byteArrayParser.readUint16(ONE_LITTLE_ENDIAN, 0) === 1;
  }

  has(tag: string): boolean {
    return this.element(tag) !== undefined;
  }

  /** The value bytes, as a view (no copy). */
  bytes(tag: string): Uint8Array | undefined {
    const element = this.element(tag);
    if (!element) return undefined;
    return this.dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  }

  /** Whole string value, decoded, trailing padding removed; multi-valued strings keep their backslashes. */
  text(tag: string): string | undefined {
    const bytes = this.bytes(tag);
    if (!bytes || bytes.length === 0) return undefined;
    return this.decoder.decode(bytes).replace(/[\0 ]+$/, '');
  }

  /** Values of a multi-valued string, each trimmed. */
  strings(tag: string): string[] {
    const text = this.text(tag);
    return text === undefined ? [] : text.split('\\').map((v) => v.trim());
  }

  string(tag: string, index = 0): string | undefined {
    const value = this.strings(tag)[index];
    return value === undefined || value === '' ? undefined : value;
  }

  /** A DS or IS value as a number (NaN-free). */
  decimal(tag: string, index = 0): number | undefined {
    const value = this.string(tag, index);
    if (value === undefined) return undefined;
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }

  decimals(tag: string): number[] {
    return this.strings(tag)
      .map(Number)
      .filter((n) => Number.isFinite(n));
  }

  uint16(tag: string, index = 0): number | undefined {
    return this.fixed(tag, index, 2, (p) => this.dataSet.byteArrayParser.readUint16(this.dataSet.byteArray, p));
  }

  int16(tag: string, index = 0): number | undefined {
    return this.fixed(tag, index, 2, (p) => this.dataSet.byteArrayParser.readInt16(this.dataSet.byteArray, p));
  }

  uint32(tag: string, index = 0): number | undefined {
    return this.fixed(tag, index, 4, (p) => this.dataSet.byteArrayParser.readUint32(this.dataSet.byteArray, p));
  }

  float64(tag: string, index = 0): number | undefined {
    return this.fixed(tag, index, 8, (p) => this.dataSet.byteArrayParser.readDouble(this.dataSet.byteArray, p));
  }

  /** Items of a sequence, each as a reader with the same character set. */
  sequence(tag: string): DatasetReader[] {
    const element = this.dataSet.elements[tag];
    return (element?.items ?? []).flatMap((item) =>
      item.dataSet ? [new DatasetReader(item.dataSet, this.decoder)] : [],
    );
  }

  private fixed(tag: string, index: number, size: number, read: (position: number) => number): number | undefined {
    const element = this.element(tag);
    if (!element || (index + 1) * size > element.length) return undefined;
    return read(element.dataOffset + index * size);
  }
}
