/**
 * Reusable memory for the big arrays a decode makes and throws away: the file's bytes, byte
 * planes, decoded samples, the 8-bit display image, resampling rows.
 *
 * Why: glibc serves allocations above its mmap threshold with fresh pages from the kernel and
 * unmaps them on free, and the first touch of every 4 KB page is a page fault. On this project's
 * VMs a fresh 13 MB radiograph buffer costs ~30 ms of faults before a byte is decoded (measured:
 * allocate-and-touch 38 ms, copy into reused memory 0.7 ms), and a decode made five of them.
 * An owner that decodes one image at a time (a pool worker, a synchronous function) keeps one
 * Scratch per role and reuses the same pages image after image.
 *
 * The rule: what a Scratch hands out is valid until its owner next asks it for memory, so it must
 * not outlive the owner's current synchronous call or job.
 */
export class Scratch {
  #buffer = new ArrayBuffer(0);

  /** keepBytes: the largest buffer kept between uses; bigger requests get fresh memory that is not kept. */
  constructor(readonly keepBytes = 64 * 2 ** 20) {}

  /** At least `bytes` bytes, contents undefined. */
  buffer(bytes: number): ArrayBuffer {
    // A buffer transferred to another thread is detached (byteLength 0) and simply replaced.
    if (bytes <= this.#buffer.byteLength) return this.#buffer;
    if (bytes > this.keepBytes) return new ArrayBuffer(bytes);
    // Grow with headroom so images a little larger than the last one do not reallocate each time.
    this.#buffer = new ArrayBuffer(Math.min(this.keepBytes, Math.ceil(bytes * 1.25)));
    return this.#buffer;
  }

  uint8(length: number): Uint8Array {
    return new Uint8Array(this.buffer(length), 0, length);
  }

  uint16(length: number): Uint16Array {
    return new Uint16Array(this.buffer(length * 2), 0, length);
  }

  float32(length: number): Float32Array {
    return new Float32Array(this.buffer(length * 4), 0, length);
  }
}
