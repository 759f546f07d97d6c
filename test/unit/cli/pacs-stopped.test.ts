/**
 * Archives typed on the command line: Ctrl+C (or SIGTERM) while a PACS request is under way (an archive that accepts the
 * connection and never answers) is exit 130, "stopped", as it is between batches of a folder: not 2 ("some inputs
 * failed") nor 3 (fatal); and a URL or spec longer than a connection's name may be is taken.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../electron/cli/command.js';
import { connectionOption } from '../../../electron/cli/pacs-options.js';
import { runCli } from '../../support/cli.js';

describe('radsift pacs and screen: Ctrl+C during a PACS request', () => {
  let work: string;
  let server: Server;
  let archive: string;
  const sockets = new Set<Socket>();
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-pacs-stopped-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    server = createServer((socket) => {
      sockets.add(socket); // accepted, never answered
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    archive = `dicomweb+http://127.0.0.1:${port}/dicom-web`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  /** Runs the command and sends it `signal` (Ctrl+C's by default) once the archive has been asked. */
  const interrupted = async (args: string[], signal: NodeJS.Signals = 'SIGINT') => {
    const asked = new Promise<void>((resolve) => server.once('connection', () => resolve()));
    const run = runCli(args, work);
    await asked;
    await new Promise((r) => setTimeout(r, 100));
    process.emit(signal, signal);
    return run;
  };

  it('pacs search, stopped by Ctrl+C or by SIGTERM (a service manager, kill)', { timeout: 30_000 }, async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const r = await interrupted(['pacs', 'search', archive], signal);
      assert.equal(r.code, EXIT.STOPPED, `${signal}: ${r.err}`);
      assert.match(r.err, /CANCELLED/);
    }
  });

  it('an archive URL or DIMSE spec longer than 64 characters (a cloud DICOMweb URL) is taken', async () => {
    const long = `${archive}/projects/p/locations/l/datasets/d/dicomStores/s/dicomWeb`;
    assert.ok(long.length > 64);
    const web = await connectionOption(long, {}, work);
    assert.equal(web.kind === 'dicomweb' && web.url, long.slice('dicomweb+'.length));
    assert.equal(web.name, `${long.slice('dicomweb+'.length).slice(0, 63)}…`);
    const spec = 'dimse://ARCHIVE@pacs-archive-01.radiology.hospital-network.example.org:11112';
    const dimse = await connectionOption(spec, {}, work);
    assert.equal(dimse.kind === 'dimse' && dimse.host, 'pacs-archive-01.radiology.hospital-network.example.org');
  });

  it('screen over the archive', async () => {
    const r = await interrupted(['screen', archive, '--phrases', 'pneumothorax', '--out', path.join(work, 'r.csv')]);
    assert.equal(r.code, EXIT.STOPPED, r.err);
    assert.match(r.err, /What was indexed is kept/);
  });
});
