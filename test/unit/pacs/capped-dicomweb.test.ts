/**
 * QIDO servers cap their answers below the `limit` asked for (dcm4chee-arc's maximum results, Google's Healthcare
 * API, Orthanc, proxies). A real HTTP server here caps every answer at 7 rows and pages correctly by `offset`, as
 * those do; some of its studies are capped as a whole (rows past the 14th are never served), one saying so in a
 * `Warning: 299` header as dcm4chee-arc does, one silently as Orthanc's LimitFindInstances does.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DicomWebClient } from '../../../electron/pacs/dicomweb.js';
import { saysMoreResults } from '../../../electron/pacs/qido-walk.js';
import type { InstanceRef } from '../../../electron/pacs/query.js';

const CAP = 7;
const uid = (tag: string, value: string) => ({ [tag]: { vr: 'UI', Value: [value] } });
const count = (n: number) => ({ '00201208': { vr: 'IS', Value: [n] } });

/** What the server holds: a study's instance count, how many of them it will ever list, whether it says so. */
const STUDIES: Record<string, { instances: number; served: number; warns: boolean }> = {
  '1.1': { instances: 30, served: 30, warns: false },
  '3.3': { instances: 30, served: 14, warns: true },
  '4.4': { instances: 30, served: 14, warns: false },
};
for (let n = 1; n <= 20; n++) STUDIES[`2.1.${n}`] = { instances: 3, served: 3, warns: false };
/** Patient ID → the studies a search finds, how many of them it lists, whether it says so. */
const SEARCHES: Record<string, { studies: string[]; served: number }> = {
  PAGED: { studies: Array.from({ length: 20 }, (_, i) => `2.1.${i + 1}`), served: 20 },
  CUT: { studies: Array.from({ length: 20 }, (_, i) => `2.1.${i + 1}`), served: 14 },
};

async function collect<T>(it: AsyncIterable<T>, into: T[] = []): Promise<T[]> {
  for await (const x of it) into.push(x);
  return into;
}

describe('a QIDO server that caps its answers', () => {
  let server: Server;
  let client: DicomWebClient;
  /** Each instance listing asked for: study, offset, limit. */
  const asked: [string, number, number][] = [];

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      // One window of what the server lists: at most CAP rows, never past `served`.
      const send = <T>(all: T[], served: number, warns: boolean, row: (x: T) => object) => {
        const rows = all.slice(0, served).slice(offset, offset + Math.min(limit, CAP));
        const headers: Record<string, string> = { 'content-type': 'application/dicom+json' };
        const remaining = all.length - offset - rows.length;
        if (warns && remaining > 0)
          headers.warning = `299 127.0.0.1: "There are ${remaining} additional results that can be requested"`;
        res.writeHead(200, headers).end(JSON.stringify(rows.map(row)));
      };
      const instances = /^\/dw\/studies\/([0-9.]+)\/instances$/.exec(url.pathname);
      if (instances && STUDIES[instances[1]!]) {
        const study = instances[1]!;
        const s = STUDIES[study]!;
        asked.push([study, offset, limit]);
        const sops = Array.from({ length: s.instances }, (_, i) => `${study}.1.${i + 1}`);
        return send(sops, s.served, s.warns, (sop) => ({ ...uid('0020000E', `${study}.1`), ...uid('00080018', sop) }));
      }
      if (url.pathname === '/dw/studies') {
        const one = url.searchParams.get('StudyInstanceUID');
        if (one)
          return send(
            [one].filter((u) => STUDIES[u]),
            1,
            false,
            (u) => ({
              ...uid('0020000D', u),
              ...count(STUDIES[u]!.instances),
            }),
          );
        const search = SEARCHES[url.searchParams.get('PatientID') ?? ''];
        if (search)
          return send(search.studies, search.served, true, (u) => ({
            ...uid('0020000D', u),
            ...count(STUDIES[u]!.instances),
          }));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new DicomWebClient({ baseUrl: `http://127.0.0.1:${port}/dw`, timeoutMs: 5000 });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a short page is not the end: each next page is asked for from where the last stopped, until an empty one', async () => {
    asked.length = 0;
    const refs = await collect(client.studyInstances('1.1'));
    assert.equal(refs.length, 30);
    assert.equal(new Set(refs.map((r) => r.sopUid)).size, 30);
    assert.deepEqual(
      asked.map(([, offset]) => offset),
      [0, 7, 14, 21, 28, 30],
    );
  });

  it('a search page is filled across capped answers, says whether there are more, and a query walk gets every instance', async () => {
    const first = await client.searchStudies({ patientId: 'PAGED' }, { offset: 0, limit: 10 });
    const second = await client.searchStudies({ patientId: 'PAGED' }, { offset: 10, limit: 10 });
    assert.deepEqual([first.studies.length, first.more, second.studies.length, second.more], [10, true, 10, false]);
    assert.equal(first.truncated ?? false, false);
    assert.equal(second.truncated ?? false, false);
    assert.equal(new Set([...first.studies, ...second.studies].map((s) => s.studyUid)).size, 20);
    const all = await collect(client.queryInstances({ patientId: 'PAGED' }));
    assert.equal(new Set(all.map((r) => r.sopUid)).size, 60);
  });

  it('a server that says it holds more but lists no more: INCOMPLETE, after what it listed', async () => {
    const got: InstanceRef[] = [];
    await assert.rejects(collect(client.studyInstances('3.3'), got), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'INCOMPLETE');
      assert.match(e.message, /study 3\.3 holds more than the 14 instances it lists/);
      return true;
    });
    assert.equal(got.length, 14);
    const page = await client.searchStudies({ patientId: 'CUT' }, { offset: 0, limit: 50 });
    assert.deepEqual([page.studies.length, page.more, page.truncated], [14, false, true]);
    const walked: InstanceRef[] = [];
    await assert.rejects(collect(client.queryInstances({ patientId: 'CUT' }), walked), {
      code: 'INCOMPLETE',
      message: /more studies match than the 14 it lists/,
    });
    assert.equal(walked.length, 14 * 3, 'every study it listed is walked before the error');
  });

  it('a server that caps silently is caught by the study’s own count', async () => {
    const got: InstanceRef[] = [];
    await assert.rejects(collect(client.studyInstances('4.4'), got), {
      code: 'INCOMPLETE',
      message: /lists 14 of the 30 instances of study 4\.4/,
    });
    assert.equal(got.length, 14);
  });

  it('reads the Warning header as DICOMweb servers write it', () => {
    for (const warning of [
      '299 dcm4chee:8080 "There are 3 additional results that can be requested"',
      '299 {+service}: There are additional results that can be requested.',
      '299 a: The fuzzymatching parameter is not supported., 299 a: There are 1,200 additional results that can be requested',
    ])
      assert.equal(saysMoreResults({ warning }), true, warning);
    for (const warning of [
      undefined,
      '299 a: The fuzzymatching parameter is not supported.',
      '199 a "additional results"',
    ])
      assert.equal(saysMoreResults({ warning }), false, String(warning));
  });
});
