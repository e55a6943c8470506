/**
 * CIDR blocks of the policy (a datacenter's `networks`, `client_networks`) as
 * 128-bit ranges in the key space of the geo lookup (docs/geo.md): IPv6 as its
 * number, IPv4 as its IPv4-mapped IPv6 address (::ffff:a.b.c.d), so that one
 * range join in SQL places both families.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface Network {
  /** As written in the policy, for messages and reports. */
  text: string;
  prefixLength: number;
  /** First and last address of the block, as 128-bit keys. */
  first: bigint;
  last: bigint;
}

const IPV4_MAPPED_BASE = 0xffffn << 32n;

/** The network a CIDR text names, or a sentence saying what is wrong with it. */
export function parseNetwork(text: string): Network | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'expected a CIDR block: an address, "/" and a prefix length (e.g. 203.0.113.0/24, 2001:db8::/32)';
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) return `"${address}" is not an IPv4 or IPv6 address`;
  const bits = v4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return `the prefix length must be a whole number from 0 to ${bits}, got "${prefix}"`;
  const length = Number(prefix);
  const value = v4 ? ipv4Number(address) : ipv6Number(address);
  const hostBits = BigInt(bits - length);
  const hostMask = (1n << hostBits) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = value & ~hostMask;
    return `host bits are set: the block of ${text} starts at ${v4 ? ipv4Text(network) : 'a lower address'}/${length}; write that`;
  }
  const base = v4 ? IPV4_MAPPED_BASE : 0n;
  return { text, prefixLength: v4 ? length + 96 : length, first: base + value, last: base + value + hostMask };
}

function ipv4Number(address: string): bigint {
  return address.split('.').reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n);
}

function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** An address that node:net accepts as IPv6 (so `::` appears at most once, and an IPv4 tail only last). */
function ipv6Number(address: string): bigint {
  const withoutZone = address.split('%')[0] ?? address;
  let groups: string[];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(withoutZone);
  let text = withoutZone;
  if (tail) {
    const v4 = ipv4Number(tail[1]!);
    text = `${withoutZone.slice(0, tail.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length === 2) {
    const head = halves[0] === '' ? [] : halves[0]!.split(':');
    const rest = halves[1] === '' ? [] : halves[1]!.split(':');
    groups = [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  } else {
    groups = text.split(':');
  }
  return groups.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group, 16)), 0n);
}
