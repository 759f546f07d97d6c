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

  it('refuses an IPv4 address not written as four decimal parts, and what is not an IPv6 address whole', () => {
    // The system's lookup reads these the old inet_aton way: 010.0.0.6 is 8.0.0.6 (octal), 10.6 is 10.0.0.6,
    // 167772166 is 10.0.0.6; a zero-padded address would admit another host than the one written.
    for (const entry of [
      '010.0.0.6',
      '10.000.000.006',
      '10.6',
      '167772166',
      '0x0a.0.0.6',
      '10.0.0.6.',
      '::1]:104/x',
      '::1]/a',
    ])
      assert.equal(parse([entry]).success, false, entry);
    assert.match(parse(['010.0.0.6']).error!.issues[0]!.message, /without leading zeros .*010\.0\.0\.6 as 8\.0\.0\.6/);
    // A name with digits is still a name.
    for (const entry of ['10-0-0-6.example.org', '3com.example', 'pacs2', 'gateway.example.org.', '10.0.0.6'])
      assert.equal(parse([entry]).success, true, entry);
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
