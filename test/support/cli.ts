import type { CliIO } from '../../electron/cli/command.js';
import { main } from '../../electron/cli/radsift.js';

/** `radsift <args>` in this process, as a shell would run it from `cwd`: exit code and both streams. */
export async function runCli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd };
  const code = await main(args, io);
  return { code, out, err };
}
