// `npm test`: build, static checks, then every test layer; one summary at the end.
// Layers: unit (node:test under Node), e2e (Playwright + Debian's Chromium over the
// loopback bridge), electron (Playwright _electron; skipped with its reason when no
// Electron binary exists), train (the training recipe's smoke run).
// RADSIFT_TEST_LAYERS=unit,e2e limits the layers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
mkdirSync(results, { recursive: true });
const layers = (process.env.RADSIFT_TEST_LAYERS ?? 'static,unit,python,e2e,electron,train').split(',');
const npmBin = (name) => path.join(root, 'node_modules', '.bin', name);
// Temporary folders the tests make are named radsift-*; any still there at the end were left behind.
const tmpNames = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('radsift-')));
const tmpBefore = tmpNames();

function run(title, cmd, args, env = {}) {
  process.stdout.write(`\n━━ ${title}\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`━━ ${title}: ${r.status === 0 ? 'ok' : `exit ${r.status ?? r.signal}`} (${secs} s)\n`);
  return r.status === 0;
}

const summary = [];
let failedSteps = 0;
const tally = { passed: 0, failed: 0, skipped: 0 };
function record(layer, counts, notes = []) {
  tally.passed += counts.passed;
  tally.failed += counts.failed;
  tally.skipped += counts.skipped;
  summary.push(`${layer}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const n of notes) summary.push(`  skipped: ${n}`);
}

if (!run('build', 'npm', ['run', '--silent', 'build'])) {
  console.error('\nbuild failed: no tests ran');
  process.exit(1);
}

if (layers.includes('static')) {
  const steps = [
    ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
    ['lint', 'npm', ['run', '--silent', 'lint']],
  ];
  for (const [t, c, a] of steps) if (!run(t, c, a)) failedSteps++;
}

if (layers.includes('unit')) {
  const tap = path.join(results, 'unit.tap');
  const ok = run('unit (node:test)', process.execPath, [
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    'dist/test/unit/',
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  record('unit', {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
  });
  if (!ok && count('fail') + count('cancelled') === 0) failedSteps++;
}

if (layers.includes('python')) {
  // Python tests of the model export tools and the training recipe's pieces, with Debian's interpreter
  // (torch, onnx, numpy, jsonschema). The recipe's smoke run (train layer) runs its unit tests too, but as
  // one pass/fail; here each test counts. The exporters import the recipe's package (radsift_train, whose
  // manifest module they share), which models/train/README.md has them find through PYTHONPATH.
  const python = process.env.RADSIFT_PYTHON ?? '/usr/bin/python3';
  const pythonPath = [path.join(root, 'models', 'train'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const dir of ['models/export', 'models/train']) {
    process.stdout.write(`\n━━ python (unittest: ${dir})\n`);
    const r = spawnSync(python, ['-m', 'unittest', 'discover', '-s', dir, '-p', 'test_*.py', '-v'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: pythonPath },
    });
    process.stdout.write(r.stdout ?? '');
    process.stdout.write(r.stderr ?? '');
    const text = `${r.stdout}${r.stderr}`;
    const ran = Number(/^Ran (\d+) tests?/m.exec(text)?.[1] ?? 0);
    const failed = Number(/failures=(\d+)/.exec(text)?.[1] ?? 0) + Number(/errors=(\d+)/.exec(text)?.[1] ?? 0);
    const skipped = Number(/skipped=(\d+)/.exec(text)?.[1] ?? 0);
    total.passed += ran - failed - skipped;
    total.failed += failed;
    total.skipped += skipped;
    if (r.status !== 0 && failed === 0) failedSteps++;
  }
  record('python', total);
}

function playwright(layer, config) {
  const report = path.join(results, `${layer}.json`);
  const ok = run(`${layer} (Playwright)`, npmBin('playwright'), ['test', '--config', config]);
  if (!existsSync(report)) {
    failedSteps++;
    return;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const notes = new Set();
  const walk = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        for (const a of t.annotations ?? []) if (a.type === 'skip' && a.description) notes.add(a.description);
    for (const s of suite.suites ?? []) walk(s);
  };
  for (const s of json.suites ?? []) walk(s);
  const st = json.stats ?? {};
  record(
    layer,
    { passed: (st.expected ?? 0) + (st.flaky ?? 0), failed: st.unexpected ?? 0, skipped: st.skipped ?? 0 },
    [...notes],
  );
  if (!ok && !(st.unexpected > 0)) failedSteps++;
}

if (layers.includes('e2e')) playwright('e2e', 'test/e2e/playwright.config.ts');
if (layers.includes('electron')) playwright('electron', 'test/electron/playwright.config.ts');

if (layers.includes('train') && existsSync(path.join(root, 'models', 'train', 'smoke.sh'))) {
  const ok = run('train (recipe smoke run)', 'bash', [path.join(root, 'models', 'train', 'smoke.sh')]);
  record('train', { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
}

console.log('\n━━ summary');
for (const line of summary) console.log(line);
if (failedSteps)
  console.log(`${failedSteps} step(s) failed outside the test counts (build, typecheck, lint or a runner crash)`);
const leftBehind = [...tmpNames()].filter((n) => !tmpBefore.has(n));
if (leftBehind.length)
  console.log(`left in ${tmpdir()} (another run at the same time may have made some): ${leftBehind.join(', ')}`);
console.log(`${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
process.exit(tally.failed > 0 || failedSteps > 0 ? 1 : 0);
