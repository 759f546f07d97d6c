/**
 * NumPy .npy writer (format 1.0, little-endian, C order) for decoded frames,
 * embeddings and matrices, so results open with numpy.load().
 */
export type NpyArray =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

function descr(a: NpyArray): string {
  if (a instanceof Uint8Array) return '|u1';
  if (a instanceof Int8Array) return '|i1';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Int16Array) return '<i2';
  if (a instanceof Uint32Array) return '<u4';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Float32Array) return '<f4';
  return '<f8';
}

export function encodeNpy(data: NpyArray, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape ${shape.join('×')} needs ${count} values, got ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so that the data starts on a 64-byte boundary, header ends with \n.
  const preamble = 10;
  const pad = 64 - ((preamble + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(preamble + header.length);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  head.write(header, preamble, 'latin1');
  // Typed arrays are little-endian on every platform Electron supports.
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([head, body]);
}
