import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['stepwise-source'] },
  ssr: { resolve: { conditions: ['stepwise-source'] } },
  test: { name: 'core' },
});
