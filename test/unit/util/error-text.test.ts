/**
 * Error text for logs and reasons: real fs errors (which name their paths) from folders named after a
 * synthetic patient lose the paths and keep the code.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, opendir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readHeaderFile } from '../../../electron/dicom/catalog.js';
import { loggableError, systemErrorReason } from '../../../electron/util/error-text.js';

const caught = (work: Promise<unknown>): Promise<unknown> =>
  work.then(
    () => assert.fail('expected a failure'),
    (error: unknown) => error,
  );

describe('error text without paths', () => {
  let work: string;
  let patient: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-error-text-'));
    patient = path.join(work, 'Doe^Jane');
    await mkdir(patient);
    await writeFile(path.join(patient, 'Doe^Jane.txt'), 'not DICOM');
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("a system error's reason is libuv's wording and its code", async () => {
    const error = await caught(opendir(path.join(patient, 'gone')));
    assert.match((error as Error).message, /Doe\^Jane/, 'the raw message names the path');
    assert.equal(systemErrorReason(error), 'no such file or directory (ENOENT)');
    assert.equal(systemErrorReason(new TypeError('x is not a function')), null);
  });

  it('a log line keeps the code and message, and cuts every path the error and its causes carry', async () => {
    const opened = await caught(opendir(path.join(patient, 'gone')));
    assert.equal(loggableError(opened), "ENOENT: no such file or directory, opendir '<path>'");
    const moved = await caught(rename(path.join(patient, 'gone'), path.join(work, 'Roe^Richard', 'x')));
    assert.equal(loggableError(moved), "ENOENT: no such file or directory, rename '<path>' -> '<path>'");
    // A coded error naming the file's last part, over the fs error: cut too, and its code said.
    const wrapped = await caught(readHeaderFile(path.join(patient, 'Doe^Jane.dcm')));
    assert.equal(loggableError(wrapped), 'IO: cannot open <path>: no such file or directory (ENOENT)');
    // Not an fs error: as it is.
    assert.equal(loggableError(new TypeError('x is not a function')), 'x is not a function');
  });
});
