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
