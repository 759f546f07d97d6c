/**
 * Execution providers: which onnxruntime backend runs a model. Each platform
 * has a preference list (GPU first, CPU last); the user may override it. The
 * session factory tries them one at a time so that the provider that actually
 * loaded is known and every fallback is reported with its reason.
 */
import os from 'node:os';
import { PROVIDER_LABELS, PROVIDER_NAMES, PROVIDERS, type ProviderName } from './provider-names.js';

export { PROVIDER_LABELS, PROVIDER_NAMES, PROVIDERS, type ProviderName };

/** The default order per platform: GPU where onnxruntime-node ships one, then CPU. */
export function defaultPreference(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): ProviderName[] {
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return ['cpu'];
}

/**
 * Parses a user override such as "cpu" or "webgpu,cpu" (setting or RADSIFT_EP).
 * CPU is always appended as the last resort unless the user listed only GPUs
 * and asked for no fallback ("cuda!").
 */
export function parsePreference(
  text: string | undefined,
  fallback: ProviderName[] = defaultPreference(),
): ProviderName[] {
  if (!text || !text.trim()) return fallback;
  // Trimmed before the "!" is looked for: "cuda! " (a shell variable's stray space) is "cuda!".
  const trimmed = text.trim();
  const strict = trimmed.endsWith('!');
  const names = trimmed
    .slice(0, strict ? -1 : undefined)
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  // "!" or "," names nothing: refused here, not left to fail later with no provider to report.
  if (names.length === 0)
    throw new RangeError(`no execution provider named in "${text}" (known: ${PROVIDERS.join(', ')})`);
  const unknown = names.filter((n) => !(PROVIDERS as readonly string[]).includes(n));
  if (unknown.length)
    throw new RangeError(`unknown execution provider(s): ${unknown.join(', ')} (known: ${PROVIDERS.join(', ')})`);
  const list = [...new Set(names as ProviderName[])];
  if (!strict && !list.includes('cpu')) list.push('cpu');
  return list;
}

/** Threads for one session: all cores but one for the UI/decoders, at least 1, at most 16. */
export function defaultThreads(cores: number = os.availableParallelism()): { intraOp: number; interOp: number } {
  return { intraOp: Math.max(1, Math.min(16, cores > 2 ? cores - 1 : cores)), interOp: 1 };
}

export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  reason?: string;
}

/** What the UI and `radsift models` show: the provider in use, and why others were passed over. */
export interface ProviderReport {
  active: ProviderName;
  attempts: ProviderAttempt[];
  /** True when a provider earlier in the preference list failed. */
  fellBack: boolean;
}

/**
 * The provider in use and each one passed over with its reason, as data: what app.info and models.list send and
 * `radsift models --json` prints, so that no reader has to take a sentence apart (a reason has brackets of its own).
 */
export interface ProviderStatus {
  active: ProviderName;
  /** The providers tried before it that did not load, in the order tried. */
  fallbacks: { name: ProviderName; reason: string }[];
}

export function providerStatus(report: ProviderReport): ProviderStatus {
  return {
    active: report.active,
    fallbacks: report.attempts.filter((a) => !a.ok).map((a) => ({ name: a.provider, reason: a.reason ?? 'failed' })),
  };
}

/**
 * One line for the CLI: "CPU — CUDA did not load: CUDA provider libraries are not installed (see README: GPUs)",
 * each provider passed over after a "; ". No reason is put in brackets of ours: its own brackets never nest.
 */
export function describeReport(report: ProviderReport): string {
  const { active, fallbacks } = providerStatus(report);
  const why = fallbacks.map((f) => `${PROVIDER_NAMES[f.name]} did not load: ${f.reason}`);
  return why.length ? `${PROVIDER_LABELS[active]} — ${why.join('; ')}` : PROVIDER_LABELS[active];
}
