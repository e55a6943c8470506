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
    color: false,
    now: () => new Date('2020-04-01T00:00:00Z'),
    cwd: '/nonexistent',
  };
}

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/policies/${name}`, import.meta.url));

describe('policyCheckCommand', () => {
  it('summarises a valid policy on stdout and exits 0', async () => {
    const io = fakeIo();
    const file = fixture('example.yaml');
    expect(await policyCheckCommand({ file }, io)).toBe(ExitCode.ok);
    expect(io.out.join('')).toBe(
      [
        `policy OK: ${file}`,
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
    expect(io.err).toStrictEqual([]);
  });

  it('lets the PolicyError of a broken policy propagate and prints nothing', async () => {
    const io = fakeIo();
    await expect(policyCheckCommand({ file: fixture('bad/unknown-datacenter-in-routing.yaml') }, io)).rejects.toThrow(PolicyError);
    expect(io.out).toStrictEqual([]);
    expect(io.err).toStrictEqual([]);
  });
});
