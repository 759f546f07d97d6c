/**
 * `npm run bench:pacs [-- --count N --size px --seed S --rounds R --dimse-rounds R]`
 * Reading from a PACS, against the tools a researcher would otherwise use, all measured in one run on
 * N generated phantoms (one study, one instance each; mixed stored transfer syntaxes) uploaded to a
 * real Orthanc (test/support/orthanc.ts: loopback, HTTP authentication on):
 *  - retrieval: RadSift's DicomWebClient (WADO-RS, per study and per instance) against curl pulling
 *    the same URLs with the same Accept header (one curl process, one kept-alive connection), and
 *    RadSift's DimseClient C-GET against dcmtk's getscu (one association per study on both sides).
 *    Every side ends with the instances on disk (RadSift as `radsift pacs retrieve` writes them; curl
 *    the multipart bodies; getscu its files). Instances/s and MB/s (of what arrived) per side, the
 *    median of --rounds passes run alternately, and RadSift/reference ratios (> 1: RadSift faster);
 *  - screening: `radsift screen <archive>` (fresh process, index and cache) against `radsift screen
 *    <folder>` on the same files from disk (fresh process and index): seconds, files/s, PACS/disk.
 * Prints one JSON object on stdout, progress on stderr. Parts whose tool is missing are "skipped".
 * Timings are figures, never assertions: the machine is shared.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDicom } from '../../electron/dicom/parse.js';
import type { PacsClient } from '../../electron/pacs/client.js';
import { dimseConnectionSchema } from '../../electron/pacs/connection.js';
import { DicomWebClient } from '../../electron/pacs/dicomweb.js';
import { DimseClient } from '../../electron/pacs/dimse.js';
import type { InstanceRef } from '../../electron/pacs/query.js';
import { freePort, orthancMissing, TestOrthanc } from '../support/orthanc.js';
import { PROJECT_ROOT } from '../support/paths.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    size: { type: 'string', default: '512' },
    seed: { type: 'string', default: '11' },
    rounds: { type: 'string', default: '3' },
    // C-GET passes are bound by association set-up on the archive (~0.1 s each, steady), and long.
    'dimse-rounds': { type: 'string', default: '1' },
    'model-dir': { type: 'string', default: path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt') },
    phrases: { type: 'string', default: 'pleural effusion,pneumothorax' },
  },
});
const count = Number(values.count);
const size = Number(values.size);
const seed = Number(values.seed);
const rounds = Math.max(1, Number(values.rounds));
const dimseRounds = Math.max(1, Math.min(rounds, Number(values['dimse-rounds'])));
if (!(Number.isInteger(count) && count > 0)) throw new Error('--count: a whole number > 0');
if (!(Number.isInteger(size) && size >= 64)) throw new Error('--size: a whole number ≥ 64');
const modelDir = path.resolve(values['model-dir']);
const cli = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
const ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const CURL = '/usr/bin/curl';
const GETSCU = '/usr/bin/getscu';
/** Our AE title on the archive (C-GET is allowed for it). */
const AET = 'RADSIFT';

const log = (text: string) => process.stderr.write(`bench:pacs: ${text}\n`);
const seconds = (since: number) => (performance.now() - since) / 1000;
const round = (x: number, digits = 2) => +x.toFixed(digits);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface RunResult {
  code: number | null;
  stderr: string;
}

/** A child process, asynchronously (Orthanc's log pipes into this process and must keep draining). */
function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; forward?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-50_000);
      if (options.forward) process.stderr.write(b);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function bytesUnder(dir: string): Promise<{ files: number; bytes: number }> {
  const files = await filesUnder(dir);
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  return { files: files.length, bytes };
}

/** One timed pass: how many instances arrived, how many bytes, in which transfer syntaxes. */
interface Pass {
  seconds: number;
  instances: number;
  bytes: number;
  syntaxes: Record<string, number>;
}

const tally = (into: Record<string, number>, ts: string) => {
  into[ts] = (into[ts] ?? 0) + 1;
};

/** What `radsift pacs retrieve` does per instance: written aside, then renamed. */
async function keep(out: string, n: number, bytes: Buffer): Promise<void> {
  const file = path.join(out, `${n}.dcm`);
  await writeFile(`${file}.partial`, bytes);
  await rename(`${file}.partial`, file);
}

