import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, openDroppedPaths, type Transport } from '../../../electron/api/client.js';

/** A transport that records what reaches it and answers every call with an empty catalog. */
function recording(paths: string[]): { transport: Transport; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const invoke: Transport['invoke'] = async (method, payload) => {
    calls.push([method, payload]);
    return { ok: true, value: { source: 'x', patients: [], skipped: [] } };
  };
  return {
    calls,
    transport: {
      invoke,
      subscribe: () => () => undefined,
      scanUrl: (p) => p,
      // As the preload does, with these paths standing in for webUtils.getPathForFile.
      openDropped: (files) =>
        openDroppedPaths(
          files.map((_, i) => paths[i] ?? ''),
          invoke,
        ),
    },
  };
}

describe('window.radsift client', () => {
  const file = new File(['x'], 'a.dcm');

  it('opens dropped files by the paths the transport resolves, never paths from the page', async () => {
    const { transport, calls } = recording(['/data/scans']);
    const api = createClient(transport);
    await api.openDropped([file]);
    assert.deepEqual(calls, [['studies.openDropped', { paths: ['/data/scans'] }]]);

    const call = api.call as (m: string, p: unknown) => Promise<unknown>;
    await assert.rejects(call('studies.openDropped', { paths: ['/etc'] }), { code: 'FORBIDDEN' });
    assert.equal(calls.length, 1, 'the forbidden call never reached the transport');
  });

  it('refuses a drop of nothing that is a file on this computer', async () => {
    const { transport, calls } = recording([]);
    await assert.rejects(createClient(transport).openDropped([file]), { code: 'BAD_REQUEST' });
    assert.equal(calls.length, 0);
  });
});
