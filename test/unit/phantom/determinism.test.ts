import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeDemoParallel } from '../../../electron/phantom/demo-parallel.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { generatePhantom } from '../../../electron/phantom/generate.js';
import { Random } from '../../../electron/phantom/random.js';

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

test('random streams are reproducible and keyed', () => {
  const a = new Random(1, 'x');
  const b = new Random(1, 'x');
  const c = new Random(2, 'x');
  const seqA = Array.from({ length: 8 }, () => a.nextUint32());
  assert.deepEqual(
    seqA,
    Array.from({ length: 8 }, () => b.nextUint32()),
  );
  assert.notDeepEqual(
    seqA,
    Array.from({ length: 8 }, () => c.nextUint32()),
  );
  const u = new Random('u');
  for (let i = 0; i < 1000; i++) {
    const v = u.next();
    assert.ok(v >= 0 && v < 1);
  }
});

test('same seed and index give the same phantom; another index differs', () => {
  const p1 = generatePhantom(42, 3, { size: 192 });
  const p2 = generatePhantom(42, 3, { size: 192 });
  assert.deepEqual(p1.case, p2.case);
  assert.deepEqual(p1.rendered.image.pixels, p2.rendered.image.pixels);
  assert.deepEqual(p1.rendered.mask, p2.rendered.mask);
  assert.equal(p1.report.text, p2.report.text);
  const p3 = generatePhantom(42, 4, { size: 192 });
  assert.notDeepEqual(p1.rendered.image.pixels, p3.rendered.image.pixels);
});

test('writeDemo is byte-identical for a seed, in this thread or on a worker pool (DICOM, CSV, JSONL, masks, training export)', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'radsift-phantom-'));
  try {
    const options = (name: string) => ({
      dir: path.join(root, name),
      trainingDir: path.join(root, `${name}-train`),
      count: 5,
      seed: 9,
      size: 160,
      trainingSize: 64,
    });
    writeDemo(options('a'));
    const progress: number[] = [];
    const summary = await writeDemoParallel({ ...options('b'), workers: 3, onProgress: (done) => progress.push(done) });
    assert.deepEqual(progress, [1, 2, 3, 4, 5]);
    assert.equal(summary.count, 5);
    for (const [x, y] of [
      ['a', 'b'],
      ['a-train', 'b-train'],
    ] as const) {
      const files = listFiles(path.join(root, x)).sort();
      assert.deepEqual(files, listFiles(path.join(root, y)).sort());
      assert.ok(files.length > 0);
      for (const f of files)
        assert.ok(readFileSync(path.join(root, x, f)).equals(readFileSync(path.join(root, y, f))), `${f} differs`);
    }
    const files = listFiles(path.join(root, 'a'));
    assert.equal(files.filter((f) => f.endsWith('.dcm') && !f.startsWith('masks')).length, 5);
    assert.ok(files.includes('labels.csv') && files.includes('reports.jsonl'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
