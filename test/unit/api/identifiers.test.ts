/** The identifier rules the app's "Hide identifiers" and the CLI's --hide-identifiers share. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HIDDEN, hideIdentifiersIn, scansHider, secretsOf } from '../../../electron/api/identifiers.js';

const ids = { patientName: 'Müller^Anna Lena=', patientId: 'PID042', accession: 'ACC9' };

describe('identifiers', () => {
  it("a scan's own identifiers are cut wherever they appear in its path, any case", () => {
    assert.deepEqual(secretsOf(ids), ['PID042', 'ACC9', 'Müller', 'Anna Lena']);
    assert.equal(
      hideIdentifiersIn('/data/pid042_müller/ACC9x/img.dcm', ids),
      `/data/${HIDDEN}_${HIDDEN}/${HIDDEN}x/img.dcm`,
    );
    assert.equal(hideIdentifiersIn('/data/x.dcm', null), '/data/x.dcm');
  });

  it('a hider for many scans: IDs and accessions anywhere, name parts as whole words, in NFC', () => {
    const hide = scansHider([ids, { patientName: 'LI^AN', patientId: 'X9', accession: null }]);
    assert.equal(hide('/home/andrew/Lena-Li/PID042.txt'), `/home/andrew/${HIDDEN}-${HIDDEN}/${HIDDEN}.txt`);
    assert.equal(hide('/scans/PID042scan/acc9/an/x'), `/scans/${HIDDEN}scan/${HIDDEN}/${HIDDEN}/x`);
    // A name written decomposed (u + combining diaeresis), as macOS stores file names.
    assert.equal(hide('/scans/Mu\u0308ller/x'), `/scans/${HIDDEN}/x`);
    // Codes under four characters only as whole words: X9 is hidden, X9B is kept.
    assert.equal(hide('/a/X9/X9B'), `/a/${HIDDEN}/X9B`);
    assert.equal(scansHider([])('/a/b'), '/a/b');
    // Codes with punctuation or a space, and a word whose lower case is longer (İ) before one.
    const coded = scansHider([{ patientId: 'MRN-000123', accession: 'RJ_2019_0042' }, { patientId: 'ab 1234' }]);
    assert.equal(coded('/d/MRN-000123/RJ_2019_0042x/AB 1234.dcm'), `/d/${HIDDEN}/${HIDDEN}x/${HIDDEN}.dcm`);
    assert.equal(coded('/d/İmrn-000123/x'), `/d/İ${HIDDEN}/x`);
  });

  it('stays a few set lookups per word with a hundred thousand patients', () => {
    const hide = scansHider(Array.from({ length: 100_000 }, (_, i) => ({ patientId: `PAT${i}`, accession: `A${i}X` })));
    const paths = Array.from({ length: 20_000 }, (_, i) => `/archive/site/PAT${i}/study/series/IM${i}.dcm`);
    // The longest code that fits: PAT17, not PAT1. (No timing asserted: a rule quadratic in the scans would take
    // minutes here.)
    assert.equal(hide('/archive/site/PAT17/IM17.dcm'), `/archive/site/${HIDDEN}/IM17.dcm`);
    assert.equal(paths.map(hide).filter((p) => p.includes(HIDDEN)).length, 20_000);
  });
});
