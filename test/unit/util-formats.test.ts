import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { encodeNpy } from '../../electron/util/npy.js';
import { decodeGrayPng, encodePng } from '../../electron/util/png.js';

const PY = '/usr/bin/python3';

describe('PNG and .npy writers, read back by independent readers (PIL, numpy)', () => {
  it('round-trips 8-bit gray, 16-bit gray and RGB through PIL, and .npy through numpy', async (t) => {
    try {
      execFileSync(PY, ['-c', 'import numpy, PIL'], { stdio: 'ignore' });
    } catch {
      t.skip('Debian python3-numpy/python3-pil not installed');
      return;
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'radsift-fmt-'));
    try {
      const g8 = Uint8Array.from({ length: 6 * 4 }, (_, i) => (i * 37) % 256);
      const g16 = Uint16Array.from({ length: 5 * 3 }, (_, i) => (i * 4099) % 65536);
      const rgb = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => (i * 53) % 256);
      const f32 = Float32Array.from([1.5, -2.25, 3e-8, 1e30, 0, -0]);
      await writeFile(
        path.join(dir, 'g8.png'),
        encodePng({ width: 6, height: 4, color: 'gray', bitDepth: 8, data: g8 }),
      );
      await writeFile(
        path.join(dir, 'g16.png'),
        encodePng({ width: 5, height: 3, color: 'gray', bitDepth: 16, data: g16 }),
      );
      await writeFile(
        path.join(dir, 'rgb.png'),
        encodePng({ width: 3, height: 2, color: 'rgb', bitDepth: 8, data: rgb }),
      );
      await writeFile(path.join(dir, 'f.npy'), encodeNpy(f32, [2, 3]));
      await writeFile(path.join(dir, 'u16.npy'), encodeNpy(g16, [3, 5]));
      const script = `
import json, sys, numpy as np
from PIL import Image
d = sys.argv[1]
out = {
  'g8': np.asarray(Image.open(d + '/g8.png')).tolist(),
  'g16': np.asarray(Image.open(d + '/g16.png')).astype(np.int64).tolist(),
  'rgb': np.asarray(Image.open(d + '/rgb.png')).tolist(),
  'f': np.load(d + '/f.npy').tolist(), 'fdt': str(np.load(d + '/f.npy').dtype),
  'u16': np.load(d + '/u16.npy').tolist(), 'u16dt': str(np.load(d + '/u16.npy').dtype),
}
print(json.dumps(out))`;
      const got = JSON.parse(execFileSync(PY, ['-c', script, dir], { encoding: 'utf8' })) as Record<string, unknown>;
      const rows = <T>(a: ArrayLike<T>, w: number, c = 1): unknown[] => {
        const out: unknown[] = [];
        for (let i = 0; i < a.length; i += w * c) {
          const row = Array.from(a).slice(i, i + w * c);
          out.push(c === 1 ? row : Array.from({ length: w }, (_, k) => row.slice(k * c, k * c + c)));
        }
        return out;
      };
      assert.deepEqual(got.g8, rows(g8, 6));
      assert.deepEqual(got.g16, rows(g16, 5));
      assert.deepEqual(got.rgb, rows(rgb, 3, 3));
      assert.deepEqual(got.f, rows(Array.from(f32), 3));
      assert.equal(got.fdt, 'float32');
      assert.deepEqual(got.u16, rows(g16, 5));
      assert.equal(got.u16dt, 'uint16');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects data that does not match the declared size', () => {
    assert.throws(
      () => encodePng({ width: 2, height: 2, color: 'gray', bitDepth: 8, data: new Uint8Array(3) }),
      RangeError,
    );
    assert.throws(() => encodeNpy(new Float32Array(5), [2, 3]), RangeError);
  });

  it('decodes 8-bit gray PNGs written by PIL (every filter type) and by encodePng', async (t) => {
    try {
      execFileSync(PY, ['-c', 'import numpy, PIL'], { stdio: 'ignore' });
    } catch {
      t.skip('Debian python3-numpy/python3-pil not installed');
      return;
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'radsift-png-'));
    try {
      // A smooth ramp plus noise makes zlib-optimising PIL pick Sub, Up, Average and Paeth rows.
      const script = `
import sys, numpy as np
from PIL import Image
rng = np.random.default_rng(4)
y, x = np.mgrid[0:61, 0:47]
a = ((x * 3 + y * 5 + (x * y) % 7 + rng.integers(0, 3, x.shape)) % 256).astype(np.uint8)
Image.fromarray(a).save(sys.argv[1] + '/p.png', optimize=True)
a.tofile(sys.argv[1] + '/p.raw')`;
      execFileSync(PY, ['-c', script, dir]);
      const png = await readFile(path.join(dir, 'p.png'));
      const raw = new Uint8Array(await readFile(path.join(dir, 'p.raw')));
      const decoded = decodeGrayPng(png);
      assert.deepEqual([decoded.width, decoded.height], [47, 61]);
      assert.deepEqual(decoded.data, raw);
      const ours = Uint8Array.from({ length: 9 * 5 }, (_, i) => (i * 29) % 256);
      assert.deepEqual(
        decodeGrayPng(encodePng({ width: 9, height: 5, color: 'gray', bitDepth: 8, data: ours })).data,
        ours,
      );
      assert.throws(
        () => decodeGrayPng(encodePng({ width: 2, height: 1, color: 'rgb', bitDepth: 8, data: new Uint8Array(6) })),
        /only 8-bit grayscale/,
      );
      assert.throws(() => decodeGrayPng(raw), /not a PNG/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
