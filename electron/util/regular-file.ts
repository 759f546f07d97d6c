/**
 * Files read whole or in part only when they are regular files. A path can name a FIFO or a device (a crafted
 * DICOMDIR's reference, a file list, a name in an opened folder): a plain open() of a FIFO waits for a writer,
 * holding one of libuv's few threads for good, and with a handful of them every file read of the process hangs.
 * The open is non-blocking (reads of a regular file are unaffected) and the handle is checked before any read.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Opened for reading when it is a regular file; else a system-style error with code EFTYPE. */
export async function openRegularFile(file: string): Promise<FileHandle> {
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  let regular = false;
  try {
    regular = (await handle.stat()).isFile();
  } finally {
    if (!regular) await handle.close();
  }
  if (!regular) throw Object.assign(new Error('EFTYPE: not a regular file'), { code: 'EFTYPE' });
  return handle;
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
