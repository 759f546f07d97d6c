import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isNotDicomFile } from '../../dicom/errors.js';
import { isInside } from '../../security/allowed-roots.js';
import { distinctFiles, namesUnder, realPath } from '../../util/distinct-files.js';
import type { ReplacementFile } from '../../util/durable-file.js';
import { hideIdentifiersIn, identifiersOf, scansHider, type ScanIdentifiers } from '../../api/identifiers.js';
import { IndexError, IndexStore } from '../../index/index-store.js';
import { dataDir } from '../../app/paths.js';
import { phraseVectors } from '../../scoring/phrase-scores.js';
import { phraseAndExampleScores, type PhraseAndExamples } from '../../scoring/query-mix.js';
import { regionPhrases } from '../../scoring/region-score.js';
import { DEFAULT_PROBABILITY_THRESHOLD } from '../../scoring/threshold.js';
import {
  exampleProfile,
  MIN_CENTRING_SCANS,
  MIN_CONFIDENT_EXAMPLES,
  type ExampleProfile,
  type ExampleScan,
} from '../../scoring/example-profile.js';
import { encodeFiles } from '../../screening/pipeline.js';
import {
  descriptorMemo,
  rowDescriber,
  resultsCsvHeader,
  resultsCsvRow,
  scopeEmbeddings,
  scopeCoherence,
  scopeSpace,
  screenResults,
  type ResultScope,
  type ScanDescriber,
  type ScreenRow,
} from '../../screening/results.js';
import { modelSlot } from '../../screening/model-slot.js';
import { maxPoolPatches } from '../../scoring/example-features.js';
import type { ExampleCoherence } from '../../scoring/example-coherence.js';
import { indexFolder } from '../../screening/screen-job.js';
import { PacsError, RETRYABLE } from '../../pacs/errors.js';
import { pacsSource } from '../../pacs/remote-source.js';
import { defineCommand, EXIT, UsageError, type CliIO, type ExitCode } from '../command.js';
import {
  cacheOption,
  isArchiveSpec,
  openArchive,
  PACS_OPTIONS,
  PACS_USAGE,
  QUERY_OPTIONS,
  QUERY_USAGE,
  queryOption,
} from '../pacs-options.js';
import {
  batchOption,
  familiarityWarnings,
  outputOption,
  pathListOption,
  phrasesOption,
  standardInputOnce,
  thresholdOption,
} from '../options.js';
import {
  expandInputs,
  FILES_FROM_USAGE,
  INPUT_OPTIONS,
  MODEL_OPTIONS,
  openSession,
  progressLine,
  readInputs,
  type CliSession,
} from '../session.js';
import { openOutput, removeOwnAsides } from '../aside-files.js';
import { SkippedFiles } from '../skipped-files.js';
import { stopOnSignals } from '../stop-signals.js';

