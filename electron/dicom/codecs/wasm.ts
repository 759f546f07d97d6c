/**
 * Loads the cornerstone Emscripten codec builds (CommonJS factories returning
 * a promise of the module) once per thread.
 */
import { createRequire } from 'node:module';
import type { Scratch } from '../../util/scratch.js';

const require = createRequire(import.meta.url);
const loaded = new Map<string, Promise<unknown>>();

/** `log`: the module's printed lines, for a codec that reports its errors only by printing them (OpenJPEG). */
export function loadEmscriptenModule<T>(specifier: string, log: (line: string) => void = () => {}): Promise<T> {
  let module = loaded.get(specifier);
  if (!module) {
    const factory = require(specifier) as (overrides: object) => Promise<T>;
    // OpenJPEG logs every header it reads to stdout; codecs must stay quiet (the CLI's stdout is data).
    module = factory({ print: log, printErr: log });
    loaded.set(specifier, module);
  }
  return module as Promise<T>;
}

/**
 * Drops a module instance so that the next load makes a new one (fresh memory). For codecs that report a bad
 * stream with a C++ exception: Emscripten throws it to JS without unwinding the WASM stack, so each one leaks
 * stack space, and after a few hundred the instance traps on every call (see jpeg-ls.ts).
 */
export function forgetEmscriptenModule(specifier: string): void {
  loaded.delete(specifier);
}

export function requireCommonJs<T>(specifier: string): T {
  return require(specifier) as T;
}

/** What the cornerstone WASM decoders report about a decoded frame. */
export interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** Fields common to the cornerstone WASM decoder classes. */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): WasmFrameInfo;
  delete?(): void;
}

/** Copies the encoded bytes into the WASM heap. */
export function feed(decoder: WasmDecoder, frame: Uint8Array): void {
  decoder.getEncodedBuffer(frame.length).set(frame);
}

/**
 * Copies the decoded bytes out of the WASM heap (the next decode reuses that
 * memory) into a typed array of the decoder's sample size: into the job's
 * reusable memory when it has some (FrameContext.output: no page faults on a
 * fresh 13 MB buffer, measured 2–12 ms per large frame), else fresh memory.
 */
export function takeDecoded(
  decoder: WasmDecoder,
  info: WasmFrameInfo,
  output?: Scratch,
): Uint8Array | Uint16Array | Int16Array {
  const heap = decoder.getDecodedBuffer();
  let copy: Uint8Array;
  if (output) {
    copy = output.uint8(heap.length);
    copy.set(heap);
  } else copy = heap.slice();
  if (info.bitsPerSample <= 8) return copy;
  const length = Math.floor(copy.byteLength / 2);
  return info.isSigned ? new Int16Array(copy.buffer, 0, length) : new Uint16Array(copy.buffer, 0, length);
}
