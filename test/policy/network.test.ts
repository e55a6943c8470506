import { describe, expect, it } from 'vitest';
import { parseNetwork, type Network } from '../../src/policy/network.js';

const MAPPED = 0xffffn << 32n;

function block(text: string): Network {
  const network = parseNetwork(text);
  if (typeof network === 'string') throw new Error(network);
  return network;
}

describe('CIDR blocks as 128-bit key ranges', () => {
  it('maps an IPv4 block into the IPv4-mapped IPv6 range, as the geo lookup keys addresses', () => {
    expect(block('203.0.113.0/24')).toEqual({ text: '203.0.113.0/24', prefixLength: 120, first: MAPPED + 0xcb007100n, last: MAPPED + 0xcb0071ffn });
    expect(block('10.1.2.3/32')).toMatchObject({ first: MAPPED + 0x0a010203n, last: MAPPED + 0x0a010203n });
    expect(block('0.0.0.0/0')).toMatchObject({ first: MAPPED, last: MAPPED + 0xffffffffn });
  });

  it('reads IPv6 blocks, with :: anywhere and an IPv4 tail', () => {
    expect(block('2001:db8::/32')).toMatchObject({ prefixLength: 32, first: 0x20010db8n << 96n, last: (0x20010db8n << 96n) + (1n << 96n) - 1n });
    expect(block('::/0')).toMatchObject({ first: 0n, last: (1n << 128n) - 1n });
    expect(block('::ffff:192.0.2.0/120')).toMatchObject({ first: MAPPED + 0xc0000200n });
    expect(block('fe80::1:0/112').first).toBe((0xfe80n << 112n) + (1n << 16n));
  });

  it('refuses what is not a block, saying what is wrong', () => {
    expect(parseNetwork('203.0.113.0')).toMatch(/^expected a CIDR block/);
    expect(parseNetwork('203.0.113.0/33')).toBe('the prefix length must be a whole number from 0 to 32, got "33"');
    expect(parseNetwork('2001:db8::/129')).toBe('the prefix length must be a whole number from 0 to 128, got "129"');
    expect(parseNetwork('cn-pek1/24')).toBe('"cn-pek1" is not an IPv4 or IPv6 address');
    expect(parseNetwork('203.0.113.7/24')).toBe('host bits are set: the block of 203.0.113.7/24 starts at 203.0.113.0/24; write that');
    expect(parseNetwork('2001:db8::1/32')).toMatch(/^host bits are set/);
  });
});
