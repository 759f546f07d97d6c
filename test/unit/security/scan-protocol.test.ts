import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AllowedRoots, isInside, isNetworkPath } from '../../../electron/security/allowed-roots.js';
import { appFileResponse, resolveAppFile } from '../../../electron/security/app-files.js';
import {
  createScanHandler,
  passthroughRenderer,
  resolveScanRequest,
  scanUrlFor,
  type ScanRenderer,
} from '../../../electron/security/scan-protocol.js';
import { folderSwap, INSIDE, OUTSIDE, type FolderSwap } from '../../support/folder-swap.js';

// A 1×1 PNG, enough to check bytes and content type.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

describe('scan:// path guard', () => {
  let base: string;
  let root: string;
  let roots: AllowedRoots;
  let handler: (r: Request) => Promise<Response>;

  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'radsift-scan-'));
    root = path.join(base, 'allowed');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await mkdir(path.join(base, 'allowed-sibling'));
    await writeFile(path.join(root, 'sub', 'image.png'), PNG);
    await writeFile(path.join(root, 'notes.txt'), 'text');
    await writeFile(path.join(base, 'secret.png'), PNG);
    await writeFile(path.join(base, 'allowed-sibling', 'x.png'), PNG);
    await symlink(path.join(base, 'secret.png'), path.join(root, 'link-out.png'));
    await symlink(base, path.join(root, 'dir-link-out'));
    await symlink(path.join(root, 'sub', 'image.png'), path.join(root, 'link-in.png'));
    roots = new AllowedRoots();
    await roots.add(root);
    handler = createScanHandler(roots);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const get = (url: string) => handler(new Request(url));

  it('serves a file inside an allowed root', async () => {
    const res = await get(scanUrlFor(path.join(root, 'sub', 'image.png')));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
  });

  it('follows a symlink that stays inside the root', async () => {
    assert.equal((await get(scanUrlFor(path.join(root, 'link-in.png')))).status, 200);
  });

  it('refuses files outside the roots: absolute, .., encoded, symlinked, sibling prefix', async () => {
    const outside = [
      scanUrlFor(path.join(base, 'secret.png')),
      scanUrlFor(path.join(root, '..', 'secret.png')),
      scanUrlFor(path.join(root, 'sub', '..', '..', 'secret.png')),
      scanUrlFor(path.join(root, 'link-out.png')),
      scanUrlFor(path.join(root, 'dir-link-out', 'secret.png')),
      scanUrlFor(path.join(base, 'allowed-sibling', 'x.png')),
      scanUrlFor('/etc/passwd'),
      scanUrlFor(path.join(root, 'missing.png')),
    ];
    for (const url of outside) {
      const res = await get(url);
      assert.equal(res.status, 403, url);
    }
  });

  it('refuses malformed and smuggled paths before touching the disk', async () => {
    const bad = [
      `scan://local/${encodeURIComponent('relative/image.png')}`,
      `scan://local/${encodeURIComponent(root)}/..%2F..%2Fsecret.png`, // raw separator: not one segment
      `scan://local/${root}/sub/image.png`, // unencoded path
      `scan://local/%E0%A4%A`, // broken percent-encoding
      `scan://local/${encodeURIComponent(root + '/sub/image.png\0.png')}`,
      `scan://other/${encodeURIComponent(path.join(root, 'sub', 'image.png'))}`,
      `https://local/${encodeURIComponent(path.join(root, 'sub', 'image.png'))}`,
    ];
    for (const url of bad) {
      const res = await get(url);
      assert.ok(res.status === 400 || res.status === 403, `${url} → ${res.status}`);
      assert.notEqual(res.status, 200);
    }
    // A double-encoded "../" is a literal name after one decode: it must not escape either.
    const doubled = `scan://local/${encodeURIComponent(root + '/%2e%2e/%2e%2e/secret.png')}`;
    assert.equal((await get(doubled)).status, 403);
  });

  it('refuses a path that names no root before asking the disk, even one that leads into a root', async () => {
    // base/in-link -> allowed: realpath would land inside the root, but the renderer only has names under a
    // root (the catalog's); realpath on a name outside them could reach a network share first.
    const inLink = path.join(base, 'in-link');
    await symlink(root, inLink);
    try {
      assert.equal(await roots.resolveInside(path.join(inLink, 'sub', 'image.png')), null);
      assert.equal(await roots.resolveInside('//server/share/x.png'), null);
      assert.equal(isNetworkPath('\\\\server\\share\\x.png'), true);
      assert.equal(isNetworkPath('\\\\?\\C:\\x.png'), true);
      assert.equal(isNetworkPath(path.join(root, 'x.png')), false);
      // The root as it was given, and below it, still resolve.
      assert.equal(await roots.resolveInside(path.join(root, 'sub', 'image.png')), path.join(root, 'sub', 'image.png'));
    } finally {
      await rm(inLink);
    }
  });

  it('says a file listed inside a root is gone, and nothing of whether a path outside the roots exists', async () => {
    assert.equal(await roots.refusal(path.join(root, 'missing.png')), 'missing');
    assert.equal(await roots.refusal(path.join(root, 'gone', 'deeper', 'x.dcm')), 'missing');
    // Outside the roots by name, by "..", or through a symlink: 'outside' whether the target exists or not.
    for (const p of [
      path.join(base, 'secret.png'),
      path.join(base, 'no-such.png'),
      path.join(root, '..', 'no-such.png'),
      path.join(root, 'link-out.png'),
      path.join(root, 'dir-link-out', 'secret.png'),
      path.join(root, 'dir-link-out', 'no-such.png'),
      path.join(base, 'allowed-sibling', 'no-such.png'),
      '/etc/no-such-file',
      '//server/share/x.png',
    ])
      assert.equal(await roots.refusal(p), 'outside', p);
  });

  it('answers 415 for an allowed file it cannot render', async () => {
    assert.equal((await get(scanUrlFor(path.join(root, 'notes.txt')))).status, 415);
  });

  it('decides without serving: the resolved path is the real one', async () => {
    const d = await resolveScanRequest(scanUrlFor(path.join(root, 'link-in.png'), { frame: 2 }), roots);
    assert.ok(d.ok);
    try {
      assert.equal(path.basename(d.file.path), 'image.png');
      assert.equal(d.query.get('frame'), '2');
    } finally {
      await d.file.close();
    }
  });

  it('isInside is exact about prefixes', () => {
    assert.equal(isInside('/a/b', '/a/b'), true);
    assert.equal(isInside('/a/b', '/a/b/c'), true);
    assert.equal(isInside('/a/b', '/a/bc'), false);
    assert.equal(isInside('/a/b', '/a'), false);
    assert.equal(isInside('/a/b', '/a/b/..c'), true);
  });
});

