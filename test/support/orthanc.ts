/**
 * A real Orthanc for the PACS tests (Debian's `orthanc` with `orthanc-dicomweb` and `orthanc-gdcm`,
 * installed by scripts/setup-debian.sh): temporary storage, free ports, HTTP authentication on (a
 * password, or a bearer token Orthanc checks itself), loopback only. Each test file starts its own and stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ORTHANC = '/usr/sbin/Orthanc';
const PLUGINS = ['libOrthancDicomWeb.so', 'libOrthancGdcm.so'].map((p) => `/usr/share/orthanc/plugins/${p}`);

/** Why the PACS tests cannot run here, or null when Orthanc and its plugins are installed. */
export function orthancMissing(): string | null {
  const missing = [ORTHANC, ...PLUGINS].filter((p) => !existsSync(p));
  return missing.length ? `Orthanc not installed (${missing.join(', ')}; run scripts/setup-debian.sh)` : null;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface OrthancOptions {
  user?: string;
  password?: string;
  /** AE title → port of DICOM peers on 127.0.0.1 Orthanc may send to (C-MOVE) and accept C-GET from. */
  peers?: Record<string, number>;
  /**
   * Token authentication instead of a password: Orthanc answers only requests that carry
   * `Authorization: Bearer <token>` (its IncomingHttpRequestFilter, in Lua), and 403 to any other.
   */
  bearerToken?: string;
  /** More of Orthanc's configuration, e.g. `{ LimitFindInstances: 5 }` (an archive that caps its answers). */
  config?: Record<string, unknown>;
}

export class TestOrthanc {
  private process: ChildProcess | null = null;
  private log = '';
  private constructor(
    readonly dir: string,
    readonly httpPort: number,
    readonly dicomPort: number,
    readonly user: string,
    readonly password: string,
    readonly bearerToken: string | null = null,
  ) {}

  static async start(options: OrthancOptions = {}): Promise<TestOrthanc> {
    const dir = await mkdtemp(path.join(tmpdir(), 'radsift-orthanc-'));
    const o = new TestOrthanc(
      dir,
      await freePort(),
      await freePort(),
      options.user ?? 'radsift',
      options.password ?? 'orthanc-test-password',
      options.bearerToken ?? null,
    );
    if (o.bearerToken !== null && !/^[A-Za-z0-9._~+/=-]+$/.test(o.bearerToken))
      throw new Error('a bearer token is token68 characters');
    const filter = path.join(dir, 'bearer-filter.lua');
    if (o.bearerToken !== null)
      await writeFile(
        filter,
        `function IncomingHttpRequestFilter(method, uri, ip, username, httpHeaders)\n` +
          `  return httpHeaders['authorization'] == 'Bearer ${o.bearerToken}'\nend\n`,
      );
    const modalities = Object.fromEntries(
      Object.entries(options.peers ?? {}).map(([aet, port]) => [
        aet.toLowerCase(),
        { AET: aet, Host: '127.0.0.1', Port: port, AllowGet: true, AllowMove: true, AllowFind: true, AllowEcho: true },
      ]),
    );
    const config = {
      Name: 'RadSiftTest',
      StorageDirectory: path.join(dir, 'db'),
      IndexDirectory: path.join(dir, 'db'),
      Plugins: PLUGINS,
      HttpPort: o.httpPort,
      DicomPort: o.dicomPort,
      DicomAet: 'ORTHANC',
      RemoteAccessAllowed: false,
      ...(o.bearerToken === null
        ? { AuthenticationEnabled: true, RegisteredUsers: { [o.user]: o.password } }
        : { AuthenticationEnabled: false, LuaScripts: [filter] }),
      DicomModalities: modalities,
      DicomAlwaysAllowEcho: true,
      DicomCheckModalityHost: true,
      DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Host: `127.0.0.1:${o.httpPort}` },
      OrthancExplorerEnabled: false,
      WebDavEnabled: false,
      HttpCompressionEnabled: false,
      ConcurrentJobs: 2,
      ...options.config,
    };
    await writeFile(path.join(dir, 'orthanc.json'), JSON.stringify(config, null, 2));
    await o.launch();
    return o;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }
  get dicomWebUrl(): string {
    return `${this.baseUrl}/dicom-web`;
  }
  private get authorization(): string {
    if (this.bearerToken !== null) return `Bearer ${this.bearerToken}`;
    return `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}`;
  }

  /** Starts Orthanc on its storage (again, after stop or kill: the stored studies are still there). */
  async launch(): Promise<void> {
    this.log = '';
    const child = spawn(ORTHANC, [path.join(this.dir, 'orthanc.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    const keep = (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`Orthanc exited with ${child.exitCode}:\n${this.log}`);
      const ok = await fetch(`${this.baseUrl}/system`, { headers: { authorization: this.authorization } })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Orthanc did not answer within 20 s:\n${this.log}`);
  }

  /** The REST API, authenticated: Orthanc's own view of what it stores (the tests' independent reference). */
  async rest(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', this.authorization);
    return fetch(`${this.baseUrl}${pathname}`, { ...init, headers });
  }

  /** Stores DICOM files through the REST API; returns Orthanc's instance ids. */
  async upload(files: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const f of files) ids.push(await this.store(await readFile(f), f));
    return ids;
  }

  /** Stores DICOM files given as their bytes (e.g. made by the tests' builder); returns Orthanc's instance ids. */
  async uploadBytes(datasets: readonly Uint8Array[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, d] of datasets.entries()) ids.push(await this.store(d, `dataset ${i + 1}`));
    return ids;
  }

  private async store(body: Uint8Array, name: string): Promise<string> {
    const r = await this.rest('/instances', { method: 'POST', body: new Uint8Array(body) });
    if (!r.ok) throw new Error(`upload of ${name}: HTTP ${r.status} ${await r.text()}`);
    return ((await r.json()) as { ID: string }).ID;
  }

  /** Graceful stop. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** kill -9: what a crashed or unplugged server looks like to a client. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(sig);
    await exited;
  }

  get output(): string {
    return this.log;
  }

  async dispose(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
