import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { policyCheckCommand } from '../../src/commands/policy.js';
import { ExitCode, PolicyError } from '../../src/errors.js';
import type { Io } from '../../src/io.js';

function fakeIo(): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stdoutBytes: () => {
      throw new Error('policy check writes no bytes');
    },
    stderrIsTTY: false,
    self: 'routeaudit',
    color: false,
    now: () => new Date('2020-04-01T00:00:00Z'),
    cwd: '/nonexistent',
  };
}

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/policies/${name}`, import.meta.url));

describe('policyCheckCommand', () => {
  it('summarises a valid policy and its policy-only findings, and exits 1 for one at or above --fail-on', async () => {
    const io = fakeIo();
    const file = fixture('example.yaml');
    expect(await policyCheckCommand({ file, failOn: 'high' }, io)).toBe(ExitCode.findings);
    const out = io.out.join('');
    expect(out).toContain(
      [
        `policy valid, with 1 policy finding: ${file}`,
        '  regions                5',
        '  datacenters            6',
        '  routed client regions  3',
        '  fences                 1',
        '  accounts               1',
        '  suppressions           1',
        '  sha256                 681dace3afbc9bc4353bb0abf5b34e9b0fdf30e0c77e4ff312b2f115fd1da25d',
        '',
      ].join('\n'),
    );
    // The April 2020 root cause: cn-pek1 on the US backup-bridge whitelist.
    expect(out).toMatch(/W-[0-9a-f]{10}\s+critical\s+whitelist\s+routing\.US\.secondary\[2\]\s+cn-pek1 \(CN\) is on the US secondary list/);
    expect(io.err.join('')).toContain('1 policy finding at or above --fail-on high (exit 1)');
  });

  it('exits 0 when no policy finding reaches --fail-on, and reports an expired suppression by the given clock', async () => {
    const io = fakeIo();
    const file = fixture('example.yaml');
    expect(await policyCheckCommand({ file, failOn: 'none', now: '2031-01-01' }, io)).toBe(ExitCode.ok);
    expect(io.out.join('')).toContain('policy valid, with 2 policy findings');
    expect(io.out.join('')).toMatch(/S-0\s+low\s+expired-suppression\s+suppressions\[0\]/);
    expect(io.err).toStrictEqual([]);
  });

  it('reads a relative policy path against the injected working directory, not the process\'s', async () => {
    const io = { ...fakeIo(), cwd: fileURLToPath(new URL('../fixtures/policies/', import.meta.url)) };
    expect(process.cwd()).not.toBe(io.cwd);
    expect(await policyCheckCommand({ file: 'example.yaml', failOn: 'none' }, io)).toBe(ExitCode.ok);
    expect(io.out.join('')).toContain('policy valid, with 1 policy finding: example.yaml\n');
  });

  it('lets the PolicyError of a broken policy propagate and prints nothing', async () => {
    const io = fakeIo();
    await expect(policyCheckCommand({ file: fixture('bad/unknown-datacenter-in-routing.yaml'), failOn: 'high' }, io)).rejects.toThrow(PolicyError);
    expect(io.out).toStrictEqual([]);
    expect(io.err).toStrictEqual([]);
  });
});