const USAGE = `radsift screen <folder or files…> [--files-from <list|->] --phrases "pleural effusion,pneumothorax"
       --out results.csv|results.json [--examples a.dcm,b.dcm]… [--examples-from <list|->]…
       [--counter-examples c.dcm,…]… [--counter-examples-from <list|->]…
       [--threshold P] [--index <dir>] [--batch N] [--hide-identifiers]
       [--model id] [--model-dir <folder>]
radsift screen <folder> --index-only [--index <dir>] [--phrases …]
(indexes only: writes no results; --phrases keeps their best-region margins for later runs)

Brings the index up to date (new and changed files are decoded and encoded,
unchanged ones skipped; for one folder, files deleted from it are pruned), then
writes one row per file: path, UIDs, status, error, a score and probability per
phrase, the similarity to example scans, and whether it is flagged (a phrase's
probability ≥ the threshold, default ${DEFAULT_PROBABILITY_THRESHOLD}; or, with examples, a
similarity as high as the least typical example's, less 0.05). With one phrase
and examples, a "phrase + examples score" too: the phrase's zero-shot score and
the example similarity, each standardised over the scans screened and weighed
1 : 1 (1 : 1.5 with counter-examples), each times its skill at ranking the
examples where they are all among the scans screened, as the app's Screening
view scores them; it flags nothing of its own. Example similarities are
cosines between embeddings (beside them the patch embeddings max-pooled,
where the model has them) centred on their mean over the scans
screened (from ${MIN_CENTRING_SCANS} scans on), so that what the examples share is not
drowned by what every scan shares. A file given twice (or by two names) counts once.
--counter-examples: scans reviewed as not the finding (say, the first false hits of an
earlier run); the examples' direction is pushed away from theirs, so scans like them
fall (docs/few-shot.md, "Reviewing results"). --examples and --counter-examples can each be given
more than once, each time one or more paths separated by commas (relative to the current folder).
A path that holds a comma (a folder named "DOE, JANE") can be given only through --examples-from
or --counter-examples-from <list|-> (also repeatable): one path per line, as written, blank lines
and lines starting with # skipped. Every list, these and --files-from, takes a relative path from
the list file's folder, and from the current folder for - (standard input), which one list of a
run can read: find cases -name '*.dcm' | radsift screen … --examples-from -. For a model
that scores regions, a phrase the index has no best-region margins for has its scans decoded and encoded again once (the
margins come from patch grids, which the index does not keep). --batch N: scans encoded at a
time (default 16). --hide-identifiers: each row's path has the scan's own patient name parts, patient
ID and accession replaced by [hidden] (as the app's Hide identifiers shows them; exports never have
naming columns); every path and error, and a .json output's folder and skipped files, also lose the IDs,
accessions and name words of any scan screened (a folder named after its patient), and so do the
failure lines on stderr (said after the index's summary). Files that are not DICOM are no rows: they are counted as skipped
(a .json output lists them). Stop it at any moment (Ctrl+C, a crash, kill -9):
the same command resumes (a second Ctrl+C stops at once; a stopped run leaves
the previous output as it was). Exit 2 when some DICOM files failed (each is listed
with its reason).
${FILES_FROM_USAGE}

radsift screen <archive> [query] --phrases … --out results.csv|results.json [--index <dir>]
Screens the instances of the studies a query matches on a PACS (DICOMweb or DIMSE), streamed
through the same pipeline as files: memory and disk stay bounded (the cache's size) whatever the
archive's size, the index is keyed by archive and SOP Instance UID, and the same command resumes
after a stop, a kill or a dropped connection (instances already indexed are not retrieved again).
Rows: every instance the query matched, once; those that could not be retrieved with the reason.
${QUERY_USAGE}
${PACS_USAGE}`;

/**
 * What hides the identifiers of every scan the index holds under the folder, and of the row's own scan (`own`)
 * in the same pass (PACS rows name no paths: only the row's own).
 */
function scopeHider(
  store: IndexStore,
  folder: string,
  archive: boolean,
): (text: string, own?: ScanIdentifiers | null) => string {
  if (archive) return (text, own) => hideIdentifiersIn(text, own);
  const ids = [];
  for (const scan of store.scansUnder(folder)) ids.push(identifiersOf(scan.naming));
  return scansHider(ids);
}

/** The default index folder for a scanned folder (for files: the folder that holds them all), one per folder. */
function defaultIndex(folder: string): string {
  return path.join(dataDir(), 'indexes', createHash('sha256').update(folder).digest('hex').slice(0, 16));
}

/**
 * The listed files (folders among them walked), each once, split into those that exist and those that cannot be
 * had, with the reason: files that do not exist, folders that cannot be opened (a list may name both).
 */
async function collect(inputs: string[]): Promise<{ present: string[]; missing: { path: string; reason: string }[] }> {
  const seen = new Set<string>();
  const present: string[] = [];
  const missing: { path: string; reason: string }[] = [];
  const files = expandInputs(inputs, (folder, error) => missing.push({ path: folder, reason: error.message }));
  for await (const f of files) {
    if (seen.has(f)) continue;
    seen.add(f);
    if (await stat(f).catch(() => null)) present.push(f);
    else missing.push({ path: f, reason: 'no such file' });
  }
  return { present, missing };
}

/** A result row for a listed file that cannot be had: every input is in the results once, with its reason. */
function missingRow({ path: file, reason }: { path: string; reason: string }): ScreenRow {
  return {
    path: file,
    sopUid: null,
    seriesUid: null,
    studyUid: null,
    studyDate: null,
    naming: null,
    status: 'failed',
    error: reason,
    scores: [],
    exampleSimilarity: null,
    flagged: false,
  };
}

