import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileDigests } from '../../../electron/inference/file-digests.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('file digests remembered by the file’s identity', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-digests-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('a later run takes the digest from the cache file while the file is the same, and reads it again once written', async () => {
    const file = path.join(work, 'model.onnx');
    const cache = path.join(work, 'data', 'model-digests.json');
    // Times a copy can keep (whole milliseconds): only the change time and the inode can tell files apart then.
    const mtime = new Date('2024-05-01T12:00:00.123Z');
    await writeFile(file, 'weights A');
    await utimes(file, mtime, mtime);
    const first = new FileDigests(cache);
    assert.equal(await first.sha256(file), sha('weights A'));
    await first.save();
    // A planted digest for the file as it is now: a later run believes it, so it did not read the file.
    const kept = JSON.parse(await readFile(cache, 'utf8')) as { files: Record<string, { sha256: string }> };
    kept.files[file]!.sha256 = sha('planted');
    await writeFile(cache, JSON.stringify(kept));
    assert.equal(await new FileDigests(cache).sha256(file), sha('planted'));

    // Written in place, same size, the modification time set back (touch -r): the change time says so.
    await writeFile(file, 'weights B');
    await utimes(file, mtime, mtime);
    assert.equal(await new FileDigests(cache).sha256(file), sha('weights B'));
    // Replaced by a copy from elsewhere that keeps its times (cp -p): another inode.
    const other = path.join(work, 'other.onnx');
    await writeFile(other, 'weights C');
    await utimes(other, mtime, mtime);
    const digests = new FileDigests(cache);
    assert.equal(await digests.sha256(file), sha('weights B'));
    assert.equal(await digests.unchanged([file]), true);
    await rm(file);
    await copyFile(other, file);
    await utimes(file, mtime, mtime);
    assert.equal(await digests.unchanged([file]), false);
    assert.equal(await digests.sha256(file), sha('weights C'));
  });

  it('a damaged cache file is only a cost', async () => {
    const file = path.join(work, 'tokenizer.json');
    const cache = path.join(work, 'damaged.json');
    await writeFile(file, '{}');
    await writeFile(cache, '{"version": 1, "files": ');
    const digests = new FileDigests(cache);
    assert.equal(await digests.sha256(file), sha('{}'));
    await digests.save();
    assert.equal(await new FileDigests(cache).sha256(file), sha('{}'));
  });
});
