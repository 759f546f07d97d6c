import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ExecutionProvider } from '../../../electron/api/contract.js';
import { Encoder } from '../../../electron/inference/encoder.js';
import { ModelError } from '../../../electron/inference/errors.js';
import {
  defaultPreference,
  defaultThreads,
  describeReport,
  parsePreference,
  providerStatus,
  type ProviderReport,
} from '../../../electron/inference/providers.js';
import { createSession } from '../../../electron/inference/session.js';
import { TextEmbeddingCache } from '../../../electron/inference/text-cache.js';
import { layoutFixtures } from '../../support/model-fixtures.js';

describe('execution providers', () => {
  it('prefers the platform GPU, then CPU', () => {
    assert.deepEqual(defaultPreference('linux', 'x64'), ['cuda', 'cpu']);
    assert.deepEqual(defaultPreference('linux', 'arm64'), ['cpu']);
    assert.deepEqual(defaultPreference('win32', 'x64'), ['dml', 'cpu']);
    assert.deepEqual(defaultPreference('darwin', 'arm64'), ['coreml', 'cpu']);
  });

  it('parses user overrides, keeping CPU as the last resort unless told not to', () => {
    assert.deepEqual(parsePreference('webgpu'), ['webgpu', 'cpu']);
    assert.deepEqual(parsePreference(' CPU '), ['cpu']);
    assert.deepEqual(parsePreference('cuda!'), ['cuda']);
    assert.deepEqual(parsePreference('', ['cpu']), ['cpu']);
    assert.throws(() => parsePreference('tpu'), /unknown execution provider/);
    // A stray space after the "!" (RADSIFT_EP="cuda! "), and lists that name nothing.
    assert.deepEqual(parsePreference('cuda! '), ['cuda']);
    assert.deepEqual(parsePreference(' cuda , dml ! '), ['cuda', 'dml']);
    for (const text of ['!', ',', ' , ! '])
      assert.throws(() => parsePreference(text), /no execution provider named in/, JSON.stringify(text));
  });

  it('leaves a core for the app when it can', () => {
    assert.deepEqual(defaultThreads(2), { intraOp: 2, interOp: 1 });
    assert.deepEqual(defaultThreads(8), { intraOp: 7, interOp: 1 });
    assert.deepEqual(defaultThreads(64), { intraOp: 16, interOp: 1 });
  });

  it('gives the provider and its fall-backs as data, and a CLI line that nests no brackets', () => {
    const cuda = 'CUDA provider libraries are not installed (see README: GPUs)';
    const report: ProviderReport = {
      active: 'cpu',
      attempts: [
        { provider: 'cuda', ok: false, reason: cuda },
        // A reason with "; " and a provider's name in brackets: where a sentence taken apart would split it.
        { provider: 'webgpu', ok: false, reason: 'No supported adapters; cuda (again) failed' },
        { provider: 'cpu', ok: true },
      ],
      fellBack: true,
    };
    const status = providerStatus(report);
    assert.deepEqual(status, {
      active: 'cpu',
      fallbacks: [
        { name: 'cuda', reason: cuda },
        { name: 'webgpu', reason: 'No supported adapters; cuda (again) failed' },
      ],
    });
    // What app.info, models.list and models.activate send: the contract takes it, and no longer a sentence.
    assert.deepEqual(ExecutionProvider.parse(status), status);
    assert.equal(ExecutionProvider.safeParse(describeReport(report)).success, false);
    assert.equal(
      describeReport(report),
      `CPU — CUDA did not load: ${cuda}; WebGPU did not load: No supported adapters; cuda (again) failed`,
    );
    let depth = 0;
    for (const c of describeReport(report)) {
      depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      assert.ok(depth <= 1, describeReport(report));
    }
    const plain: ProviderReport = { active: 'cuda', attempts: [{ provider: 'cuda', ok: true }], fellBack: false };
    assert.deepEqual(providerStatus(plain), { active: 'cuda', fallbacks: [] });
    assert.equal(describeReport(plain), 'CUDA (NVIDIA GPU)');
  });

  it('announces a fallback with the reason instead of falling back silently', async (t) => {
    const fx = layoutFixtures();
    if ('skip' in fx) return t.skip(fx.skip);
    // CUDA's provider libraries are not installed here (and there is no GPU): the report must say so.
    const { session, report } = await createSession(path.join(fx.dir, 'hf-clip-bpe', 'onnx', 'text_model.onnx'), {
      providers: ['cuda', 'cpu'],
    });
    await session.release();
    assert.equal(report.active, 'cpu');
    assert.equal(report.fellBack, true);
    assert.equal(report.attempts[0]!.provider, 'cuda');
    assert.equal(report.attempts[0]!.ok, false);
    assert.ok(report.attempts[0]!.reason);
    assert.deepEqual(providerStatus(report), {
      active: 'cpu',
      fallbacks: [{ name: 'cuda', reason: report.attempts[0]!.reason }],
    });
    assert.match(describeReport(report), /^CPU — CUDA did not load: /);
    await assert.rejects(
      createSession(path.join(fx.dir, 'hf-clip-bpe', 'onnx', 'text_model.onnx'), { providers: ['cuda'] }),
      ModelError,
    );
  });
});

