/** Addresses compared by the C-MOVE storage SCP: one form for what a socket reports and what a lookup gives. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressesOf, normaliseAddress } from '../../../electron/pacs/peer-address.js';

describe('peer addresses', () => {
  it('IPv4-mapped IPv6 (how a dual-stack listener sees an IPv4 peer) reads as IPv4', () => {
    assert.equal(normaliseAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(normaliseAddress('::FFFF:7f00:1'), '127.0.0.1');
    assert.equal(normaliseAddress('::ffff:10.1.2.254'), '10.1.2.254');
  });

  it('IPv6 compressed and in lower case, without a zone; IPv4 as it is', () => {
    assert.equal(normaliseAddress('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(normaliseAddress('FD00:0:0:0:0:0:0:6'), 'fd00::6');
    assert.equal(normaliseAddress('fe80::1%eth0'), 'fe80::1');
    assert.equal(normaliseAddress('10.0.0.5'), '10.0.0.5');
  });

  it('a lookup gives each address once, normalised; an address looks up as itself', async () => {
    assert.deepEqual(await addressesOf('::ffff:127.0.0.2'), ['127.0.0.2']);
    assert.deepEqual(await addressesOf('127.0.0.2'), ['127.0.0.2']);
    assert.deepEqual(await addressesOf('10.0.0.5'), ['10.0.0.5']);
    await assert.rejects(addressesOf('no-such-host.invalid'), { code: 'ENOTFOUND' });
  });

  it('127.0.0.1 and ::1, the loopback addresses localhost names, stand for each other', async () => {
    // This machine either way: a peer comes from the one of the family it connected in, whatever RadSift's lookup
    // of localhost gave (some systems list only 127.0.0.1 for it).
    assert.deepEqual((await addressesOf('::ffff:127.0.0.1')).sort(), ['127.0.0.1', '::1']);
    assert.deepEqual((await addressesOf('127.0.0.1')).sort(), ['127.0.0.1', '::1']);
    assert.deepEqual((await addressesOf('::1')).sort(), ['127.0.0.1', '::1']);
    const localhost = await addressesOf('localhost');
    assert.ok(localhost.includes('127.0.0.1') && localhost.includes('::1'), localhost.join(', '));
  });
});
