/**
 * Who holds a lock file (file-lock.ts), as its record says, and whether that holder is known to be gone. Only a
 * pid says so, and only where it names the same process as here: same host, same kernel boot, same pid namespace
 * (two containers can share a host name, never a pid namespace; a host name outlives a reboot).
 */
import { readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface Holder {
  pid: number;
  host: string;
  /** Where its pid means one process (pidSpace); absent where that cannot be told. */
  pids?: string;
  token: string;
  /** When it took the lock, by its own clock: for a person reading the file, never compared with ours. */
  started: number;
  /** Counts up while it holds the lock (the heartbeat): a record that changes is a live holder's. */
  beat: number;
}

/** Records are rewritten in place: padded to one length, so that a shorter one leaves no tail of the last. */
const RECORD_BYTES = 512;

export const recordText = (holder: Holder): string => JSON.stringify(holder).padEnd(RECORD_BYTES);

export function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (
      typeof h.pid !== 'number' ||
      !Number.isInteger(h.pid) ||
      h.pid <= 0 ||
      typeof h.host !== 'string' ||
      typeof h.token !== 'string'
    )
      return null;
    return {
      pid: h.pid,
      host: h.host,
      ...(typeof h.pids === 'string' ? { pids: h.pids } : {}),
      token: h.token,
      started: typeof h.started === 'number' ? h.started : 0,
      beat: typeof h.beat === 'number' ? h.beat : 0,
    };
  } catch {
    return null;
  }
}

let space: Promise<string | undefined> | undefined;

/**
 * Where a pid names one process: on Linux the boot id and the pid namespace, elsewhere the platform (with the
 * host name: the machine). Undefined where /proc cannot tell: then no pid is trusted, a lock goes stale only by
 * its heartbeat stopping.
 */
export function pidSpace(): Promise<string | undefined> {
  return (space ??= (async () => {
    if (process.platform !== 'linux') return process.platform;
    try {
      const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      return `${boot}/${await readlink('/proc/self/ns/pid')}`;
    } catch {
      return undefined;
    }
  })());
}

/** Whether the holder is known gone: its pid is one of ours (host and pid space) and no longer runs. */
export async function holderGone(holder: Holder | null): Promise<boolean> {
  if (!holder || holder.host !== hostname()) return false;
  const here = await pidSpace();
  return here !== undefined && holder.pids === here && !alive(holder.pid);
}

/** Whether a process with this pid runs here (EPERM: it does, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
