/**
 * Inputs of every size never crash a process (`npm run fuzz` runs this after the DICOM campaign).
 *   node dist/test/bench/fuzz-inputs.js [--max-bytes 1048576] [--seed 1]
 * - Command lines: each model command started with arguments from 1 B to 1 MB in all (phrases, texts
 *   and paths of random characters; one argument is at most 128 KB, Linux's limit per argument, so
 *   larger totals are split over several). Each run must end with one of radsift's exit codes
 *   (0 ok, 1 usage, 2 partial, 3 fatal), never a signal.
 * - API payloads: every method of the API contract called through dispatch() with payloads of 1 B to
 *   1 MB (long strings, long arrays, deep nesting, wrong types): each must answer an envelope.
 * Prints a JSON report; exits 1 when anything crashed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { methods } from '../../electron/api/contract.js';
import { createServices } from '../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../electron/api/dispatch.js';
import { writeDemo } from '../../electron/phantom/export.js';
import { bundledModelRoots } from '../../electron/app/paths.js';
import { seededRandom } from '../../electron/scoring/metrics.js';
import { PROJECT_ROOT } from '../support/paths.js';

const { values } = parseArgs({
  options: { 'max-bytes': { type: 'string', default: String(1 << 20) }, seed: { type: 'string', default: '1' } },
});
const MAX = Number(values['max-bytes']);
const MAX_ARG = 128 * 1024 - 1; // MAX_ARG_STRLEN on Linux, with its terminating NUL
const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
const rnd = seededRandom(Number(values.seed));
const work = mkdtempSync(path.join(tmpdir(), 'radsift-fuzz-inputs-'));
const folder = path.join(work, 'scans');
writeDemo({ dir: folder, count: 3, seed: 5, size: 256 });

/** 1, 4, 16, … bytes up to MAX, and MAX itself. */
const sizes: number[] = [];
for (let n = 1; n < MAX; n *= 4) sizes.push(n);
sizes.push(MAX);

/** Random text: ASCII words, punctuation, commas (list options), non-Latin letters and emoji. */
function junk(bytes: number): string {
  const pieces = ['effusion', ' ', ',', 'no ', '"', '\\', '%s', '--', '肺', 'é', '🫁', 'a'.repeat(40), '\t', '..'];
  const parts: string[] = [];
  for (let size = 0; size < bytes;) {
    const piece = pieces[Math.floor(rnd() * pieces.length)]!;
    parts.push(piece);
    size += Buffer.byteLength(piece);
  }
  const s = parts.join('');
  return Buffer.from(s)
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD/g, 'x')
    .replace(/\0/g, ' ');
}

/** `total` bytes of junk as arguments of at most MAX_ARG bytes each, each preceded by `flag` if given. */
function spread(total: number, flag?: string): string[] {
  const out: string[] = [];
  for (let left = total; left > 0; left -= MAX_ARG) {
    if (flag) out.push(flag);
    out.push(junk(Math.min(left, MAX_ARG)));
  }
  return out;
}

const argvCases: { name: string; args: (n: number) => string[] }[] = [
  { name: 'embed --text', args: (n) => ['embed', ...spread(n, '--text'), '--out', path.join(work, 't.npy')] },
  { name: 'query <folder> <phrase>', args: (n) => ['query', folder, junk(Math.min(n, MAX_ARG)), '--json'] },
  {
    name: 'matrix --phrases',
    args: (n) => ['matrix', folder, '--phrases', junk(Math.min(n, MAX_ARG)), '--out', path.join(work, 'm.csv')],
  },
  { name: 'embed <paths>', args: (n) => ['embed', folder, ...spread(n), '--out', path.join(work, 'e.npy')] },
  {
    name: 'screen <paths>',
    args: (n) => ['screen', ...spread(n), '--phrases', 'nodule', '--out', path.join(work, 's.csv')],
  },
  { name: 'eval --labels', args: (n) => ['eval', folder, '--labels', junk(Math.min(n, MAX_ARG))] },
  { name: 'info', args: (n) => ['info', ...spread(n)] },
];

const report = {
  argv: { runs: 0, exitCodes: {} as Record<string, number>, crashes: [] as string[] },
  api: { calls: 0, ok: 0, errors: {} as Record<string, number>, crashes: [] as string[] },
};

for (const c of argvCases)
  for (const n of sizes) {
    const r = spawnSync(process.execPath, [CLI, ...c.args(n)], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') },
      maxBuffer: 256 << 20,
      timeout: 300_000,
    });
    report.argv.runs++;
    const code = r.error ? `spawn ${(r.error as NodeJS.ErrnoException).code}` : String(r.status);
    report.argv.exitCodes[code] = (report.argv.exitCodes[code] ?? 0) + 1;
    if (r.signal || r.error || ![0, 1, 2, 3].includes(r.status ?? -1))
      report.argv.crashes.push(`${c.name} with ${n} B: ${r.signal ?? code} ${(r.stderr ?? '').slice(-300)}`);
    process.stderr.write(`argv ${c.name} ${n} B → ${r.signal ?? code}\n`);
  }

// The API with the bundled model, as the app builds it (no dialog: it cancels; nothing is shown).
const services = await createServices({
  dataDir: path.join(work, 'data'),
  modelRoots: bundledModelRoots(),
  decodeWorkers: 1,
});
await services.roots.add(folder);
const handlers = services.handlers;
const ctx: HandlerContext = { emit: () => undefined };

function deep(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}
const payloads: { name: string; make: (n: number) => unknown }[] = [
  {
    name: 'long string in every usual field',
    make: (n) => {
      const s = junk(n);
      return { paths: [s], path: s, phrase: s, phrases: [s], id: s, dir: s, phrases2: s, text: s };
    },
  },
  {
    name: 'long phrase list',
    make: (n) => ({ phrases: Array.from({ length: Math.max(1, n >> 4) }, () => 'effusion') }),
  },
  {
    name: 'long path list',
    make: (n) => ({ paths: Array.from({ length: Math.max(1, n >> 6) }, (_, i) => `${folder}/${i}`) }),
  },
  { name: 'deep nesting', make: (n) => deep(Math.min(n, 100_000)) },
  { name: 'bare string', make: (n) => junk(n) },
  { name: 'numbers', make: (n) => ({ top: n, frame: -n, threshold: n, weight: Number.MAX_VALUE }) },
];
for (const method of [...Object.keys(methods), 'no.such.method'])
  for (const p of payloads)
    for (const n of sizes) {
      report.api.calls++;
      try {
        const out = await dispatch(handlers, method, p.make(n), ctx);
        if (out.ok) report.api.ok++;
        else report.api.errors[out.error.code] = (report.api.errors[out.error.code] ?? 0) + 1;
      } catch (error) {
        report.api.crashes.push(`${method} ${p.name} ${n}: ${(error as Error).message}`);
      }
    }
await services.close();
rmSync(work, { recursive: true, force: true });

process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exitCode = report.argv.crashes.length || report.api.crashes.length ? 1 : 0;
