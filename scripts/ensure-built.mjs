// Builds the main-process code when the sources are newer than dist/ (for `npm run radsift`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'dist', 'electron', 'cli', 'radsift.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(full));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(full).mtimeMs);
  }
  return t;
}

const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
if (newest(path.join(root, 'electron')) > built) {
  process.stderr.write('radsift: building…\n');
  try {
    // tsc writes its errors on stdout: shown on stderr, so that radsift's own stdout stays results only.
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], {
      stdio: ['ignore', 2, 'inherit'],
    });
  } catch {
    process.stderr.write('radsift: the build failed (the compiler says why above)\n');
    process.exit(1);
  }
  // tsc leaves unchanged outputs alone: mark the build as fresh.
  if (existsSync(marker)) utimesSync(marker, new Date(), new Date());
}