describe('scan:// guard against a swap after the check', () => {
  let swap: FolderSwap;
  let roots: AllowedRoots;
  before(async () => {
    swap = await folderSwap();
    roots = new AllowedRoots();
    await roots.add(swap.root);
  });
  after(() => swap.remove());

  it('serves the file that was checked when a folder on its path is swapped for a link before the read', async () => {
    // The renderer runs after the guard's decision: when it read the path again it got the outside file.
    const swapping: ScanRenderer = async (file, query) => {
      await swap.out();
      return passthroughRenderer(file, query);
    };
    const res = await swap.restoring(() => createScanHandler(roots, [swapping])(new Request(scanUrlFor(swap.file))));
    const body = Buffer.from(await res.arrayBuffer());
    assert.notDeepEqual(body, OUTSIDE, 'the outside file was served');
    assert.equal(res.status, 200);
    assert.deepEqual(body, INSIDE);
  });
});

describe('app:// renderer files', () => {
  let base: string;
  let dist: string;
  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'radsift-app-'));
    dist = path.join(base, 'renderer');
    await mkdir(path.join(dist, 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'index.html'), '<html></html>');
    await writeFile(path.join(dist, 'assets', 'a.js'), 'x');
    await writeFile(path.join(base, 'secret.txt'), 'no');
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('serves index.html with the CSP header and assets by path', async () => {
    const res = await appFileResponse(dist, '/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal((await appFileResponse(dist, '/assets/a.js')).status, 200);
  });

  it('never leaves the renderer folder', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      `/${base}/secret.txt`,
      '/%00',
      '/%zz',
    ]) {
      assert.equal(await resolveAppFile(dist, p), null, p);
    }
  });
});
