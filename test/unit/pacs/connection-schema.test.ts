/**
 * A DIMSE connection's storePeers: the addresses besides its host an archive may send a C-MOVE's instances from.
 * Each is checked where it is written (settings file, app form, CLI), before any lookup.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dimseConnectionSchema } from '../../../electron/pacs/connection.js';

const base = { kind: 'dimse', name: 'a', calledAet: 'ARCHIVE', host: '10.0.0.5', port: 104, retrieve: 'C-MOVE' };
const parse = (storePeers: unknown) => dimseConnectionSchema.safeParse({ ...base, storePort: 11112, storePeers });

describe('a DIMSE connection’s storePeers', () => {
  it('is optional, and takes host names and IPv4 and IPv6 addresses (trimmed)', () => {
    const none = dimseConnectionSchema.parse(base);
    assert.equal(none.storePeers, undefined);
    const r = parse(['10.0.0.6', ' gateway.example.org ', '::1', '::ffff:10.0.0.7', 'fd00::6']);
    assert.ok(r.success, JSON.stringify(r.error?.issues));
    assert.deepEqual(r.data.storePeers, ['10.0.0.6', 'gateway.example.org', '::1', '::ffff:10.0.0.7', 'fd00::6']);
  });

  it('refuses an entry that is empty, too long, or more than a host or address, with a message saying which', () => {
    for (const [entry, message] of [
      ['', /cannot be empty/],
      ['   ', /cannot be empty/],
      ['a'.repeat(254), /at most 253 characters/],
      ['10.0.0.6:104', /host name or IP address \(no port/],
      ['gateway:104', /no port/],
      ['[::1]', /brackets/],
      ['gate way', /spaces/],
      ['http://gateway', /host name or IP address/],
      ['fe80::1%eth0', /host name or IP address/],
      ['-gateway', /host name or IP address/],
    ] as const) {
      const r = parse(['10.0.0.6', entry]);
      assert.equal(r.success, false, entry);
      assert.deepEqual(r.error!.issues[0]!.path, ['storePeers', 1], entry);
      assert.match(r.error!.issues[0]!.message, message, entry);
    }
  });

  it('holds at most 16 addresses, and is a list', () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => `10.0.1.${i}`);
    assert.equal(parse(sixteen).success, true);
    const r = parse([...sixteen, '10.0.1.16']);
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /at most 16 addresses/);
    assert.equal(parse('10.0.0.6').success, false);
    assert.equal(parse([6]).success, false);
  });
});
