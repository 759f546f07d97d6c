/**
 * The execution-provider line of app.info, reworded for the status bar and About.
 *
 * The main process sends one string (electron/inference/providers.ts `describeReport`):
 * the active provider's label, and, when an earlier provider failed,
 * ` — fell back: <name> (<reason>); <name> (<reason>)`. The reasons carry brackets of their
 * own ("CUDA provider libraries are not installed (see README: GPUs)"), so the status bar
 * gets a short form without nesting and About lists each reason in full.
 */

const NAMES: Record<string, string> = {
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};

export interface ProviderFallback {
  /** Display name of the provider that did not load, e.g. "CUDA". */
  provider: string;
  /** onnxruntime's or RadSift's reason, as the main process wrote it. */
  reason: string;
}

export interface ProviderReport {
  /** The provider the model runs on, as labelled by the main process, e.g. "CPU". */
  active: string;
  fallbacks: ProviderFallback[];
}

const FELL_BACK = ' — fell back: ';

export function parseProvider(text: string): ProviderReport {
  const at = text.indexOf(FELL_BACK);
  if (at < 0) return { active: text, fallbacks: [] };
  const active = text.slice(0, at);
  const rest = text.slice(at + FELL_BACK.length);
  // "<name> (<reason>)" items joined by "; ": split only where a known provider name starts an item.
  const names = Object.keys(NAMES).join('|');
  const items = rest.split(new RegExp(`; (?=(?:${names}) \\()`));
  const fallbacks = items.map((item) => {
    const m = new RegExp(`^(${names}) \\((.*)\\)$`, 's').exec(item);
    return m ? { provider: NAMES[m[1]!]!, reason: m[2]! } : { provider: item, reason: '' };
  });
  return { active, fallbacks };
}

/** Why a provider did not load, in a few words for the status bar. */
function shortReason({ provider, reason }: ProviderFallback): string {
  if (/not installed/i.test(reason)) return `${provider} not installed — see GPUs in the README`;
  if (/not available in this onnxruntime build/i.test(reason))
    return `${provider} not in this onnxruntime build — see GPUs in the README`;
  return `${provider} did not load — reason in About`;
}

/** "CPU (CUDA not installed — see GPUs in the README)": one level of brackets at most. */
export function shortProvider(text: string): string {
  const { active, fallbacks } = parseProvider(text);
  if (!fallbacks.length) return active;
  const why = fallbacks.map(shortReason).join('; ');
  return active.includes('(') ? `${active} · ${why}` : `${active} (${why})`;
}
