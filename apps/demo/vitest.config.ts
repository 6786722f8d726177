import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['stepwise-source'] },
  ssr: { resolve: { conditions: ['stepwise-source'] } },
  test: {
    name: 'demo',
    globalSetup: ['../../packages/db/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
