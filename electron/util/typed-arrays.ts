/** The sample arrays decoders produce and the pixel maths takes (shared by dicom/ and imaging/). */
export type IntegerArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
export type PixelArray = IntegerArray | Float32Array | Float64Array;