async function radsiftStudies(client: PacsClient, studies: readonly string[], out: string): Promise<Pass> {
  await mkdir(out, { recursive: true });
  const syntaxes: Record<string, number> = {};
  let instances = 0;
  let bytes = 0;
  const t = performance.now();
  for (const uid of studies)
    for await (const got of client.retrieveStudy(uid)) {
      await keep(out, instances++, got.bytes);
      bytes += got.bytes.length;
      tally(syntaxes, got.transferSyntaxUID);
    }
  return { seconds: seconds(t), instances, bytes, syntaxes };
}

async function radsiftInstances(client: PacsClient, refs: readonly InstanceRef[], out: string): Promise<Pass> {
  await mkdir(out, { recursive: true });
  const syntaxes: Record<string, number> = {};
  let instances = 0;
  let bytes = 0;
  const t = performance.now();
  for (const ref of refs) {
    const got = await client.retrieveInstance(ref);
    await keep(out, instances++, got.bytes);
    bytes += got.bytes.length;
    tally(syntaxes, got.transferSyntaxUID);
  }
  return { seconds: seconds(t), instances, bytes, syntaxes };
}

/** The transfer syntaxes of the Part 10 files a reference tool wrote (read after the timed pass). */
async function syntaxesOf(files: readonly string[]): Promise<Record<string, number>> {
  const syntaxes: Record<string, number> = {};
  for (const f of files) {
    try {
      tally(syntaxes, parseDicom(await readFile(f), { untilTag: 'x00080016' }).transferSyntaxUID);
    } catch {
      tally(syntaxes, 'unreadable');
    }
  }
  return syntaxes;
}

/** Shorter names for the syntaxes the phantoms and the archive use; others as UIDs. */
const TS_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2': 'implicit-le',
  '1.2.840.10008.1.2.1': 'explicit-le',
  '1.2.840.10008.1.2.1.99': 'deflated',
  '1.2.840.10008.1.2.5': 'rle',
  '1.2.840.10008.1.2.4.80': 'jpeg-ls',
  '1.2.840.10008.1.2.4.90': 'j2k-lossless',
  '1.2.840.10008.1.2.4.70': 'jpeg-lossless',
};
const named = (syntaxes: Record<string, number>) =>
  Object.fromEntries(Object.entries(syntaxes).map(([k, v]) => [TS_NAMES[k] ?? k, v]));

interface Summary {
  rounds: number[];
  seconds: number;
  instances: number;
  MB: number;
  instancesPerSecond: number;
  MBPerSecond: number;
  transferSyntaxes?: Record<string, number>;
}

function summarize(passes: readonly Pass[], instances: number): Summary {
  const s = median(passes.map((p) => p.seconds));
  const bytes = passes[passes.length - 1]!.bytes;
  return {
    rounds: passes.map((p) => round(p.seconds, 3)),
    seconds: round(s, 3),
    instances,
    MB: round(bytes / 1e6, 1),
    instancesPerSecond: round(instances / s, 1),
    MBPerSecond: round(bytes / 1e6 / s, 1),
  };
}

