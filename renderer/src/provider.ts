/**
 * The execution provider, worded for the status bar, About and the Models view. The main process sends it as data
 * (contract ExecutionProvider: the provider in use, and each one that did not load with onnxruntime's or RadSift's
 * reason), so nothing here takes a sentence apart. The reasons carry brackets of their own ("CUDA provider libraries
 * are not installed (see README: GPUs)"): the status bar gets a short form that never nests them, About each
 * reason in full.
 */
import type { AppInfo } from './api';

export type ExecutionProvider = NonNullable<AppInfo['executionProvider']>;
type ProviderName = ExecutionProvider['active'];

// As the main process labels them (inference/provider-names.ts); typed by the contract's names, so a provider added
// there and not here fails to compile.
const PROVIDER_LABELS: Record<ProviderName, string> = {
  cuda: 'CUDA (NVIDIA GPU)',
  dml: 'DirectML (GPU)',
  coreml: 'Core ML (Apple)',
  webgpu: 'WebGPU (experimental)',
  cpu: 'CPU',
};
const PROVIDER_NAMES: Record<ProviderName, string> = {
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};

/** The provider a model runs on, as a reader names it: "CPU", "CUDA (NVIDIA GPU)". */
export const activeLabel = (p: ExecutionProvider): string => PROVIDER_LABELS[p.active];

/** Each provider that did not load, by name, with its reason word for word: what About lists. */
export const fallbackReasons = (p: ExecutionProvider): { provider: string; reason: string }[] =>
  p.fallbacks.map((f) => ({ provider: PROVIDER_NAMES[f.name], reason: f.reason }));

/** Why a provider did not load, in a few words for the status bar. */
function shortReason({ provider, reason }: { provider: string; reason: string }): string {
  if (/not installed/i.test(reason)) return `${provider} not installed — see GPUs in the README`;
  if (/not available in this onnxruntime build/i.test(reason))
    return `${provider} not in this onnxruntime build — see GPUs in the README`;
  return `${provider} did not load — reason in About`;
}

/** "CPU (CUDA not installed — see GPUs in the README)": one level of brackets at most. */
export function shortProvider(p: ExecutionProvider): string {
  const active = activeLabel(p);
  if (!p.fallbacks.length) return active;
  const why = fallbackReasons(p).map(shortReason).join('; ');
  return active.includes('(') ? `${active} · ${why}` : `${active} (${why})`;
}

/** Everything in one line, for a tooltip: "CPU — CUDA did not load: <reason>; …" (the CLI's wording). */
export function fullProvider(p: ExecutionProvider): string {
  const why = fallbackReasons(p).map((f) => `${f.provider} did not load: ${f.reason}`);
  return why.length ? `${activeLabel(p)} — ${why.join('; ')}` : activeLabel(p);
}
