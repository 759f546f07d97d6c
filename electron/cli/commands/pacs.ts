import { rmSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe } from '../../pacs/client.js';
import { PacsError } from '../../pacs/errors.js';
import { checkUid } from '../../pacs/dicom-json.js';
import { CommandFailure, defineCommand, EXIT, UsageError } from '../command.js';
import { integerOption } from '../options.js';
import { openArchive, PACS_OPTIONS, PACS_USAGE, QUERY_OPTIONS, QUERY_USAGE, queryOption } from '../pacs-options.js';
import { progressLine } from '../session.js';
import { stopOnSignals } from '../stop-signals.js';
import { makeFolders } from '../../util/make-folders.js';
import { partialName, removeStalePartials } from '../partial-files.js';

const USAGE = `radsift pacs check <archive>
radsift pacs search <archive> [query] [--offset N] [--limit N] [--json]
radsift pacs retrieve <archive> --study <Study Instance UID> --out <folder>

check: which services work (QIDO-RS and WADO-RS; C-ECHO, C-FIND and C-GET or C-MOVE), with the
server's reason for those that do not. search: one page of matching studies. retrieve: a study's
instances as DICOM files, <folder>/<study UID>/<SOP Instance UID>.dcm, each written whole or not at all
(part-written files a killed retrieve left in that folder are removed by the next one).
${QUERY_USAGE}
${PACS_USAGE}`;

export const pacsCommand = defineCommand({
  name: 'pacs',
  summary: 'check, search and retrieve from a PACS (DICOMweb or DIMSE)',
  json: 'option',
  usage: USAGE,
  options: {
    ...PACS_OPTIONS,
    ...QUERY_OPTIONS,
    offset: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    study: { type: 'string' },
    out: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    const [action, spec, ...extra] = positionals;
    if (!action || !['check', 'search', 'retrieve'].includes(action))
      throw new UsageError('give check, search or retrieve');
    if (!spec) throw new UsageError('give an archive');
    if (extra.length) throw new UsageError(`unexpected ${extra[0]}`);
    const query = action === 'search' ? queryOption(values) : null;
    const page = {
      offset: integerOption(values.offset, '--offset', 0, 1_000_000) ?? 0,
      limit: integerOption(values.limit, '--limit', 0, 1000) || 50,
    };
    if (action === 'retrieve' && (!values.study || !values.out))
      throw new UsageError('retrieve needs --study and --out');
    const client = await openArchive(spec, values, io.cwd);
    // Ctrl+C, SIGTERM or a closed terminal stop the request; a second one stops at once, leaving no part-written file.
    let writing: string | null = null;
    const stop = stopOnSignals(io, 'stopping: the instances retrieved so far are kept', () => {
      if (writing) rmSync(writing, { force: true });
    });
    try {
      if (action === 'check') {
        const checks = await client.check(stop.signal);
        if (values.json) io.stdout(`${JSON.stringify({ archive: client.label, checks }, null, 2)}\n`);
        else
          for (const c of checks)
            io.stdout(`${c.ok === null ? '–' : c.ok ? '✓' : '✗'} ${c.service.padEnd(8)} ${c.detail}\n`);
        return checks.every((c) => c.ok !== false) ? EXIT.OK : EXIT.PARTIAL;
      }
      if (action === 'search') {
        const result = await client.searchStudies(query!, page, stop.signal);
        if (values.json) io.stdout(`${JSON.stringify({ archive: client.label, query, ...result }, null, 2)}\n`);
        else {
          for (const s of result.studies)
            io.stdout(
              `${s.studyDate ?? '        '}  ${(s.patientId ?? '').padEnd(14)} ${(s.accession ?? '').padEnd(16)} ${s.modalities.join('/').padEnd(6)} ${String(s.instanceCount ?? '?').padStart(4)}  ${s.studyUid}\n`,
            );
          io.stderr(
            `studies ${result.studies.length ? `${page.offset + 1}–${page.offset + result.studies.length}` : 'none'}${result.more ? ` (more: --offset ${page.offset + result.studies.length})` : ''}\n`,
          );
          if (result.truncated)
            io.stderr(
              'the archive sent only these matches (it limits how many one search answers): narrow the search to see the others\n',
            );
        }
        return EXIT.OK;
      }
      const out = path.resolve(io.cwd, values.out!);
      const folder = path.join(out, checkUid(values.study!));
      await makeFolders(folder);
      const stale = await removeStalePartials(folder);
      if (stale.length)
        io.stderr(
          `removed ${stale.length} part-written ${stale.length === 1 ? 'file' : 'files'} a stopped retrieve left in ${folder}\n`,
        );
      const progress = progressLine(io);
      let count = 0;
      let bytes = 0;
      for await (const got of client.retrieveStudy(values.study!, stop.signal)) {
        // The server names the file: only a UID may (clients check, and so does this), never "../x".
        const file = path.join(folder, `${got.ref.sopUid ? checkUid(got.ref.sopUid) : `instance-${count}`}.dcm`);
        writing = partialName(file);
        await writeFile(writing, got.bytes);
        await rename(writing, file);
        writing = null;
        count++;
        bytes += got.bytes.length;
        progress(`${count} instances · ${(bytes / 1e6).toFixed(1)} MB`);
      }
      if (!count) throw new PacsError('NOT_FOUND', `study ${values.study} has no instances on ${client.label}`);
      progress.done();
      io.stderr(`${count} instances → ${folder}\n`);
      return EXIT.OK;
    } catch (error) {
      // Ctrl+C: stopped, as every command says.
      if (error instanceof PacsError)
        throw new CommandFailure(error.code, describe(error), error.code === 'CANCELLED' ? EXIT.STOPPED : EXIT.FATAL);
      throw error;
    } finally {
      stop.dispose();
      await client.close();
    }
  },
});