const work = await mkdtemp(path.join(os.tmpdir(), 'radsift-bench-pacs-'));
let orthanc = null as TestOrthanc | null;
// Ctrl+C: stop Orthanc and remove the temporary folders before leaving.
const onSignal = () => {
  void orthanc?.kill();
  if (orthanc) rmSync(orthanc.dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  const missing = orthancMissing();
  if (missing) {
    console.log(JSON.stringify({ bench: 'pacs', skipped: missing }, null, 2));
  } else {
    const report = await bench();
    console.log(JSON.stringify(report, null, 2));
  }
} finally {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await orthanc?.dispose();
  await rm(work, { recursive: true, force: true });
}

async function bench(): Promise<Record<string, unknown>> {
  // 1. The phantoms (DICOM only in the scanned folder: labels, reports and masks moved out), uploaded.
  const scans = path.join(work, 'scans');
  let t = performance.now();
  // In a child process, as a user's phantoms come from another run: generated here, they left this process's heap
  // in a state that set off a full collection every few instances retrieved (docs/pacs.md, Benchmark), which the
  // CLI retrieving in a fresh process does not pay.
  const demo = await run(process.execPath, [
    cli,
    'demo',
    scans,
    '--count',
    `${count}`,
    '--seed',
    `${seed}`,
    '--size',
    `${size}`,
  ]);
  if (demo.code !== 0) throw new Error(`radsift demo failed (${demo.code}): ${demo.stderr.slice(-2000)}`);
  rmSync(path.join(scans, 'masks'), { recursive: true, force: true });
  for (const f of ['labels.csv', 'reports.jsonl']) await rename(path.join(scans, f), path.join(work, f));
  const files = (await filesUnder(scans)).filter((f) => f.endsWith('.dcm')).sort();
  const onDisk = await bytesUnder(scans);
  log(`generated ${files.length} phantoms (${size} px) in ${seconds(t).toFixed(0)} s`);

  const getPort = await freePort();
  orthanc = await TestOrthanc.start({ peers: { [AET]: getPort } });
  t = performance.now();
  await orthanc.upload(files);
  const uploadSeconds = seconds(t);
  const system = (await (await orthanc.rest('/system')).json()) as { Version?: string };
  log(`uploaded to Orthanc ${system.Version ?? '?'} in ${uploadSeconds.toFixed(1)} s`);

  const web = new DicomWebClient({
    baseUrl: orthanc.dicomWebUrl,
    authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`,
    timeoutMs: 60_000,
  });
  const refs: InstanceRef[] = [];
  for await (const ref of web.queryInstances({})) refs.push(ref);
  refs.sort((a, b) => a.studyUid.localeCompare(b.studyUid) || a.sopUid.localeCompare(b.sopUid));
  const studies = [...new Set(refs.map((r) => r.studyUid))];
  if (refs.length !== files.length)
    throw new Error(`Orthanc lists ${refs.length} instances, ${files.length} were uploaded`);
  const dimse = new DimseClient(
    dimseConnectionSchema.parse({
      kind: 'dimse',
      name: 'bench',
      callingAet: AET,
      calledAet: 'ORTHANC',
      host: '127.0.0.1',
      port: orthanc.dicomPort,
      retrieve: 'C-GET',
      timeoutSeconds: 60,
    }),
  );

  // 2. Retrieval. Each method is a function of its output folder; passes alternate between methods.
  const o = orthanc;
  const curlConfig = async (name: string, urls: readonly string[], out: string) => {
    await mkdir(out, { recursive: true });
    const file = path.join(work, `${name}.curlrc`);
    const lines = [
      `user = "${o.user}:${o.password}"`,
      `header = "Accept: ${ACCEPT.replaceAll('"', '\\"')}"`,
      ...urls.flatMap((u, i) => [`url = "${u}"`, `output = "${path.join(out, `${i}.multipart`)}"`]),
    ];
    await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    return file;
  };
  const curlPass = async (name: string, urls: readonly string[], instances: number, out: string) => {
    const config = await curlConfig(name, urls, out);
    const started = performance.now();
    const r = await run(CURL, ['-sS', '--fail', '-K', config]);
    const s = seconds(started);
    if (r.code !== 0) throw new Error(`curl exited with ${r.code}: ${r.stderr}`);
    const got = await bytesUnder(out);
    if (got.files !== urls.length) throw new Error(`curl wrote ${got.files} answers for ${urls.length} URLs`);
    return { seconds: s, instances, bytes: got.bytes, syntaxes: {} };
  };
  const getscuPass = async (out: string): Promise<Pass> => {
    await mkdir(out, { recursive: true });
    const started = performance.now();
    for (const uid of studies) {
      const r = await run(GETSCU, [
        '-S',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        `StudyInstanceUID=${uid}`,
        '-aet',
        AET,
        '-aec',
        'ORTHANC',
        '127.0.0.1',
        String(o.dicomPort),
        '-od',
        out,
      ]);
      if (r.code !== 0) throw new Error(`getscu exited with ${r.code}: ${r.stderr}`);
    }
    const s = seconds(started);
    const got = await bytesUnder(out);
    return { seconds: s, instances: got.files, bytes: got.bytes, syntaxes: {} };
  };
  const studyUrls = studies.map((uid) => `${o.dicomWebUrl}/studies/${uid}`);
  const instanceUrls = refs.map(
    (r) => `${o.dicomWebUrl}/studies/${r.studyUid}/series/${r.seriesUid}/instances/${r.sopUid}`,
  );

  interface Method {
    name: string;
    tool: string | null;
    pass: (out: string, warmup: boolean) => Promise<Pass>;
    passes: Pass[];
    skipped?: string;
    dimse?: boolean;
  }
  const few = Math.min(5, studies.length);
  const methods: Method[] = [
    {
      name: 'radsiftWadoStudy',
      tool: null,
      pass: (out, w) => radsiftStudies(web, w ? studies.slice(0, few) : studies, out),
      passes: [],
    },
    {
      name: 'curlWadoStudy',
      tool: CURL,
      pass: (out, w) =>
        w ? curlPass('warm', studyUrls.slice(0, few), few, out) : curlPass('study', studyUrls, refs.length, out),
      passes: [],
    },
    {
      name: 'radsiftWadoInstance',
      tool: null,
      pass: (out, w) => radsiftInstances(web, w ? refs.slice(0, few) : refs, out),
      passes: [],
    },
    {
      name: 'curlWadoInstance',
      tool: CURL,
      pass: (out, w) =>
        w
          ? curlPass('warm', instanceUrls.slice(0, few), few, out)
          : curlPass('instance', instanceUrls, refs.length, out),
      passes: [],
    },
    {
      name: 'radsiftCGet',
      tool: null,
      dimse: true,
      pass: (out, w) => radsiftStudies(dimse, w ? studies.slice(0, few) : studies, out),
      passes: [],
    },
    { name: 'getscuCGet', tool: GETSCU, dimse: true, pass: (out) => getscuPass(out), passes: [] },
  ];
  for (const m of methods) if (m.tool && !existsSync(m.tool)) m.skipped = `${m.tool} not installed`;

  // Untimed warm-up (connections, JIT, Orthanc's caches), then alternating timed rounds.
  for (const m of methods.filter((x) => !x.skipped && x.name !== 'getscuCGet')) {
    const out = path.join(work, 'out', m.name);
    await m.pass(out, true);
    await rm(out, { recursive: true, force: true });
  }
  for (let r = 0; r < rounds; r++) {
    for (const m of methods.filter((x) => !x.skipped && (!x.dimse || r < dimseRounds))) {
      const out = path.join(work, 'out', m.name);
      const p = await m.pass(out, false);
      if (p.instances !== refs.length) throw new Error(`${m.name}: ${p.instances} of ${refs.length} instances`);
      if (m.name === 'getscuCGet' && r === dimseRounds - 1) p.syntaxes = await syntaxesOf(await filesUnder(out));
      m.passes.push(p);
      await rm(out, { recursive: true, force: true });
      log(
        `round ${r + 1}/${m.dimse ? dimseRounds : rounds} ${m.name}: ${p.seconds.toFixed(2)} s, ${(p.instances / p.seconds).toFixed(0)} instances/s`,
      );
    }
  }
  const retrieval: Record<string, unknown> = {};
  const summaries: Record<string, Summary> = {};
  for (const m of methods) {
    if (m.skipped) {
      retrieval[m.name] = { skipped: m.skipped };
      continue;
    }
    const s = summarize(m.passes, refs.length);
    const syntaxes = m.passes[m.passes.length - 1]!.syntaxes;
    if (Object.keys(syntaxes).length) s.transferSyntaxes = named(syntaxes);
    summaries[m.name] = s;
    retrieval[m.name] = s;
  }
  const ratio = (a: string, b: string) =>
    summaries[a] && summaries[b] ? round(summaries[a].instancesPerSecond / summaries[b].instancesPerSecond) : null;
  const mbRatio = (a: string, b: string) =>
    summaries[a] && summaries[b] ? round(summaries[a].MBPerSecond / summaries[b].MBPerSecond) : null;
  const retrievalRatios = {
    wadoStudy: {
      instances: ratio('radsiftWadoStudy', 'curlWadoStudy'),
      MB: mbRatio('radsiftWadoStudy', 'curlWadoStudy'),
    },
    wadoInstance: {
      instances: ratio('radsiftWadoInstance', 'curlWadoInstance'),
      MB: mbRatio('radsiftWadoInstance', 'curlWadoInstance'),
    },
    cGet: { instances: ratio('radsiftCGet', 'getscuCGet'), MB: mbRatio('radsiftCGet', 'getscuCGet') },
    note: 'RadSift / reference, > 1: RadSift faster. MB: of what arrived (curl: the multipart bodies)',
  };

  // 3. Screening, as a user runs it: fresh processes, indexes, cache and data folder.
  const screening = existsSync(path.join(modelDir, 'manifest.json'))
    ? await screen(o, refs.length)
    : { skipped: `no model bundle at ${modelDir}` };

  return {
    bench: 'pacs',
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      loadAverage: os.loadavg().map((x) => round(x, 1)),
      node: process.version,
      orthanc: system.Version ?? 'unknown',
    },
    count: refs.length,
    studies: studies.length,
    size,
    seed,
    rounds: { wado: rounds, dimse: dimseRounds },
    meanFileMB: round(onDisk.bytes / onDisk.files / 1e6, 3),
    storedTransferSyntaxes: named(await syntaxesOf(files)),
    uploadSeconds: round(uploadSeconds, 1),
    retrieval,
    retrievalRatios,
    screening,
  };
}

async function screen(o: TestOrthanc, instances: number): Promise<Record<string, unknown>> {
  const scans = path.join(work, 'scans');
  const phrases = values.phrases;
  // TMPDIR: the CLI's C-GET scratch folder (os.tmpdir()/radsift-dimse) goes with the rest.
  const tmp = path.join(work, 'tmp');
  await mkdir(tmp, { recursive: true });
  const env = {
    ...process.env,
    RADSIFT_DATA_DIR: path.join(work, 'data'),
    RADSIFT_PACS_PASSWORD: o.password,
    TMPDIR: tmp,
  };
  const screenOnce = async (name: string, source: string[]) => {
    const out = path.join(work, `${name}.csv`);
    const args = [
      cli,
      'screen',
      ...source,
      '--phrases',
      phrases,
      '--model-dir',
      modelDir,
      '--index',
      path.join(work, `index-${name}`),
      '--out',
      out,
    ];
    log(`screening ${name}`);
    const started = performance.now();
    const r = await run(process.execPath, args, { env, cwd: work, forward: true });
    const s = seconds(started);
    if (r.code !== 0 && r.code !== 2) throw new Error(`radsift screen (${name}) exited with ${r.code}`);
    const rows = (await readFile(out, 'utf8')).trim().split('\n').slice(1);
    const failed = rows.filter((row) => row.split(',')[4] === 'failed').length;
    await rm(path.join(work, `index-${name}`), { recursive: true, force: true });
    return {
      summary: { seconds: round(s, 1), files: rows.length, failed, filesPerSecond: round(rows.length / s) },
      rows,
    };
  };
  const disk = await screenOnce('disk', [scans]);
  const dicomweb = await screenOnce('dicomweb', [
    `dicomweb+${o.dicomWebUrl}`,
    '--user',
    o.user,
    '--cache',
    path.join(work, 'cache-dicomweb'),
  ]);
  const cget = await screenOnce('cget', [
    `dimse://ORTHANC@127.0.0.1:${o.dicomPort}`,
    '--aet',
    AET,
    '--retrieve',
    'C-GET',
    '--cache',
    path.join(work, 'cache-cget'),
  ]);
  // The same scores whichever way the instances came (by SOP Instance UID, rounded as the CSV is).
  const scores = (rows: string[]) => new Map(rows.map((row) => [row.split(',')[1]!, row.split(',').slice(6, -1)]));
  const reference = scores(disk.rows);
  const agree = (rows: string[]) => {
    let same = 0;
    for (const [sop, s] of scores(rows)) if (reference.get(sop)?.join() === s.join()) same++;
    return same;
  };
  return {
    phrases: phrases.split(',').map((p) => p.trim()),
    model: path.relative(PROJECT_ROOT, modelDir),
    disk: disk.summary,
    dicomweb: { ...dicomweb.summary, sameScoresAsDisk: agree(dicomweb.rows) },
    cget: { ...cget.summary, sameScoresAsDisk: agree(cget.rows) },
    ratios: {
      dicomwebOverDisk: round(disk.summary.seconds / dicomweb.summary.seconds),
      cgetOverDisk: round(disk.summary.seconds / cget.summary.seconds),
      note: 'files/s from the archive / files/s from disk (< 1: the archive is slower)',
    },
    expectedFiles: instances,
  };
}
