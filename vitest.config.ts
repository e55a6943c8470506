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
    reporters: ['default', './test/plain-summary-reporter.ts'],
  },
});
