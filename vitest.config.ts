import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['config/**/*.test.ts', 'server/**/*.test.ts', 'bot/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'tests/bench/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    // Times are stored in UTC and shown in the viewer's zone: tests run in a fixed zone so that no result depends
    // on the machine's.
    env: { TZ: 'Asia/Shanghai' },
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
