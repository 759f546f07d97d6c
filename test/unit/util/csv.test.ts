import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell, parseCsv } from '../../../electron/util/csv.js';

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks, and reads back as written', () => {
    const cells = ['DOE, JANE', 'say "no"', 'two\nlines', 'plain', ''];
    assert.deepEqual(parseCsv(cells.map(csvCell).join(',')), [cells]);
  });

  it('writes a text a spreadsheet would run as a formula with a leading quote, and numbers as they are', () => {
    assert.equal(csvCell('=HYPERLINK("http://x";"y") similarity'), `"'=HYPERLINK(""http://x"";""y"") similarity"`);
    for (const formula of ['@SUM(1)', '+1 probability', '-effusion score', '\tTAB', '=1+1'])
      assert.equal(csvCell(formula), `'${formula}`);
    for (const number of ['-0.247358', '+1', '-1e-7', '0.5', '-.5', '12']) assert.equal(csvCell(number), number);
    assert.equal(csvCell(-0.25), '-0.25');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell('/data/scans/IM1.dcm'), '/data/scans/IM1.dcm');
  });
});
