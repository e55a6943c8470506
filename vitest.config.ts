import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The slow half of the reliability suite runs with `npm run test:reliability` (vitest.reliability.config.ts).
    exclude: [...configDefaults.exclude, 'test/reliability/**/*.slow.test.ts'],
    // Tests must not depend on the machine's zone: pin a zone far from UTC so a
    // stray local-time conversion fails loudly instead of passing by luck.
    env: { TZ: 'Pacific/Kiritimati' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: one on a 2-core machine, and the
    // suite then runs file after file. Most files wait on child processes and DuckDB, so two
    // forks on two cores take about two thirds of the time.
    maxWorkers: 2,
    reporters: ['default', './test/plain-summary-reporter.ts'],
  },
});
