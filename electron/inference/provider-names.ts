/**
 * The execution providers' names and labels, free of Node: the API contract validates a provider by these names
 * (the renderer keeps its own copy of the labels, typed by the contract's names).
 */
export const PROVIDERS = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** What a provider is, for the one a model runs on: "CUDA (NVIDIA GPU)". */
export const PROVIDER_LABELS: Record<ProviderName, string> = {
  cuda: 'CUDA (NVIDIA GPU)',
  dml: 'DirectML (GPU)',
  coreml: 'Core ML (Apple)',
  webgpu: 'WebGPU (experimental)',
  cpu: 'CPU',
};

/** A provider's name alone, for one that did not load: "CUDA not installed". */
export const PROVIDER_NAMES: Record<ProviderName, string> = {
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};
