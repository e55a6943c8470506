import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:reliability`: every test under test/reliability/ (docs/reliability.md),
 * the slow ones (*.slow.test.ts: crash trials, disk full, bombs, many files) included.
 * One file at a time, so that kill timings and peak-memory figures are not skewed
 * by the other files' load. Otherwise as vitest.config.ts (time zone, pool, reporters).
 */
export default defineConfig({
  test: {
    ...base.test,
    // The fast files also run in `npm test`, with smaller figures (test/reliability/support.ts FULL).
    env: { ...base.test?.env, ROUTEAUDIT_RELIABILITY: 'full' },
    include: ['test/reliability/**/*.test.ts'],
    exclude: configDefaults.exclude,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
