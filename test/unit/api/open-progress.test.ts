/**
 * Opening a folder says how many files it has read as the rest of the app writes counts: "1,000 files read".
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch } from '../../../electron/api/dispatch.js';

let work: string;
let services: AppServices;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'radsift-open-progress-'));
  await Promise.all(Array.from({ length: 1000 }, (_, i) => writeFile(path.join(work, `note-${i}.txt`), 'not DICOM')));
  services = await createServices({ dataDir: path.join(work, '.data'), modelRoots: [] });
});
after(async () => {
  await services?.close();
  await rm(work, { recursive: true, force: true });
});

it('counts the files read with thousands separators', async () => {
  const messages: string[] = [];
  const out = await dispatch(
    services.handlers,
    'studies.openDropped',
    { paths: [path.join(work)] },
    {
      emit: (event, payload) => {
        if (event === 'job.progress') messages.push((payload as { message?: string }).message ?? '');
      },
    },
  );
  assert.ok(out.ok, JSON.stringify(out));
  assert.ok(messages.includes('1,000 files read'), messages.slice(-3).join(' | '));
  assert.ok(messages.includes('950 files read'));
});
