/**
 * PACS through the app's API (the handlers the renderer calls), against a real Orthanc: connections kept
 * without their secrets, a configured but unused connection that sends nothing, search, retrieve with
 * progress into the cache and opening what arrived, and screening a PACS query as a job.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createServer as createHttpServer, request as httpRequest, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventName, EventPayload, ScreenJob } from '../../../electron/api/contract.js';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../../electron/api/dispatch.js';
import type { SecretCipher } from '../../../electron/app/secret-store.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const skip = orthancMissing() ?? false;
const PASSWORD = 'api-test-password-5521';

/** An AES-GCM cipher with a per-test key: stands where the OS keyring seals secrets in the app. */
function testCipher(): SecretCipher {
  const key = randomBytes(32);
  return {
    encrypt(text) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(data) {
      const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      d.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

describe('PACS through the API', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  let services: AppServices;
  const events: { event: EventName; payload: unknown }[] = [];
  const ctx: HandlerContext = { emit: (event, payload) => events.push({ event, payload }) };
  const call = async <T>(method: Parameters<typeof dispatch>[1], req: unknown): Promise<T> => {
    const out = await dispatch(services.handlers, method, req, ctx);
    if (!out.ok) throw new Error(`${method}: ${out.error.code}: ${out.error.message}`);
    return out.value as T;
  };
  /** The app's keyring for the whole file: a restart must unseal what the last run sealed. */
  const cipher = testCipher();
  /** What the scripted file dialog answers next (the user's choice); empty: the user cancels. */
  const dialogAnswers: string[][] = [];
  const start = (dataDir: string, cipher: SecretCipher | null) =>
    createServices({
      dialog: { open: async () => dialogAnswers.shift() ?? [] },
      dataDir,
      modelRoots: [path.join(PROJECT_ROOT, 'models')],
      decodeWorkers: 1,
      secretCipher: cipher,
      broadcast: <E extends EventName>(event: E, payload: EventPayload<E>) => events.push({ event, payload }),
    });

  before(async () => {
    orthanc = await TestOrthanc.start({ password: PASSWORD });
    work = await mkdtemp(path.join(tmpdir(), 'radsift-pacs-api-'));
    writeDemo({ dir: path.join(work, 'demo'), count: 6, seed: 51, size: 256 });
    const files = (await readdir(path.join(work, 'demo'), { recursive: true }))
      .filter((f) => f.startsWith('PH') && f.endsWith('.dcm'))
      .map((f) => path.join(work, 'demo', f));
    await orthanc.upload(files);
    services = await start(path.join(work, 'data'), cipher);
  });
  after(async () => {
    await services?.close();
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  const connection = () => ({
    kind: 'dicomweb',
    name: 'test orthanc',
    url: orthanc.dicomWebUrl,
    auth: 'basic',
    username: orthanc.user,
  });

  it('keeps connections in the settings and the password sealed apart, never in plain text', async () => {
    const listed = await call<{ connections: { hasSecret: boolean }[]; secretStorage: string }>('pacs.saveConnection', {
      connection: connection(),
      secret: PASSWORD,
    });
    assert.equal(listed.secretStorage, 'os');
    assert.deepEqual(
      listed.connections.map((c) => c.hasSecret),
      [true],
    );
    const settings = await readFile(path.join(work, 'data', 'settings.json'), 'utf8');
    assert.match(settings, /test orthanc/);
    assert.doesNotMatch(settings, new RegExp(PASSWORD));
    const sealed = await readFile(path.join(work, 'data', 'pacs-secrets.json'));
    assert.equal(sealed.indexOf(PASSWORD), -1);
    assert.equal(sealed.indexOf(Buffer.from(PASSWORD).toString('base64')), -1);
  });

  it('a stored password is kept across an edit only while the server, sign-in and user stay; else it must be given again', async () => {
    const dir = path.join(work, 'edits');
    const s = await start(dir, cipher);
    const save = (req: object) => dispatch(s.handlers, 'pacs.saveConnection', req, ctx);
    try {
      assert.ok((await save({ connection: { ...connection(), name: 'edited' }, secret: PASSWORD })).ok);
      // The same server under another path: kept.
      const samePlace = await save({
        connection: { ...connection(), name: 'edited', url: `${orthanc.dicomWebUrl}/` },
        replaces: 'edited',
      });
      assert.ok(samePlace.ok, JSON.stringify(samePlace));
      const elsewhere = new URL(orthanc.dicomWebUrl);
      elsewhere.port = String(Number(elsewhere.port) + 1);
      for (const change of [
        { url: elsewhere.href },
        { url: orthanc.dicomWebUrl.replace('http://127.0.0.1', 'http://localhost') },
        { username: 'someone-else' },
        { auth: 'bearer' },
      ]) {
        const out = await save({ connection: { ...connection(), name: 'edited', ...change }, replaces: 'edited' });
        assert.ok(!out.ok && out.error.code === 'BAD_REQUEST', JSON.stringify(change));
        assert.match(out.ok ? '' : out.error.message, /enter the password or token again/);
      }
      // Given again with the change, it is taken.
      assert.ok(
        (
          await save({
            connection: { ...connection(), name: 'edited', url: elsewhere.href },
            replaces: 'edited',
            secret: 'new',
          })
        ).ok,
      );
    } finally {
      await s.close();
    }
  });

  it('without an OS keyring the password lasts for the session only: nothing written', async () => {
    const dir = path.join(work, 'session-only');
    const s = await start(dir, null);
    try {
      const out = await dispatch(
        s.handlers,
        'pacs.saveConnection',
        { connection: connection(), secret: PASSWORD },
        ctx,
      );
      assert.ok(out.ok);
      assert.equal((out.value as { secretStorage: string }).secretStorage, 'session');
      assert.ok(!existsSync(path.join(dir, 'pacs-secrets.json')));
      const checks = await dispatch(s.handlers, 'pacs.test', { name: 'test orthanc' }, ctx);
      assert.ok(checks.ok && (checks.value as { checks: { ok: boolean }[] }).checks.every((c) => c.ok));
    } finally {
      await s.close();
    }
  });

  it('a configured but unused connection sends nothing, at start or when listed', async () => {
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as { port: number }).port;
    const dir = path.join(work, 'unused');
    try {
      let s = await start(dir, testCipher());
      await dispatch(
        s.handlers,
        'pacs.saveConnection',
        { connection: { kind: 'dicomweb', name: 'quiet', url: `http://127.0.0.1:${port}/dicom-web` } },
        ctx,
      );
      await dispatch(
        s.handlers,
        'pacs.saveConnection',
        { connection: { kind: 'dimse', name: 'quiet dimse', calledAet: 'ARCHIVE', host: '127.0.0.1', port } },
        ctx,
      );
      await s.close();
      s = await start(dir, testCipher()); // a restart with the connections configured
      const listed = await dispatch(s.handlers, 'pacs.connections', {}, ctx);
      assert.ok(listed.ok);
      await dispatch(s.handlers, 'app.info', {}, ctx);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(connections, 0, 'nothing connected to the configured server');
      // The listener does count: asking for something that needs the server reaches it.
      await dispatch(s.handlers, 'pacs.test', { name: 'quiet' }, ctx);
      assert.ok(connections > 0);
      await s.close();
    } finally {
      await new Promise((r) => listener.close(r));
    }
  });

  it('searches, retrieves a study with progress into the cache, and opens what arrived', async () => {
    const page = await call<{ studies: { studyUid: string; instanceCount: number }[]; more: boolean }>('pacs.search', {
      name: 'test orthanc',
      query: { modalities: ['CR', 'DX'] },
      page: { offset: 0, limit: 4 },
    });
    assert.equal(page.studies.length, 4);
    assert.equal(page.more, true);
    const study = page.studies[0]!;
    const { jobId } = await call<{ jobId: string }>('pacs.retrieve', {
      name: 'test orthanc',
      studyUid: study.studyUid,
    });
    const deadline = Date.now() + 30_000;
    const progress = () =>
      events
        .filter((e) => e.event === 'job.progress' && (e.payload as { jobId: string }).jobId === jobId)
        .map((e) => e.payload as { done: number; total: number | null; message: string });
    while (!progress().some((p) => p.message !== 'retrieving') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const last = progress().at(-1)!;
    assert.equal(last.message, 'done');
    assert.equal(last.done, study.instanceCount);
    const catalog = await call<{
      patients: { studies: { studyInstanceUID: string; series: { instances: { path: string }[] }[] }[] }[];
    }>('pacs.openStudy', {
      name: 'test orthanc',
      studyUid: study.studyUid,
    });
    const studies = catalog.patients.flatMap((p) => p.studies);
    assert.deepEqual(
      studies.map((s) => s.studyInstanceUID),
      [study.studyUid],
    );
    const instances = studies[0]!.series.flatMap((s) => s.instances);
    assert.equal(instances.length, study.instanceCount);
    // What was opened may be shown: it is inside an allowed root.
    assert.ok(await services.roots.resolveInside(instances[0]!.path));
  });

  it("screens a PACS query as a job; its rows are the query's instances", async () => {
    await services.models.ready();
    const job = await call<ScreenJob>('screen.start', {
      phrases: ['pleural effusion'],
      pacs: { name: 'test orthanc', query: { modalities: ['CR', 'DX'] } },
    });
    assert.equal(job.folder, 'pacs:test orthanc');
    const deadline = Date.now() + 120_000;
    let state = job.state;
    while (state === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await call<{ jobs: ScreenJob[] }>('screen.list', {})).jobs.find((j) => j.id === job.id)!.state;
    }
    assert.equal(state, 'done');
    const { rows } = await call<{ rows: { path: string; status: string }[] }>('screen.results', { id: job.id });
    assert.equal(rows.length, 6);
    assert.ok(rows.every((r) => r.status === 'ok' && r.path.startsWith(`dicomweb+${orthanc.dicomWebUrl}/studies/`)));

    // A second job over a narrower, overlapping query (one patient): its rows are that patient's
    // instances, met again without retrieval, and the first job keeps all six of its own.
    const one = await call<{ studies: { patientId: string; studyUid: string; instanceCount: number }[] }>(
      'pacs.search',
      { name: 'test orthanc', query: { modalities: ['CR', 'DX'] }, page: { offset: 0, limit: 1 } },
    );
    const patient = one.studies[0]!;
    const narrow = await call<ScreenJob>('screen.start', {
      phrases: ['pleural effusion'],
      pacs: { name: 'test orthanc', query: { patientId: patient.patientId, modalities: ['CR', 'DX'] } },
    });
    let narrowState = narrow.state;
    let narrowJob: ScreenJob | undefined;
    while (narrowState === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      narrowJob = (await call<{ jobs: ScreenJob[] }>('screen.list', {})).jobs.find((j) => j.id === narrow.id)!;
      narrowState = narrowJob.state;
    }
    assert.equal(narrowState, 'done');
    assert.match(narrowJob!.message ?? '', /^0 encoded, [1-9]\d* unchanged, 0 failed/);
    const narrowRows = (await call<{ rows: { path: string }[] }>('screen.results', { id: narrow.id })).rows;
    const patientStudies = (
      await call<{ studies: { studyUid: string; instanceCount: number }[] }>('pacs.search', {
        name: 'test orthanc',
        query: { patientId: patient.patientId, modalities: ['CR', 'DX'] },
        page: { offset: 0, limit: 50 },
      })
    ).studies;
    assert.equal(
      narrowRows.length,
      patientStudies.reduce((n, s) => n + s.instanceCount, 0),
    );
    assert.ok(narrowRows.length < 6);
    assert.ok(narrowRows.every((r) => patientStudies.some((s) => r.path.includes(`/studies/${s.studyUid}/`))));
    const again = (await call<{ rows: { path: string }[] }>('screen.results', { id: job.id })).rows;
    assert.deepEqual(
      again.map((r) => r.path),
      rows.map((r) => r.path),
      "the first job's rows are untouched",
    );
  });

  it('a PACS job paused at once is paused, not failed, after the request it stopped; it resumes to the end', async () => {
    const job = await call<ScreenJob>('screen.start', {
      phrases: ['pleural effusion'],
      pacs: { name: 'test orthanc', query: { modalities: ['CR', 'DX'] } },
    });
    // The pause aborts the archive listing under way (a CANCELLED request).
    await call('screen.control', { id: job.id, action: 'pause' });
    // A restart waits for the run to end and reads what was stored.
    await services.close();
    services = await start(path.join(work, 'data'), cipher);
    const stored = (await call<{ jobs: ScreenJob[] }>('screen.list', {})).jobs.find((j) => j.id === job.id)!;
    assert.equal(stored.state, 'paused', stored.message ?? '');
    await call('screen.control', { id: job.id, action: 'resume' });
    const deadline = Date.now() + 120_000;
    let state: string = 'running';
    while (state === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await call<{ jobs: ScreenJob[] }>('screen.list', {})).jobs.find((j) => j.id === job.id)!.state;
    }
    assert.equal(state, 'done');
    assert.equal((await call<{ rows: unknown[] }>('screen.results', { id: job.id })).rows.length, 6);
  });

  it('wrong password: a clear error from pacs.test and pacs.search', async () => {
    await call('pacs.saveConnection', { connection: connection(), secret: 'not-it', replaces: 'test orthanc' });
    const checks = await call<{ checks: { service: string; ok: boolean | null; detail: string }[] }>('pacs.test', {
      name: 'test orthanc',
    });
    assert.equal(checks.checks[0]!.ok, false);
    assert.match(checks.checks[0]!.detail, /AUTH_FAILED/);
    const out = await dispatch(
      services.handlers,
      'pacs.search',
      { name: 'test orthanc', query: {}, page: { offset: 0, limit: 5 } },
      ctx,
    );
    assert.equal(out.ok, false);
    assert.doesNotMatch(JSON.stringify(out), /not-it|api-test-password/);
  });

  it(
    'trusts a CA certificate chosen in a dialog (the page never names a path), for https',
    {
      skip: existsSync('/usr/bin/openssl') ? false : 'openssl not installed (scripts/setup-debian.sh)',
    },
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'radsift-api-tls-'));
      const sh = (cmd: string) => execFileSync('/bin/sh', ['-c', cmd], { cwd: dir, stdio: 'pipe' });
      sh(
        'openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=RadSift API test CA"',
      );
      sh('openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"');
      sh('printf "subjectAltName=IP:127.0.0.1\\n" > san.ext');
      sh(
        'openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext',
      );
      await writeFile(path.join(dir, 'notes.txt'), 'not a certificate');
      // TLS in front of Orthanc, as a hospital's reverse proxy with a certificate from its own CA.
      const sockets = new Set<{ destroy(): void }>();
      const terminator = createTlsServer(
        { key: await readFile(path.join(dir, 'server.key')), cert: await readFile(path.join(dir, 'server.crt')) },
        (socket) => {
          const upstream = connect(orthanc.httpPort, '127.0.0.1');
          sockets.add(socket).add(upstream);
          socket.pipe(upstream).pipe(socket);
          socket.on('error', () => upstream.destroy());
          upstream.on('error', () => socket.destroy());
        },
      );
      await new Promise<void>((r) => terminator.listen(0, '127.0.0.1', r));
      const httpsConnection = {
        ...connection(),
        name: 'tls orthanc',
        url: `https://127.0.0.1:${(terminator.address() as { port: number }).port}/dicom-web`,
      };
      const qido = async () =>
        (
          await call<{ checks: { service: string; ok: boolean | null; detail: string }[] }>('pacs.test', {
            name: 'tls orthanc',
          })
        ).checks[0]!;
      type Listing = {
        connections: { connection: { name: string; caFile?: string }; certificate: Record<string, unknown> | null }[];
      };
      const listed = (l: Listing) => l.connections.find((c) => c.connection.name === 'tls orthanc')!;
      try {
        // The page cannot name a file for the main process to read.
        await assert.rejects(
          call('pacs.saveConnection', { connection: { ...httpsConnection, caFile: path.join(dir, 'ca.pem') } }),
          /BAD_REQUEST/,
        );
        // Without the CA the server is not trusted.
        await call('pacs.saveConnection', { connection: httpsConnection, secret: PASSWORD });
        assert.match((await qido()).detail, /TLS/);
        // The user cancels, then picks a file that is not a certificate: clear answers, nothing kept.
        await assert.rejects(call('pacs.chooseCertificate', {}), /CANCELLED/);
        dialogAnswers.push([path.join(dir, 'notes.txt')]);
        await assert.rejects(call('pacs.chooseCertificate', {}), /BAD_REQUEST.*not a certificate \(PEM or DER\)/);
        await assert.rejects(
          call('pacs.saveConnection', {
            connection: httpsConnection,
            replaces: 'tls orthanc',
            ca: { ref: '00000000-0000-4000-8000-000000000000' },
          }),
          /choose it again/,
        );
        // A DER file (as .cer/.crt often are) is read too.
        sh('openssl x509 -in ca.pem -outform der -out ca.cer');
        dialogAnswers.push([path.join(dir, 'ca.cer')]);
        const der = await call<{ ref: string; certificate: { subject: string } }>('pacs.chooseCertificate', {});
        assert.equal(der.certificate.subject, 'CN=RadSift API test CA');
        await call('pacs.saveConnection', {
          connection: httpsConnection,
          replaces: 'tls orthanc',
          ca: { ref: der.ref },
        });
        assert.equal((await qido()).ok, true, 'the DER certificate is trusted');
        dialogAnswers.push([path.join(dir, 'ca.pem')]);
        const chosen = await call<{ ref: string; certificate: { file: string; subject: string; expired: boolean } }>(
          'pacs.chooseCertificate',
          {},
        );
        assert.deepEqual(
          { file: chosen.certificate.file, subject: chosen.certificate.subject, expired: chosen.certificate.expired },
          { file: 'ca.pem', subject: 'CN=RadSift API test CA', expired: false },
        );
        let listing = await call<Listing>('pacs.saveConnection', {
          connection: httpsConnection,
          replaces: 'tls orthanc',
          ca: { ref: chosen.ref },
        });
        assert.equal(listed(listing).connection.caFile, path.join(dir, 'ca.pem'));
        assert.equal(listed(listing).certificate?.subject, 'CN=RadSift API test CA');
        assert.equal((await qido()).ok, true);
        // Editing something else, or renaming, keeps the certificate; a new connection of the same name is
        // refused (it would take over this one); "none" drops it and the server is untrusted again.
        listing = await call<Listing>('pacs.saveConnection', {
          connection: { ...httpsConnection, name: 'tls renamed', timeoutSeconds: 20 },
          replaces: 'tls orthanc',
        });
        assert.equal(
          listing.connections.find((c) => c.connection.name === 'tls renamed')?.certificate?.subject,
          'CN=RadSift API test CA',
        );
        listing = await call<Listing>('pacs.saveConnection', { connection: httpsConnection, replaces: 'tls renamed' });
        assert.equal(listed(listing).certificate?.subject, 'CN=RadSift API test CA');
        assert.equal((await qido()).ok, true);
        await assert.rejects(
          call('pacs.saveConnection', { connection: httpsConnection, secret: PASSWORD }),
          /exists already/,
        );
        listing = await call<Listing>('pacs.saveConnection', {
          connection: httpsConnection,
          replaces: 'tls orthanc',
          ca: 'none',
        });
        assert.equal(listed(listing).certificate, null);
        assert.match((await qido()).detail, /TLS/);
      } finally {
        await call('pacs.deleteConnection', { name: 'tls orthanc' }).catch(() => undefined);
        for (const socket of sockets) socket.destroy();
        await new Promise((r) => terminator.close(r));
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('an instance that fails ends the retrieval, and the others under way are stopped with it', async () => {
    // Last: it adds a study to the archive, which the tests above count. A study of five images (one phantom
    // and four copies with their own SOP Instance UIDs), behind a proxy that holds every instance retrieval until
    // four are under way, then fails the first: the other three must be given up by the app (their connections
    // closed), not left fetching into the cache after it said "failed".
    const source = (await readdir(path.join(work, 'demo'), { recursive: true }))
      .filter((f) => f.startsWith('PH') && f.endsWith('.dcm'))
      .map((f) => path.join(work, 'demo', f))[0]!;
    const copies: string[] = [];
    for (let k = 0; k < 5; k++) {
      const copy = path.join(work, `held-${k}.dcm`);
      await writeFile(copy, await readFile(source));
      execFileSync('dcmodify', ['-nb', '-gin', '-m', '(0010,0020)=HELD-5', '-m', `(0020,0013)=${k + 1}`, copy]);
      copies.push(copy);
    }
    execFileSync('dcmodify', ['-nb', '-gst', '-m', '(0010,0020)=HELD-5', copies[0]!]);
    const study = execFileSync('dcmdump', ['+P', '0020,000d', copies[0]!]).toString();
    const studyUid = /\[([0-9.]+)\]/.exec(study)![1]!;
    for (const c of copies.slice(1)) execFileSync('dcmodify', ['-nb', '-m', `(0020,000d)=${studyUid}`, c]);
    await orthanc.upload(copies);

    const held: { closed: boolean; res: ServerResponse }[] = [];
    const upstream = new URL(orthanc.dicomWebUrl);
    const proxy = createHttpServer((req, res) => {
      if (!/\/series\/[^/]+\/instances\/[^/]+$/.test(new URL(req.url ?? '/', 'http://x').pathname)) {
        const forward = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        req.pipe(forward);
        return;
      }
      const entry = { closed: false, res };
      res.on('close', () => (entry.closed = true));
      held.push(entry);
      if (held.length === 4) held[0]!.res.writeHead(500).end('this instance cannot be read');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const port = (proxy.address() as { port: number }).port;
      const url = `http://127.0.0.1:${port}${upstream.pathname}`;
      await call('pacs.saveConnection', { connection: { ...connection(), name: 'held', url }, secret: PASSWORD });
      const { jobId } = await call<{ jobId: string }>('pacs.retrieve', { name: 'held', studyUid });
      const deadline = Date.now() + 30_000;
      const last = () =>
        events
          .filter((e) => e.event === 'job.progress' && (e.payload as { jobId: string }).jobId === jobId)
          .map((e) => (e.payload as { message: string }).message)
          .at(-1);
      while (!last()?.startsWith('failed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(last() ?? '', /^failed/);
      while (held.some((h) => !h.closed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        held.map((h) => h.closed),
        [true, true, true, true],
        'every retrieval under way was given up',
      );
      assert.equal(held.length, 4, 'no retrieval was started after the failure');
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});
