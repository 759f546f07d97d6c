/**
 * Passwords and tokens of PACS connections, apart from the settings (which must never hold them).
 * On disk only when the OS can encrypt them for this user (Electron's safeStorage: Keychain, DPAPI,
 * the Secret Service); otherwise kept for this session only, and the app says so. The file is
 * written aside and renamed, readable by its owner only.
 */
import { readFile } from 'node:fs/promises';
import { replaceFile } from '../util/durable-file.js';
import path from 'node:path';

export interface SecretCipher {
  encrypt(text: string): Buffer;
  decrypt(data: Buffer): string;
}

export class SecretStore {
  readonly file: string;
  readonly #memory = new Map<string, string>();
  #stored: Promise<Record<string, string>> | null = null;
  #writes: Promise<void> = Promise.resolve();

  /** `cipher` null: secrets last for this session only. */
  constructor(
    dataDir: string,
    private readonly cipher: SecretCipher | null,
  ) {
    this.file = path.join(dataDir, 'pacs-secrets.json');
  }

  /** Whether secrets survive a restart (encrypted on disk) or last for this session only. */
  get persistent(): boolean {
    return this.cipher !== null;
  }

  /** The sealed secrets, read once: concurrent first callers share the one read (and the one object). */
  #load(): Promise<Record<string, string>> {
    this.#stored ??= (async () => {
      if (!this.cipher) return {};
      const text = await readFile(this.file, 'utf8').catch(() => '{}');
      try {
        const parsed = JSON.parse(text) as unknown;
        return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
          ? (Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<
              string,
              string
            >)
          : {};
      } catch {
        return {};
      }
    })();
    return this.#stored;
  }

  async has(name: string): Promise<boolean> {
    return this.#memory.has(name) || name in (await this.#load());
  }

  async get(name: string): Promise<string | null> {
    const held = this.#memory.get(name);
    if (held !== undefined) return held;
    const sealed = (await this.#load())[name];
    if (!sealed || !this.cipher) return null;
    try {
      const secret = this.cipher.decrypt(Buffer.from(sealed, 'base64'));
      this.#memory.set(name, secret);
      return secret;
    } catch {
      return null; // sealed for another user or machine: ask again
    }
  }

  /** Stores a secret (null: forgets it). */
  async set(name: string, secret: string | null): Promise<void> {
    const stored = await this.#load();
    if (secret === null) {
      this.#memory.delete(name);
      delete stored[name];
    } else {
      this.#memory.set(name, secret);
      if (this.cipher) stored[name] = this.cipher.encrypt(secret).toString('base64');
    }
    if (this.cipher) await this.#persist(stored);
  }

  async rename(from: string, to: string): Promise<void> {
    if (from === to) return;
    const secret = await this.get(from);
    await this.set(from, null);
    if (secret !== null) await this.set(to, secret);
  }

  #persist(stored: Record<string, string>): Promise<void> {
    const snapshot = JSON.stringify(stored);
    // A failed write (disk full) must not fail every later one: each write starts afresh.
    this.#writes = this.#writes.catch(() => undefined).then(() => replaceFile(this.file, snapshot, 0o600));
    return this.#writes;
  }
}