/** The deepest folder that holds every file. */
function commonFolder(files: readonly string[]): string {
  if (!files.length) throw new UsageError('no files to screen');
  let common = path.dirname(files[0]!);
  for (const f of files) while (!isInside(common, f)) common = path.dirname(common);
  return common;
}

/** One line for a terminal: how alike the examples are, and a warning where no more than random scans. */
function coherenceLine(c: ExampleCoherence | null, examples: number, centredOn: number | null): string {
  if (!c) {
    if (examples < 2) return '';
    return centredOn === null
      ? `examples: too few scans screened (fewer than ${MIN_CENTRING_SCANS}) to say how alike the examples are\n`
      : 'examples: cannot say how alike the examples are (the same scan given twice, or scans screened all alike)\n';
  }
  const side = c.effect >= 0 ? 'above' : 'below';
  const line = `examples alike: mean cosine ${c.value.toFixed(3)} (random pairs of scans screened: ${c.random.toFixed(3)}; ${Math.abs(c.effect).toFixed(2)} standard deviations ${side}, p = ${c.p.toFixed(3)})\n`;
  if (c.alike) return line;
  return c.undecided
    ? `${line}warning: too few examples to tell whether they are more alike than scans picked at random from those screened (more examples decide it)\n`
    : `${line}warning: the examples are no more alike than scans picked at random from those screened: the model's image features may not carry what they share, and flagging by them is close to chance\n`;
}

/**
 * The example (or counter-example) files encoded, in order; every one that cannot be decoded or encoded is
 * refused, by the name it was given and why, in one message.
 */
async function encodeExamples(
  files: readonly string[],
  what: string,
  named: ReadonlyMap<string, string>,
  session: CliSession,
): Promise<ExampleScan[]> {
  const scans: ExampleScan[] = [];
  const refused: string[] = [];
  for await (const r of encodeFiles(files, session.pool, session.models.encoder)) {
    if (r.embedding)
      scans.push({ embedding: r.embedding, pooled: r.patches ? maxPoolPatches(r.patches, session.loaded.dim) : null });
    else refused.push(`${what} ${named.get(r.path) ?? r.path} cannot be used: ${r.error!.message}`);
  }
  if (refused.length) throw new UsageError(refused.join('\n'), { showUsage: false });
  return scans;
}

/** An archive error stopped the run: what was indexed is kept, and the same command resumes. */
function archiveStopped(error: PacsError, io: CliIO): ExitCode {
  const next =
    error.code === 'INCOMPLETE'
      ? 'What was indexed is kept. The archive lists only part of what this query matches, so the same command gets no further: narrow the query (or raise the archive’s limit)'
      : `What was indexed is kept; run the same command again to resume${RETRYABLE.has(error.code) ? ' once the archive answers' : ''}`;
  io.stderr(`\nradsift screen: ${error.code}: ${error.message}\n${next}.\n`);
  // Ctrl+C while the archive was asked (the abort cancels the request) is a stop, as it is between batches.
  return error.code === 'CANCELLED' ? EXIT.STOPPED : EXIT.FATAL;
}

/** The options that name example and counter-example scans. */
const EXAMPLE_OPTIONS = ['examples', 'examples-from', 'counter-examples', 'counter-examples-from'] as const;

/** Stopped once the index was complete, before the results were: nothing written (the finally discards the aside). */
function resultsStopped(io: CliIO): ExitCode {
  io.stderr('stopped before the results were written: the output is as it was; the same command writes them\n');
  return EXIT.STOPPED;
}

