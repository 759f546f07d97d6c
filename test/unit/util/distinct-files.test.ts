/**
 * Files a user gave, by what they really are: distinctFiles counts two names of one file once, and namesUnder
 * finds a file given by its real path among rows read under a folder opened through a link (real files and
 * links in a temporary folder).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { distinctFiles, namesUnder, realPath } from '../../../electron/util/distinct-files.js';

describe('files given by several names', () => {
  let work: string;
  let real: string;
  let link: string;
  before(async () => {
    work = await realpath(await mkdtemp(path.join(tmpdir(), 'radsift-names-')));
    real = path.join(work, 'scans');
    link = path.join(work, 'link');
    await mkdir(path.join(real, 'sub'), { recursive: true });
    await writeFile(path.join(real, 'a.dcm'), 'a');
    await writeFile(path.join(real, 'sub', 'b.dcm'), 'b');
    await mkdir(path.join(real, '..x'));
    await writeFile(path.join(real, '..x', 'c.dcm'), 'c');
    await symlink(real, link);
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('distinctFiles keeps the first name of each file, and a file gone by its name', async () => {
    const a = path.join(real, 'a.dcm');
    const gone = path.join(real, 'gone.dcm');
    assert.deepEqual(await distinctFiles([a, path.join(link, 'a.dcm'), gone, gone]), [a, gone]);
    assert.equal(realPath(path.join(link, 'a.dcm')), a);
  });

  it('namesUnder names a file under the folder as the rows name it, however either was given', () => {
    const a = path.join(real, 'a.dcm');
    const b = path.join(real, 'sub', 'b.dcm');
    // rows read under the link: files given by their real paths are found by the link's name
    const underLink = namesUnder([a, b], link);
    assert.ok(underLink.has(path.join(link, 'a.dcm')));
    assert.ok(underLink.has(path.join(link, 'sub', 'b.dcm')));
    assert.ok(underLink.has(a), 'and by the names given');
    // a subfolder whose name only starts with two dots is inside, not up out of the folder
    const c = path.join(real, '..x', 'c.dcm');
    assert.ok(namesUnder([c], link).has(path.join(link, '..x', 'c.dcm')));
    // rows read under the real folder: a file given through the link is found by its real path
    const underReal = namesUnder([path.join(link, 'a.dcm')], real);
    assert.ok(underReal.has(a));
    // a file outside the folder gets no name under it; no folder (a list of files), no extra names
    const outside = path.join(work, 'elsewhere.dcm');
    assert.deepEqual([...namesUnder([outside], link)], [outside]);
    assert.deepEqual([...namesUnder([a], null)], [a]);
  });
});
