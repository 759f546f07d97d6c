/**
 * The example sets' file: a damaged one is set aside, never written over; two processes sharing the data
 * folder add to each other's sets; any scope name is a plain key; a failed write changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExampleSets } from '../../../electron/api/example-sets.js';

describe('example sets on disk', () => {
  let work: string;
  let n = 0;
  const dataDir = async () => {
    const dir = path.join(work, `data${n++}`);
    await mkdir(dir);
    return dir;
  };
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-example-sets-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('a damaged file is set aside and said, not written over by the next add', async () => {
    const dir = await dataDir();
    const file = path.join(dir, 'example-sets.json');
    const damaged = JSON.stringify({ '/data/studyA': ['/data/studyA/1.dcm'], '/data/studyB': ['/data/studyB/2.dcm'] });
    await writeFile(file, damaged.slice(0, damaged.length - 9)); // cut short, as a full disk leaves it
    const sets = new ExampleSets(dir);
    assert.deepEqual(await sets.add('/data/studyC', '/data/studyC/3.dcm'), ['/data/studyC/3.dcm']);
    const aside = (await readdir(dir)).filter((f) => f.startsWith('example-sets.json.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(await readFile(path.join(dir, aside[0]!), 'utf8'), damaged.slice(0, damaged.length - 9));
    assert.match(
      sets.warning ?? '',
      /could not be read and start empty \(the old file is kept as example-sets\.json\.corrupt-/,
    );
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { '/data/studyC': ['/data/studyC/3.dcm'] });
  });

  it('two stores on one data folder (two processes) add to each other’s sets', async () => {
    const dir = await dataDir();
    const a = new ExampleSets(dir);
    const b = new ExampleSets(dir);
    await a.add('/a', '/a/1.dcm');
    assert.deepEqual(await b.get('/a'), ['/a/1.dcm']); // b read the file before: it reads it again once changed
    await a.add('/a', '/a/2.dcm');
    await b.add('/b', '/b/1.dcm');
    await b.remove('/a', '/a/1.dcm');
    assert.deepEqual(await a.get('/a'), ['/a/2.dcm']);
    assert.deepEqual(await a.get('/b'), ['/b/1.dcm']);
    assert.deepEqual(await new ExampleSets(dir).get('/a'), ['/a/2.dcm']);
  });

  it('any scope is a plain name: __proto__, constructor and toString hold sets like any other', async () => {
    const dir = await dataDir();
    const sets = new ExampleSets(dir);
    for (const scope of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.deepEqual(await sets.get(scope), []);
      assert.deepEqual(await sets.add(scope, `/x/${scope}.dcm`), [`/x/${scope}.dcm`]);
    }
    const again = new ExampleSets(dir);
    assert.deepEqual(await again.get('__proto__'), ['/x/__proto__.dcm']);
    assert.deepEqual(await again.get('length'), []);
    assert.deepEqual(await again.remove('constructor', '/x/constructor.dcm'), []);
  });

  it('a write that fails changes nothing and says so', async () => {
    // A data folder whose file's name fits the system's limit on a path, and the file written aside does not:
    // the write fails as a full disk would, for root too (which writes through any mode).
    let dir = await dataDir();
    const file = (d: string) => path.join(d, 'example-sets.json');
    while (file(dir).length < 4088) dir = path.join(dir, 'd'.repeat(Math.min(200, 4088 - file(dir).length)));
    await mkdir(dir, { recursive: true });
    await writeFile(file(dir), JSON.stringify({ '/a': ['/a/1.dcm'] }));
    const sets = new ExampleSets(dir);
    assert.deepEqual(await sets.get('/a'), ['/a/1.dcm']);
    await assert.rejects(
      sets.add('/a', '/a/2.dcm'),
      /The example set could not be saved \(ENAMETOOLONG\): nothing was changed/,
    );
    assert.deepEqual(await sets.get('/a'), ['/a/1.dcm']);
    assert.deepEqual(await new ExampleSets(dir).get('/a'), ['/a/1.dcm']);
    // A file that cannot be read (here: its folder is a file) fails the call and is not written over.
    const blocked = path.join(await dataDir(), 'not-a-folder');
    await writeFile(blocked, 'x');
    await assert.rejects(new ExampleSets(blocked).add('/a', '/a/1.dcm'), /could not be read \(ENOTDIR\)/);
    assert.equal(await readFile(blocked, 'utf8'), 'x');
  });
});