describe('the encoder worker keeps the main thread free', () => {
  // What the event-loop delay figure shows (npm run bench:event-loop), asserted without a wall-clock
  // threshold that a loaded machine breaks: the main loop is idle (waiting for messages) for most of an
  // encode, because preprocessing and inference run in the worker. Run on the main thread, the same work
  // keeps the loop busy: utilization near 1, however slow or fast the machine.
  it('encodes on another thread: the main event loop stays mostly idle while encoding', async (t) => {
    const fx = layoutFixtures();
    if ('skip' in fx) return t.skip(fx.skip);
    const encoder = new Encoder();
    try {
      const loaded = await encoder.load(path.join(fx.dir, 'hf-clip-bpe'), { providers: ['cpu'] });
      assert.equal(loaded.provider.active, 'cpu');
      // Radiograph-sized inputs: preprocessing (1536² → 64²) and inference both run in the worker. Made
      // before measuring: allocating 7 MB images is this thread's own work, which must not be counted.
      const batches = Array.from({ length: 4 }, () =>
        Array.from({ length: 2 }, () => ({
          width: 1536,
          height: 1536,
          channels: 3 as const,
          data: new Uint8Array(1536 * 1536 * 3).fill(90),
        })),
      );
      const before = performance.eventLoopUtilization();
      for (const images of batches) {
        const out = await encoder.encodeImages(images);
        assert.equal(out.count, 2);
      }
      const { utilization } = performance.eventLoopUtilization(before);
      assert.ok(utilization < 0.5, `main event loop busy ${(utilization * 100).toFixed(0)} % of the encode`);
    } finally {
      await encoder.close();
    }
  });

  it('reports a model that cannot load as a typed error and stays usable', async (t) => {
    const fx = layoutFixtures();
    if ('skip' in fx) return t.skip(fx.skip);
    const encoder = new Encoder();
    try {
      await assert.rejects(
        encoder.load('/nonexistent/model'),
        (e: unknown) => e instanceof ModelError && e.code === 'NOT_A_MODEL',
      );
      const loaded = await encoder.load(path.join(fx.dir, 'openclip-bpe'), { providers: ['cpu'] });
      assert.equal(loaded.model.layout, 'openclip');
      const text = await encoder.encodeTexts(['pleural effusion', 'no pleural effusion']);
      assert.equal(text.count, 2);
    } finally {
      await encoder.close();
    }
  });
});

describe('phrase embedding cache', () => {
  it('embeds each text once per model and keeps order', async () => {
    const cache = new TextEmbeddingCache(3);
    const calls: string[][] = [];
    const encode = async (texts: string[]) => {
      calls.push(texts);
      return { data: Float32Array.from(texts.flatMap((t) => [t.length, 1])), dim: 2 };
    };
    const a = await cache.get('m1', ['ab', 'abc', 'ab'], encode);
    assert.deepEqual(
      a.map((v) => v[0]),
      [2, 3, 2],
    );
    await cache.get('m1', ['abc'], encode);
    await cache.get('m2', ['abc'], encode);
    assert.deepEqual(calls, [['ab', 'abc'], ['abc']]);
    await cache.get('m1', ['x', 'y'], encode); // evicts the least recently used
    assert.equal(cache.size, 3);
  });
});
