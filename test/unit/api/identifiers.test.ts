/** The identifier rules the app's "Hide identifiers" and the CLI's --hide-identifiers share. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HIDDEN, hideIdentifiersIn, secretsOf, wordHider } from '../../../electron/api/identifiers.js';

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

  it('a hider for many scans cuts whole words only, each word of a name part', () => {
    const hide = wordHider([
      ...secretsOf(ids),
      ...secretsOf({ patientName: 'LI^AN', patientId: null, accession: null }),
    ]);
    assert.equal(hide('/home/andrew/Lena-Li/PID042.txt'), `/home/andrew/${HIDDEN}-${HIDDEN}/${HIDDEN}.txt`);
    assert.equal(hide('/scans/MÜLLER anna/an/x'), `/scans/${HIDDEN} ${HIDDEN}/${HIDDEN}/x`);
    assert.equal(wordHider([])('/a/b'), '/a/b');
  });

  it('stays a set lookup per word with a hundred thousand patients', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `P${i}`);
    const hide = wordHider(many);
    const paths = Array.from({ length: 20_000 }, (_, i) => `/archive/site/P${i}/study/series/IM${i}.dcm`);
    // Whole words: P17 is hidden, IM17 is not. (No timing asserted: a quadratic rule would take minutes here.)
    assert.equal(hide('/archive/site/P17/IM17.dcm'), `/archive/site/${HIDDEN}/IM17.dcm`);
    assert.equal(paths.map(hide).filter((p) => p.includes(HIDDEN)).length, 20_000);
  });
});
