// `npm run package [-- <electron-builder args>] [-- --test-build]`
// Builds installers with electron-builder (build/electron-builder.json). electron-builder
// downloads the Electron runtime (and, for installers, fpm/AppImage/NSIS tools) from
// GitHub; behind a firewall that fails, so this script checks first and says what to do.
// --test-build keeps the Node inspect fuse on, which Playwright's _electron needs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const testBuild = args.includes('--test-build');
const builderArgs = args.filter((a) => a !== '--test-build');
const electronVersion = JSON.parse(
  readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
).version;
const platform = process.platform;
const arch = process.arch;

function electronCacheDir() {
  if (process.env.ELECTRON_CACHE) return process.env.ELECTRON_CACHE;
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'electron');
  if (platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? os.homedir(), 'electron', 'Cache');
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'electron');
}

const config = JSON.parse(readFileSync(path.join(root, 'build', 'electron-builder.json'), 'utf8'));
const zipName = `electron-v${electronVersion}-${platform}-${arch}.zip`;
const cachedZip = path.join(electronCacheDir(), zipName);
const localDist =
  process.env.ELECTRON_DIST ??
  (existsSync(path.join(root, 'node_modules', 'electron', 'dist'))
    ? path.join(root, 'node_modules', 'electron', 'dist')
    : null);

if (localDist) {
  config.electronDist = localDist;
  config.electronVersion = electronVersion;
} else if (!existsSync(cachedZip)) {
  console.error(`radsift package: the Electron ${electronVersion} runtime for ${platform}-${arch} is not on this machine.
electron-builder would download ${zipName} from GitHub, which this machine cannot reach.
Do one of:
  • run \`npm run package\` on a machine with internet access (installers also download fpm, AppImage and NSIS tools);
  • put ${zipName} into ${electronCacheDir()};
  • set ELECTRON_DIST=/path/to/unpacked/electron and build a folder only: npm run package -- --dir`);
  process.exit(1);
}
if (testBuild) config.electronFuses = { ...config.electronFuses, enableNodeCliInspectArguments: true };

const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const generated = path.join(root, 'dist', 'electron-builder.generated.json');
mkdirSync(path.dirname(generated), { recursive: true });
writeFileSync(generated, JSON.stringify(config, null, 2));
const r = spawnSync(
  path.join(root, 'node_modules', '.bin', 'electron-builder'),
  ['--config', generated, ...builderArgs],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (r.status !== 0) {
  console.error(
    '\nradsift package: electron-builder failed. If the log shows a download error, see the options above (README: Packaging).',
  );
}
process.exit(r.status ?? 1);
