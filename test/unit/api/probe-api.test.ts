/**
 * The Query view's linear probe with the default model: it reads what example sets compare (each scan's
 * embedding and pooled patch embedding, centred on the opened scans; docs/few-shot.md), says so, and ranks the
 * scans nobody labelled by the finding it was shown.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../../electron/api/dispatch.js';
import type { Response } from '../../../electron/api/contract.js';
import {
  descriptorMatrix,
  exampleSpace,
  MIN_CENTRING_SCANS,
  PLAIN_SPACE,
} from '../../../electron/scoring/example-profile.js';
import { pick } from '../../../electron/scoring/evaluation.js';
import { applyProbe, trainProbe } from '../../../electron/scoring/linear-probe.js';
import type { Matrix } from '../../../electron/scoring/vectors.js';
import { rocAuc } from '../../../electron/scoring/metrics.js';
import { labelledDemo } from '../../support/labelled-demo.js';
import { PROJECT_ROOT } from '../../support/paths.js';

type Probe = Response<'probe.train'>;

describe('linear probe in the app', () => {
  let work: string;
  let folder: string;
  let services: AppServices;
  const ctx: HandlerContext = { emit: () => undefined };
  const call = async <T>(method: Parameters<typeof dispatch>[1], req: unknown): Promise<T> => {
    const out = await dispatch(services.handlers, method, req, ctx);
    if (!out.ok) throw new Error(`${method}: ${out.error.code}: ${out.error.message}`);
    return out.value as T;
  };
  let effusion: Map<string, number>;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-probe-'));
    folder = path.join(work, 'scans');
    effusion = await labelledDemo(folder, { count: 30, seed: 63, finding: 'pleural_effusion', prevalence: 0.5 });
    services = await createServices({
      dataDir: path.join(work, 'data'),
      modelRoots: [path.join(PROJECT_ROOT, 'models')],
      decodeWorkers: 1,
    });
  });
  after(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  const labelled = () => {
    const pos = [...effusion].filter(([, y]) => y).map(([p]) => p);
    const neg = [...effusion].filter(([, y]) => !y).map(([p]) => p);
    assert.ok(pos.length >= 8 && neg.length >= 8, `${pos.length} effusions of ${effusion.size}`);
    return { positives: pos.slice(0, 4), negatives: neg.slice(0, 4) };
  };

  it('reads the embedding and the pooled patches, centred on the opened scans, and ranks the unlabelled ones', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const { positives, negatives } = labelled();
    const probe = await call<Probe>('probe.train', { positives, negatives });
    assert.deepEqual(probe.features, { patches: true, centredOn: effusion.size });
    assert.equal(probe.rows.length, effusion.size);
    assert.deepEqual([probe.positives, probe.negatives], [4, 4]);
    const shown = new Set([...positives, ...negatives]);
    const rest = probe.rows.filter((r) => !shown.has(r.path));
    const auc = rocAuc(
      rest.map((r) => r.score),
      rest.map((r) => effusion.get(r.path)!),
    );
    assert.ok(auc >= 0.8, `probe AUC on the ${rest.length} unlabelled scans: ${auc}`);
    // Not what a probe on the embedding alone gives, as it is or centred: the pooled patches count.
    const { rows } = await services.collection.ensureIndexed(() => undefined);
    const paths = [...rows.keys()];
    const scans = paths.map((p) => ({ embedding: rows.get(p)! }));
    const score = (all: Matrix) => {
      const at = new Map(paths.map((p, i) => [p, i]));
      const x = pick(
        [...positives, ...negatives].map((p) => at.get(p)!),
        all,
      );
      const s = applyProbe(trainProbe(x, [1, 1, 1, 1, 0, 0, 0, 0]), all);
      return new Map(paths.map((p, i) => [p, s[i]!]));
    };
    const differs = (other: Map<string, number>) =>
      probe.rows.some((r) => Math.abs(r.score - other.get(r.path)!) > 1e-3);
    assert.ok(differs(score(descriptorMatrix(scans, PLAIN_SPACE))), 'the same as the plain embedding');
    assert.ok(
      differs(score(descriptorMatrix(scans, exampleSpace(scans, scans[0]!.embedding.length).space))),
      'the same as centred alone',
    );
  });

  it('refuses labels of which fewer than 2 per class are among the opened, encoded scans', async () => {
    const [a, b, ...others] = [...effusion.keys()];
    await call('studies.openDropped', { paths: others });
    const negatives = labelled().negatives.filter((p) => p !== a && p !== b);
    await assert.rejects(
      call<Probe>('probe.train', { positives: [a!, b!], negatives }),
      /BAD_REQUEST: Only 0 of the 2 scans labelled positive are among the opened, encoded scans/,
    );
  });

  it('counts a scan named twice once, and refuses one labelled both ways', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const { positives, negatives } = labelled();
    await assert.rejects(
      call<Probe>('probe.train', { positives: [positives[0], positives[0]], negatives }),
      /BAD_REQUEST: Label at least 2 scans as positive/,
    );
    await assert.rejects(
      call<Probe>('probe.train', { positives, negatives: [...negatives, positives[1]] }),
      new RegExp(`BAD_REQUEST: ${path.basename(positives[1]!)} is labelled both positive and negative`),
    );
    const twice = await call<Probe>('probe.train', { positives: [...positives, ...positives], negatives });
    assert.deepEqual([twice.positives, twice.negatives], [4, 4]);
  });

  it('compares fewer scans than a mean needs as they are, and says so', async () => {
    const few = [...effusion.keys()].slice(0, MIN_CENTRING_SCANS - 1);
    await call('studies.openDropped', { paths: few });
    const pos = few.filter((p) => effusion.get(p));
    const neg = few.filter((p) => !effusion.get(p));
    const probe = await call<Probe>('probe.train', { positives: pos.slice(0, 2), negatives: neg.slice(0, 2) });
    assert.deepEqual(probe.features, { patches: true, centredOn: null });
    assert.equal(probe.rows.length, few.length);
  });
});
