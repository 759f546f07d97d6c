/**
 * Longer fuzz campaign over mutated corpus files (the unit test runs 5,000).
 *   node dist/test/bench/fuzz.js [--cases 100000] [--from 0] [--per-case-ms 10000]
 * Prints a JSON report; exits 1 when any case crashed or hung. Case numbers
 * are deterministic: rerun one with --from N --cases 1.
 */
import { parseArgs } from 'node:util';
import { CORPUS } from '../support/paths.js';
import { runFuzz } from '../unit/dicom/fuzz-harness.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    from: { type: 'string', default: '0' },
    'per-case-ms': { type: 'string', default: '10000' },
  },
});

const report = await runFuzz(CORPUS, Number(values.from), Number(values.cases), Number(values['per-case-ms']));
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exitCode = report.crashes.length > 0 || report.hangs.length > 0 ? 1 : 0;
