/**
 * onnxruntime-node sessions with an honest provider choice: providers are tried
 * one at a time in preference order, so the one that loaded is known and every
 * fallback carries its reason.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelError } from './errors.js';
import { disableOrtTelemetry } from './ort-environment.js';
import { defaultThreads, type ProviderAttempt, type ProviderName, type ProviderReport } from './providers.js';

// Before any session exists (a no-op in a worker, where the Encoder has already set it).
disableOrtTelemetry();

export interface SessionOptions {
  providers: ProviderName[];
  threads?: { intraOp: number; interOp: number };
}

function available(): Set<string> {
  try {
    return new Set(ort.listSupportedBackends().map((b) => b.name));
  } catch {
    return new Set(['cpu']);
  }
}

/**
 * onnxruntime-node downloads the CUDA provider libraries only on request (README: GPUs).
 * Without them a CUDA attempt cannot succeed; say so instead of letting onnxruntime log a
 * library-loading error.
 */
function missingProviderLibrary(provider: ProviderName): string | null {
  if (provider !== 'cuda') return null;
  const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  const lib = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');
  return existsSync(lib) ? null : 'CUDA provider libraries are not installed (see README: GPUs)';
}

function explain(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 300);
}

export async function createSession(
  file: string,
  options: SessionOptions,
): Promise<{ session: ort.InferenceSession; report: ProviderReport }> {
  const threads = options.threads ?? defaultThreads();
  const backends = available();
  const attempts: ProviderAttempt[] = [];
  let lastError: unknown;
  for (const provider of options.providers) {
    if (!backends.has(provider)) {
      attempts.push({ provider, ok: false, reason: 'not available in this onnxruntime build (see README: GPUs)' });
      continue;
    }
    const missing = missingProviderLibrary(provider);
    if (missing) {
      attempts.push({ provider, ok: false, reason: missing });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(file, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: threads.intraOp,
        interOpNumThreads: threads.interOp,
        executionMode: 'sequential',
        // A provider that fails to load is reported by us with its reason; keep onnxruntime's own
        // error log for the last resort only.
        logSeverityLevel: provider === options.providers.at(-1) ? 2 : 4,
      });
      attempts.push({ provider, ok: true });
      return { session, report: { active: provider, attempts, fellBack: attempts.some((a) => !a.ok) } };
    } catch (error) {
      lastError = error;
      attempts.push({ provider, ok: false, reason: explain(error) });
    }
  }
  const why = explain(lastError);
  if (/opset|ir version|onnx domain/i.test(why)) {
    throw new ModelError('UNSUPPORTED_OPSET', `${file}: this onnxruntime cannot run the model (${why})`, {
      cause: lastError,
    });
  }
  if (/protobuf|parse|load model|invalid/i.test(why)) {
    throw new ModelError('BAD_MODEL', `${file} is not a valid ONNX model (${why})`, { cause: lastError });
  }
  throw new ModelError(
    'SESSION_FAILED',
    `no execution provider could run ${file}: ${attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ')}`,
    { cause: lastError },
  );
}

/** Checks that a session has the inputs and outputs the model description names. */
export function checkSessionNames(
  session: ort.InferenceSession,
  what: string,
  inputs: string[],
  outputs: string[],
): void {
  const missingIn = inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    throw new ModelError(
      'BAD_MODEL',
      `${what}: expected inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}], ` +
        `the ONNX file has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    );
  }
}
