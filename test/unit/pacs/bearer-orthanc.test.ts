/**
 * Bearer-token authentication against a server that checks the token itself: Orthanc with a request
 * filter that answers only `Authorization: Bearer <token>` (as a token-checking gateway in front of a
 * hospital archive does). Through the client, the CLI (token from the environment or an owner-only file)
 * and the app's API (token sealed like a password); the token never in an answer, a message or a file.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServices } from '../../../electron/api/create-services.js';
import { dispatch } from '../../../electron/api/dispatch.js';
import type { CliIO } from '../../../electron/cli/command.js';
import { main } from '../../../electron/cli/radsift.js';
import { openClient } from '../../../electron/pacs/open-client.js';
import type { DicomWebConnection } from '../../../electron/pacs/connection.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const skip = orthancMissing() ?? false;
const TOKEN = `tok_${randomBytes(24).toString('base64url')}`;

async function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd };
  const saved = process.env.RADSIFT_PACS_TOKEN;
  delete process.env.RADSIFT_PACS_TOKEN;
  Object.assign(process.env, env);
  try {
    return { code: await main(args, io), out, err };
  } finally {
    if (saved === undefined) delete process.env.RADSIFT_PACS_TOKEN;
    else process.env.RADSIFT_PACS_TOKEN = saved;
  }
}

describe('bearer tokens against an Orthanc that checks them', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  const connection = (): DicomWebConnection => ({
    kind: 'dicomweb',
    name: 'token orthanc',
    url: orthanc.dicomWebUrl,
    auth: 'bearer',
    timeoutSeconds: 10,
  });

  before(async () => {
    orthanc = await TestOrthanc.start({ bearerToken: TOKEN });
    work = await mkdtemp(path.join(tmpdir(), 'radsift-bearer-'));
    writeDemo({ dir: path.join(work, 'demo'), count: 3, seed: 77, size: 128 });
    const files = (await readdir(path.join(work, 'demo'), { recursive: true }))
      .filter((f) => f.startsWith('PH') && f.endsWith('.dcm'))
      .map((f) => path.join(work, 'demo', f));
    await orthanc.upload(files);
  });
  after(async () => {
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('the server itself refuses requests without the token', async () => {
    const bare = await fetch(`${orthanc.dicomWebUrl}/studies`);
    assert.equal(bare.status, 403);
    const wrong = await fetch(`${orthanc.dicomWebUrl}/studies`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 403);
    assert.equal((await orthanc.rest('/statistics')).status, 200);
  });

  it('searches and retrieves with the token; a wrong one is refused without echoing it', async () => {
    const client = await openClient(connection(), TOKEN);
    try {
      const page = await client.searchStudies({}, { offset: 0, limit: 10 });
      assert.equal(page.studies.length, 3);
      const refs = [];
      for await (const ref of client.studyInstances(page.studies[0]!.studyUid)) refs.push(ref);
      const got = await client.retrieveInstance(refs[0]!);
      assert.ok(got.bytes.length > 128 * 128, 'an instance came back');
      const checks = await client.check();
      assert.ok(
        checks.every((c) => c.ok),
        JSON.stringify(checks),
      );
    } finally {
      await client.close();
    }
    const wrong = await openClient(connection(), 'not-the-token-0042');
    try {
      const error = await wrong.searchStudies({}, { offset: 0, limit: 1 }).then(
        () => assert.fail('a wrong token was accepted'),
        (e: Error & { code?: string }) => e,
      );
      assert.equal(error.code, 'FORBIDDEN');
      assert.doesNotMatch(error.message, /not-the-token-0042/);
    } finally {
      await wrong.close();
    }
    await assert.rejects(
      openClient(connection(), null).then((c) => c.searchStudies({}, { offset: 0, limit: 1 })),
      {
        code: 'CONFIG',
        message: /no token given/,
      },
    );
  });

  it('the CLI reads the token from the environment or an owner-only file, never prints it', async () => {
    const archive = `dicomweb+${orthanc.dicomWebUrl}`;
    const search = ['pacs', 'search', archive, '--auth', 'bearer', '--json'];
    const fromEnv = await cli(search, work, { RADSIFT_PACS_TOKEN: TOKEN });
    assert.equal(fromEnv.code, 0, fromEnv.err);
    assert.equal((JSON.parse(fromEnv.out) as { studies: unknown[] }).studies.length, 3);
    const file = path.join(work, 'token');
    await writeFile(file, `${TOKEN}\n`);
    await chmod(file, 0o644);
    const loose = await cli([...search, '--secret-file', file], work);
    assert.notEqual(loose.code, 0);
    assert.match(loose.err, /readable by other users \(mode 644\); run chmod 600/);
    await chmod(file, 0o600);
    const fromFile = await cli([...search, '--secret-file', file], work);
    assert.equal(fromFile.code, 0, fromFile.err);
    const missing = await cli(search, work);
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /needs a token: --secret-file <file> or RADSIFT_PACS_TOKEN/);
    const wrong = await cli(search, work, { RADSIFT_PACS_TOKEN: 'wrong-token-5150' });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /FORBIDDEN|HTTP 403/);
    for (const r of [fromEnv, fromFile, missing, wrong, loose])
      assert.doesNotMatch(r.out + r.err, new RegExp(`${TOKEN}|wrong-token-5150`));
  });

  it('the app keeps the token sealed like a password and tests the connection with it', async () => {
    const dataDir = path.join(work, 'data');
    const services = await createServices({
      dataDir,
      modelRoots: [path.join(PROJECT_ROOT, 'models')],
      decodeWorkers: 1,
      // A reversible stand-in for the OS keyring is enough here: what matters is that the token is
      // handed to the cipher and never written as it is.
      secretCipher: {
        encrypt: (t) => Buffer.from(Buffer.from(t, 'utf8').map((b) => b ^ 0x5a)),
        decrypt: (d) => Buffer.from(d.map((b) => b ^ 0x5a)).toString('utf8'),
      },
    });
    const ctx = { emit: () => undefined };
    try {
      const saved = await dispatch(
        services.handlers,
        'pacs.saveConnection',
        { connection: connection(), secret: TOKEN },
        ctx,
      );
      assert.ok(saved.ok, JSON.stringify(saved));
      const tested = await dispatch(services.handlers, 'pacs.test', { name: 'token orthanc' }, ctx);
      assert.ok(tested.ok);
      const checks = (tested.value as { checks: { service: string; ok: boolean | null; detail: string }[] }).checks;
      assert.deepEqual(
        checks.map((c) => [c.service, c.ok]),
        [
          ['QIDO-RS', true],
          ['WADO-RS', true],
        ],
      );
      for (const f of await readdir(dataDir)) {
        const bytes = await readFile(path.join(dataDir, f)).catch(() => Buffer.alloc(0));
        assert.equal(bytes.indexOf(TOKEN), -1, `no token in ${f}`);
      }
    } finally {
      await services.close();
    }
  });
});
