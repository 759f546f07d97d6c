/**
 * API methods that read a file the renderer names read the file they opened and checked inside the opened folders
 * (opened-file.ts, AllowedRoots.openInside), never its path again: a folder on the path swapped for a link to a
 * folder outside, holding another scan of the same name, between the check and the read changes nothing they
 * answer (each read the outside scan when it read by path). A FIFO inside a folder is answered at once.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../../electron/api/dispatch.js';
import { folderSwap, swapAfterCheck, type FolderSwap } from '../../support/folder-swap.js';
import { withinTime } from '../../support/fifo.js';
import { CORPUS, PROJECT_ROOT } from '../../support/paths.js';

const ctx: HandlerContext = { emit: () => undefined };
const ref = (f: string) => readFile(path.join(CORPUS, 'nema-wg04', 'REF', f));

describe('API methods read the file they checked', () => {
  let work: string;
  let services: AppServices;
  let swap: FolderSwap;
  const call = async <T>(method: Parameters<typeof dispatch>[1], req: unknown): Promise<T> => {
    const out = await dispatch(services.handlers, method, req, ctx);
    if (!out.ok) throw new Error(`${method}: ${out.error.code}: ${out.error.message}`);
    return out.value as T;
  };
  /** `method` on `on.file` with its folder swapped out after the check; the folder is restored after. */
  const swapped = <T>(method: Parameters<typeof dispatch>[1], req: object, on: FolderSwap = swap): Promise<T> =>
    on.restoring(async () => {
      const undo = swapAfterCheck(services.roots, on);
      try {
        return await call<T>(method, { ...req, path: on.file });
      } finally {
        undo();
      }
    });

  /**
   * The answer for a copy of `source` (the inside or the outside scan) in a folder of its own, `name`: what a swap
   * must give, or must not. Under a path of its own, so nothing a call remembered by path answers for it.
   */
  const answerForCopy = async <T>(
    source: string,
    name: string,
    method: Parameters<typeof dispatch>[1],
    req: object = {},
  ) => {
    const folder = path.join(work, name);
    await mkdir(folder, { recursive: true });
    const copy = path.join(folder, 'image.dcm');
    await copyFile(source, copy);
    await services.roots.add(folder);
    return call<T>(method, { ...req, path: copy });
  };

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-opened-file-'));
    // The shipped model: it has patch embeddings, which query.heatmap reads.
    services = await createServices({
      dataDir: path.join(work, 'data'),
      modelRoots: [path.join(PROJECT_ROOT, 'models')],
      decodeWorkers: 1,
    });
    swap = await folderSwap({ name: 'image.dcm', inside: await ref('CT1_UNC'), outside: await ref('MR1_UNC') });
    await services.roots.add(swap.root);
  });
  after(async () => {
    await services.close();
    await swap.remove();
    await rm(work, { recursive: true, force: true });
  });

  describe('studies.fileInfo', () => {
    type Info = { summary: { file: string; modality?: string; errors: { code: string; message: string }[] } };

    it('describes the checked file when its folder is swapped for a link to outside before the read', async () => {
      const inside = await call<Info>('studies.fileInfo', { path: swap.file });
      assert.equal(inside.summary.modality, 'CT');
      const info = await swapped<Info>('studies.fileInfo', {});
      assert.notEqual(info.summary.modality, 'MR', 'the outside scan was described');
      assert.deepEqual(info, inside);
    });

    it(
      'answers at once for a FIFO inside an opened folder: not a regular file',
      { skip: process.platform === 'win32' },
      async () => {
        const folder = path.join(work, 'pipes');
        await mkdir(folder);
        const fifo = path.join(folder, 'IM0001.dcm');
        execFileSync('mkfifo', [fifo]);
        await services.roots.add(folder);
        const info = await withinTime(call<Info>('studies.fileInfo', { path: fifo }), 5000, fifo);
        assert.deepEqual(info.summary.errors, [
          { code: 'IO', message: 'cannot read file: not a regular file (EFTYPE)' },
        ]);
      },
    );
  });

  describe('studies.displayWindow', () => {
    type Window = { voi: string; window: { center: number; width: number } | null };

    it('answers for the checked file when its folder is swapped for a link to outside before the decode', async () => {
      // The swap first: nothing remembered from a render or an earlier call answers for the file, it is decoded.
      const answer = await swapped<Window>('studies.displayWindow', {});
      const inside = await answerForCopy<Window>(swap.file, 'inside-copy', 'studies.displayWindow');
      const outside = await answerForCopy<Window>(swap.outsideFile, 'outside-copy', 'studies.displayWindow');
      assert.notDeepEqual(inside, outside, 'two scans shown with different windows');
      assert.notDeepEqual(answer, outside, 'the outside scan was decoded');
      assert.deepEqual(answer, inside);
    });
  });

  describe('query.heatmap', () => {
    type Heatmap = { phrase: string; grid: [number, number]; values: number[]; box: object };

    it('maps the checked file when its folder is swapped for a link to outside before the decode', async () => {
      const answer = await swapped<Heatmap>('query.heatmap', { phrase: 'pleural effusion' });
      const ask = (source: string, name: string) =>
        answerForCopy<Heatmap>(source, name, 'query.heatmap', { phrase: 'pleural effusion' });
      const inside = await ask(swap.file, 'inside-copy');
      const outside = await ask(swap.outsideFile, 'outside-copy');
      assert.notDeepEqual(inside.values, outside.values, 'two scans mapped differently');
      assert.notDeepEqual(answer.values, outside.values, 'the outside scan was mapped');
      assert.deepEqual(answer, inside);
    });
  });

  describe('examples.add', () => {
    type Examples = { paths: string[] };
    const notDicom = Buffer.from('a note, no DICOM');
    /** examples.add on a swap of its own (image.dcm holding `inside`, outside `outside`), in an opened folder. */
    const add = async (inside: Uint8Array, outside: Uint8Array) => {
      const own = await folderSwap({ name: 'image.dcm', inside, outside });
      try {
        await services.roots.add(own.root);
        return await swapped<Examples>('examples.add', { scope: own.root }, own);
      } finally {
        await own.remove();
      }
    };

    it('decides on the checked file when its folder is swapped for a link to outside before the read', async () => {
      const image = await ref('CT1_UNC');
      // An image inside, a note outside: taken, as the image it is.
      const set = await add(image, notDicom).catch((e: Error) =>
        assert.fail(`the outside note was read: ${e.message}`),
      );
      assert.equal(set.paths.length, 1);
      // A note inside, an image outside: refused, for what the file opened is.
      await assert.rejects(
        add(notDicom, image),
        /BAD_REQUEST: Only a DICOM image can be an example/,
        'the outside image was taken',
      );
    });

    it(
      'refuses a FIFO and a folder inside an opened folder at once, unread',
      { skip: process.platform === 'win32' },
      async () => {
        const folder = path.join(work, 'example-pipes');
        await mkdir(path.join(folder, 'sub'), { recursive: true });
        const fifo = path.join(folder, 'IM0001.dcm');
        execFileSync('mkfifo', [fifo]);
        await services.roots.add(folder);
        for (const file of [fifo, path.join(folder, 'sub')])
          await assert.rejects(
            withinTime(call('examples.add', { scope: folder, path: file }), 5000, fifo),
            /BAD_REQUEST: Only a scan file can be an example/,
          );
      },
    );
  });
});
