/**
 * A cheap stand-in for a file's contents: the sha256 of a few 64 KiB blocks at fixed places (start, end and
 * three spread between), or of the whole file when it is no bigger than those blocks. Part of the identity a
 * remembered digest is kept under (file-digests.ts), for the filesystems whose times and inode do not move on a
 * rewrite: a fine-tune copied over another differs in most of its blocks, so a few of them tell the two apart
 * where size, times and inode cannot. A change that misses every sampled block is not seen.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export const SAMPLE_BLOCK = 64 * 1024;
/** Blocks sampled: the first, the last and this many minus two spread evenly between. */
const BLOCKS = 5;

/** Where each sampled block starts in a file of `size` bytes (one whole-file block when it is small). */
export function sampleOffsets(size: number): number[] {
  if (size <= SAMPLE_BLOCK * BLOCKS) return [0];
  const last = size - SAMPLE_BLOCK;
  return Array.from({ length: BLOCKS }, (_, k) => Math.floor((last * k) / (BLOCKS - 1)));
}

/** The sample of `file` as `size` bytes long (its size from the same stat as the rest of its identity). */
export async function fileSample(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, 'r');
  try {
    const length = size <= SAMPLE_BLOCK * BLOCKS ? size : SAMPLE_BLOCK;
    const buffer = Buffer.alloc(Math.max(length, 1));
    for (const offset of sampleOffsets(size)) {
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
