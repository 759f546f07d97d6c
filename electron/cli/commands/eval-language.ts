import path from 'node:path';
import { readBundleTraining } from '../../inference/bundle-training.js';
import { FINDINGS, isFinding, type FindingName } from '../../phantom/findings.js';
import {
  findingAnchors,
  findingPhrase,
  mapSynonyms,
  measurePolarity,
  type PolarityResult,
} from '../../scoring/report-language.js';
import { EVERYDAY_SYNONYMS, REPORT_SENTENCES, type LanguageSentence } from '../../scoring/report-language-set.js';
import { VALIDATION_SENTENCES, VALIDATION_SYNONYMS } from '../../scoring/report-language-validation.js';
import { labelReports } from '../../scoring/report-sentence-labels.js';
import { parseCsv } from '../../util/csv.js';
import { defineCommand, EXIT, UsageError } from '../command.js';
import { listOption, readOptionFile } from '../options.js';
import { MODEL_OPTIONS, openSession } from '../session.js';

/** --sentences: JSON lines {"text", "finding", "polarity": "positive" | "negated"}. */
async function readSentenceFile(file: string): Promise<LanguageSentence[]> {
  const out: LanguageSentence[] = [];
  for (const [i, line] of (await readOptionFile('--sentences', file)).split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    let s: Partial<LanguageSentence>;
    try {
      s = JSON.parse(line) as Partial<LanguageSentence>;
    } catch {
      throw new UsageError(`${file}:${i + 1}: not JSON`);
    }
    if (typeof s.text !== 'string' || !s.text.trim()) throw new UsageError(`${file}:${i + 1}: no "text"`);
    if (typeof s.finding !== 'string' || !isFinding(s.finding))
      throw new UsageError(`${file}:${i + 1}: "finding" must be one of ${FINDINGS.join(', ')}`);
    if (s.polarity !== 'positive' && s.polarity !== 'negated')
      throw new UsageError(`${file}:${i + 1}: "polarity" must be "positive" or "negated"`);
    out.push({ text: s.text, finding: s.finding, polarity: s.polarity });
  }
  return out;
}

/**
 * --reports: a report corpus as CSV with a `findings` and/or `impression` column (the Open-i/IU
 * layout; MIMIC-CXR's sections exported the same way) or plain text, one report per blank-line block.
 */
