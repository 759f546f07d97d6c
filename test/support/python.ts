/** Debian's Python (with numpy, PIL, torch) as an independent reference implementation. */
import { execFileSync } from 'node:child_process';

export const DEBIAN_PYTHON = process.env.RADSIFT_PYTHON ?? '/usr/bin/python3';

/** Null when the modules are importable, else the reason (for t.skip). */
export function pythonMissing(modules: string[]): string | null {
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return null;
  } catch {
    return `${DEBIAN_PYTHON} lacks ${modules.join(', ')} (run scripts/setup-debian.sh)`;
  }
}

export function runPython(script: string, args: string[] = []): string {
  return execFileSync(DEBIAN_PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/**
 * The environment for a PyTorch reference the benchmarks compare against, at its best: glibc asked for transparent
 * huge pages, as models/train/train.py asks for itself. Without it, where the kernel gives them only on request
 * (transparent_hugepage=madvise), every freed block over 32 MiB goes back to the kernel and faults in again 4 KiB at a
 * time: bench_torch.py's image tower ran at 7.7 instead of 42.9 images/s at batch 32 here.
 */
export function torchReferenceEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (tunables.includes('malloc.hugetlb')) return env;
  return { ...env, GLIBC_TUNABLES: [tunables, 'glibc.malloc.hugetlb=1'].filter(Boolean).join(':') };
}
