/**
 * Secrets for the command line: from the environment (RADSIFT_PACS_PASSWORD, RADSIFT_PACS_TOKEN) or
 * a file only its owner can read. A file others can read is refused, as ssh refuses such a key:
 * a password in it has already leaked to every account on the machine.
 */
import { readFile, stat } from 'node:fs/promises';
import { PacsError } from './errors.js';

export const SECRET_ENV = { basic: 'RADSIFT_PACS_PASSWORD', bearer: 'RADSIFT_PACS_TOKEN' } as const;

export async function readSecretFile(file: string): Promise<string> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new PacsError('CONFIG', `secret file ${file}: not found`);
  // Group or others may read it: refuse (Windows has no such bits; there NTFS ACLs apply).
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0)
    throw new PacsError(
      'CONFIG',
      `secret file ${file}: readable by other users (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  const text = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  if (!text) throw new PacsError('CONFIG', `secret file ${file}: empty`);
  return text;
}

/** The secret for an authentication kind: the file when given, else the environment, else null. */
export async function commandLineSecret(
  auth: 'none' | 'basic' | 'bearer',
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  if (auth === 'none') return null;
  if (file) return readSecretFile(file);
  return env[SECRET_ENV[auth]] || null;
}
