/**
 * Policy errors through the built CLI: every malformed policy of the corpus
 * (test/fixtures/policies/bad/, checked message by message in
 * test/policy/corpus.test.ts) makes `routeaudit policy check` and `routeaudit
 * audit` exit 2 with the file's problems and never a stack trace.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCliProcess, STACK_LINE } from '../support/cli-process.js';
import { jsonl, record, tempDir, writeFile } from '../helpers.js';

const BAD = fileURLToPath(new URL('../fixtures/policies/bad/', import.meta.url));
const policies = readdirSync(BAD).filter((name) => name.endsWith('.yaml')).sort();

beforeAll(() => {
  ensureBuilt();
}, 120_000);

/** Runs `tasks` with at most `limit` at a time. */
async function inBatches<T>(items: readonly string[], limit: number, task: (item: string) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(task))));
  return results;
}

describe('the malformed policies through the CLI', () => {
  it(`exit 2 with every expected problem and no stack trace (${policies.length} policies, policy check and audit)`, async () => {
    expect(policies.length).toBeGreaterThanOrEqual(40);
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl([record()]));
    const failures = await inBatches(policies, 4, async (name) => {
      const file = join(BAD, name);
      const expected = readFileSync(file.replace(/\.yaml$/, '.expected.txt'), 'utf8').trimEnd().split('\n');
      const problems: string[] = [];
      for (const args of [['policy', 'check', file], ['audit', '--logs', 'logs', '--policy', file, '--no-reports']]) {
        const run = await runCliProcess(args, dir);
        const header = `routeaudit: ${file}: ${expected.length} problem${expected.length === 1 ? '' : 's'} in the policy`;
        if (run.code !== 2) problems.push(`${args[0]}: exit ${run.code}`);
        if (STACK_LINE.test(run.stderr) || /internal error/.test(run.stderr)) problems.push(`${args[0]}: stack trace`);
        if (run.stderr !== [header, ...expected.map((line) => `  ${line}`)].join('\n') + '\n') problems.push(`${args[0]}: stderr ${JSON.stringify(run.stderr.slice(0, 300))}`);
        if (run.stdout !== '') problems.push(`${args[0]}: stdout ${JSON.stringify(run.stdout.slice(0, 100))}`);
      }
      return problems.length === 0 ? null : `${name}: ${problems.join('; ')}`;
    });
    expect(failures.filter((f) => f !== null)).toEqual([]);
  }, 600_000);
});