async function readReports(file: string): Promise<string[]> {
  const text = await readOptionFile('--reports', file);
  if (!file.toLowerCase().endsWith('.csv')) return text.split(/\r?\n\s*\r?\n/).filter((r) => r.trim());
  const [header, ...rows] = parseCsv(text);
  const columns = (header ?? []).flatMap((h, k) => (/^(findings|impression)$/i.test(h.trim()) ? [k] : []));
  if (!columns.length) throw new UsageError(`${file}: no "findings" or "impression" column in the first line`);
  return rows.map((r) => columns.map((k) => r[k] ?? '').join(' ')).filter((r) => r.trim());
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
const fmt = (x: number | null) => (x === null ? '  –  ' : x.toFixed(3));

/**
 * The built-in sets: held-out (the measure a model card reports) and validation (what settings and training
 * stages are chosen on, so that the held-out set never steers a choice). Each has its synonyms and sentences.
 */
const BUILT_IN_SETS = {
  'held-out': { synonyms: EVERYDAY_SYNONYMS, sentences: REPORT_SENTENCES },
  validation: { synonyms: VALIDATION_SYNONYMS, sentences: VALIDATION_SENTENCES },
} as const;
type BuiltInSet = keyof typeof BUILT_IN_SETS;
const isBuiltInSet = (name: string): name is BuiltInSet => Object.hasOwn(BUILT_IN_SETS, name);

/** Fewer sentences of a finding than this: reported, but left out of the means and the minimum (too noisy). */
const MIN_SENTENCES = 10;

/**
 * One sentence set's figures. `showWrong`: list the sentences on the wrong side (not for a report corpus,
 * whose text may be a hospital's: counts only).
 */
function polaritySummary(name: string, rows: PolarityResult[], neverSeen: string[], showWrong: boolean) {
  const measured = rows.filter((r) => r.positives + r.negated > 0);
  const counted = measured.filter((r) => !neverSeen.includes(r.finding) && r.positives + r.negated >= MIN_SENTENCES);
  const accuracies = counted.map((r) => r.accuracy);
  return {
    name,
    sentences: measured.reduce((n, r) => n + r.positives + r.negated, 0),
    /**
     * Over the findings the model was taught (all of them for a model without a never-seen list) that have at
     * least MIN_SENTENCES sentences.
     */
    minAccuracy: accuracies.length ? round(Math.min(...accuracies)) : null,
    meanAccuracy: accuracies.length ? round(accuracies.reduce((a, b) => a + b, 0) / accuracies.length) : null,
    minSentences: MIN_SENTENCES,
    findings: rows.map((r) => ({
      finding: r.finding,
      neverSeen: neverSeen.includes(r.finding),
      positives: r.positives,
      negated: r.negated,
      counted: counted.includes(r),
      accuracy: round(r.accuracy),
      ordering: round(r.ordering),
      ...(showWrong ? { wrong: r.wrong } : {}),
    })),
  };
}

export const evalLanguageCommand = defineCommand({
  name: 'eval-language',
  summary: "check a model's report language: everyday synonyms, positive vs negated sentences",
  json: 'option',
  usage: `radsift eval-language [--set held-out|validation] [--reports <corpus.csv|.txt>] [--sentences <file.jsonl>]
       [--findings a,b,…] [--json] [--model id] [--model-dir <folder>]

Measures how the model's text tower reads the way people write, against the
phrases the app scores with (a finding's name with spaces, e.g. "pleural effusion",
and its negation "no pleural effusion", each in the prompt templates):
- everyday synonyms (a built-in list, e.g. "enlarged heart", "et tube"): the share
  whose nearest finding phrase is their own finding;
- polarity: for sentences that state or negate one finding, the share on the right
  side of "phrase" vs "no phrase" (accuracy), and the ROC AUC of positive over
  negated sentences by their cosine to the phrase (ordering).
Sentence sets: a built-in set, held-out by default (16 sentences and 6 synonyms
per finding, 7 for support devices, written for this check, not drawn from the
phantom generator or the training prompts; what a model card reports), or with
--set validation a second one written the same way (16 sentences and 4 synonyms
per finding, none of them a training wording) to choose settings and stop
training stages on, so that the held-out set steers no choice; --sentences, JSON
lines {"text", "finding", "polarity": "positive"|"negated"}; --reports, a report
corpus (CSV with a "findings" and/or "impression" column, as Open-i/IU ships, or
plain text with one report per blank-line block), labelled by a conservative rule
labeller that keeps only sentences of certain polarity (hedges, changes over time
and mixed sentences are left out); a corpus's own sentences are never printed,
only counted. Findings with fewer than ${MIN_SENTENCES} sentences in a set are reported but
left out of its mean and lowest accuracy. A bundle's never-seen findings (its manifest)
are reported apart and left out of the means; the synonyms that are among a
bundle's training wordings (its manifest) are counted apart too, and so are those
the app warns it does not know (docs/phrase-familiarity.md).`,
  options: {
    ...MODEL_OPTIONS,
    reports: { type: 'string', multiple: true },
    sentences: { type: 'string', multiple: true },
    findings: { type: 'string' },
    set: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]!.slice(0, 40)}"`);
    const wanted = listOption(values.findings);
    for (const f of wanted)
      if (!isFinding(f)) throw new UsageError(`--findings: "${f}" is not one of ${FINDINGS.join(', ')}`);
    const findings: FindingName[] = wanted.length ? (wanted as FindingName[]) : [...FINDINGS];
    const setName = values.set ?? 'held-out';
    if (!isBuiltInSet(setName))
      throw new UsageError(`--set: "${setName.slice(0, 40)}" is not one of ${Object.keys(BUILT_IN_SETS).join(', ')}`);
    const builtIn = BUILT_IN_SETS[setName];
    const sets: { name: string; sentences: LanguageSentence[]; corpus?: true }[] = [
      { name: `${setName} (built-in)`, sentences: [...builtIn.sentences] },
    ];
    for (const file of values.sentences ?? [])
      sets.push({ name: path.basename(file), sentences: await readSentenceFile(path.resolve(io.cwd, file)) });
    for (const file of values.reports ?? []) {
      const reports = await readReports(path.resolve(io.cwd, file));
      const sentences = labelReports(reports);
      io.stderr(`${path.basename(file)}: ${reports.length} reports, ${sentences.length} labelled sentences\n`);
      sets.push({ name: `${path.basename(file)} (rule-labelled)`, sentences, corpus: true });
    }
    const session = await openSession(values, io);
    try {
      const encode = (t: string[]) => session.models.encoder.encodeTexts(t);
      const training = await readBundleTraining(session.loaded.model.dir);
      const neverSeen: string[] = training.neverSeen.filter((f) => isFinding(f));
      const wordings = training.wordings;
      const anchors = await findingAnchors(FINDINGS, encode);
      // Every finding is a candidate for a synonym, so that a wording nearer another finding counts as a miss.
      const synonyms = await mapSynonyms(
        findings.flatMap((f) => (builtIn.synonyms[f] ?? []).map((synonym) => ({ synonym, finding: f }))),
        anchors,
        encode,
      );
      const taught = synonyms.filter((s) => !neverSeen.includes(s.finding));
      const mapped = (list: typeof synonyms) => list.filter((s) => s.nearest === s.finding).length;
      // Wordings the model's prompts never used: what it makes of language it was not shown.
      const untaught = taught.filter((s) => !wordings.has(s.synonym.toLowerCase()));
      // The app's own warning (docs/phrase-familiarity.md) on each taught synonym: does the mapping fail where the
      // app already tells the user it does not know the phrase, or where it does not?
      const judged = await session.models.checkPhrases(synonyms.map((s) => s.synonym));
      const warned = new Set(judged.filter((j) => !j.known).map((j) => j.phrase));
      const familiar = taught.filter((s) => !warned.has(s.synonym));
      const unfamiliar = taught.filter((s) => warned.has(s.synonym));
      const polarity = [];
      for (const set of sets)
        polarity.push(
          polaritySummary(
            set.name,
            await measurePolarity(
              set.sentences.filter((s) => (findings as string[]).includes(s.finding)),
              findings,
              anchors,
              encode,
            ),
            neverSeen,
            !set.corpus,
          ),
        );
      const summary = {
        model: session.loaded.model.id,
        modelVersion: session.loaded.model.version,
        set: setName,
        neverSeen,
        synonyms: {
          total: taught.length,
          mapped: mapped(taught),
          fraction: round(taught.length ? mapped(taught) / taught.length : NaN),
          neverSeen: { total: synonyms.length - taught.length, mapped: mapped(synonyms) - mapped(taught) },
          /**
           * Of `total`, those that are none of the bundle's training wordings (manifest zeroShot.prompts); null
           * when the model does not list its wordings (then no one can tell).
           */
          notInTraining: wordings.size ? { total: untaught.length, mapped: mapped(untaught) } : null,
          /** Of `total`, split by the app's phrase-familiarity warning: those it shows without one, and those it warns on. */
          familiar: { total: familiar.length, mapped: mapped(familiar) },
          unfamiliar: { total: unfamiliar.length, mapped: mapped(unfamiliar) },
          findings: findings.map((f) => {
            const own = synonyms.filter((s) => s.finding === f);
            return {
              finding: f,
              neverSeen: neverSeen.includes(f),
              total: own.length,
              mapped: mapped(own),
              inTraining: own.filter((s) => wordings.has(s.synonym.toLowerCase())).length,
              misses: own
                .filter((s) => s.nearest !== f)
                .map((s) => ({ synonym: s.synonym, nearest: s.nearest, warned: warned.has(s.synonym) })),
            };
          }),
        },
        polarity,
      };
      if (values.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      else {
        const s = summary.synonyms;
        io.stdout(
          `model ${summary.model} ${summary.modelVersion}; ${setName} set: everyday synonyms mapped to their finding: ${s.mapped}/${s.total} (${fmt(s.fraction)})` +
            (s.notInTraining
              ? `; of those not among its training wordings: ${s.notInTraining.mapped}/${s.notInTraining.total}`
              : '') +
            (neverSeen.length ? `; never-seen findings apart: ${s.neverSeen.mapped}/${s.neverSeen.total}` : '') +
            '\n' +
            `  of the ${s.total} synonyms of taught findings, mapped where the app shows them without its unfamiliar-phrase warning: ${s.familiar.mapped}/${s.familiar.total}; where it warns: ${s.unfamiliar.mapped}/${s.unfamiliar.total}\n`,
        );
        for (const f of s.findings)
          for (const m of f.misses)
            io.stdout(
              `  "${m.synonym}" (${findingPhrase(f.finding)}) is nearest ${findingPhrase(m.nearest)}${m.warned ? ' (the app warns)' : ''}\n`,
            );
        for (const p of polarity) {
          io.stdout(
            `\n${p.name}: ${p.sentences} sentences; polarity accuracy mean ${fmt(p.meanAccuracy)}, lowest ${fmt(p.minAccuracy)} (findings with ≥ ${p.minSentences} sentences)\n`,
          );
          io.stdout('finding                    pos   neg  accuracy  ordering\n');
          for (const r of p.findings)
            if (r.positives + r.negated)
              io.stdout(
                `${(findingPhrase(r.finding) + (r.neverSeen ? ' *' : r.counted ? '' : ' †')).padEnd(24)} ${String(r.positives).padStart(5)} ${String(r.negated).padStart(5)}  ${fmt(r.accuracy)}     ${fmt(r.ordering)}\n`,
              );
        }
        if (neverSeen.length) io.stdout('\n* never seen in training (left out of the means)\n');
        if (polarity.some((p) => p.findings.some((r) => !r.neverSeen && !r.counted && r.positives + r.negated)))
          io.stdout(`† fewer than ${MIN_SENTENCES} sentences (left out of the means)\n`);
      }
      return EXIT.OK;
    } finally {
      await session.close();
    }
  },
});
