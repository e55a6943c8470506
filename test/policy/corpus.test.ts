import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { loadPolicy } from '../../src/policy/load.js';

// Each bad/NAME.yaml is a malformed policy; bad/NAME.expected.txt holds the exact problem lines it must produce, as the CLI prints them.
const BAD = fileURLToPath(new URL('../fixtures/policies/bad/', import.meta.url));
const policies = readdirSync(BAD).filter((name) => name.endsWith('.yaml')).sort();

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('the corpus of malformed policies', () => {
  it('holds at least 25 policies, each with its expected problems and no expectation without a policy', () => {
    expect(policies.length).toBeGreaterThanOrEqual(25);
    const expectations = readdirSync(BAD).filter((name) => name.endsWith('.expected.txt')).sort();
    expect(expectations).toStrictEqual(policies.map((name) => name.replace(/\.yaml$/, '.expected.txt')));
  });

  it.each(policies)('%s fails with a PolicyError listing exactly the expected problems', (name) => {
    const file = join(BAD, name);
    const expected = readFileSync(file.replace(/\.yaml$/, '.expected.txt'), 'utf8').trimEnd().split('\n');
    const error = thrownBy(() => loadPolicy(file));
    expect(error).toBeInstanceOf(PolicyError);
    const [header, ...lines] = (error as PolicyError).message.split('\n');
    expect(header).toBe(`${file}: ${expected.length} problem${expected.length === 1 ? '' : 's'} in the policy`);
    expect(lines.map((line) => line.replace(/^ {2}/, ''))).toStrictEqual(expected);
  });
});
