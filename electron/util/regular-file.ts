/**
 * Files read whole or in part only when they are regular files. A path can name a FIFO or a device (a crafted
 * DICOMDIR's reference, a file list, a name in an opened folder): a plain open() of a FIFO waits for a writer,
 * holding one of libuv's few threads for good, and with a handful of them every file read of the process hangs.
 * The open is non-blocking (reads of a regular file are unaffected) and the handle is checked before any read.
 */
import { constants, type BigIntStats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export interface OpenRegularOptions {
  /** Refuse (ELOOP) when the last component is a symlink: for a path already resolved, so a link put there since
   * is not followed. Windows has no O_NOFOLLOW (0 there): callers that need it check the handle's identity too. */
  noFollow?: boolean;
}

/** Opened for reading when it is a regular file, with the handle's fstat; else a system-style error with code EFTYPE. */
export async function openRegular(
  file: string,
  options: OpenRegularOptions = {},
): Promise<{ handle: FileHandle; stats: BigIntStats }> {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (options.noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  const handle = await open(file, flags);
  let stats: BigIntStats | undefined;
  try {
    // bigint: Windows file IDs are 64-bit, beyond a double's exact integers (compared by callers that check identity).
    const s = await handle.stat({ bigint: true });
    if (s.isFile()) stats = s;
  } finally {
    if (!stats) await handle.close();
  }
  if (!stats) throw Object.assign(new Error('EFTYPE: not a regular file'), { code: 'EFTYPE' });
  return { handle, stats };
}

/** Opened for reading when it is a regular file; else a system-style error with code EFTYPE. */
export async function openRegularFile(file: string, options: OpenRegularOptions = {}): Promise<FileHandle> {
  return (await openRegular(file, options)).handle;
}

/** A regular file's whole content. */
export async function readRegularFile(file: string): Promise<Buffer> {
  const handle = await openRegularFile(file);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * The first `size` bytes of an open file (its fstat size), read by position, into memory of its own (never
 * Buffer's shared pool), so the caller may transfer it to a worker. Shorter when the file shrank meanwhile.
 */
export async function readHandle(handle: FileHandle, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const { bytesRead } = await handle.read(bytes, at, size - at, at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return at === size ? bytes : bytes.slice(0, at);
}