export const screenCommand = defineCommand({
  name: 'screen',
  summary: 'batch-screen a folder for findings, incrementally, resumable',
  usage: USAGE,
  options: {
    ...MODEL_OPTIONS,
    ...INPUT_OPTIONS,
    ...PACS_OPTIONS,
    ...QUERY_OPTIONS,
    phrases: { type: 'string' },
    // Each any number of times: a path with a comma can only come through a list file.
    examples: { type: 'string', multiple: true },
    'examples-from': { type: 'string', multiple: true },
    'counter-examples': { type: 'string', multiple: true },
    'counter-examples-from': { type: 'string', multiple: true },
    threshold: { type: 'string' },
    index: { type: 'string' },
    out: { type: 'string' },
    'index-only': { type: 'boolean' },
    batch: { type: 'string' },
    'hide-identifiers': { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    if (!positionals.length && !values['files-from']?.length) throw new UsageError('give a folder or files');
    // Before any list is read: standard input can feed one of them.
    standardInputOnce({
      '--files-from': values['files-from'],
      '--examples-from': values['examples-from'],
      '--counter-examples-from': values['counter-examples-from'],
    });
    const archiveSpec = positionals.length === 1 && isArchiveSpec(positionals[0]!) ? positionals[0]! : null;
    const inputs = archiveSpec ? [] : await readInputs(positionals, values['files-from'], io);
    // One folder: the folder is the scope (walked, pruned, its rows). Otherwise the listed files are (folders
    // among them walked), and their index is the one of the folder that holds them all. An archive: the
    // instances its query matches.
    const single = inputs.length === 1 && (await stat(inputs[0]!).catch(() => null))?.isDirectory() ? inputs[0]! : null;
    const listed = single || archiveSpec ? null : await collect(inputs);
    const files = listed?.present ?? null;
    const query = archiveSpec ? queryOption(values) : null;
    if (archiveSpec && values['index-only']) throw new UsageError('--index-only takes one folder');
    const archive = archiveSpec ? await openArchive(archiveSpec, values, io.cwd) : null;
    const folder = archive
      ? archive.label
      : (single ?? commonFolder(files!.length ? files! : listed!.missing.map((m) => m.path)));
    const phrases = phrasesOption(values.phrases);
    const named = new Map<string, string>(); // each example's path → its name as given, for messages
    const givenFiles = async (inline: string[] | undefined, lists: string[] | undefined, fromOption: string) => {
      const given = await pathListOption(inline, lists, fromOption, io);
      for (const g of given) if (!named.has(g.path)) named.set(g.path, g.given);
      return distinctFiles(given.map((g) => g.path));
    };
    const examples = await givenFiles(values.examples, values['examples-from'], '--examples-from');
    const counterExamples = await givenFiles(
      values['counter-examples'],
      values['counter-examples-from'],
      '--counter-examples-from',
    );
    if (counterExamples.length && !examples.length)
      throw new UsageError('--counter-examples push the examples away from them: give --examples too');
    const real = new Set(examples.map(realPath));
    const both = counterExamples.filter((f) => real.has(realPath(f)));
    if (both.length) throw new UsageError(`${path.basename(both[0]!)} is among both --examples and --counter-examples`);
    const indexOnly = values['index-only'] ?? false;
    if (indexOnly && !single) throw new UsageError('--index-only takes one folder');
    // Options for results that --index-only never writes: refused rather than a run that ends "ok" with no output.
    const forResults = (['out', 'threshold', 'hide-identifiers', ...EXAMPLE_OPTIONS] as const).filter(
      (o) => values[o] !== undefined,
    );
    if (indexOnly && forResults.length)
      throw new UsageError(
        `--index-only writes no results, so ${forResults.map((o) => `--${o}`).join(', ')} would do nothing: drop ${forResults.length === 1 ? 'it' : 'them'} or --index-only`,
      );
    if (!indexOnly && !phrases.length && !examples.length)
      throw new UsageError('give --phrases and/or --examples, or --index-only');
    if (!indexOnly && !values.out) throw new UsageError('--out results.csv|results.json is required');
    const out = values.out ? path.resolve(io.cwd, values.out) : null;
    if (out && !/\.(csv|json)$/i.test(out)) throw new UsageError('--out must end in .csv or .json');
    const threshold = thresholdOption(values.threshold);
    const batchSize = batchOption(values.batch);
    // What can be checked before a long indexing run is checked first.
    for (const [list, what] of [
      [examples, 'example'],
      [counterExamples, 'counter-example'],
    ] as const)
      for (const file of list) {
        const info = await stat(file).catch(() => null);
        if (!info?.isFile())
          throw new UsageError(`${what} ${named.get(file)} ${info ? 'is not a file' : 'does not exist'}`, {
            showUsage: false,
          });
      }
    // The file written: --out, or the file it links to (its name, `out`, says the format and is the one shown).
    const outFile = out ? await outputOption('--out', out, io.cwd) : null;

    const cache = archive ? await cacheOption(values, io.cwd) : null;
    const session = await openSession(values, io).catch(async (e: unknown) => {
      await archive?.close();
      throw e;
    });
    const indexDir = path.resolve(io.cwd, values.index ?? defaultIndex(folder));
    // The index's folder is often named after the folder screened (a patient's): a fatal line names it <path>.
    const indexLine = (error: IndexError) =>
      `radsift screen: ${error.code}: ${error.message.split(indexDir).join('<path>')}\n`;
    let exampleScans: ExampleScan[];
    let counterScans: ExampleScan[];
    let store: IndexStore;
    try {
      // Before the index is opened: an example that cannot be decoded is refused before any indexing or retrieving.
      exampleScans = await encodeExamples(examples, 'example', named, session);
      counterScans = await encodeExamples(counterExamples, 'counter-example', named, session);
      store = IndexStore.open(indexDir);
    } catch (error) {
      await session.close();
      await archive?.close();
      if (error instanceof PacsError) return archiveStopped(error, io);
      if (error instanceof IndexError) {
        io.stderr(indexLine(error));
        return EXIT.FATAL;
      }
      throw error;
    }
    // A second Ctrl+C stops at once: the output's aside file goes with it (the index keeps every batch committed).
    const stop = stopOnSignals(io, 'stopping after the current batch; run the same command again to resume', () => {
      if (outFile) removeOwnAsides(outFile);
    });
    // The results are written aside and put in place when complete: a run that ends early (an error, a full disk,
    // a kill) leaves the previous results file as it was.
    let output: ReplacementFile | null = null;
    try {
      const m = session.loaded.model;
      const model = modelSlot(store, session.loaded);
      const progress = progressLine(io);
      const hideIdentifiers = !!values['hide-identifiers'];
      const failures: string[] = []; // said after the index's summary (see onFailure)
      const indexSkipped = new SkippedFiles();
      const encoder = session.models.encoder;
      // Before the run: each scan it encodes keeps these phrases' best-region margins.
      const vectors = phrases.length ? await phraseVectors(phrases, (t) => encoder.encodeTexts(t)) : [];
      const summary = await indexFolder({
        regions: regionPhrases(session.loaded.model, vectors),
        source: archive
          ? { remote: pacsSource(archive, cache!, query!, stop.signal) }
          : single
            ? { folder }
            : { files: files! },
        store,
        model,
        pool: session.pool,
        encoder: session.models.encoder,
        batchSize,
        signal: stop.signal,
        // Not the run's opening count (nothing seen yet): a log writes a line at most every 2 s, and its first
        // should say how far the run got (a script may wait for its first batch).
        onProgress: (p) =>
          p.seen > 0 &&
          progress(
            `${p.seen}${p.total !== null ? `/${p.total}` : ''} files · ${p.encoded} encoded · ${p.unchanged} unchanged · ${p.failed} failed${p.notDicom ? ` · ${p.notDicom} skipped` : ''} · ${p.filesPerSecond.toFixed(1)} files/s${p.etaSeconds !== null ? ` · ETA ${Math.ceil(p.etaSeconds)} s` : ''}`,
          ),
        onSkipped: (file, error) => indexSkipped.add(file, error),
        onFailure: (file, code, message) => {
          const line = `failed: ${archive ? file : path.relative(io.cwd, file)}: ${code}: ${message}\n`;
          // Hidden, a failure is said once the identifiers of every scan indexed are known (a file that cannot
          // be read has none of its own, but its folder may be named after the patient): logs keep no names.
          if (hideIdentifiers) failures.push(line);
          else io.stderr(`\n${line}`);
        },
      });
      progress.done();
      io.stderr(
        `index: ${summary.encoded} encoded, ${summary.unchanged} unchanged, ${summary.failed} failed, ${summary.pruned} pruned${indexSkipped.count ? `; ${indexSkipped.line()}` : ''}\n`,
      );
      for (const m of listed?.missing ?? []) failures.push(`failed: ${path.relative(io.cwd, m.path)}: ${m.reason}\n`);
      // The archive cut the listing: what it listed is indexed (and screened below); the rest it would not name.
      if (summary.cut)
        failures.push(
          `incomplete: ${summary.cut.code}: ${summary.cut.message}\n${summary.seen} instances listed and indexed; the same command gets no further: narrow the query (or raise the archive’s limit)\n`,
        );
      const hider = hideIdentifiers ? scopeHider(store, folder, !!archive) : null;
      for (const line of failures) io.stderr(hider ? hider(line) : line);
      if (summary.stopped) return EXIT.STOPPED; // no results written: the run did not end
      if (indexOnly) {
        // Failures of earlier runs count too: the folder still has files that cannot be read.
        let failed = 0;
        for (const scan of store.scansUnder(folder))
          if (scan.status === 'failed' && !isNotDicomFile(scan.path, scan.errorCode ?? undefined)) failed++;
        return failed || summary.cut ? EXIT.PARTIAL : EXIT.OK;
      }

      const scope: ResultScope = archive ? { run: summary.run } : (files ?? folder);
      // One read for the examples' space and the rows.
      const stored = scopeEmbeddings(store, model, scope, { pooled: examples.length > 0 });
      let example: ExampleProfile | undefined;
      let centredOn: number | null = null;
      let coherence: ExampleCoherence | null = null;
      let describe: ScanDescriber | undefined;
      if (examples.length) {
        const vs = exampleScans;
        const against = counterScans;
        const { space, scans, encoded, ids } = scopeSpace(store, model, scope, stored);
        example = exampleProfile(vs, space, against);
        describe = descriptorMemo(example);
        centredOn = example.space.centre ? scans : null;
        const by = example.space.patches ? 'embedding and pooled patch embeddings' : 'embedding';
        io.stderr(
          example.space.centre
            ? `examples: ${vs.length}, compared by their ${by} centred on the mean of the ${scans} scans screened\n`
            : `examples: ${vs.length}, compared by their ${by} as they are: ${scans} scan${scans === 1 ? '' : 's'} screened, too few (< ${MIN_CENTRING_SCANS}) to centre on\n`,
        );
        if (vs.length < MIN_CONFIDENT_EXAMPLES)
          io.stderr(
            `warning: ${vs.length} example scan${vs.length === 1 ? '' : 's'}: flagging by examples rests on little; ${MIN_CONFIDENT_EXAMPLES} or more are better\n`,
          );
        if (against.length)
          io.stderr(
            `counter-examples: ${against.length}: the examples' direction is pushed away from theirs (scans like them fall)\n`,
          );
        coherence = scopeCoherence(example, vs, { encoded, ids }, describe);
        io.stderr(coherenceLine(coherence, vs.length, centredOn));
      }
      const names = vectors.map((v) => v.pair.phrase);
      const results = {
        embeddings: stored,
        phrases: vectors,
        rule: m,
        threshold,
        ...(example ? { example } : {}),
        ...(describe ? { describe } : {}),
      };
      // The rows the ranking rests on, by the names they were given and what they really are (as the app marks a
      // job's examples and the rows reviewed "not").
      const rowFolder = typeof scope === 'string' ? scope : null;
      const exampleNames = namesUnder(examples, rowFolder);
      const counterNames = namesUnder(counterExamples, rowFolder);
      // One phrase beside examples: both scored together over every row, as the app's Screening view scores them
      // (each part weighed by its skill on the examples where they are all among the rows). Standard scores need the
      // whole scope, so a first pass keeps a few numbers a row: rows still stream.
      let mix: PhraseAndExamples | null = null;
      let mixOf: Map<string, number | null> | null = null;
      if (example && vectors.length === 1) {
        const seen = [];
        for (const row of screenResults(store, model, scope, results))
          seen.push({
            path: row.path,
            probability: row.scores[0]?.probability ?? null,
            exampleSimilarity: row.exampleSimilarity,
            mark: exampleNames.has(row.path) ? 1 : counterNames.has(row.path) ? -1 : 0,
          });
        const scored = phraseAndExampleScores(
          seen,
          { likes: example.count, unlikes: example.counterCount },
          rowDescriber(
            stored,
            model.dim,
            example,
            describe,
            seen.map((r) => r.path),
          ),
        );
        mixOf = new Map(seen.map((r, i) => [r.path, scored.scores[i]!]));
        mix = scored;
        const [wPhrase, wExamples] = scored.weights.map((w) => Number(w.toFixed(2)));
        io.stderr(
          `“${names[0]}” + examples: the phrase's zero-shot score and the example similarity, each standardised over the scans screened and weighed ${wPhrase} : ${wExamples}${scored.bySkill ? ' (each as high as it ranks the examples among them)' : ''}, as the app's Screening view scores them (column "phrase + examples score"; it flags nothing of its own)\n`,
        );
      }
      const familiarity = phrases.length ? await session.models.checkPhrases(phrases) : [];
      io.stderr(familiarityWarnings(familiarity));
      if (stop.signal.aborted) return resultsStopped(io);
      // What a killed run left beside the output (a stop that could not clean up, kill -9) goes as it is opened.
      const file = await openOutput(outFile!);
      output = file;
      const write = (text: string) => file.write(text);
      let flagged = 0;
      let rows = 0;
      let failedRows = 0;
      const skipped = new SkippedFiles();

      const json = out!.toLowerCase().endsWith('.json');
      // Hidden: each row's path loses its own identifiers (as the app shows it), and every path, the folder's
      // too, the words that are any screened scan's identifiers (a folder may be named after its patient, and
      // a row that could not be read has no identifiers of its own). Known before the first row is written.
      if (json)
        await write(
          `{"folder":${JSON.stringify(hider ? hider(folder) : folder)},"model":${JSON.stringify(m.id)},"phrases":${JSON.stringify(names)},"familiarity":${JSON.stringify(familiarity)},"threshold":${threshold},${example ? `"examples":${JSON.stringify({ count: example.count, counterExamples: example.counterCount, threshold: example.threshold, centredOn, patches: example.space.patches, coherence, phraseAndExamples: mix && { weights: mix.weights, bySkill: mix.bySkill } })},` : ''}"rows":[\n`,
        );
      else await write(`${resultsCsvHeader(names, !!example, !!mixOf)}\n`);
      const marked = (row: ScreenRow): ScreenRow =>
        exampleNames.has(row.path)
          ? { ...row, example: true }
          : counterNames.has(row.path)
            ? { ...row, review: 'not' }
            : row;
      const writeRow = async (screened: ScreenRow) => {
        const given = mixOf ? { ...screened, phraseAndExamples: mixOf.get(screened.path) ?? null } : screened;
        const withMarks = example ? marked(given) : given; // by the path as indexed
        // The path and a failed file's error (which names the path) lose the row's own identifiers anywhere
        // and every screened scan's, in one pass.
        const own = identifiersOf(withMarks.naming);
        const hidden = (text: string) => hider!(text, own);
        const row = hider
          ? {
              ...withMarks,
              path: hidden(withMarks.path),
              ...(withMarks.error ? { error: hidden(withMarks.error) } : {}),
            }
          : withMarks;
        if (row.flagged) flagged++;
        if (row.status === 'failed') failedRows++;
        // No patient identifiers in exported files (the app shows them, behind its privacy toggle).
        const { naming: _naming, ...exported } = row;
        await write(
          json
            ? `${rows ? ',\n' : ''}${JSON.stringify(exported)}`
            : `${resultsCsvRow(row, names.length, !!example, !!mixOf)}\n`,
        );
        rows++;
      };
      // Checked between rows: a long output is written for a while, and a stop leaves the previous file as it was.
      for (const row of screenResults(store, model, scope, {
        ...results,
        onNotDicom: (p, error) => skipped.add(p, error),
      })) {
        if (stop.signal.aborted) return resultsStopped(io);
        await writeRow(row);
      }
      for (const m of listed?.missing ?? []) await writeRow(missingRow(m));
      if (stop.signal.aborted) return resultsStopped(io);
      if (json)
        await write(`\n],"skipped":${JSON.stringify(hider ? skipped.paths.map((s) => hider(s)) : skipped.paths)}}\n`);
      await file.commit();
      io.stderr(
        `${rows} files, ${flagged} flagged, ${failedRows} failed${skipped.count ? `; ${skipped.line()}` : ''} → ${out}\n`,
      );
      return failedRows || summary.cut ? EXIT.PARTIAL : EXIT.OK;
    } catch (error) {
      if (error instanceof PacsError) return archiveStopped(error, io);
      if (error instanceof IndexError) {
        io.stderr(
          `${indexLine(error)}Nothing already stored was damaged; free space or fix the folder, then run the same command again.\n`,
        );
        return EXIT.FATAL;
      }
      throw error;
    } finally {
      await output?.discard(); // after commit: nothing
      stop.dispose();
      store.close();
      await session.close();
      await archive?.close();
    }
  },
});
