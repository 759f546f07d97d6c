/** The identifier rules the app's "Hide identifiers" and the CLI's --hide-identifiers share. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HIDDEN, hideIdentifiersIn, scansHider, secretsOf } from '../../../electron/api/identifiers.js';
import { seededRandom } from '../../../electron/scoring/metrics.js';

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

  it("a scan's own identifiers that overlap or touch are cut as one, every character they cover", () => {
    const H = HIDDEN;
    // ID ABCD, accession CDEFGH: the longest from the left (ABCD) used to leave EFGH visible.
    assert.equal(hideIdentifiersIn('/d/ABCDEFGH/x', { patientId: 'ABCD', accession: 'CDEFGH' }), `/d/${H}/x`);
    assert.equal(hideIdentifiersIn('/d/abcdefgh/x', { patientId: 'ABCDEF', accession: 'EFGH' }), `/d/${H}/x`);
    // A name part that runs into the ID, one wholly inside it, and identifiers that touch.
    const own = { patientName: 'Ngu^Yen', patientId: 'YEN042', accession: 'N042' };
    assert.equal(hideIdentifiersIn('/d/NguYEN042x/yen042/Yen-Ngu_n042', own), `/d/${H}x/${H}/${H}-${H}_${H}`);
    // Text next to them stays, and so does a piece of an identifier (YEN04, CDEFG).
    assert.equal(hideIdentifiersIn('/d/xYEN04/yen_042/', own), `/d/x${H}04/${H}_042/`);
    assert.equal(
      hideIdentifiersIn('/CDEFG-ABCDEFGH.dcm', { patientId: 'ABCD', accession: 'CDEFGH' }),
      `/CDEFG-${H}.dcm`,
    );
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
    // Codes whose whole-string lower case differs from the text's unit by unit: Σ last (ς), and İ (two units).
    const greek = scansHider([{ patientId: 'ΚΩΣΤΑΣ', accession: 'ACC-İZMİR1' }, { patientId: 'ΑΣ' }]);
    assert.equal(greek('/data/ΚΩΣΤΑΣ/scan.dcm'), `/data/${HIDDEN}/scan.dcm`);
    assert.equal(greek('/data/κωστας/ACC-İZMİR1.dcm'), `/data/${HIDDEN}/${HIDDEN}.dcm`);
    assert.equal(greek('/data/ΑΣ/x'), `/data/${HIDDEN}/x`);
  });

  it('hides every character that any occurrence of any code covers, codes that overlap or touch as one cut', () => {
    const H = HIDDEN;
    // ABCD, then CDEFGH starting inside it: the longest code from the left (ABCD) used to leave EFGH visible.
    const shortFirst = scansHider([{ patientId: 'ABCD' }, { accession: 'CDEFGH' }]);
    assert.equal(shortFirst('ABCDEFGH'), H);
    assert.equal(shortFirst('/scans/abcdefgh/x.dcm'), `/scans/${H}/x.dcm`);
    assert.equal(scansHider([{ accession: 'CDEFGH' }, { patientId: 'ABCD' }])('ABCDEFGH'), H);
    // The other order: the longer code first, a shorter one starting inside it and running past its end.
    const longFirst = scansHider([{ patientId: 'ABCDEF', accession: 'EFGH' }]);
    assert.equal(longFirst('ABCDEFGH'), H);
    assert.equal(longFirst('/d/efghABCDEF/x'), `/d/${H}/x`);
    // A code wholly inside another, alone, inside it, and as the link of a chain (ABCD, EFGH inside CDEFGHIJ).
    const nested = scansHider([{ patientId: 'ABCDEFGH', accession: 'CDEF' }]);
    assert.equal(nested('xABCDEFGHy'), `x${H}y`);
    assert.equal(nested('xxCDEFyy'), `xx${H}yy`);
    const chain = scansHider([{ patientId: 'ABCD', accession: 'CDEFGHIJ' }, { patientId: 'EFGH' }]);
    assert.equal(chain('ABCDEFGHIJ'), H);
    assert.equal(chain('ABCDEFGHI'), `${H}I`);
    // Codes that hold "-", "_" or a space, overlapping.
    const punctuated = scansHider([
      { patientId: 'MRN-0012', accession: '0012_34' },
      { patientId: 'RJ 2019 7', accession: '7-X1' },
    ]);
    assert.equal(punctuated('/d/MRN-0012_34/x'), `/d/${H}/x`);
    assert.equal(punctuated('/d/rj 2019 7-x1.dcm'), `/d/${H}.dcm`);
    // Codes apart: the punctuation between them stays; codes that touch are one cut.
    const two = scansHider([{ patientId: 'ABCD', accession: 'EFGH' }]);
    for (const between of ['-', '_', ' ', '.', '/', '--', ' - '])
      assert.equal(two(`ABCD${between}EFGH`), `${H}${between}${H}`, between);
    assert.equal(two('ABCDEFGH'), H);
    // Text next to a code stays, and so does a code's piece that is no whole code (CDEFG: no H).
    assert.equal(shortFirst('/scans/study-xABCDEFGHy_notes/ABCDEFG.dcm'), `/scans/study-x${H}y_notes/${H}EFG.dcm`);
    assert.equal(shortFirst('/scans/BCDEFG/CDEFGh'), `/scans/BCDEFG/${H}`);
  });

  it("cuts the row's own identifiers in the same pass as every scan's, where they overlap too", () => {
    const H = HIDDEN;
    // Another scan's accession CDEFGH, the row's own ID ABCD (a scan indexed after the hider was made): cut
    // one after the other, the own pass took ABCD and left EFGH for no code to match.
    const hide = scansHider([{ accession: 'CDEFGH' }]);
    assert.equal(hide('/d/ABCDEFGH/x', { patientId: 'ABCD' }), `/d/${H}/x`);
    assert.equal(hide('/d/ABCDEFGH/x'), `/d/AB${H}/x`);
    // Own name parts anywhere (as hideIdentifiersIn cuts them), other scans' only as whole words; NFC both.
    const named = scansHider([{ patientName: 'Lee^Ann' }]);
    const decomposed = 'Jose\u0301'.normalize('NFD');
    assert.equal(named(`/d/${decomposed}x/Ann/leex`, { patientName: 'José' }), `/d/${H}x/${H}/leex`);
    // No scans at all: the row's own still go.
    assert.equal(scansHider([])('/d/PAT9-1/x', { patientId: 'PAT9-1' }), `/d/${H}/x`);
    assert.equal(scansHider([])('/d/PAT9-1/x', null), '/d/PAT9-1/x');
    // Nothing to cut: the text as given, even written decomposed (it still names its file).
    const nfd = `/d/${decomposed}/x.dcm`;
    assert.equal(scansHider([{ patientId: 'PAT9-1' }])(nfd), nfd);
    assert.equal(scansHider([])(nfd, { patientId: 'PAT9-1' }), nfd);
  });

  it('a name part that reads "hidden", or one glued to an ID, is cut once', () => {
    const H = HIDDEN;
    const hide = scansHider([{ patientName: 'Hidden^Anna', patientId: 'PH12345' }]);
    // The mark of a cut code is not read as the name "Hidden" and cut again ("[[hidden]]").
    assert.equal(hide('/d/PH12345/hidden/anna.dcm'), `/d/${H}/${H}/${H}.dcm`);
    assert.equal(hide('/d/PH12345-x/y'), `/d/${H}-x/y`);
    // A name glued to the ID is a word of its own; the two touch, so they are one cut.
    assert.equal(hide('/d/PH12345anna/y'), `/d/${H}/y`);
    assert.equal(hide('/d/annaPH12345x/y'), `/d/${H}x/y`);
    // A name inside a longer word stays.
    assert.equal(hide('/d/annabel/y'), '/d/annabel/y');
  });

  it('agrees with hiding each character some occurrence of some code covers, on random texts', () => {
    const pick = randomPicker(42);
    for (let round = 0; round < 500; round++) {
      const codes = Array.from({ length: 1 + pick.int(4) }, () => pick.text('ab-', 4 + pick.int(3)));
      const text = pick.text('aAbB-_', pick.int(40));
      const hide = scansHider(codes.map((patientId) => ({ patientId })));
      assert.equal(hide(text), coverAll(text, codes), `${JSON.stringify(codes)} in ${JSON.stringify(text)}`);
    }
  });

  it("a scan's own identifiers: the same as hiding each character some occurrence covers, on random texts", () => {
    const pick = randomPicker(7);
    for (let round = 0; round < 500; round++) {
      const [patientId, accession, family, given] = Array.from({ length: 4 }, () => pick.text('ab-', 2 + pick.int(4)));
      const ids = { patientId, accession, patientName: `${family}^${given}` };
      const text = pick.text('aAbB-_/', pick.int(40));
      const expected = coverAll(text, [patientId!, accession!, family!, given!]);
      assert.equal(hideIdentifiersIn(text, ids), expected, `${JSON.stringify(ids)} in ${JSON.stringify(text)}`);
    }
  });

  it('stays a few set lookups per word with a hundred thousand patients', () => {
    const hide = scansHider(Array.from({ length: 100_000 }, (_, i) => ({ patientId: `PAT${i}`, accession: `A${i}X` })));
    const paths = Array.from({ length: 20_000 }, (_, i) => `/archive/site/PAT${i}/study/series/IM${i}.dcm`);
    // The longest code that fits: PAT17, not PAT1. (No timing asserted: a rule quadratic in the scans would take
    // minutes here.)
    assert.equal(hide('/archive/site/PAT17/IM17.dcm'), `/archive/site/${HIDDEN}/IM17.dcm`);
    assert.equal(paths.map((p) => hide(p)).filter((p) => p.includes(HIDDEN)).length, 20_000);
  });
});

/** Random whole numbers below n and texts over an alphabet, the same for a seed. */
function randomPicker(seed: number) {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const text = (alphabet: string, length: number) =>
    Array.from({ length }, () => alphabet[int(alphabet.length)]).join('');
  return { int, text };
}

/** The reference: every character of every occurrence of a secret (any case, overlapping too) marked, each
 * run of marks cut as one HIDDEN. */
function coverAll(text: string, secrets: string[]): string {
  const lower = text.toLowerCase();
  const covered = Array.from(text, () => false);
  for (const secret of secrets)
    for (let i = lower.indexOf(secret); i >= 0; i = lower.indexOf(secret, i + 1))
      covered.fill(true, i, i + secret.length);
  return text.replace(/./gs, (c, i: number) => (covered[i] ? '\0' : c)).replace(/\0+/g, HIDDEN);
}
