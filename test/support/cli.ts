import { Readable } from 'node:stream';
import type { CliIO } from '../../electron/cli/command.js';
import { main } from '../../electron/cli/radsift.js';

/**
 * `radsift <args>` in this process, as a shell would run it from `cwd`: exit code and both streams. `stdin`: what
 * a pipe feeds it (none: no standard input, as under a terminal-less runner).
 */
export async function runCli(
  args: string[],
  cwd: string,
  stdin?: string,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd,
    ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}),
  };
  const code = await main(args, io);
  return { code, out, err };
}
