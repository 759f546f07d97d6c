import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileDigests, sha256File } from '../../../electron/inference/file-digests.js';
import { SAMPLE_BLOCK } from '../../../electron/inference/file-sample.js';

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
/** A clock 3 s ahead: the files a test has just written are read as if they had settled. */
const settled = { now: () => Date.now() + 3_000 };

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
    const first = new FileDigests(cache, settled);
    assert.equal(await first.sha256(file), sha('weights A'));
    await first.save();
    // A planted digest for the file as it is now: a later run believes it, so it did not read the file.
    const kept = JSON.parse(await readFile(cache, 'utf8')) as { files: Record<string, { sha256: string }> };
    kept.files[file]!.sha256 = sha('planted');
    await writeFile(cache, JSON.stringify(kept));
    assert.equal(await new FileDigests(cache, settled).sha256(file), sha('planted'));

    // Written in place, same size, the modification time set back (touch -r): the change time says so.
    await writeFile(file, 'weights B');
    await utimes(file, mtime, mtime);
    assert.equal(await new FileDigests(cache, settled).sha256(file), sha('weights B'));
    // Replaced by a copy from elsewhere that keeps its times (cp -p): another inode.
    const other = path.join(work, 'other.onnx');
    await writeFile(other, 'weights C');
    await utimes(other, mtime, mtime);
    const digests = new FileDigests(cache, settled);
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
    const digests = new FileDigests(cache, settled);
    assert.equal(await digests.sha256(file), sha('{}'));
    await digests.save();
    assert.equal(await new FileDigests(cache, settled).sha256(file), sha('{}'));
  });
  it('where a rewrite keeps size, times and inode (exFAT, cp -p), a sampled block that differs has it read again', async () => {
    // 1 MiB of weights; the fine-tune copied over it differs in one byte of the first, middle or last block.
    const size = 16 * SAMPLE_BLOCK;
    const weights = Buffer.alloc(size, 7);
    for (const at of [0, size / 2, size - 1]) {
      const file = path.join(work, `exfat-${at}.onnx`);
      const cache = path.join(work, `exfat-${at}.json`);
      const mtime = new Date('2024-05-01T12:00:00Z');
      await writeFile(file, weights);
      await utimes(file, mtime, mtime);
      const first = new FileDigests(cache, settled);
      assert.equal(await first.sha256(file), sha(weights));
      await first.save();
      const { ctimeNs: ctimeBefore, ino } = await stat(file, { bigint: true });
      const tuned = Buffer.from(weights);
      tuned[at] = 8;
      const handle = await open(file, 'r+'); // in place: the same inode
      await handle.write(tuned, 0, size, 0);
      await handle.close();
      await utimes(file, mtime, mtime);
      const now = await stat(file, { bigint: true });
      assert.equal(now.ino, ino);
      // This filesystem moved the change time; exFAT's would have followed the modification time back, so the
      // remembered identity is given the file's new change time: size, times and inode all as remembered.
      const kept = JSON.parse(await readFile(cache, 'utf8')) as { files: Record<string, { identity: string }> };
      kept.files[file]!.identity = kept.files[file]!.identity.replace(`${ctimeBefore}`, `${now.ctimeNs}`);
      await writeFile(cache, JSON.stringify(kept));
      assert.equal(await new FileDigests(cache, settled).sha256(file), sha(tuned), `byte ${at}`);
    }
  });

  it('a digest read within 2 s of the file’s last write is not remembered, in memory or on disk', async () => {
    const file = path.join(work, 'racy-tokenizer.json');
    const cache = path.join(work, 'racy.json');
    await writeFile(file, '{"model": "A"}');
    let clock = Date.now();
    let reads = 0;
    const counted = (f: string) => (reads++, sha256File(f));
    const digests = new FileDigests(cache, { now: () => clock, read: counted });
    assert.equal(await digests.sha256(file), sha('{"model": "A"}'));
    assert.equal(await digests.sha256(file), sha('{"model": "A"}'));
    assert.equal(reads, 2, 'read at each ask while its times are those of its reading');
    assert.equal(await digests.unchanged([file]), true, 'checked by its contents');
    await digests.save();
    assert.equal(await readFile(cache, 'utf8').catch(() => null), null, 'nothing kept for the next run');

    // A time ahead of the clock (another machine's, on a share) is not trusted either.
    const ahead = new Date(clock + 3_600_000);
    await utimes(file, ahead, ahead);
    clock += 3_000;
    await digests.sha256(file);
    await digests.sha256(file);
    assert.equal(reads, 5);

    // Once its times are 2 s behind the reading, it is remembered.
    const past = new Date(clock - 60_000);
    await utimes(file, past, past);
    clock += 3_000;
    await digests.sha256(file);
    await digests.sha256(file);
    assert.equal(reads, 6);
    await digests.save();
    const kept = JSON.parse(await readFile(cache, 'utf8')) as { files: Record<string, { sha256: string }> };
    assert.equal(kept.files[file]?.sha256, sha('{"model": "A"}'));
  });
});
